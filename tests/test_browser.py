"""End to end in a real browser: Playwright drives Debian's chromium (never a downloaded browser)
against `python app.py` on a free local port. Upload the Shanxi 2017 report, ask the target
question, see 1695件 with its cited sentence, open 摘要 and a cited key figure. Screenshots go to
test-artifacts/. The page must not fetch anything from outside 127.0.0.1 (no CDN, no fonts)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHANXI = ROOT / "data" / "demo" / "000_e718e0343c84cd48.txt"  # 山西省2017年政府信息公开工作年度报告
FUSHUN = ROOT / "data" / "demo" / "003_24be5d677ff59441.txt"  # 抚顺市2017年政府信息公开工作年度报告
QUESTION = "2017年山西省全省共受理政府信息公开申请多少件？"
SENTENCE = "2017年,全省共受理政府信息公开申请1695件,答复率为98.7%。"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ROWS = "[role=row]:has([role=gridcell])"  # a gr.Dataframe's data rows (its tbody holds a hidden sizing row)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _apt_install(*packages: str, retry_after_update: bool = True, timeout: int = 600) -> bool:
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        for attempt in range(2 if retry_after_update else 1):
            if attempt:
                subprocess.run([*prefix, "apt-get", "update", "-q"], env=env, capture_output=True, timeout=timeout)
            done = subprocess.run([*prefix, "apt-get", "install", "-y", "-q", *packages], env=env, capture_output=True,
                                  timeout=timeout)
            if done.returncode == 0:
                return True
    except (OSError, subprocess.TimeoutExpired):
        pass
    return False


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's chromium, installed with apt when missing; a CJK font too (best effort, only so the
    screenshots are readable: the assertions read the DOM)."""
    if not CHROMIUM.exists() and not _apt_install("chromium"):
        pytest.fail("chromium is missing and `apt-get install -y chromium` failed")
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
        if not fonts.strip():
            _apt_install("fonts-wqy-microhei", retry_after_update=False, timeout=120)
    return CHROMIUM


# A chosen file's name shows once Gradio has received it; on a loaded 2-core machine that takes seconds.
UPLOAD_SHOWN_MS = 30_000


def choose_files(page: Any, *paths: Path) -> None:
    """Choose files in the 报告库 upload box and wait until each is listed. Gradio prints a name as its stem and
    its extension in two elements, so the stem is what a reader sees as one piece of text."""
    from playwright.sync_api import expect

    page.locator("#govqa-upload input[type=file]").set_input_files([str(f) for f in paths])
    for f in paths:
        expect(page.locator("#govqa-upload").get_by_text(f.stem).first).to_be_visible(timeout=UPLOAD_SHOWN_MS)


@contextmanager
def running_app(data: Path, cache_dir: Path, log: Path, **extra_env: str):
    """`python app.py` in a subprocess on a free local port over ``data``; yields (url, port) once the page
    answers, and stops the app after."""
    port = free_port()
    env = {**os.environ, "GOVQA_DATA_DIR": str(data), "GOVQA_CACHE_DIR": str(cache_dir), "GOVQA_APP_PORT": str(port),
           "GOVQA_APP_HOST": "127.0.0.1", **extra_env}
    env.pop("GOVQA_CHROMA_HOST", None)
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail("app.py did not start:\n" + log.read_text(errors="replace")[-3000:])
                time.sleep(0.5)
        yield url, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory, cache_dir):
    """`python app.py` in a subprocess with a fresh data dir and the session's embedding cache."""
    data = tmp_path_factory.mktemp("browser") / "data"
    log = tmp_path_factory.mktemp("browser-log") / "app.log"
    with running_app(data, cache_dir, log) as (url, port):
        yield url
    assert f"http://127.0.0.1:{port}" in log.read_text(errors="replace")


