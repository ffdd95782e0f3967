"""Summaries filed by the report's structure and led by its tables, on real published reports read
without a store (data/pdf, data/heldout). Values and sentences were read by a person from the page
images (pdftoppm -r 70: 洪泽区 2023 p3–p4, 2024 p3–p4) and from the files' text."""

from __future__ import annotations

import pytest

from bot.sections import is_measure, is_problem
from bot.summarize import MAX_CHARS, summarize, to_markdown
from eval.summaries import misfiled
from govqa.settings import Settings
from ingest.reader import read_document
from tests.conftest import DEMO, ROOT

PDF = ROOT / "data" / "pdf"


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("s") / "data", embedding_backend="none")


def _summary(settings: Settings, path, previous=None):
    doc = read_document(path, 10**8)
    prev = read_document(previous, 10**8) if previous else None
    return doc, summarize(doc, settings, "extractive", previous=prev)


def _texts(s, name: str) -> list[str]:
    return [b.text for b in s.sections.get(name, [])]


def test_a_problem_list_stays_under_problems_and_no_table_line_is_a_bullet(settings):
    """上海市 2019, 五: "一是…仍需加强；二是…；三是政府网站集约化建设需持续推进；四是…不够多元。" is one
    list of problems, and the report states no measures; its 主要工作 comes from 一、总体情况, never
    from the table rows of 二–四."""
    _doc, s = _summary(settings, PDF / "shanghai_2019.html")
    assert not s.sections.get("改进措施")
    assert any(t.startswith("一是新《条例》实施后") for t in _texts(s, "存在问题"))
    assert not any("【表" in t or "｜" in t for bullets in s.sections.values() for t in (b.text for b in bullets))
    assert _texts(s, "主要工作")[0].startswith("2019年，通过“中国上海”门户网站")
    assert misfiled(s) == []


def test_the_sentence_that_opens_the_measures_is_never_a_problem(settings):
    """洪泽区 2024, 五: the problems end with "…政务新媒体运维管理还需加强等。"; "针对存在问题，2025年我们将
    切实抓好以下工作：一是…" opens the measures, and "二是加强对典型案例的研究、梳理和汇总。" follows it."""
    _doc, s = _summary(settings, PDF / "hongze_2024.pdf")
    problems, measures = _texts(s, "存在问题"), _texts(s, "改进措施")
    assert problems and all(not t.startswith("针对") for t in problems)
    assert measures[0].startswith("针对存在问题，2025年我们将切实抓好以下工作")
    assert "二是加强对典型案例的研究、梳理和汇总。" in measures
    assert misfiled(s) == []


def test_measures_never_open_with_a_problem_sentence(settings):
    """淮安市 2024, 五 opens with "对照上级新要求和公众新期待，还有一些需要加强和改进的地方。" and its
    "一是政策解读质量仍需提升…" list: problems; "针对存在问题，下一步，我市将…" opens the measures."""
    _doc, s = _summary(settings, PDF / "huaian_2024.pdf")
    measures = _texts(s, "改进措施")
    assert measures[0].startswith("针对存在问题，下一步，我市将着力加强政策解读质效")
    assert not any("还有一些需要加强和改进的地方" in t for t in measures)
    assert any("一是政策解读质量仍需提升" in t for t in _texts(s, "存在问题"))


def test_cues_guard_each_side():
    assert is_problem("二是政务公开队伍建设还需进一步加强，个别单位存在人员配备不足的问题。")
    assert not is_problem("下一步，我们将加强业务培训，解决人员不足的问题。")
    assert is_measure("针对人员不足的问题，将定期组织业务培训。")
    assert not is_measure("政策解读的形式还不够丰富。")


