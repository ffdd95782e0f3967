"""Consistency audit on real reports. Each finding below was found by a person reading the source:
洪泽区 2023 page 4 (pdftoppm -r 80): 行政复议 10 + 1 + 0 + 0 but 总计 0; 复议后起诉 5 + 0 + 0 + 0 but 总计 0.
淮安市 2024 pages 3–5: every table sum holds (申请 3119 + 34 = 3050 + 103; results add to 3050; 复议 351;
诉讼 26 and 20). 山西省 2017 (demo): "不予公开的43件申请中…申请信息不存在的120件" (a part larger than its whole)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from govqa.library import Library
from govqa.settings import Settings
from tests.conftest import ROOT

PDF = ROOT / "data" / "pdf"


@pytest.fixture(scope="module")
def lib(reports) -> Library:
    return reports  # 洪泽区 2023/2024, 淮安市 2024, 山西省 2017 (tests/conftest.py)


def fails(library: Library, ref: str) -> list[str]:
    return sorted(f"{f.check}|{f.arithmetic}" for f in library.audit(ref) if f.status == "FAIL")


def test_the_table_errors_a_reader_finds_are_flagged_with_their_cells(lib):
    assert fails(lib, "hongze_2023.pdf") == ["行政复议/合计|10 + 1 + 0 + 0 = 11；表中总计 0",
                                            "行政诉讼/合计|5 + 0 + 0 + 0 = 5；表中总计 0"]
    finding = next(f for f in lib.audit("hongze_2023.pdf") if f.check == "行政复议/合计")
    text = lib.document("hongze_2023.pdf").text
    assert all(text[c.start : c.end] == c.quote for c in finding.cited)  # cited rows are exact spans


def test_no_fail_where_the_arithmetic_holds(lib):
    assert fails(lib, "huaian_2024.pdf") == []
    assert fails(lib, "hongze_2024.pdf") == []
    checks = {f.check for f in lib.audit("huaian_2024.pdf") if f.status == "PASS"}
    assert {"申请/收支平衡", "申请/办理结果合计", "申请/申请人合计", "行政复议/合计", "行政诉讼/合计"} <= checks


def test_a_part_larger_than_its_whole_in_the_prose(lib):
    found = [f for f in lib.audit("000_e718e0343c84cd48.txt") if f.status == "FAIL"]
    assert [f.message for f in found] == ["部分 120件 大于其总数 43件"]
    assert "“申请信息不存在”的120件" in found[0].cited[0].quote


def test_carry_over_between_years_and_the_cli(lib, monkeypatch):
    from govqa.cli import app
    from govqa.settings import get_settings

    # 洪泽区 2023 结转下年度 0, 2024 上年结转 0 (both read from the page images).
    carry = [f for f in lib.audit() if f.check == "跨年/结转"]
    assert [(f.status, f.arithmetic) for f in carry] == [("PASS", "0 = 0")]
    monkeypatch.setenv("GOVQA_DATA_DIR", str(lib.settings.data_dir))
    monkeypatch.setenv("GOVQA_CACHE_DIR", str(lib.settings.cache_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["audit", "--all", "--json"])
        text = CliRunner().invoke(app, ["audit", "hongze_2023.pdf"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0 and {"check", "status", "message", "arithmetic", "cited"} <= json.loads(result.output)[0].keys()
    assert "[FAIL]" in text.output and "10 + 1 + 0 + 0 = 11" in text.output and "不符 2" in text.output


def test_an_answer_from_a_cell_with_a_finding_shows_the_finding(lib):
    out = lib.ask("淮安市洪泽区2023年因政府信息公开被申请行政复议的总计多少件？", backend="extractive").to_dict()
    assert [v["text"] for v in out["values"]] == ["0件"]  # as printed in the table
    assert out["citations"][0]["audit"] == ["行政复议：维持+纠正+其他+尚未审结与总计：各项之和为 11，表中总计为 0"]


def test_compare_one_cell_across_reports_cited_and_missing_not_zero(lib, tmp_path):
    from govqa.charts import comparison_png

    key, points = lib.compare("本年新收")
    assert key == "一、本年新收政府信息公开申请数量"
    by_source = {p.source: p for p in points}
    # 洪泽区 2023: 21, 2024: 95, 淮安市 2024: 3119 (page images); the Shanxi 2017 txt has no such table.
    assert [(by_source[s].year, by_source[s].value) for s in ("hongze_2023.pdf", "hongze_2024.pdf", "huaian_2024.pdf")] == [
        (2023, 21), (2024, 95), (2024, 3119)]
    missing = by_source["000_e718e0343c84cd48.txt"]
    assert missing.value is None and missing.raw == "" and missing.quote == ""
    for p in points:
        if p.value is not None:
            assert lib.document(p.doc).text[p.start : p.end] == p.quote and f"总计={p.raw}" in p.quote
    png = comparison_png(points, key, tmp_path / "c.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_natural_comparison_question_answers_each_year_from_its_report(lib):
    ans = lib.ask("淮安市洪泽区2023年和2024年收到的申请数量分别是多少？", backend="extractive").answer
    assert [v.text for v in ans.values] == ["21件", "95件"]  # 2023 and 2024 page images
    assert [lib.document(v.citation.doc).source for v in ans.values] == ["hongze_2023.pdf", "hongze_2024.pdf"]


def test_text_reuse_from_the_previous_year_lists_the_repeated_passages(lib, monkeypatch):
    """洪泽区 2024 against 2023 (page 1 of each, pdftoppm -r 70): "主要通过政府门户网站主动公开政府文件、
    项目审批、通知公告等各类政府信息。" is in both; 2023's "执行信息审核发布制度" became 2024's
    "新增信息审核发布报备制度" in an otherwise equal sentence; the opening facts (2428条, 17件) are new."""
    from govqa.cli import app
    from govqa.settings import get_settings

    r = lib.reuse("hongze_2024.pdf")  # the previous report is found by issuer and year
    assert r.previous == lib.resolve("hongze_2023.pdf")
    verbatim = {x.quote for x in r.repeats if x.similarity == 1.0 and x.kind == "句子"}
    assert "主要通过政府门户网站主动公开政府文件、项目审批、通知公告等各类政府信息。" in verbatim
    near = next(x for x in r.repeats if "新增信息审核发布报备制度" in x.quote)
    assert 0.9 <= near.similarity < 1.0 and "执行信息审核发布制度" in near.prev_quote
    assert not any("2428条" in x.quote or "17件" in x.quote for x in r.repeats)
    text, prev = lib.document("hongze_2024.pdf").text, lib.document("hongze_2023.pdf").text
    assert all(text[x.start:x.end] == x.quote and prev[x.prev_start:x.prev_end] == x.prev_quote for x in r.repeats)
    assert 0 < r.sentence_share < 1 and r.rows_zero <= r.rows_repeated <= r.rows

    monkeypatch.setenv("GOVQA_DATA_DIR", str(lib.settings.data_dir))
    monkeypatch.setenv("GOVQA_CACHE_DIR", str(lib.settings.cache_path))
    get_settings.cache_clear()
    out = CliRunner().invoke(app, ["reuse", "hongze_2024.pdf", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["sentences_verbatim"] == r.sentences_verbatim
    alone = CliRunner().invoke(app, ["reuse", "huaian_2024.pdf"])  # no 淮安市 2023 in the library
    assert alone.exit_code == 1 and "无法比较与上一年度的文字重复" in alone.output
    get_settings.cache_clear()


def test_blank_cells_are_uncertain_never_zero_but_the_reader_sees_the_sum(tmp_path, cache_dir):
    """shanghai_2019.html (table markup as published): the 自然人 results column has blanks
    (e.g. 2.其他法律行政法规禁止公开) beside 258, 3, 14 …, and its （七）总计 is 767; the results rows'
    总计 cells are blank in the source. Blank is not 0: UNCERTAIN, with the sum that reads blanks as none."""
    library = Library(Settings(data_dir=tmp_path / "data", cache_dir=cache_dir))
    assert not library.add([PDF / "shanghai_2019.html"]).failed
    found = library.audit("shanghai_2019.html")
    assert not [f for f in found if f.status == "FAIL"]
    natural = next(f for f in found if f.check == "申请/办理结果合计" and f.message.startswith("自然人"))
    assert natural.status == "UNCERTAIN" and "空白单元格" in natural.message
    assert natural.arithmetic.startswith("258 + 3 + 14 + 空白")
    assert natural.arithmetic.endswith("= 767（空白按 0 计）；表中总计 767，相符")
    total_col = next(f for f in found if f.check == "申请/办理结果合计" and f.message.startswith("总计"))
    assert total_col.status == "UNCERTAIN" and total_col.arithmetic == ""  # every part blank: no sum to show