@contextmanager
def app_page(chromium: Path, server: str, height: int = 900) -> Iterator[Any]:
    """A page of the app in Debian's chromium (screenshots go to test-artifacts/). On leaving, nothing
    must have been fetched from outside the app: no CDN, no fonts, no analytics."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--headless=new", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": height}).new_page()
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server, "data:", "blob:")) else None)
            page.set_default_timeout(60_000)
            page.goto(server)
            yield page
        finally:
            browser.close()
    assert outside == [], f"the page fetched from outside the app: {outside}"


def test_upload_ask_and_summary_in_the_browser(chromium, server, tmp_path):
    from playwright.sync_api import expect

    with app_page(chromium, server, height=900) as page:
        # 报告库: upload the report through the file input, then 导入.
        page.get_by_role("tab", name="报告库").click()
        expect(page.get_by_text("还没有报告")).to_be_visible()
        choose_files(page, SHANXI)
        page.locator("#govqa-upload-btn").click()
        expect(page.locator("#govqa-upload-msg")).to_contain_text("已导入 1", timeout=120_000)
        expect(page.locator("#govqa-docs")).to_contain_text("山西省2017年政府信息公开工作年度报告")
        expect(page.locator("#govqa-docs")).to_contain_text("32")
        page.screenshot(path=str(ARTIFACTS / "1-library.png"), full_page=True)

        # A file that cannot be a report: named, with its reason, in Chinese; nothing added.
        bad = tmp_path / "扫描件.pdf"
        bad.write_bytes(b"%PDF-1.4 not a report")
        choose_files(page, bad)
        page.locator("#govqa-upload-btn").click()
        expect(page.locator("#govqa-upload-msg")).to_contain_text(f"{bad.name}：无法打开 PDF")
        expect(page.locator("[data-testid=toast-text]").first).to_contain_text(f"{bad.name}：无法打开 PDF")
        expect(page.locator(f"#govqa-docs {ROWS}")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "1b-bad-upload.png"))

        # 问答: the number, highlighted in its cited sentence, with the document and an expandable passage.
        page.get_by_role("tab", name="问答").click()
        page.locator("#govqa-question textarea").fill(QUESTION)
        page.locator("#govqa-question textarea").press("Enter")
        answer = page.locator("#govqa-chat .govqa-answer").last
        expect(answer).to_have_text("答：1695件")
        cite = page.locator("#govqa-chat blockquote.govqa-cite").last
        expect(cite).to_contain_text(SENTENCE)
        expect(cite.locator("mark").first).to_have_text("1695件")
        expect(cite).to_contain_text("山西省2017年政府信息公开工作年度报告 · 山西省 · 2017年")
        passage = cite.locator("details .govqa-passage")
        expect(passage).to_be_hidden()
        cite.locator("details summary").click()
        expect(passage).to_be_visible()
        expect(passage).to_contain_text("四、依申请公开政府信息情况")
        page.screenshot(path=str(ARTIFACTS / "2-answer.png"), full_page=True)

        # A question the library cannot answer: a clear refusal with the closest passages.
        page.locator("#govqa-question textarea").fill("2019年北京市共受理政府信息公开申请多少件？")
        page.locator("#govqa-question textarea").press("Enter")
        expect(page.locator("#govqa-chat .govqa-refusal")).to_have_text("报告中未找到")
        expect(page.locator("#govqa-chat").get_by_text("最接近的段落")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "3-refusal.png"), full_page=True)

        # 摘要: a cited key figure; clicking its marker opens the source passage.
        page.get_by_role("tab", name="摘要").click()
        page.locator("#govqa-summary-btn").click()
        value = page.locator("td.govqa-value", has_text=re.compile(r"^\s*1695件\s*$"))
        row = page.locator("#govqa-summary table.govqa-figures tr").filter(has=value).first
        expect(row).to_contain_text("受理政府信息公开申请")
        expect(row.locator(".govqa-passage")).to_be_hidden()
        row.locator("details summary").click()
        expect(row.locator(".govqa-passage")).to_be_visible()
        expect(row.locator(".govqa-passage mark")).to_have_text("1695件")
        expect(row.locator(".govqa-passage")).to_contain_text(SENTENCE)
        page.screenshot(path=str(ARTIFACTS / "4-summary.png"), full_page=True)


HONGZE = [ROOT / "data" / "pdf" / "hongze_2023.pdf", ROOT / "data" / "pdf" / "hongze_2024.pdf"]


def test_audit_and_compare_tabs_in_the_browser(chromium, server):
    """核查 and 对比 on 洪泽区 2023 and 2024 (uploaded here; the Shanxi report of the test above stays).
    Values read from the page images: 2023 行政复议 10 + 1 + 0 + 0 but 总计 0 (page 4); 本年新收 总计
    21 in 2023 and 95 in 2024. The Shanxi 2017 report has no such table: 缺失, never 0."""
    from playwright.sync_api import expect

    with app_page(chromium, server, height=1000) as page:
        page.get_by_role("tab", name="报告库").click()
        choose_files(page, *HONGZE)
        page.locator("#govqa-upload-btn").click()
        expect(page.locator("#govqa-upload-msg")).to_contain_text("已导入 2", timeout=180_000)

        # 核查: all reports; the 复议 row that does not add up, and its cells on click.
        page.get_by_role("tab", name="核查").click()
        page.locator("#govqa-audit-btn").click()
        expect(page.locator("#govqa-audit-note")).to_contain_text("不符 3")  # 洪泽区 2023 复议 and 诉讼, Shanxi 2017 120 > 43
        row = page.locator(f"#govqa-audit {ROWS}").filter(has_text="行政复议/合计").first
        expect(row).to_contain_text("不符")
        row.locator("[role=gridcell]").nth(3).click()
        expect(page.locator("#govqa-finding")).to_contain_text("10 + 1 + 0 + 0 = 11；表中总计 0")
        expect(page.locator("#govqa-finding blockquote").first).to_contain_text("行政复议")
        page.screenshot(path=str(ARTIFACTS / "5-audit.png"), full_page=True)

        # 对比: 本年新收 × 总计 over every report; each point cited, the Shanxi report missing.
        page.get_by_role("tab", name="对比").click()
        page.locator("#govqa-cmp-row input").fill("本年新收")
        page.get_by_role("option", name="一、本年新收政府信息公开申请数量").click()
        page.locator("#govqa-cmp-btn").click()
        table = page.locator("#govqa-cmp-table")
        expect(table.locator(ROWS).filter(has_text="2023")).to_contain_text("21件")
        expect(table.locator(ROWS).filter(has_text="2024")).to_contain_text("95件")
        expect(table.locator(ROWS).filter(has_text="2024")).to_contain_text("【表2】一、本年新收政府信息公开申请数量｜自然人=95")
        expect(table.locator(ROWS).filter(has_text="山西省2017年")).to_contain_text("缺失（不是 0）")
        expect(page.locator("#govqa-cmp-note")).to_contain_text("2 份报告有此单元格，1 份缺失")
        expect(page.locator("#govqa-cmp-note")).to_contain_text("2023→2024：+74件")
        expect(page.locator("#govqa-cmp-plot canvas, #govqa-cmp-plot svg, #govqa-cmp-plot img").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "6-compare.png"), full_page=True)

        # Text reuse of 2024 against 2023, from the 核查 tab.
        page.get_by_role("tab", name="核查").click()
        page.locator("#govqa-audit-doc input").fill("淮安市洪泽区")
        page.get_by_role("option").filter(has_text="2024").first.click()
        page.locator("#govqa-reuse-btn").click()
        expect(page.locator("#govqa-reuse")).to_contain_text("逐字重复")
        expect(page.locator("#govqa-reuse")).to_contain_text("主要通过政府门户网站主动公开政府文件、项目审批、通知公告等各类政府信息。")
        page.screenshot(path=str(ARTIFACTS / "7-reuse.png"), full_page=True)


def test_assess_tab_shows_the_ranking_and_a_scorecard(chromium, server):
    """评估 on 洪泽区 2023 and 2024 and 山西省 2017 (uploaded here if the tests above have not). Read from the
    sources: 洪泽区 2023 行政复议 10 + 1 + 0 + 0 but 总计 0 (page 4); 山西省 2017 is held to the 2008 条例, signed
    2018年3月26日 (its last line)."""
    from playwright.sync_api import expect

    with app_page(chromium, server, height=1100) as page:
        page.get_by_role("tab", name="报告库").click()
        choose_files(page, *HONGZE, SHANXI)
        page.locator("#govqa-upload-btn").click()
        expect(page.locator("#govqa-upload-msg")).to_contain_text("共 3 个文件", timeout=240_000)

        page.get_by_role("tab", name="评估").click()
        page.locator("#govqa-assess-btn").click()
        ranking = page.locator("#govqa-assess-rank")
        expect(page.locator("#govqa-assess-note")).to_contain_text("共 3 份年度报告")
        expect(ranking.locator(ROWS)).to_have_count(3)
        row = ranking.locator(ROWS).filter(has_text="hongze_2023.pdf")
        expect(row).to_contain_text("2019年修订《条例》（国令第711号）＋2021年年度报告格式")
        expect(row).to_contain_text("不通过")
        row.locator("[role=gridcell]").nth(1).click()
        card = page.locator("#govqa-assess-card")
        expect(card).to_contain_text("洪泽区人民政府2023年政府信息公开工作年度报告")
        consistent = card.locator("[data-check=consistent]")
        expect(consistent).to_contain_text("不通过")
        expect(consistent).to_contain_text("10 + 1 + 0 + 0 = 11；表中总计 0")
        expect(consistent.locator("blockquote").first).to_contain_text("【表3】行政复议｜行政复议/结果维持=10")
        expect(card.locator("[data-check=on_time]")).to_contain_text("未找到发布日期")
        expect(card.locator("[data-check=sections]")).to_contain_text("六、其他需要报告的事项")
        page.screenshot(path=str(ARTIFACTS / "12-assess.png"), full_page=True)

        # Filter by year: only the 2017 report, held to the 2008 条例's 3月31日.
        page.locator("#govqa-assess-year input").fill("2017")
        page.locator("#govqa-assess-year input").press("Enter")
        page.locator("#govqa-assess-btn").click()
        expect(ranking.locator(ROWS)).to_have_count(1)
        expect(ranking.locator(ROWS).first).to_contain_text("2008年《条例》（国令第492号）")
        ranking.locator(ROWS).first.locator("[role=gridcell]").nth(1).click()
        on_time = card.locator("[data-check=on_time]")
        expect(on_time).to_contain_text("2018-03-26 公布，不晚于时限 2018-03-31")
        expect(on_time).to_contain_text("第三十一条")
        expect(on_time.locator("blockquote")).to_contain_text("2018年3月26日")

        page.locator("#govqa-assess-xlsx").click()
        expect(page.locator("#govqa-assess-file")).to_contain_text(".xlsx", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "13-assess-2017.png"), full_page=True)


def _seen_status_texts(page: Any, until: Any, timeout_s: float = 60) -> set[str]:
    """Gradio's status lines (queue position, processing time) seen while an event runs, polled every 20 ms."""
    seen: set[str] = set()
    deadline = time.time() + timeout_s
    while time.time() < deadline and not until():
        text = page.evaluate("() => [...document.querySelectorAll('[data-testid=status-tracker]')]"
                             ".map(e => e.innerText).join(' / ')")
        seen |= {t.strip() for t in text.split(" / ") if t.strip()}
        time.sleep(0.02)
    return seen


