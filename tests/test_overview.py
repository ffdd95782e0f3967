"""总览 (govqa overview, its CSV/XLSX export), one point per report in 对比, and the page layouts a repair
backfills. The library is data/pdf plus the demo; hongze_2024_scan.pdf is recognised at ingest as another copy
of hongze_2024.pdf and not stored (issue 23), and copies a store already holds are folded into one row or
point (issue 25, tested on records). It is built keyword-only (the bulk mode `govqa ingest --vectors-later`):
nothing here retrieves by meaning.

Values read from the page images (pdftoppm -r 80): 洪泽区 2024 本年新收 95, 予以公开 50, 不予公开 reasons
0+0+1+0+0+1+1+0, 复议 总计 2, 诉讼 1 (直接起诉) + 3 (复议后起诉); 洪泽区 2023 本年新收 21; 淮安市 2024 3119."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from govqa.library import FIGURE_NAMES, Library
from govqa.settings import Settings, get_settings
from tests.conftest import DEMO, ROOT

PDF = ROOT / "data" / "pdf"


@pytest.fixture(scope="module")
def lib(tmp_path_factory, cache_dir) -> Library:
    settings = Settings(data_dir=tmp_path_factory.mktemp("overview") / "data", cache_dir=cache_dir, embedding_backend="none")
    library = Library(settings)
    report = library.add([PDF, DEMO])
    assert not report.failed, report.failed
    scan = next(o for o in report.outcomes if o.path.endswith("hongze_2024_scan.pdf"))
    assert scan.status == "duplicate" and "hongze_2024.pdf" in (scan.reason or "")  # the same report: not stored
    return library


@pytest.fixture
def cli(lib, monkeypatch):
    monkeypatch.setenv("GOVQA_DATA_DIR", str(lib.settings.data_dir))
    monkeypatch.setenv("GOVQA_CACHE_DIR", str(lib.settings.cache_path))
    monkeypatch.setenv("GOVQA_EMBEDDING_BACKEND", "none")
    get_settings.cache_clear()
    from govqa.cli import app

    yield lambda *args: CliRunner().invoke(app, list(args))
    get_settings.cache_clear()


def test_one_row_per_report_the_scan_named_not_counted_twice(lib):
    rows = lib.overview()
    hongze = [r for r in rows if r.year == 2024 and r.region.endswith("洪泽区")]
    assert len(hongze) == 1 and hongze[0].source == "hongze_2024.pdf" and hongze[0].copies == []  # the scan: not stored
    figs = {k: v.text for k, v in hongze[0].figures.items()}
    assert figs == {"新收": "95", "办结": "95", "予以公开": "50", "不予公开": "3", "复议": "2", "诉讼": "4", "纠错": "1",
                    "结转": "0"}
    assert hongze[0].figures["不予公开"].arithmetic == "0 + 0 + 1 + 0 + 0 + 1 + 1 + 0 = 3"
    assert hongze[0].figures["新收"].parts[0].where == "第3页"
    assert len(rows) == len(lib.documents())
    demo_2017 = next(r for r in rows if r.source == "000_e718e0343c84cd48.txt")
    assert all(demo_2017.figures[n].value is None for n in FIGURE_NAMES)  # no table: empty, never 0
    assert demo_2017.audit == {"FAIL": 1}


def test_filters(lib):
    # 高平市 is a county-level city (县级市): county level, like 洪泽区
    assert {r.source for r in lib.overview(level="县级")} == {"hongze_2023.pdf", "hongze_2024.pdf", "001_8828d0bea7d12cc7.txt"}
    assert {r.source for r in lib.overview(region="淮安市", year="2024")} == {"hongze_2024.pdf", "huaian_2024.pdf"}
    assert lib.overview(year=1999) == []


def test_compare_takes_one_point_per_report(lib, cli):
    _, points = lib.compare("本年新收")
    hongze = [p for p in points if p.year == 2024 and "洪泽" in p.label]
    assert [(p.value, p.source, p.copies) for p in hongze] == [(95, "hongze_2024.pdf", [])]
    out = cli("compare", "本年新收")
    assert out.exit_code == 0, out.output
    line = next(ln for ln in out.output.splitlines() if "hongze_2024.pdf" in ln)
    assert "95件" in line and "190" not in out.output and "第3页" in line
    # One name per body across years (issue 23): the 2023 and 2024 reports are one issuer, 洪泽区人民政府.
    assert "洪泽区人民政府 2023→2024：+74件（95 − 21 = 74）" in out.output


def test_copies_a_store_holds_are_one_point_and_one_row():
    """A store may hold two files of one report (stored before scans were recognised at ingest): 对比 shows
    one point naming the other file, and copies that disagree are each kept and labelled with their file."""
    from bot.compare import Point, one_per_report

    def point(source: str, raw: str) -> Point:
        return Point(source, source, "洪泽区2024年报告", 2024, float(raw), raw, "件", 0, 1, raw, "洪泽区/洪泽区人民政府",
                     "洪泽区人民政府", "annual_report")

    one = one_per_report([point("hongze_2024.pdf", "95"), point("hongze_2024_scan.pdf", "95")])
    assert [(p.source, p.value, p.copies) for p in one] == [("hongze_2024.pdf", 95, ["hongze_2024_scan.pdf"])]
    two = one_per_report([point("hongze_2024.pdf", "95"), point("hongze_2024_scan.pdf", "96")])
    assert [p.label for p in two] == ["洪泽区2024年报告（hongze_2024.pdf）", "洪泽区2024年报告（hongze_2024_scan.pdf）"]


def test_the_xlsx_holds_what_govqa_tables_gives_for_every_report(lib, cli, tmp_path):
    from openpyxl import load_workbook

    out = cli("overview", "--xlsx", str(tmp_path / "out.xlsx"))
    assert out.exit_code == 0, out.output
    wb = load_workbook(tmp_path / "out.xlsx")
    assert wb.sheetnames == ["总览", "表格单元格", "核查", "对比"]
    rows = list(wb["总览"].iter_rows(values_only=True))
    head, body = list(rows[0]), rows[1:]
    cells_sheet = list(wb["表格单元格"].iter_rows(values_only=True))
    reports = {r.source: r for r in lib.overview()}
    assert len(body) == len(reports)
    for line in body:
        source = line[head.index("文件")].split("、")[0]
        tables = json.loads(cli("tables", source, "--json").output)
        cell = {(c["row"], c["col"]): c for c in tables}
        for name in FIGURE_NAMES:
            fig = reports[source].figures[name]
            parts = [cell[(p.row, p.col)]["value"] for p in fig.parts]
            expected = sum(parts) if parts and None not in parts else None
            assert line[head.index(name)] == expected, (source, name)
        mine = [r for r in cells_sheet[1:] if r[0] == source]  # this report's cells, as `govqa tables` lists them
        assert [(r[6], r[7], r[8] or "", r[9]) for r in mine] == [  # a blank cell stays blank (None), never 0
            (c["row"], c["col"], c["raw"], int(c["value"]) if c["value"] is not None and c["value"] % 1 == 0 else c["value"])
            for c in tables], source
    assert any(r[2] == "不符" and "10 + 1 + 0 + 0 = 11" in (r[5] or "") for r in wb["核查"].iter_rows(values_only=True))


def test_the_csv_and_json_carry_each_figures_source(lib, cli, tmp_path):
    assert cli("overview", "--csv", str(tmp_path / "o.csv")).exit_code == 0
    text = (tmp_path / "o.csv").read_text(encoding="utf-8-sig")
    assert "hongze_2024.pdf 第3页：【表2】一、本年新收政府信息公开申请数量" in text
    data = json.loads(cli("overview", "--json", "--year", "2023").output)
    assert [r["source"] for r in data] == ["hongze_2023.pdf"] and data[0]["figures"]["新收"]["text"] == "21"


def test_repair_backfills_the_pages_of_a_store_from_before_layouts(tmp_path, cache_dir, monkeypatch):
    from govqa.cli import app

    settings = Settings(data_dir=tmp_path / "data", cache_dir=cache_dir, embedding_backend="none")
    library = Library(settings)
    assert not library.add([PDF / "hongze_2023.pdf"]).failed
    doc = library.documents()[0].doc_id
    start = library.document(doc).text.index("【表2】一、本年新收")
    assert library.locate(doc, start, start + 5).where == "第3页"
    with sqlite3.connect(settings.data_dir / "registry.sqlite") as con:  # as a store written before layouts
        con.execute("DELETE FROM layouts")
    assert Library(settings).locate(doc, start, start + 5).where == "表2 第1行"  # without a layout: its table row
    monkeypatch.setenv("GOVQA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("GOVQA_CACHE_DIR", str(settings.cache_path))
    monkeypatch.setenv("GOVQA_EMBEDDING_BACKEND", "none")
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(app, ["repair"])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0 and "补齐 1 份 PDF 的页码" in out.output, out.output
    assert Library(settings).locate(doc, start, start + 5).where == "第3页"
