"""File loading benchmark: seconds per page for text PDFs (pdfplumber) and scans (rapidocr), per file
in data/pdf, with the tables and cells each one yields.

    .venv/bin/python bench/files.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402

from govqa.cells import cells_in_text  # noqa: E402
from govqa.text import normalize_text  # noqa: E402
from ingest.loaders import load  # noqa: E402


def main() -> None:
    rows = []
    for path in sorted((ROOT / "data" / "pdf").iterdir()):
        if path.suffix not in (".pdf", ".html"):
            continue
        pages = len(pdfplumber.open(path).pages) if path.suffix == ".pdf" else 1
        load(path, 10**9)  # warm-up: imports, the OCR engine's first load
        t0 = time.perf_counter()
        text = normalize_text(load(path, 10**9))
        seconds = time.perf_counter() - t0
        cells = cells_in_text(text)
        rows.append({"file": path.name, "pages": pages, "seconds": round(seconds, 2), "s_per_page": round(seconds / pages, 3),
                     "table_rows": len({(c.table, c.row) for c in cells}), "cells": len(cells)})
    print("| file | pages | s | s/page | table rows | cells |\n| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['file']} | {r['pages']} | {r['seconds']} | {r['s_per_page']} | {r['table_rows']} | {r['cells']} |")
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "out" / "files.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