def test_citation_page_overview_and_the_apps_own_texts_in_the_browser(chromium, server):
    """On the reports of the tests above (Shanxi 2017, 洪泽区 2023 and 2024). 洪泽区 2024 page 3 (pdftoppm -r 80)
    prints the 申请 table; its 本年新收 row reads 95 under 自然人 and 95 under 总计."""
    from playwright.sync_api import expect

    with app_page(chromium, server, height=1000) as page:
        # 问答: the answer from a table cell, shown as its row with the cell marked; its page opens beside it.
        page.locator("#govqa-question textarea").fill("淮安市洪泽区2024年收到的政府信息公开申请有多少件？")
        page.locator("#govqa-question textarea").press("Enter")
        expect(page.locator("#govqa-chat .govqa-answer").last).to_have_text("答：95件")
        cite = page.locator("#govqa-chat blockquote.govqa-cite").last
        expect(cite.locator("td.govqa-hit")).to_have_text("95")
        expect(cite.locator("table.govqa-row th").last).to_have_text("总计")
        cite.locator("a.govqa-page-link").click()
        viewer = page.locator("#govqa-viewer-info")
        expect(viewer).to_contain_text("第3页")
        expect(viewer.locator("td.govqa-hit")).to_have_text("95")
        expect(page.locator("#govqa-viewer-image img")).to_be_visible()
        original = viewer.locator("#govqa-original")
        expect(original).to_have_text("打开原文件（第3页）")
        href = original.get_attribute("href") or ""
        assert href.endswith("#page=3")
        got = page.request.get(server + href.split("#")[0])
        assert got.ok and got.body()[:5] == b"%PDF-"
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "8-citation-page.png"))

        # A difference of two cited values, with its arithmetic and both citations.
        page.locator("#govqa-question textarea").fill("洪泽区2024年新收申请比2023年增加了多少件？")
        page.locator("#govqa-question textarea").press("Enter")
        expect(page.locator("#govqa-chat .govqa-answer").last).to_have_text("答：74件")
        expect(page.locator("#govqa-chat .govqa-derived").last).to_contain_text("算式：95 − 21 = 74")
        last = page.locator("#govqa-chat .message-content").filter(has=page.locator(".govqa-derived")).last
        expect(last.locator("a.govqa-page-link")).to_have_count(2)  # the 2024 and the 2023 row, each with its page
        expect(last).to_contain_text("hongze_2023.pdf 第3页")

        # 总览: one row per report; a figure opens the row it was read from, with its page.
        page.get_by_role("tab", name="总览").click()
        page.locator("#govqa-ov-btn").click()
        expect(page.locator("#govqa-ov-note")).to_contain_text("共 3 份报告")
        row = page.locator(f"#govqa-ov-table {ROWS}").filter(has_text="hongze_2024.pdf")
        expect(row).to_contain_text("95")
        row.locator("[role=gridcell]").nth(7).click()  # 新收
        expect(page.locator("#govqa-ov-detail")).to_contain_text("新收 = 95件")
        expect(page.locator("#govqa-ov-detail")).to_contain_text("第3页")
        page.screenshot(path=str(ARTIFACTS / "9-overview.png"), full_page=True)

        # 核查: the status filter, and findings grouped by report named by issuer and year.
        page.get_by_role("tab", name="核查").click()
        page.locator("#govqa-audit-btn").click()
        note = page.locator("#govqa-audit-note")
        expect(note).to_contain_text("洪泽区人民政府 2023年：不符 2")
        table = page.locator(f"#govqa-audit {ROWS}")
        expect(table.filter(has_text="相符")).to_have_count(0)
        status = page.locator("#govqa-audit-status")
        status.get_by_label("相符").check()
        expect(table.filter(has_text="相符").first).to_be_visible()
        status.get_by_label("不符").uncheck()
        status.get_by_label("无法核对").uncheck()
        expect(table.filter(has_text="不符")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "11-audit-filter.png"))
        # Gradio's queue line, as it would read with requests waiting, is put into Chinese too.
        page.evaluate("() => { const s = document.createElement('span'); s.id = 'govqa-q'; s.textContent = 'queue: 2/3 |';"
                      " document.body.appendChild(s); }")
        expect(page.locator("#govqa-q")).to_have_text("排队中：第 2 位，共 3 位 |")

        # A report picker narrows as one types (the text arrives in one go, as a Chinese input method commits it).
        page.get_by_role("tab", name="摘要").click()
        picker = page.locator("#govqa-summary-doc input")
        picker.fill("洪泽")
        options = page.get_by_role("option")
        expect(options).to_have_count(2)
        assert all("洪泽" in t for t in options.all_inner_texts())


