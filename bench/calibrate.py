"""Sweep the confidence threshold (bot/confidence.py) over the answer sets: exact and wrong per set.

    .venv/bin/python -m bench.calibrate [--thresholds 0,0.2,0.3] [--work DIR]

Each set is ingested once into DIR/<set> (kept between runs); the numbers go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import bot.confidence as bc
from eval.answers import run_answer_eval
from eval.gold import load_gold
from govqa.library import Library
from govqa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SETS = {"demo": ("data/demo", "eval/gold"), "real": ("data/real", "eval/real"),
        **{h: (f"data/heldout/{h}", f"eval/heldout/{h}/gold.jsonl") for h in ["h1", "h2", "h3", "h4", "h5", "h6"]}}


def library(work: Path, name: str) -> Library:
    """The set's store, ingested on first use."""
    d = work / name
    fresh = not d.exists()
    lib = Library(Settings(data_dir=d))
    if fresh:
        lib.add([ROOT / SETS[name][0]])
    return lib


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--thresholds", default="0,0.2,0.25,0.3,0.35")
    ap.add_argument("--work", type=Path, default=Path("/tmp/govqa-calibrate"))
    args = ap.parse_args()
    for t in [float(x) for x in args.thresholds.split(",")]:
        bc.CALIBRATION = dataclasses.replace(bc.CALIBRATION, threshold=t)
        row = []
        for name, (_, gold) in SETS.items():
            r = run_answer_eval(library(args.work, name), load_gold(ROOT / gold), backend="extractive")
            wrong = sum(i["wrong"] for i in r["items"])
            answered = sum(not i["refused"] for i in r["items"] if i["type"] in ("numeric", "unanswerable"))
            row.append(f"{name} {r['numeric_exact']:.3f} {wrong}/{answered}")
        print(f"{t:.2f} | " + " | ".join(row), flush=True)


if __name__ == "__main__":
    main()
