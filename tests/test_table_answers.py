"""Answers from the national tables' cells, one question per table kind, on real published files
(data/pdf). Values read by a person from the page images (pdftoppm -r 80): 淮安市 2024 p3–p5."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from govqa.library import Library
from govqa.settings import Settings
from tests.conftest import ROOT

PDF = ROOT / "data" / "pdf"


@pytest.fixture(scope="module")
def lib(tmp_path_factory, cache_dir) -> Library:
    library = Library(Settings(data_dir=tmp_path_factory.mktemp("tables") / "data", cache_dir=cache_dir))
    assert not library.add([PDF / "huaian_2024.pdf", PDF / "shanghai_2019.html"]).failed
    return library


def cell(library: Library, question: str) -> tuple[list[tuple[float, str]], str]:
    ans = library.ask(question, backend="extractive").answer
    assert not ans.refused, ans.answer
    quote = ans.citations[0].quote
    assert quote.startswith("【表")  # the row itself is cited
    return [(v.value, v.unit) for v in ans.values], quote


@pytest.mark.parametrize("question,expected,row", [
    ("2024年淮安市政府信息公开申请中予以公开的有多少件？", [(1362, "件")], "（一）予以公开"),
    ("2024年淮安市人民政府本年新收政府信息公开申请总计多少件？", [(3119, "件")], "一、本年新收"),  # the template's words
    ("2024年淮安市政府信息公开申请中同意公开的共有几件？", [(1362, "件")], "（一）予以公开"),
    ("淮安市2024年有多少件政府信息公开申请结转到下一年度办理？", [(103, "件")], "四、结转下年度继续办理"),
    ("淮安市2024年本年新收政府信息公开申请多少件？其中自然人多少件？", [(3119, "件"), (3001, "件")], "一、本年新收"),
    ("2024年淮安市因政府信息公开被申请行政复议的总计多少件？", [(351, "件")], "【表3】行政复议"),
    ("2024年淮安市政府信息公开行政诉讼中复议后起诉的总计多少件？", [(20, "件")], "【表3】行政诉讼"),
    ("2024年淮安市主动公开的行政处罚本年处理决定数量是多少？", [(3985758, "件")], "行政处罚"),
    ("2024年淮安市行政事业性收费本年收费金额是多少？", [(961716000, "元")], "行政事业性收费"),  # 96171.6万元
])
def test_a_question_per_table_kind_is_answered_from_its_cell(lib, question, expected, row):
    got, quote = cell(lib, question)
    assert got == expected and row in quote


@pytest.mark.parametrize("question", [
    "2024年淮安市政府信息公开申请中法人或其他组织提出多少件？",  # five columns and no total of them
    "2024年淮安市行政规范性文件多少件？",  # 本年制发 8, 本年废止 26 or 现行有效 66?
])
def test_a_question_that_fits_no_one_cell_is_refused(lib, question):
    assert lib.ask(question, backend="extractive").answer.refused


def test_a_blank_cell_is_no_answer(lib):
    # 上海市人民政府办公厅 2019, 本年新收 × 科研机构: blank in the published table, not 0.
    cells = [c for c in lib.tables("shanghai_2019.html") if c.row.startswith("一、本年新收") and c.col.endswith("科研机构")]
    assert [c.raw for c in cells] == [""] and cells[0].value is None
    assert lib.ask("2019年上海市人民政府办公厅收到政府信息公开申请中，科研机构提出的有多少件？").answer.refused


def test_tables_command_lists_cells_with_exact_spans(lib, monkeypatch):
    from govqa.cli import app
    from govqa.settings import get_settings

    monkeypatch.setenv("GOVQA_DATA_DIR", str(lib.settings.data_dir))
    monkeypatch.setenv("GOVQA_CACHE_DIR", str(lib.settings.cache_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["tables", "huaian_2024.pdf", "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    cells = json.loads(result.output)
    text = lib.document("huaian_2024.pdf").text
    assert all(text[c["start"] : c["end"]] == c["raw"] for c in cells)
    total = next(c for c in cells if c["row"] == "三、本年度办理结果/（七）总计" and c["col"] == "总计")
    assert total["value"] == 3050 and total["unit"] == "件"


def test_summary_key_figures_include_the_headline_cells(lib):
    s = lib.summary("huaian_2024.pdf", refresh=True)
    figures = {k.label: k for k in s.key_figures}
    assert (figures["予以公开（表）"].value, figures["予以公开（表）"].unit) == (1362, "件")
    assert figures["行政复议总计（表）"].value == 351
    assert figures["予以公开（表）"].citation.quote.startswith("【表2】三、本年度办理结果/（一）予以公开｜")
    assert s.verified and s.dropped == 0


def test_a_pipe_table_in_a_text_page_answers_from_its_cells(tmp_path, cache_dir):
    """data/real/pages/p_7ad47873.txt (石家庄市教育局 2021) writes its 主动公开 table as pipe rows, read
    from the file: "| 行政规范性文件 |       2 |        0 |         8 |", "| 行政处罚 | 2 | ||",
    "| 行政事业性收费 | 172 | ||" under 本年收费金额(单位:万元). Before, these rows had no unit and no column."""
    library = Library(Settings(data_dir=tmp_path / "data", cache_dir=cache_dir))
    assert not library.add([ROOT / "data" / "real" / "pages" / "p_7ad47873.txt"]).failed
    assert cell(library, "2021年石家庄市教育局作出行政处罚决定多少件？")[0] == [(2, "件")]
    assert cell(library, "石家庄市教育局2021年本年制发行政规范性文件几件？现行有效的有几件？")[0] == [(2, "件"), (8, "件")]
    assert cell(library, "石家庄市教育局2021年行政事业性收费金额是多少？")[0] == [(1720000, "元")]