def test_a_third_upload_waits_in_the_queue_and_is_told_so_in_chinese(chromium, tmp_path):
    """Three readers upload the Fushun 2017 report at once. The app runs two of an event at a time, so the third
    waits in Gradio's queue and is told its place in Chinese. Its own app and an empty embedding cache, so each
    import really embeds (seconds) instead of reading the session's cache (a fraction of a second)."""
    from playwright.sync_api import expect

    with running_app(tmp_path / "data", tmp_path / "cache", tmp_path / "app.log") as (server, _port):
        with app_page(chromium, server, height=900) as page:
            readers = [page, page.context.new_page(), page.context.new_page()]
            for p in readers:
                if p is not page:
                    p.goto(server)
                p.get_by_role("tab", name="报告库").click()
                choose_files(p, FUSHUN)
            running = ("() => [...document.querySelectorAll('[data-testid=status-tracker]')]"
                       ".some(e => /\\d\\.\\ds/.test(e.innerText) && !e.innerText.includes('排队'))")  # its clock runs
            for p in readers[:2]:  # the two the app runs at once; the third is clicked once both are importing
                p.evaluate("() => document.querySelector('#govqa-upload-btn').click()")
            for p in readers[:2]:
                p.wait_for_function(running, timeout=60_000, polling=20)
            waiting = readers[-1]
            waiting.evaluate("() => document.querySelector('#govqa-upload-btn').click()")
            seen = _seen_status_texts(waiting, lambda: "共 1 个文件" in waiting.locator("#govqa-upload-msg").inner_text(),
                                      timeout_s=300)
            assert any(t.startswith("排队中：第 1 位") for t in seen), seen
            assert not any(t.startswith(("processing", "queue:")) for t in seen), seen
            for p in readers:
                expect(p.locator("#govqa-upload-msg")).to_contain_text("共 1 个文件", timeout=300_000)

