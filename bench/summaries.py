"""Summary benchmark: generation time per report, peak RSS and the summary eval, per backend.

    .venv/bin/python bench/summaries.py --backend extractive
    .venv/bin/python bench/summaries.py --backend llm

Each run ingests data/demo into a fresh temporary store (embeddings come from the shared cache),
summarizes every report without the summary cache and prints one JSON line; the per-report rows
go to bench/out/summaries_<backend>.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.corpus import fresh_library  # noqa: E402
from eval.gold import load_gold  # noqa: E402
from eval.summaries import run_summary_eval  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", default="extractive", choices=["extractive", "llm"])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = ap.parse_args()
    with fresh_library(ROOT / "data" / "demo") as (library, _):
        result = run_summary_eval(library, load_gold(ROOT / "eval" / "gold" / "gold_dev.jsonl"), backend=args.backend)
    summary = {k: v for k, v in result.items() if k != "items"}
    summary["seconds_per_report"] = {r["source"]: r["seconds"] for r in result["items"]}
    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"summaries_{args.backend}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
