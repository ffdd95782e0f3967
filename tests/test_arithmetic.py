"""Differences and ratios computed from two cited values (bot/arithmetic.py), and answers that name each
value's report. Values read from the page images (pdftoppm -r 80): 洪泽区 本年新收 总计 21 in 2023 (p. 3) and
95 in 2024 (p. 3), 予以公开 总计 50 in 2024; 淮安市 2024 本年新收 总计 3119 (p. 4)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.arithmetic import parse


@pytest.mark.parametrize("question,kind,left,right", [
    ("洪泽区2024年新收申请比2023年增加了多少件？", "difference", "洪泽区2024年新收申请多少件？", "洪泽区2023年新收申请多少件？"),
    ("洪泽区2024年新收申请与2023年相比减少了多少件？", "difference", "洪泽区2024年新收申请多少件？",
     "洪泽区2023年新收申请多少件？"),
    ("淮安市2024年新收政府信息公开申请比洪泽区多多少件？", "difference", "淮安市2024年新收政府信息公开申请多少件？",
     "洪泽区2024年新收政府信息公开申请多少件？"),
    ("洪泽区2024年新收申请同比增长了百分之几？", "change_rate", "洪泽区2024年新收申请有多少？", "洪泽区2023年新收申请有多少？"),
    ("淮安市2024年新收申请是洪泽区的几倍？", "times", "淮安市2024年新收申请有多少？", "洪泽区2024年新收申请有多少？"),
    ("洪泽区2024年予以公开的申请占新收申请的比例是多少？", "share", "洪泽区2024年予以公开的申请有多少？",
     "洪泽区2024年新收申请有多少？"),
])
def test_a_computed_question_becomes_one_question_per_operand(question, kind, left, right):
    op = parse(question)
    assert op is not None and (op.kind, op.left, op.right) == (kind, left, right)


@pytest.mark.parametrize("question", [
    "2017年山西省全省共受理政府信息公开申请多少件？",  # one stated value
    "郯城县高科技电子产业园2018年在政府信息公开目录上主动公开信息多少条？比2017年提升了多少？",  # the report states it
    "2019年山西省对政务新媒体进行清理整合，数量从3337个减少至多少个？",  # stated in the text
    "2025年施甸太平镇通过政府门户网站公开了多少条信息？占比多少？",
    "洪泽区2024年收到的申请比例是多少？",  # 比例 is no comparison
])
def test_questions_the_reports_answer_in_words_are_left_alone(question):
    assert parse(question) is None


def test_the_difference_of_two_years_with_both_citations(reports):
    out = reports.ask("洪泽区2024年新收申请比2023年增加了多少件？", backend="extractive").to_dict()
    d = out["derived"]
    assert not out["refused"] and (d["value"], d["unit"], d["text"]) == (74, "件", "74件")
    assert d["arithmetic"] == "95 − 21 = 74"
    assert d["summary"] == "洪泽区人民政府：2024年比2023年增加74件"  # the issuer's one name across years (issue 23)
    assert [v["text"] for v in out["values"]] == ["95件", "21件"]
    sources = [reports.document(v["citation"]["doc"]).source for v in out["values"]]
    assert sources == ["hongze_2024.pdf", "hongze_2023.pdf"]
    for v in out["values"]:  # each operand is the 总计 cell of its report's 本年新收 row, on page 3
        c = v["citation"]
        assert c["quote"].startswith("【表2】一、本年新收") and c["quote"].endswith(f"总计={v['value']}")
        assert c["where"] == "第3页" and v["box"][0] == 3


def test_a_decrease_asked_the_other_way_round_and_a_ratio(reports):
    down = reports.ask("洪泽区2024年新收申请与2023年相比减少了多少件？", backend="extractive").to_dict()["derived"]
    assert down["arithmetic"] == "21 − 95 = -74" and down["summary"].endswith("增加74件")
    times = reports.ask("淮安市2024年新收申请是洪泽区的几倍？", backend="extractive").to_dict()["derived"]
    assert times["arithmetic"] == "3119 ÷ 95 = 32.83" and times["text"] == "32.83倍"
    assert times["labels"] == ["淮安市人民政府 2024年", "洪泽区人民政府 2024年"]


def test_an_operand_the_library_lacks_is_no_computation(reports):
    out = reports.ask("洪泽区2024年新收申请比2019年增加了多少件？", backend="extractive").to_dict()
    assert out["derived"] is None  # no 2019 report of 洪泽区: never a number made up from one value


def test_values_from_two_reports_name_their_years(reports):
    out = reports.ask("淮安市洪泽区2023年和2024年收到的申请数量分别是多少？", backend="extractive").to_dict()
    assert out["labelled"] == "2023年 21件；2024年 95件"


def test_the_cli_shows_the_arithmetic_and_both_citations(reports, monkeypatch):
    from govqa.cli import app
    from govqa.settings import get_settings

    monkeypatch.setenv("GOVQA_DATA_DIR", str(reports.settings.data_dir))
    monkeypatch.setenv("GOVQA_CACHE_DIR", str(reports.settings.cache_path))
    get_settings.cache_clear()
    try:
        text = CliRunner().invoke(app, ["ask", "洪泽区2024年新收申请比2023年增加了多少件？", "--backend", "extractive"])
        data = CliRunner().invoke(app, ["ask", "淮安市洪泽区2024年收到的政府信息公开申请有多少件？", "--json"])
    finally:
        get_settings.cache_clear()
    assert text.exit_code == 0, text.output
    assert "答：74件（洪泽区人民政府：2024年比2023年增加74件）" in text.output and "算式：95 − 21 = 74" in text.output
    assert "hongze_2024.pdf 第3页" in text.output and "hongze_2023.pdf 第3页" in text.output
    v = json.loads(data.output)["values"][0]
    assert v["text"] == "95件" and v["citation"]["page"] == 3 and v["citation"]["boxes"][0][0] == 3
    assert v["box"][0] == 3 and v["box"][1] > v["citation"]["boxes"][0][1]  # the 总计 cell, right of the row's start
