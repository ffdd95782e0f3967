"""Issue 26, item 3: every stored or typed string is shown as text, never as markup. In a real browser
(Debian's chromium, as tests/test_browser.py), metadata holding ``<img src=x onerror=…>`` and ``<b>`` is
shown in every view that displays it: the library table, the pickers, the save message, an error toast that
quotes it, the chat's citation, the summary, the 核查 toast and the 对比 chart and table. In none of them is
an element created (no <img src=x>, no <b> around the planted words, the onerror never runs), and the
planted text is visible as typed (escaped once, not twice)."""

from __future__ import annotations

import pytest

from govqa.library import Library
from govqa.settings import Settings
from tests.test_browser import ARTIFACTS, ROOT, SHANXI, app_page, chromium, running_app  # noqa: F401  (fixtures)

HONGZE_2024 = ROOT / "data" / "pdf" / "hongze_2024.pdf"
IMG = '<img src=x onerror="window.__pwned=(window.__pwned||0)+1">'
BOLD = "<b>粗体</b>"
TITLE = f"{IMG}{BOLD}洪泽区2024年报"
ISSUER = f"{BOLD}{IMG}洪泽区人民政府"


@pytest.fixture(scope="module")
def planted_server(tmp_path_factory, cache_dir):
    """app.py on a library of the Shanxi 2017 and 洪泽区 2024 reports, the latter's title and issuer set,
    through the service layer that /set_meta uses, to strings holding markup."""
    data = tmp_path_factory.mktemp("escape") / "data"
    settings = Settings(data_dir=data, cache_dir=cache_dir)
    library = Library(settings)
    assert not library.add([SHANXI, HONGZE_2024]).failed
    library.set_meta("hongze_2024.pdf", {"title": TITLE, "issuer": ISSUER})
    del library
    log = tmp_path_factory.mktemp("escape-log") / "app.log"
    with running_app(data, cache_dir, log, GOVQA_LLM_BACKEND="none") as (url, _):
        yield url


def _no_markup(page, where: str) -> None:
    """Nothing the planted strings could create exists on the page, and the onerror never ran."""
    assert page.locator("img[src='x']").count() == 0, f"{where}: an <img> was created"
    assert page.locator("b", has_text="粗体").count() == 0, f"{where}: a <b> was created"
    assert page.evaluate("window.__pwned === undefined"), f"{where}: the onerror handler ran"


def test_planted_markup_is_shown_as_text_everywhere(chromium, planted_server):  # noqa: F811
    from playwright.sync_api import expect

    with app_page(chromium, planted_server, height=1100) as page:
        # 报告库: the table and the pickers hold the planted title and issuer.
        page.get_by_role("tab", name="报告库").click()
        docs = page.locator("#govqa-docs")
        expect(docs).to_contain_text(BOLD)  # shown as typed: escaped once, not twice
        expect(docs).to_contain_text(ISSUER)
        _no_markup(page, "library table")
        page.locator("#govqa-meta-doc input").click()
        expect(page.get_by_role("option").filter(has_text="洪泽区2024年报")).to_contain_text(BOLD)
        _no_markup(page, "report picker")
        page.get_by_role("option").filter(has_text="洪泽区2024年报").click()

        # A correction holding markup: the save message quotes it as text.
        page.locator("#govqa-meta-field input").click()
        page.get_by_role("option", name="地区").click()
        page.locator("#govqa-meta-value textarea, #govqa-meta-value input").first.fill(f"淮安市洪泽区{BOLD}")
        page.locator("#govqa-meta-btn").click()
        expect(page.locator("#govqa-meta-msg")).to_contain_text(f"已保存：地区 = 淮安市洪泽区{BOLD}")
        _no_markup(page, "save message")

        # A refused correction: the error toast quotes what was typed, as text.
        page.locator("#govqa-meta-field input").click()
        page.get_by_role("option", name="年份").click()
        page.locator("#govqa-meta-value textarea, #govqa-meta-value input").first.fill(IMG)
        page.locator("#govqa-meta-btn").click()
        toast = page.locator("[data-testid=toast-text]").last
        expect(toast).to_contain_text("年份应为四位数字")
        expect(toast).to_contain_text("<img src=x")
        _no_markup(page, "error toast")
        page.screenshot(path=str(ARTIFACTS / "escape-1-library.png"), full_page=True)

        # 问答: the region and report pickers, and an answer citing the report by its planted title.
        page.get_by_role("tab", name="问答").click()
        page.locator("#govqa-f-doc input").click()
        expect(page.get_by_role("option").filter(has_text="洪泽区2024年报")).to_contain_text(IMG)
        page.keyboard.press("Escape")
        page.locator("#govqa-f-region input").click()
        expect(page.get_by_role("option").filter(has_text="淮安市洪泽区")).to_contain_text(BOLD)
        page.keyboard.press("Escape")
        _no_markup(page, "question filters")
        page.locator("#govqa-question textarea").fill("2024年淮安市洪泽区本年新收政府信息公开申请多少件？")
        page.locator("#govqa-question textarea").press("Enter")
        cite = page.locator("#govqa-chat blockquote.govqa-cite").last
        expect(cite).to_contain_text("洪泽区2024年报", timeout=120_000)
        expect(cite).to_contain_text(BOLD)
        _no_markup(page, "answer")

        # 摘要: the summary's heading is the planted title.
        page.get_by_role("tab", name="摘要").click()
        page.locator("#govqa-summary-doc input").click()
        page.get_by_role("option").filter(has_text="洪泽区2024年报").click()
        page.locator("#govqa-summary-btn").click()
        expect(page.locator("#govqa-summary h2")).to_contain_text(BOLD, timeout=120_000)
        _no_markup(page, "summary")

        # 核查: text reuse needs the issuer's 2023 report; the refusal toast names the planted issuer.
        page.get_by_role("tab", name="核查").click()
        page.locator("#govqa-audit-doc input").click()
        page.get_by_role("option").filter(has_text="洪泽区2024年报").click()
        page.locator("#govqa-reuse-btn").click()
        toast = page.locator("[data-testid=toast-text]").filter(has_text="年的报告").last
        expect(toast).to_contain_text(BOLD)
        _no_markup(page, "audit toast")

        # 对比: a cell across reports; the chart's labels and tooltip and the table carry the title.
        page.get_by_role("tab", name="对比").click()
        page.locator("#govqa-cmp-row input").fill("本年新收")
        page.get_by_role("option", name="一、本年新收政府信息公开申请数量").click()
        page.locator("#govqa-cmp-btn").click()
        table = page.locator("#govqa-cmp-table")
        expect(table).to_contain_text(BOLD)
        plot = page.locator("#govqa-cmp-plot canvas, #govqa-cmp-plot svg").first
        expect(plot).to_be_visible()
        box = plot.bounding_box()
        for fx in (0.3, 0.5, 0.7):  # hover across the bars so that a tooltip opens
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.8)
            page.wait_for_timeout(300)
        _no_markup(page, "compare")
        page.screenshot(path=str(ARTIFACTS / "escape-2-compare.png"), full_page=True)
