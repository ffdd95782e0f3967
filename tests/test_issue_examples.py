"""Issue 22's failure kinds, each asked of a report written in the reports' style with the issue's own
example sentences (the issue gives them as patterns, "with other nouns and numbers"), plus the issue's
examples on the project's real files (data/pdf: Shanghai 2019 page and Huai'an 2024, read by a person:
本年新收 总计 859 and “不予公开35件”; 淮安 本年新收 总计 3119)."""

from __future__ import annotations

import pytest

from govqa.library import Library
from govqa.settings import Settings
from tests.conftest import ROOT

REPORT = """某某市人民政府2023年政府信息公开工作年度报告

一、总体情况
2023年，某某市人民政府认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进政务公开工作。

二、主动公开政府信息情况
2023年，全市主动公开规章6件、行政规范性文件215件。
全市政务新媒体账号共计27个，其中，微信公众号15个、新浪微博9个。
市政府门户网站共发布信息48条，其中政策文件信息20条，通知公告信息11条，工作动态信息17条。
市政府微信公众号全年累计阅读量36万余次、微博累计阅读量51万余次。
第四季度，市政府门户网站发布政务动态信息120条。全年市政府门户网站发布政务动态信息530条。
全年开展食品安全抽检12批次，抽检样品共计300批。
"""


@pytest.fixture(scope="module")
def styled(tmp_path_factory, cache_dir) -> Library:
    folder = tmp_path_factory.mktemp("styled")
    (folder / "某某市2023年政府信息公开工作年度报告.txt").write_text(REPORT, encoding="utf-8")
    lib = Library(Settings(data_dir=folder / "data", cache_dir=cache_dir))
    assert not lib.add([folder]).failed
    return lib


@pytest.mark.parametrize(("question", "want"), [
    ("2023年某某市主动公开行政规范性文件多少件？", "215件"),  # not the 规章 6 before it
    ("2023年某某市政务新媒体账号中新浪微博有多少个？", "9个"),  # not the whole 27
    ("2023年某某市门户网站发布通知公告信息多少条？", "11条"),  # not the whole 48
    ("2023年某某市微博累计阅读量多少次？", "51万余次"),  # not 微信's 36万
    ("2023年某某市全年门户网站发布政务动态信息多少条？", "530条"),  # not the 四季度 120
    ("2023年某某市第四季度门户网站发布政务动态信息多少条？", "120条"),
    ("2023年某某市开展食品安全抽检多少批次？", "12批次"),  # not the 300批 of samples
])
def test_a_list_items_own_label_period_and_unit_decide(styled, question, want):
    a = styled.ask(question, backend="extractive").answer
    assert [v.text for v in a.values] == [want], a.answer


@pytest.fixture(scope="module")
def pdf(tmp_path_factory, cache_dir) -> Library:
    lib = Library(Settings(data_dir=tmp_path_factory.mktemp("pdf22") / "data", cache_dir=cache_dir))
    assert not lib.add([ROOT / "data" / "pdf" / "shanghai_2019.html", ROOT / "data" / "pdf" / "huaian_2024.pdf"]).failed
    return lib


def test_two_asks_get_two_values_even_from_a_table_and_a_sentence(pdf):
    a = pdf.ask("2019年上海市人民政府办公厅收到多少件政府信息公开申请？其中不予公开多少件？", backend="extractive").answer
    assert [v.text for v in a.values] == ["859件", "35件"], a.answer
    assert "不予公开35件" in a.values[1].citation.quote


def test_a_template_cell_in_the_templates_own_words(pdf):
    a = pdf.ask("2024年淮安市人民政府本年新收政府信息公开申请总计多少件？", backend="extractive").answer
    assert [v.text for v in a.values] == ["3119件"], a.answer


def test_the_meaning_check_is_shown_with_the_answer(styled):
    from govqa.webapp_core import render_answer

    a = styled.ask("2023年某某市主动公开行政规范性文件多少件？", backend="extractive").answer
    assert a.meaning == ["问：行政规范性文件 · 数字所指：行政规范性文件215件"]
    assert a.to_dict()["meaning"] == a.meaning
    assert "问：行政规范性文件 · 数字所指：行政规范性文件215件" in render_answer({**a.to_dict(), "labelled": ""})
