"""Tables as data: real reports (PDF, HTML) and a DOCX fixture, checked against values read by eye.

Every expected number below was read off the published page images (``pdftoppm -r 110``), never from a
parser's output. Each checked cell must also be an exact span of the stored text, so a cited number is
always text that was stored.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from ingest.docx import load_docx
from ingest.html_tables import html_tables
from ingest.pdf import OcrUnavailableError, load_pdf
from ingest.tables import (
    REQUEST_ROWS,
    GridCell,
    Table,
    build_tables,
    join_fragments,
    locate_cells,
    match_request_label,
    render_row,
    split_glued_row,
)

try:
    from govqa.text import normalize_text
except ImportError:  # pragma: no cover
    from ingest.normalize import normalize_text  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "pdf"  # copied from shared/corpus-pdf (public records)
FIXTURES = Path(__file__).resolve().parent / "fixtures"

NEW = "一、本年新收政府信息公开申请数量"
OPEN = "三、本年度办理结果/（一）予以公开"
TOTAL = "三、本年度办理结果/（七）总计"
CARRY = "四、结转下年度继续办理"

# (row, 自然人, 总计) as printed on the page images.
HUAIAN_2024 = [(NEW, "3001", "3119"), (OPEN, "1288", "1362"), (TOTAL, "2932", "3050"), (CARRY, "103", "103")]
HONGZE_2023 = [(NEW, "21", "21"), (OPEN, "0", "0"), (TOTAL, "21", "21"), (CARRY, "0", "0")]
HONGZE_2024 = [(NEW, "95", "95"), (OPEN, "50", "50"), (TOTAL, "95", "95"), (CARRY, "0", "0")]
# 上海 2019: the published page leaves 予以公开's 总计 blank; blank must stay blank, not become 0.
SHANGHAI_2019 = [(NEW, "821", "859"), (OPEN, "258", ""), (TOTAL, "767", "805"), (CARRY, "72", "72")]


def corpus(name: str) -> Path:
    path = CORPUS / name
    assert path.exists(), f"{path} missing: the real reports live in data/pdf"
    return path


_cache: dict[str, tuple[str, list[Table]]] = {}


def load(name: str) -> tuple[str, list[Table]]:
    if name not in _cache:
        if name.endswith(".pdf"):
            _cache[name] = load_pdf(corpus(name))
        elif name.endswith(".html"):
            _cache[name] = html_tables(corpus(name).read_text(encoding="utf-8"))
        else:
            _cache[name] = load_docx(FIXTURES / name)
    return _cache[name]


def check_cells(name: str, expected: list[tuple[str, str, str]]) -> None:
    text, tables = load(name)
    records = {(r.table_kind, r.row_key, r.col_key): r for r in locate_cells(text, tables)}
    for row, person, total in expected:
        for col, raw in (("自然人", person), ("总计", total)):
            rec = records.get(("申请", row, col))
            assert rec is not None, f"{name}: no cell {row} × {col}"
            assert rec.raw == raw, f"{name}: {row} × {col} = {rec.raw!r}, page shows {raw!r}"
            assert text[rec.start : rec.end] == raw
            assert rec.value == (float(raw) if raw else None)
            if not raw:  # a blank cell is an empty span right after "列="
                assert rec.start == rec.end and text[rec.start - 1] == "="
            line = text[rec.row_start : rec.row_end]
            assert "\n" not in line and line.startswith("【表")


@pytest.mark.parametrize(
    "name, expected",
    [("huaian_2024.pdf", HUAIAN_2024), ("hongze_2023.pdf", HONGZE_2023), ("hongze_2024.pdf", HONGZE_2024)],
)
def test_pdf_cells_match_page_images(name, expected):
    check_cells(name, expected)


def test_html_cells_keep_blanks():
    check_cells("shanghai_2019.html", SHANGHAI_2019)
    text, tables = load("shanghai_2019.html")
    assert [t.kind for t in tables] == ["主动公开", "申请", "复议诉讼"]
    assert {t.template for t in tables} == {"2019"}
    review = next(t for t in tables if t.kind == "复议诉讼")
    cells = {c.col: c for r in review.rows for c in r.cells}
    assert cells["行政复议/结果维持"].value == 5 and cells["行政复议/结果纠正"].raw == ""
    assert cells["行政复议/结果纠正"].value is None
    assert "行政复议/结果纠正=｜" in text
    assert "本年度报告中所列数据统计期限从2019年1月1日到12月31日止" in text  # prose stays text


def test_docx_fixture_cells():
    check_cells("huaian_2024_tables.docx", HUAIAN_2024)
    text, tables = load("huaian_2024_tables.docx")
    request = next(t for t in tables if t.kind == "申请")
    assert len(request.rows) == 25 and all(r.matched for r in request.rows)
    # the vMerge'd parent reaches every row it covers
    row = next(r for r in request.rows if r.key.endswith("3.其他"))
    assert row.key == "三、本年度办理结果/（六）其他处理/3.其他" and row.label.startswith("三、本年度办理结果/（六）其他处理/")
    assert "答复3050件" in text


def test_pdf_tables_kinds_pages_and_template():
    _, tables = load("huaian_2024.pdf")
    assert [(t.kind, t.pages) for t in tables] == [("主动公开", [3, 4]), ("申请", [4, 5]), ("复议诉讼", [5])]
    assert {t.template for t in tables} == {"2021"}
    request = tables[1]
    assert len(request.rows) == 25 and all(r.matched for r in request.rows)
    review = {c.col: c.raw for r in tables[2].rows for c in r.cells}
    assert review["行政复议/总计"] == "351" and review["行政诉讼/复议后起诉/尚未审结"] == "6"
    active = {(r.key, c.col): c.raw for r in tables[0].rows for c in r.cells}
    assert active[("第二十条第（六）项/行政处罚", "本年处理决定数量")] == "3985758"  # row after the page break
    assert active[("第二十条第（八）项/行政事业性收费", "本年收费金额（单位：万元）")] == "96171.6"


def test_table_crossing_page_keeps_cut_and_empty_merged_labels():
    """huaian p4→p5: the merged label is cut （四）无 | 法提供 and 三、本年度办理结果 is empty on p5."""
    _, tables = load("huaian_2024.pdf")
    rows = {r.key: r for r in tables[1].rows}
    row = rows["三、本年度办理结果/（四）无法提供/2.没有现成信息需要另行制作"]
    assert row.page == 5
    assert row.label == "三、本年度办理结果/（四）无法提供/2.没有现成信息需要另行制作"
    assert [c.raw for c in row.cells] == ["11", "0", "0", "0", "0", "0", "11"]
    # hongze 2023: the page cuts the table with no closing rule; the orphan row must stay in the table
    _, tables23 = load("hongze_2023.pdf")
    assert [t.kind for t in tables23] == ["主动公开", "申请", "复议诉讼"]
    keys23 = [r.key for r in tables23[1].rows]
    assert "三、本年度办理结果/（四）无法提供/2.没有现成信息需要另行制作" in keys23


def test_source_typo_kept_in_label():
    _, tables = load("hongze_2023.pdf")
    row = next(r for r in tables[1].rows if r.key == "三、本年度办理结果/（三）不予公开/2.其他法律行政法规禁止公开")
    assert "行政止公开" in row.label


def test_prose_fact_across_line_and_page_break_is_one_line():
    text, _ = load("huaian_2024.pdf")
    lines = text.split("\n")
    # p1: "…市政府及市" | "政府办政策性文件11件…" (line break inside a fact)
    assert any("市政府及市政府办政策性文件11件" in ln for ln in lines)
    # p2→p3: "…将栏目不更" | "新、政策解读不通俗易懂…" (page break inside a sentence)
    assert any("将栏目不更新、政策解读不通俗易懂" in ln for ln in lines)
    assert not any(re.fullmatch(r"-\s*\d+\s*-", ln) for ln in lines), "page numbers must go"


def test_white_boxes_behind_prose_are_not_tables():
    """WPS paints a white box behind each text line of p3; those must not become 1-column tables."""
    import pdfplumber

    path = corpus("huaian_2024.pdf")
    with pdfplumber.open(path) as pdf:
        naive = pdf.pages[2].find_tables()
    assert len(naive) == 2  # the pitfall is real: pdfplumber alone sees the prose as a table
    text, tables = load("huaian_2024.pdf")
    assert len(tables) == 3
    line = next(ln for ln in text.split("\n") if "截至目前，全市在运维政务新媒体共计95个" in ln)
    assert not line.startswith("【表")


@pytest.mark.parametrize(
    "name", ["huaian_2024.pdf", "hongze_2023.pdf", "hongze_2024.pdf", "shanghai_2019.html", "huaian_2024_tables.docx"]
)
def test_rendered_rows_survive_normalization_and_every_cell_is_located(name):
    text, tables = load(name)
    assert normalize_text(text) == text
    n_cells = 0
    for t in tables:
        for r in t.rows:
            line = render_row(t, r)
            assert normalize_text(line) == line
            assert f"\n{line}\n" in f"\n{text}\n"
            n_cells += len(r.cells)
    records = locate_cells(text, tables)
    assert len(records) == n_cells
    for rec in records:
        assert text[rec.start : rec.end] == rec.raw
        assert text[rec.row_start : rec.row_end].startswith(f"【表{rec.table_index}】{rec.row_key}｜")


def test_progress_bar_for_long_files(capsys):
    load_pdf(corpus("huaian_2024.pdf"), progress=True)
    assert "6/6" in capsys.readouterr().err


def test_scan_without_ocr_engine_says_how_to_get_one(monkeypatch):
    import ingest.pdf as pdfmod

    monkeypatch.setattr(pdfmod, "_ENGINE", None)
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # makes `import rapidocr` raise ImportError
    with pytest.raises(OcrUnavailableError, match=r"govqa\[ocr\]"):
        load_pdf(corpus("hongze_2024_scan.pdf"))


# ---------------------------------------------------------------- units


def test_split_glued_row_only_when_forced():
    row = split_glued_row("一、本年新收政府信息公开申请数量", "640020470", "2021")
    assert row is not None and row.key == NEW
    assert [c.raw for c in row.cells] == ["64", "0", "0", "2", "0", "4", "70"]
    assert [c.col for c in row.cells][0] == "自然人" and row.cells[-1].col == "总计"
    assert split_glued_row(NEW, "1111119", None) is None  # 1+1+1+1+1+1 != 9: no reading
    assert split_glued_row(NEW, "12345", None) is None  # too few digits for 7 columns
    # 1|1|12|2|0|10|26, 1|11|2|2|0|10|26 and 11|1|2|2|0|10|26 all add up: more than one reading is a guess
    assert split_glued_row(NEW, "1112201026", None) is None
    assert split_glued_row(NEW, "0020002", None) is not None  # all single digits: forced
    # spaces already present are boundaries
    spaced = split_glued_row(NEW, "64 0020 470", None)
    assert spaced is not None and [c.raw for c in spaced.cells] == ["64", "0", "0", "2", "0", "4", "70"]
    review = split_glued_row("行政复议、行政诉讼", "110021000120103", None)  # 洪泽 2024
    assert review is not None and review.cells[4].col == "行政复议/总计"
    assert [c.raw for c in review.cells] == ["1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "2", "0", "1", "0", "3"]
    # 淮安 2024's row reads three ways (…|12|1|1|6|20, …|1|2|1|16|20, …|1|2|11|6|20): unreadable, not guessed
    assert split_glued_row("行政复议、行政诉讼", "72641783735113481261211620", None) is None


def test_label_matching_is_tolerant():
    cands = REQUEST_ROWS["2021"]
    key, ok = match_request_label(["三、 本年度办理结果", "(四) 无法 提供", "1、本机关不掌握相关政府信息"], cands)
    assert ok and key == ("三、本年度办理结果", "（四）无法提供", "1.本机关不掌握相关政府信息")
    key, ok = match_request_label(["三、本年度办理结果", "（三）不予公开", "2.其他法律行政止公开"], cands)
    assert ok and key[-1] == "2.其他法律行政法规禁止公开"
    key, ok = match_request_label(["（六）其他处理", "3、其他"], cands)
    assert ok and key == ("三、本年度办理结果", "（六）其他处理", "3.其他")
    _, ok = match_request_label(["合计人数"], cands)
    assert not ok


def _cell(text: str, x0: float, x1: float, page: int) -> GridCell:
    return GridCell(text=text, x0=x0, x1=x1, page=page)


def test_join_fragments_glues_cut_label_and_keeps_values():
    top_parent, cut = _cell("三、本年度办理结果", 0, 10, 4), _cell("（四）无", 10, 20, 4)
    values = [_cell(str(v), 30 + 10 * i, 40 + 10 * i, 4) for i, v in enumerate([746, 12, 0, 0, 10, 1, 769])]
    page4 = [[top_parent, cut, _cell("1.本机关不掌握相关政府信息", 20, 30, 4), *values]]
    empty, rest = _cell("", 0, 10, 5), _cell("法提供", 10, 20, 5)
    v2 = [_cell(str(v), 30 + 10 * i, 40 + 10 * i, 5) for i, v in enumerate([11, 0, 0, 0, 0, 0, 11])]
    v3 = [_cell(str(v), 30 + 10 * i, 40 + 10 * i, 5) for i, v in enumerate([1, 0, 0, 0, 0, 0, 1])]
    page5 = [
        [empty, rest, _cell("2.没有现成信息需要另行制作", 20, 30, 5), *v2],
        [empty, rest, _cell("3.补正后申请内容仍不明确", 20, 30, 5), *v3],
    ]
    rows = join_fragments([page4, page5])
    (table,) = build_tables([rows], template="2021")
    assert [r.key for r in table.rows] == [
        "三、本年度办理结果/（四）无法提供/1.本机关不掌握相关政府信息",
        "三、本年度办理结果/（四）无法提供/2.没有现成信息需要另行制作",
        "三、本年度办理结果/（四）无法提供/3.补正后申请内容仍不明确",
    ]
    assert [r.page for r in table.rows] == [4, 5, 5]
    assert table.rows[2].cells[0].raw == "1"


def test_render_row_format_and_blank_cell():
    _, tables = load("shanghai_2019.html")
    request = next(t for t in tables if t.kind == "申请")
    line = render_row(request, next(r for r in request.rows if r.key == OPEN))
    assert line.startswith(f"【表{request.index}】{OPEN}｜自然人=258｜法人或其他组织/商业企业=12｜")
    assert line.endswith("｜总计=")


def test_join_fragments_rejoins_a_row_cut_by_the_page():
    """WPS may cut one row: label and numbers on p3, the label's last words alone on p4."""
    parent = _cell("（五）不予处理", 10, 20, 3)
    head = [_cell("三、本年度办理结果", 0, 10, 3), parent, _cell("5.要求行政机关确认或重新出", 20, 30, 3)]
    values = [_cell(v, 30 + 10 * i, 40 + 10 * i, 3) for i, v in enumerate(["1", "0", "", "0", "0", "0", "1"])]
    tail = [_cell("", 0, 10, 4), _cell("", 10, 20, 4), _cell("具已获取信息", 20, 30, 4)]
    blanks = [_cell("", 30 + 10 * i, 40 + 10 * i, 4) for i in range(7)]
    nxt = [_cell("", 0, 10, 4), _cell("（六）其他处理", 10, 30, 4)]
    nxt += [_cell("0", 30 + 10 * i, 40 + 10 * i, 4) for i in range(7)]
    rows = join_fragments([[head + values], [tail + blanks, nxt]])
    (table,) = build_tables([rows], template="2019")
    assert [r.key for r in table.rows] == [
        "三、本年度办理结果/（五）不予处理/5.要求行政机关确认或重新出具已获取信息",
        "三、本年度办理结果/（六）其他处理",
    ]
    assert [c.raw for c in table.rows[0].cells] == ["1", "0", "", "0", "0", "0", "1"]
    assert table.rows[0].label.endswith("5.要求行政机关确认或重新出具已获取信息")