def test_table_figures_lead_with_last_years_cell_and_the_change(settings):
    """洪泽区 2024 against 2023 (page 3 of each): 本年新收 95 vs 21 (+74); 予以公开 50 vs 0, 50 of the 95
    results (52.6%); 部分公开 9 vs 4; 本机关不掌握 31 vs 10; 行政复议 总计 2, of which 结果纠正 1 (p4)."""
    doc, s = _summary(settings, PDF / "hongze_2024.pdf", PDF / "hongze_2023.pdf")
    first = s.key_figures[0]
    assert (first.label, first.value, first.unit) == ("本年新收政府信息公开申请（表）", 95, "件")
    assert first.citation.quote.startswith("【表2】一、本年新收政府信息公开申请数量｜自然人=95｜")
    assert first.previous is not None and (first.previous.value, first.previous.change) == (21, "+74件")
    assert first.previous.citation.source == "hongze_2023.pdf"
    assert first.previous.citation.quote.startswith("【表2】一、本年新收政府信息公开申请数量｜自然人=21｜")
    figures = {k.label: k for k in s.key_figures}
    disclosed = figures["予以公开（表）"]
    assert (disclosed.value, disclosed.previous.value) == (50, 0) and "52.6%" in disclosed.note
    assert figures["部分公开（表）"].previous.change == "+5件"
    assert figures["无法提供：本机关不掌握相关政府信息（表）"].value == 31
    assert figures["行政复议总计（表）"].value == 2 and figures["行政复议总计（表）"].note == "其中结果纠正1件"
    md = to_markdown(s)
    assert md.index("本年新收政府信息公开申请（表）：**95件**") < md.index("## 主要工作")
    assert "上年（2023年报告）21件" in md and "变化 +74件" in md
    assert s.verified and s.dropped == 0 and s.body_chars() <= MAX_CHARS


def test_audit_findings_are_listed_as_hints_with_only_cited_numbers(settings):
    """洪泽区 2023, p4: 行政复议 结果维持 10、结果纠正 1, yet 总计 0 as printed: the audit's 不符 is a
    核查提示 citing the row; the sum 11 it computed is not shown (it stands in no citation)."""
    _doc, s = _summary(settings, PDF / "hongze_2023.pdf")
    hints = _texts(s, "核查提示")
    review = next(t for t in hints if t.startswith("不符：行政复议：维持+纠正+其他+尚未审结≠总计"))
    assert "结果维持 10" in review and "总计 0" in review and "11" not in review


@pytest.mark.parametrize("path", [*sorted(DEMO.glob("*.txt")), PDF / "hongze_2023.pdf", PDF / "hongze_2024.pdf",
                                  PDF / "huaian_2024.pdf", PDF / "shanghai_2019.html"], ids=lambda p: p.name)
def test_nothing_misfiled_and_every_number_in_its_citation(settings, path):
    from eval.summaries import score_summary

    doc, s = _summary(settings, path)
    scores = score_summary(s, doc.text, [])
    assert scores["misfiled"] == [] and scores["number_precision"] == 1.0 and scores["citation_valid"] == 1.0


def test_counted_figures_of_a_short_report_carry_their_clause(settings):
    """通化县 2025 (h4/p_84774493): "审理政府信息公开行政复议案件7起，其中：结果维持3起，结果纠正3起" —
    起 counts cases; "全县累计发布各类政府信息10615条，其中：县政府网站发布3335条"."""
    _doc, s = _summary(settings, ROOT / "data" / "heldout" / "h4" / "p_84774493.txt")
    values = {(k.value, k.unit) for k in s.key_figures}
    assert {(7, "起"), (3, "起"), (10615, "条"), (3335, "条")} <= values
    total = next(k for k in s.key_figures if k.value == 10615)
    assert total.label == "全县累计发布各类政府信息" and "10615条" in total.citation.quote


def test_a_note_or_last_years_value_that_its_citation_does_not_state_is_dropped(settings):
    """The verifier reads beside-figure text too: a 纠正 count not in the cited row, or a previous value
    not in last year's cited row, never reaches the reader (the figure itself stays)."""
    from bot.summarize import verify_summary

    doc, s = _summary(settings, PDF / "hongze_2024.pdf", PDF / "hongze_2023.pdf")
    prev = read_document(PDF / "hongze_2023.pdf", 10**8)
    review = next(k for k in s.key_figures if k.label == "行政复议总计（表）")
    review.note = "其中结果纠正7件"  # the row says 结果纠正=1
    s.key_figures[0].previous.value = 22  # the 2023 row says 21
    texts = {doc.doc_id: doc.text, prev.doc_id: prev.text}
    verify_summary(s, texts.get)
    assert review.note == "" and s.key_figures[0].previous is None and s.key_figures[0].value == 95
    assert s.dropped == 2
