"""National tables that a page-to-text copy flattened: one cell per line, or every cell glued into the
paragraph. Values were read by a person from the held-out files themselves (data/heldout/h6), and the
平潭 2024 cells from the digit runs whose row sums allow one reading (see eval/heldout/h6/NOTES.md)."""

from __future__ import annotations

from govqa.cells import cells_in_text
from govqa.text import normalize_text
from ingest.flat_tables import glued_in_prose, one_cell_per_line
from ingest.loaders import load
from tests.conftest import ROOT

H6 = ROOT / "data" / "heldout" / "h6"
NEW = "一、本年新收政府信息公开申请数量"


def _cells(text: str) -> dict[tuple[str, str], str]:
    return {(c.row, c.col): c.raw for c in cells_in_text(text)}


def test_one_cell_per_line_tables_are_rebuilt_by_the_template():
    """昌图县七家子镇 2023 (p_8c718bd7): 第二十条第(六)项 行政处罚 / 30, 行政事业性收费 / 0 (万元),
    行政规范性文件 / 0 / 0 / 0, and 一、本年新收… followed by seven lines of 0."""
    text = normalize_text(load(H6 / "p_8c718bd7.txt", 10**7))
    cells = _cells(text)
    assert cells[("第二十条第（六）项/行政处罚", "本年处理决定数量")] == "30"
    assert cells[("第二十条第（八）项/行政事业性收费", "本年收费金额（单位：万元）")] == "0"
    assert cells[("第二十条第（一）项/行政规范性文件", "本年制发件数")] == "0"
    assert cells[(NEW, "总计")] == "0" and cells[("二、上年结转政府信息公开申请数量", "总计")] == "0"
    assert all(text[c.start : c.end] == c.raw for c in cells_in_text(text))
    assert "三、收到和处理政府信息公开申请情况" in text  # the headings between the tables stay


def test_a_row_with_a_dropped_cell_ends_the_reading_and_nothing_is_guessed():
    """The 申请 table needs exactly 7 numbers per row: a copy that dropped a blank cell (6 numbers) is
    not read from that row on, and its lines stay text."""
    raw = "\n".join(["第二十条第(一)项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数",
                     "规章", "0", "0", "0", "行政规范性文件", "2", "0", "5",
                     "申请人情况", "自然人", "总计",
                     NEW, "3", "0", "0", "0", "0", "0", "3",
                     "二、上年结转政府信息公开申请数量", "1", "0", "0", "0", "0", "1",
                     "这是后面的正文，说明本年度的其他工作情况。"])
    cells = _cells(one_cell_per_line(raw))
    assert cells[("第二十条第（一）项/行政规范性文件", "现行有效件数")] == "5"
    assert ("二、上年结转政府信息公开申请数量", "总计") not in cells
    # With only one readable 申请 row, that table is not taken for one (fewer rows are likely prose).
    assert (NEW, "总计") not in cells


def test_a_table_glued_into_the_paragraph_is_read_row_by_row():
    """平潭综合实验区 2024 (p_3f82031c): the crawl glues every cell into one paragraph. Read where each
    row's sums allow one reading: 新收 217+1 = 218; 予以公开 71; 部分公开 29; 不掌握 75; 结转 0;
    行政复议 2+1+3+1 = 7 (纠正 1); 复议后起诉 13+2+4+0 = 19."""
    text = normalize_text(load(H6 / "p_3f82031c.txt", 10**7))
    cells = _cells(text)
    assert (cells[(NEW, "自然人")], cells[(NEW, "法人或其他组织/商业企业")], cells[(NEW, "总计")]) == ("217", "1", "218")
    assert cells[("三、本年度办理结果/（一）予以公开", "总计")] == "71"
    assert cells[("三、本年度办理结果/（四）无法提供/1.本机关不掌握相关政府信息", "总计")] == "75"
    assert cells[("四、结转下年度继续办理", "总计")] == "0"
    assert cells[("行政复议", "行政复议/总计")] == "7" and cells[("行政复议", "行政复议/结果纠正")] == "1"
    assert cells[("行政诉讼", "行政诉讼/复议后起诉/总计")] == "19"
    assert all(text[c.start : c.end] == c.raw for c in cells_in_text(text))
    assert "五、存在的主要问题及改进情况" in text and "全年办理政府信息公开申请218件" in text


def test_a_glued_row_with_two_readings_stays_unreadable():
    """平潭 2021 (p_366ad703): （一）予以公开270020130 reads as 27|0|0|2|0|1|30 and as 2|7|0|0|20|1|30
    (both add up), so it is marked 【无法拆分】 and never cited; 新收 64+2+4 = 70 has one reading."""
    text = normalize_text(load(H6 / "p_366ad703.txt", 10**7))
    cells = _cells(text)
    assert cells[(NEW, "总计")] == "70"
    assert not any(row == "三、本年度办理结果/（一）予以公开" for row, _ in cells)
    assert "【无法拆分】（一）予以公开270020130" in text


def test_prose_without_a_table_is_left_as_it_is():
    raw = "2024年，全年收到申请5件。\n一、本年新收政府信息公开申请数量较上年增加。\n其他工作情况说明。"
    assert glued_in_prose(raw) is raw and one_cell_per_line(raw) is raw
