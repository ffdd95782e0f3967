"""Answer benchmark: latency p50/p95 and peak RSS of `govqa ask` on every gold question, per backend.

    .venv/bin/python bench/answers.py --backend extractive
    .venv/bin/python bench/answers.py --backend llm
    .venv/bin/python bench/answers.py --corpus data/real --gold eval/real   # the real dev corpus

Each run ingests the corpus (default data/demo) into a fresh temporary store (embeddings come from the shared cache),
asks every question in eval/gold/ and prints one JSON line; results also go to bench/out/.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.answers import run_answer_eval  # noqa: E402
from eval.corpus import fresh_library  # noqa: E402
from eval.gold import load_gold  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", default="extractive", choices=["extractive", "llm", "auto"])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--corpus", type=Path, default=ROOT / "data" / "demo")
    ap.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold")
    args = ap.parse_args()
    with fresh_library(args.corpus) as (library, _):
        t0 = time.perf_counter()
        result = run_answer_eval(library, load_gold(args.gold), backend=args.backend)
        wall = time.perf_counter() - t0
    summary = {k: v for k, v in result.items() if k != "items"}
    summary.update(requested_backend=args.backend, wall_s=round(wall, 1),
                   peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"answers_{args.corpus.name}_{args.backend}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