def test_a_table_pasted_as_tab_separated_text_is_rebuilt_with_its_blanks(tmp_path):
    """data/demo/004 (山西省人民政府办公厅 2019, a .txt) holds the 2019 tables pasted as tab-separated
    lines. Read from its lines: 一、本年新收 → 92, 3, 1, (blank), 1, (blank), 97; （七）总计 → 90, 3, 1,
    (blank), 1, (blank), 95; 1. 本机关不掌握相关政府信息 → 39, 1, …, 41; 行政复议 结果维持 1, 总计 1;
    第二十条第（一）项 规范性文件 79, 79, 2119. Blank stays blank; every cell is a span of the text."""
    from govqa.cells import cells_in_text
    from ingest.loaders import load

    text = normalize_text(load(ROOT / "data" / "demo" / "004_310afe22019c54a7.txt", 10**7))
    cells = {(c.row, c.col): c for c in cells_in_text(text)}
    row = [cells[(NEW, col)].raw for col in ("自然人", "法人或其他组织/商业企业", "法人或其他组织/科研机构",
                                             "法人或其他组织/社会公益组织", "法人或其他组织/法律服务机构",
                                             "法人或其他组织/其他", "总计")]
    assert row == ["92", "3", "1", "", "1", "", "97"]
    assert cells[("三、本年度办理结果/（七）总计", "自然人")].raw == "90"
    assert cells[("三、本年度办理结果/（七）总计", "总计")].raw == "95"
    assert cells[("三、本年度办理结果/（四）无法提供/1.本机关不掌握相关政府信息", "总计")].raw == "41"
    assert cells[("三、本年度办理结果/（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "总计")].value is None
    assert cells[("行政复议", "行政复议/结果维持")].raw == "1" and cells[("行政复议", "行政复议/总计")].raw == "1"
    assert cells[("第二十条第（一）项/规范性文件", "对外公开总数量")].raw == "2119"
    assert all(text[c.start:c.end] == c.raw for c in cells.values())
    assert "全年共收到和办理依申请公开102件" in text  # the prose around the tables is kept

    plain = tmp_path / "notes.txt"  # tabbed lines that are no national table stay as they are
    plain.write_text("某某县政务公开工作情况说明。\n" * 20 + "项目\t数量\t备注\n网站\t3\t无\n微博\t2\t无\n", encoding="utf-8")
    assert "【表" not in load(plain, 10**7)


def test_questions_answered_from_a_tab_separated_table(demo):
    """One question per table kind answered from a cell of the pasted tables (values as above), while
    a question in the words of the prose ("收到和办理…102件", 新收 + 结转) keeps the prose's answer."""
    q = "2019年山西省人民政府办公厅本年新收的政府信息公开申请中，自然人申请有多少件？"
    assert [v.text for v in demo.ask(q, backend="extractive").answer.values] == ["92件"]
    review = demo.ask("2019年山西省人民政府办公厅信息公开行政复议结果维持的有多少件？", backend="extractive").answer
    assert [v.text for v in review.values] == ["1件"] and review.citations[0].quote.startswith("【表3】行政复议")
    prose = demo.ask("2019年山西省人民政府办公厅收到和办理的依申请公开数是多少？", backend="extractive").answer
    assert [v.text for v in prose.values] == ["102件"]


def test_glued_rows_in_text_are_read_only_when_their_sums_force_one_reading(tmp_path):
    """A page scrape that glues each row's cells (洪泽区 2023's 申请 table values, read from page 3:
    本年新收 自然人 21, five 法人 columns 0, 总计 21). A row whose digits fit several readings, or none,
    stays as text marked 【无法拆分】 and is never cited."""
    from govqa.cells import cells_in_text
    from ingest.loaders import load

    page = tmp_path / "scrape.txt"
    page.write_text("洪泽区人民政府2023年政府信息公开工作年度报告\n" + "本年度政务公开工作稳步推进。\n" * 10
                    + "一、本年新收政府信息公开申请数量210000021\n二、上年结转政府信息公开申请数量0000000\n"
                    "三、本年度办理结果\n（一）予以公开1111119\n（七）总计210000021\n", encoding="utf-8")
    text = normalize_text(load(page, 10**7))
    cells = {(c.row, c.col): c.raw for c in cells_in_text(text)}
    assert cells[(NEW, "自然人")] == "21" and cells[(NEW, "总计")] == "21"
    assert cells[("三、本年度办理结果/（七）总计", "总计")] == "21"
    assert not any(row == "三、本年度办理结果/（一）予以公开" for row, _ in cells)
    assert "【无法拆分】（一）予以公开1111119" in text


def test_one_record_per_cell_is_stored_and_removed_with_its_document(tmp_path, cache_dir):
    """洪泽区 2023 (page 3): 本年新收 × 总计 = 21. The registry holds one record per cell, each an exact
    span of the stored text; comparing reads those records; removing the report removes them."""
    import sqlite3

    from govqa.library import Library
    from govqa.settings import Settings

    library = Library(Settings(data_dir=tmp_path / "data", cache_dir=cache_dir))
    assert not library.add([CORPUS / "hongze_2023.pdf"]).failed
    text = library.document("hongze_2023.pdf").text
    cells = library.tables("hongze_2023.pdf")
    assert len(cells) == 186 and all(text[c.start:c.end] == c.raw for c in cells)
    new_total = next(c for c in cells if c.row == NEW and c.col == "总计")
    assert new_total.raw == "21" and text[new_total.row_start:new_total.row_end] == new_total.line
    _, points = library.compare("本年新收")
    assert [(p.value, p.quote) for p in points] == [(21, new_total.line)]
    library.remove("hongze_2023.pdf")
    with sqlite3.connect(tmp_path / "data" / "registry.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM cells").fetchone()[0] == 0
