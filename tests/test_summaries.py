"""Executive summaries: hand-read key figures with their sentences, the work-plan template, the
verifier removing an injected number, the real GGUF map-reduce path, the CLI and the eval."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.sections import KeyFigure, Summary
from bot.summarize import MAX_CHARS, to_markdown, verify_summary
from bot.summarize_llm import draft_to_bullets
from eval.gold import load_gold
from eval.summaries import run_summary_eval, score_summary
from govqa.types import Citation
from tests.conftest import GOLD

# Read by hand from the demo reports: (file, label, value in base unit, unit, words of the cited sentence).
HAND_READ = {
    "000_e718e0343c84cd48.txt": [
        ("受理信息公开申请", 1695, "件", "全省共受理政府信息公开申请1695件"),
        ("主动公开政府信息", 1_074_000, "条", "主动公开政府信息107.4万条"),
        ("行政复议", 283, "件", "行政复议案件283件"),
        ("支出与费用", 6_609_100, "元", "支出660.91万元"),
    ],
    "001_8828d0bea7d12cc7.txt": [
        ("政府网站发布信息", 1195, "条", "公布政府信息1195条"),
        ("行政诉讼", 1, "件", "提起行政诉讼的案件有1件"),
        ("受理信息公开申请", 2, "项", "依申请公开事项2项"),
    ],
    "003_24be5d677ff59441.txt": [
        ("主动公开政府信息", 66366, "条", "主动公开政府信息66366条"),
        ("政府公报", 1600, "条", "政府公报公开政府信息1600条"),
        ("政务微博微信", 15377, "条", "微博、微信公开政府信息15377条"),
    ],
    "004_310afe22019c54a7.txt": [
        ("受理信息公开申请", 102, "件", "收到和办理依申请公开102件"),
        # The prose restates the table's cell (予以公开 总计 44): the cell is the figure, cited to its row.
        ("予以公开（表）", 44, "件", "【表2】三、本年度办理结果/（一）予以公开｜"),
        ("信息不存在或不掌握", 47, "件", "无法提供47件"),
        ("新闻发布会", 46, "场", "召开46场新闻发布会"),
    ],
}


def _doc_id(library, source: str) -> str:
    return library.resolve(source)


@pytest.mark.parametrize("source", sorted(HAND_READ))
def test_key_figures_are_the_hand_read_ones_with_their_sentence(demo, source):
    doc_id = _doc_id(demo, source)
    text = demo.document(doc_id).text
    s = demo.summary(doc_id, backend="extractive", refresh=True)
    assert s.template == "annual_report" and s.verified
    for label, value, unit, words in HAND_READ[source]:
        found = [k for k in s.key_figures if k.label == label]
        assert found, f"{source}: no {label}"
        k = found[0]
        assert (k.value, k.unit) == (value, unit), (label, k)
        assert words in k.citation.quote
        assert text[k.citation.start : k.citation.end] == k.citation.quote


def test_no_figure_taken_from_a_subordinate_agency_or_a_participation_count(demo):
    # Shanxi 2017: "省国税局…发布…800余条" is the tax bureau's, not the province's website total.
    s17 = demo.summary(_doc_id(demo, "000_e718e0343c84cd48.txt"), backend="extractive", refresh=True)
    assert not any(k.value == 800 for k in s17.key_figures)
    # Shanxi 2019: 46 press conferences were held; "参加新闻发布会22次" counts leaders attending.
    s19 = demo.summary(_doc_id(demo, "004_310afe22019c54a7.txt"), backend="extractive", refresh=True)
    press = [k for k in s19.key_figures if k.label == "新闻发布会"]
    assert [(k.value, k.unit) for k in press] == [(46, "场")]


def test_annual_summary_has_all_sections_and_fits_one_screen(demo):
    s = demo.summary(_doc_id(demo, "000_e718e0343c84cd48.txt"), backend="extractive", refresh=True)
    assert 3 <= len(s.sections["主要工作"]) <= 6
    assert s.sections["存在问题"] and s.sections["改进措施"]
    assert any("不够" in b.text or "薄弱" in b.text for b in s.sections["存在问题"])
    assert any("加强" in b.text or "深化" in b.text for b in s.sections["改进措施"])
    assert s.body_chars() <= MAX_CHARS
    md = to_markdown(s)
    assert "## 核心数据" in md and "〔1〕" in md and "1695件" in md


def test_work_plan_gets_its_own_template_with_issuer_and_date(demo):
    s = demo.summary(_doc_id(demo, "002_8bd63bc0f1252708.txt"), backend="extractive", refresh=True)
    assert s.template == "work_plan" and not s.key_figures
    assert s.meta.issuer == "山西省人民政府办公厅" and s.meta.published == "2018-07-24"
    assert [b.text for b in s.sections["主要任务"]][:2] == ["加大主动公开力度", "增强解读回应实效"]
    assert any("年底前" in b.text for b in s.sections["时限与目标"])
    assert any(b.text.startswith("省财政厅") for b in s.sections["责任单位"])
    md = to_markdown(s)
    assert "发布单位：山西省人民政府办公厅" in md and "发布日期：2018-07-24" in md


def test_injected_false_number_in_an_llm_draft_is_removed(demo):
    doc = demo.document(_doc_id(demo, "000_e718e0343c84cd48.txt"))
    start = doc.text.index("2017年,全省共受理政府信息公开申请1695件")
    spans = [(start, doc.text.index("。", start) + 1)]
    draft = "全省共受理政府信息公开申请9999件，答复率为98.7%。[1]\n全省共受理政府信息公开申请1695件。[1]"
    bullets, bad = draft_to_bullets(draft, doc, spans, None, lambda d: doc.text)
    assert bad == 1
    assert all("9999" not in b.text for b in bullets)
    assert bullets[0].text == doc.text[spans[0][0] : spans[0][1]]  # replaced by the cited sentence itself

    # A key figure whose value is not in its citation never survives verification either.
    c = Citation(doc.doc_id, spans[0][0], spans[0][1], doc.text[spans[0][0] : spans[0][1]])
    figures = [KeyFigure("受理信息公开申请", 1696, "件", "1696件", c), KeyFigure("受理信息公开申请", 1695, "件", "1695件", c)]
    s = Summary(doc.doc_id, doc.meta, "t", "annual_report", key_figures=figures)
    verify_summary(s, lambda d: doc.text)
    assert [k.value for k in s.key_figures] == [1695] and s.dropped == 1


def test_llm_map_reduce_with_the_real_gguf(demo):
    doc_id = _doc_id(demo, "001_8828d0bea7d12cc7.txt")
    s = demo.summary(doc_id, backend="llm", refresh=True)
    assert s.backend.startswith("llm:qwen2.5-coder-0.5b")
    assert len(s.sections["主要工作"]) >= 3
    scores = score_summary(s, demo.document(doc_id).text, [])
    assert scores["number_precision"] == 1.0 and scores["citation_valid"] == 1.0
    assert s.body_chars() <= MAX_CHARS


def test_eval_summaries_on_the_demo_corpus(demo):
    result = run_summary_eval(demo, load_gold(GOLD / "gold_dev.jsonl"))
    assert result["n"] == 5
    assert result["number_precision_min"] == 1.0 and result["citation_valid_min"] == 1.0
    assert result["gold_coverage"] >= 0.9
    assert result["misfiled"] == 0
    assert result["chars_max"] <= MAX_CHARS


def test_cli_summarize_json_cache_and_removal(tmp_path, env, monkeypatch):
    from govqa.cli import app
    from tests.conftest import DEMO

    monkeypatch.setenv("GOVQA_SUMMARIZE_ON_INGEST", "1")
    runner = CliRunner()
    src = DEMO / "001_8828d0bea7d12cc7.txt"
    r = runner.invoke(app, ["ingest", str(src)])
    assert r.exit_code == 0, r.output
    cached = list((tmp_path / "data" / "summaries").glob("*.json"))
    assert len(cached) == 1  # written at ingest, as the setting asks

    out = tmp_path / "s.json"
    r = runner.invoke(app, ["summarize", src.name, "--format", "json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text(encoding="utf-8"))
    assert {"doc", "meta", "key_figures", "sections", "backend", "verified"} <= set(d)
    assert d["verified"] is True and d["backend"] == "extractive"
    assert {"label", "value", "unit", "citation"} <= set(d["key_figures"][0])
    assert {"text", "citations"} <= set(d["sections"]["主要工作"][0])

    r = runner.invoke(app, ["summarize", "no-such-report.txt"])
    assert r.exit_code == 1 and "找不到文档" in r.output

    r = runner.invoke(app, ["remove", src.name])
    assert r.exit_code == 0, r.output
    assert not list((tmp_path / "data" / "summaries").glob("*.json"))  # gone with its document
