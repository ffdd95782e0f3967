"""OCR of a scanned report (hongze_2024_scan.pdf: the 洪泽 2024 report as 150 dpi page images, skewed, noisy).

Marked ``ocr`` and kept in its own file: it needs the ``govqa[ocr]`` extra (rapidocr with its bundled
models), takes ~20 s, and when rapidocr is missing it is reported as skipped, never passed. Run only these
with ``pytest -m ocr``. The expected numbers were read off the page images, not from a parser.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.ocr

rapidocr = pytest.importorskip("rapidocr", reason="OCR needs the govqa[ocr] extra (pip install 'govqa[ocr]')")

from ingest.pdf import load_pdf  # noqa: E402
from ingest.tables import locate_cells  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "pdf"  # copied from shared/corpus-pdf (public records)

EXPECTED = [  # (row, 自然人, 总计) from the page images of 洪泽 2024, pp. 3-4
    ("一、本年新收政府信息公开申请数量", "95", "95"),
    ("三、本年度办理结果/（一）予以公开", "50", "50"),
    ("三、本年度办理结果/（七）总计", "95", "95"),
    ("四、结转下年度继续办理", "0", "0"),
]


def test_scanned_report_tables_offline(monkeypatch):
    path = CORPUS / "hongze_2024_scan.pdf"
    assert path.exists(), f"{path} missing: the real reports live in data/pdf"

    def no_network(*args, **kwargs):
        raise AssertionError("OCR tried to reach the network; the models must come from the wheel")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    start = time.perf_counter()
    text, tables = load_pdf(path)
    per_page = (time.perf_counter() - start) / 5
    print(f"OCR: {per_page:.2f} s/page")

    assert [t.kind for t in tables] == ["主动公开", "申请", "复议诉讼"]
    request = tables[1]
    assert request.pages == [3, 4] and len(request.rows) == 23 and all(r.matched for r in request.rows)
    records = {(r.row_key, r.col_key): r for r in locate_cells(text, tables) if r.table_kind == "申请"}
    for row, person, total in EXPECTED:
        for col, raw in (("自然人", person), ("总计", total)):
            rec = records[(row, col)]
            assert rec.raw == raw, f"{row} × {col} = {rec.raw!r}, page shows {raw!r}"
            assert text[rec.start : rec.end] == raw
    review = {c.col: c.raw for r in tables[2].rows for c in r.cells}
    assert review["行政复议/总计"] == "2" and review["行政诉讼/复议后起诉/总计"] == "3"
    # prose crossing a line break on the scan is one line too
    assert any("区政府办代表区政府受理政府信息公开申请17件" in ln for ln in text.split("\n"))


def test_the_scan_uploaded_after_the_text_report_is_the_same_report(tmp_path):
    """Issue 23: hongze_2024_scan.pdf after hongze_2024.pdf is named as a copy of it, and 本年新收 is counted once
    (95 for 2024, read from page 3 of the PDF), not 190."""
    from govqa.library import Library
    from govqa.settings import Settings
    from govqa.types import Status

    lib = Library(Settings(data_dir=tmp_path / "data", embedding_backend="none"))
    assert lib.upload(CORPUS / "hongze_2024.pdf", "hongze_2024.pdf").status == Status.added
    outcome = lib.upload(CORPUS / "hongze_2024_scan.pdf", "hongze_2024_scan.pdf")
    assert outcome.status == Status.duplicate and "hongze_2024.pdf" in outcome.message and "同一份报告" in outcome.message
    assert [d.source for d in lib.documents()] == ["hongze_2024.pdf"]
    _, points = lib.compare("本年新收")
    assert [(p.year, p.value) for p in points] == [(2024, 95)]
