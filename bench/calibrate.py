"""The confidence threshold (bot/confidence.py) from one eval run: exact and wrong per set at each
threshold, and the risk–coverage curve of the development and the unseen sets.

    .venv/bin/python -m bench.calibrate [--thresholds 0,0.2,0.3] [--work DIR]

Every set is asked once with the threshold at 0; an answer is withheld at threshold t exactly when its
``confidence`` is under t, so each threshold's numbers follow from the same run. Each set is ingested
once into DIR/<set> (kept between runs); the numbers go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

import bot.confidence as bc
from eval.answers import at_threshold, risk_coverage, run_answer_eval
from eval.gold import load_gold
from govqa.library import Library
from govqa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SETS = {"demo": ("data/demo", "eval/gold"), "real": ("data/real", "eval/real"),
        **{h: (f"data/heldout/{h}", f"eval/heldout/{h}/gold.jsonl") for h in ["h1", "h2", "h3", "h4", "h5", "h6"]}}
DEV = ("demo", "real", "h1", "h2", "h3")  # the sets the rules and the threshold were chosen on
UNSEEN = ("h4", "h5", "h6")  # collected after, measured before any rule was changed for them


def library(work: Path, name: str) -> Library:
    """The set's store, ingested on first use."""
    d = work / name
    fresh = not d.exists()
    lib = Library(Settings(data_dir=d))
    if fresh:
        lib.add([ROOT / SETS[name][0]])
    return lib


def curve_row(t: float, runs: dict[str, list[dict[str, Any]]], names: tuple[str, ...]) -> str:
    """Coverage and risk of several sets taken together (eval/answers.py risk_coverage)."""
    p = risk_coverage([r for n in names for r in runs[n]], (t,))[0]
    return f"{p['coverage']:.3f} · {p['risk']:.3f} ({p['wrong']}/{p['answered']})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--thresholds", default="0,0.2,0.3,0.4,0.5,0.6,0.7,0.8")
    ap.add_argument("--work", type=Path, default=Path("/tmp/govqa-calibrate"))
    args = ap.parse_args()
    bc.CALIBRATION = dataclasses.replace(bc.CALIBRATION, threshold=0.0)
    runs = {}
    for name, (_, gold) in SETS.items():
        runs[name] = run_answer_eval(library(args.work, name), load_gold(ROOT / gold), backend="extractive")["items"]
    thresholds = [float(x) for x in args.thresholds.split(",")]
    print("threshold | " + " | ".join(SETS) + " | dev coverage · risk | unseen coverage · risk")
    for t in thresholds:
        cells = [f"{r['exact']:.3f} · {r['wrong']}/{r['answered']}" for r in (at_threshold(runs[n], t) for n in SETS)]
        print(f"{t:.2f} | " + " | ".join(cells) + f" | {curve_row(t, runs, DEV)} | {curve_row(t, runs, UNSEEN)}",
              flush=True)


if __name__ == "__main__":
    main()
