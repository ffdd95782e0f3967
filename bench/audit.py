"""Audit throughput: `bot.audit.audit_document` over 1,000 reports (the three real PDFs' texts and the
demo reports, repeated), in memory, as `govqa audit --all` runs it after reading each stored text.

    .venv/bin/python bench/audit.py [--n 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.audit import audit_document, year_to_year  # noqa: E402
from govqa.settings import get_settings  # noqa: E402
from ingest.limits import Limits  # noqa: E402
from ingest.reader import read_document  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    args = ap.parse_args()
    files = [*sorted((ROOT / "data" / "pdf").glob("*.pdf")), *sorted((ROOT / "data" / "demo").glob("*.txt"))]
    base = [read_document(f, Limits.of(get_settings(), 10**9)) for f in files if "scan" not in f.name]
    docs = [base[i % len(base)] for i in range(args.n)]
    t0 = time.perf_counter()
    findings = sum(len(audit_document(d)) for d in docs)
    carry = len(year_to_year(base))
    seconds = time.perf_counter() - t0
    print(f"| reports | findings | seconds | ms/report |\n| --- | --- | --- | --- |\n"
          f"| {args.n} | {findings + carry} | {seconds:.1f} | {1000 * seconds / args.n:.1f} |")


if __name__ == "__main__":
    main()
