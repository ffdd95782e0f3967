"""The year's change in a summary, through the library as a user meets it: 洪泽区 2024 alone, then with
its 2023 report added (and removed again), in the CLI and on the 摘要 tab. Values from the page images
(pdftoppm -r 70, page 3 of each): 本年新收 95 in 2024, 21 in 2023; 予以公开 50 and 0."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from govqa import webapp_core as core
from govqa.library import Library
from govqa.settings import Settings
from tests.conftest import ROOT

PDF = ROOT / "data" / "pdf"


@pytest.fixture(scope="module")
def lib(tmp_path_factory, cache_dir) -> Library:
    library = Library(Settings(data_dir=tmp_path_factory.mktemp("year") / "data", cache_dir=cache_dir))
    assert not library.add([PDF / "hongze_2024.pdf"]).failed
    return library


def test_the_change_appears_once_last_years_report_is_in_the_library(lib):
    alone = lib.summary("hongze_2024.pdf")
    assert alone.previous == "" and all(k.previous is None for k in alone.key_figures)
    assert alone.key_figures[0].label == "本年新收政府信息公开申请（表）" and alone.key_figures[0].value == 95

    assert not lib.add([PDF / "hongze_2023.pdf"]).failed
    s = lib.summary("hongze_2024.pdf")  # the cached summary is written again: its comparison changed
    assert s.previous == lib.resolve("hongze_2023.pdf")
    new = s.key_figures[0]
    assert (new.previous.value, new.previous.change, new.previous.year) == (21, "+74件", 2023)
    disclosed = next(k for k in s.key_figures if k.label == "予以公开（表）")
    assert (disclosed.value, disclosed.previous.value, disclosed.previous.change) == (50, 0, "+50件")
    text23 = lib.document("hongze_2023.pdf").text
    assert all(text23[k.previous.citation.start : k.previous.citation.end] == k.previous.citation.quote
               for k in s.key_figures if k.previous)


def test_the_summary_tab_shows_what_the_cli_prints(lib, monkeypatch):
    from govqa.cli import app
    from govqa.settings import get_settings

    monkeypatch.setenv("GOVQA_DATA_DIR", str(lib.settings.data_dir))
    monkeypatch.setenv("GOVQA_CACHE_DIR", str(lib.settings.cache_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["summarize", "hongze_2024.pdf"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    md = result.output
    assert md.strip() == lib.summary_markdown("hongze_2024.pdf").strip()  # each citation with its page (issue 25)
    assert "〔2〕 hongze_2023.pdf 第3页 [1141:1251] 【表2】一、本年新收政府信息公开申请数量" in md  # last year: its page
    assert "- 本年新收政府信息公开申请（表）：**95件** 〔1〕（上年（2023年报告）21件 〔2〕，变化 +74件）" in md

    page = core.render_summary(core.summary_view(lib, lib.resolve("hongze_2024.pdf")))
    figures = re.findall(r"^- (.+?)：\*\*(.+?)\*\*", md, re.M)
    sections = re.findall(r"^## (.+)$", md, re.M)
    assert figures and all(f"<td>{label}</td>" in page and f"<b>{value}</b>" in page for label, value in figures)
    assert all(f"<h3>{name}</h3>" in page for name in sections if name != "引用")
    assert "上年（2023年报告）21件" in page and "变化 +74件" in page
    assert "hongze_2023.pdf" in page  # last year's cell opens its own passage


def test_removing_last_years_report_removes_the_comparison(lib):
    lib.remove("hongze_2023.pdf")
    s = lib.summary("hongze_2024.pdf")
    assert s.previous == "" and all(k.previous is None for k in s.key_figures)
