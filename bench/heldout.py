"""The held-out measurement: answers, metadata, retrieval and summaries on every unseen batch, each in a
fresh store, as one table (docs/benchmarks.md "Held-out batches").

    .venv/bin/python bench/heldout.py                     # h1..h6, extractive
    .venv/bin/python bench/heldout.py --sets h4 h5 --tag before

Each batch is data/heldout/<set> with its gold in eval/heldout/<set>/ (gold.jsonl, metadata.jsonl and,
where present, keyfacts.jsonl). Full results go to bench/out/heldout_<set>_<tag>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.answers import run_answer_eval  # noqa: E402
from eval.corpus import fresh_library  # noqa: E402
from eval.gold import load_gold  # noqa: E402
from eval.metadata import run_metadata_eval  # noqa: E402
from eval.retrieval import run_retrieval_eval  # noqa: E402
from eval.summaries import run_summary_eval  # noqa: E402
from govqa.settings import get_settings  # noqa: E402
from govqa.types import Backend  # noqa: E402

SETS = ["h1", "h2", "h3", "h4", "h5", "h6"]


def measure(name: str, backend: Backend) -> dict:
    corpus, gold_dir = ROOT / "data" / "heldout" / name, ROOT / "eval" / "heldout" / name
    gold = load_gold(gold_dir / "gold.jsonl")
    meta_gold = [json.loads(line) for line in (gold_dir / "metadata.jsonl").read_text(encoding="utf-8").splitlines() if line]
    facts = gold_dir / "keyfacts.jsonl"
    metadata = run_metadata_eval(corpus, meta_gold, get_settings())
    with fresh_library(corpus) as (library, _):
        answers = run_answer_eval(library, gold, backend=backend)
        retrieval = run_retrieval_eval(library, [g for g in gold if g.get("evidence")], 4)
        summaries = run_summary_eval(library, load_gold(facts, required=())) if facts.exists() else None
    return {"set": name, "answers": answers, "metadata": metadata, "retrieval": retrieval, "summaries": summaries}


def row(r: dict) -> str:
    a, m, rt, s = r["answers"], r["metadata"], r["retrieval"], r["summaries"]
    numeric = sum(i["type"] == "numeric" for i in a["items"])
    traps = sum(i["type"] == "unanswerable" for i in a["items"])
    wrong = sum(i["wrong"] for i in a["items"])
    answered = sum(not i["refused"] for i in a["items"] if i["type"] in ("numeric", "unanswerable"))
    acc = {f: c["accuracy"] for f, c in m["fields"].items()}
    cov = "—" if not s or s["gold_coverage"] is None else f"{s['gold_coverage']:.2f}"
    mis = "—" if not s else str(s["misfiled"])
    return (f"| {r['set']} | {numeric} / {traps} | {a['numeric_exact']:.2f} | {wrong} of {answered} answered | "
            f"{a['unanswerable_correct']:.2f} | {rt['recall_at_k']:.2f} | "
            f"{acc.get('region', 0):.2f} / {acc.get('issuer', 0):.2f} / {acc.get('year', 0):.2f} / {acc.get('level', 0):.2f} | "
            f"{m['wrong_share']:.1%} | {cov} | {mis} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="*", default=SETS)
    ap.add_argument("--backend", default="extractive", choices=["extractive", "auto", "llm"])
    ap.add_argument("--tag", default="now")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print("| set | numeric / traps | numeric_exact | wrong | traps refused | recall@4 | region / issuer / year / level "
          "| metadata wrong | key facts covered | misfiled |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in args.sets:
        r = measure(name, Backend(args.backend))
        (args.out / f"heldout_{name}_{args.tag}.json").write_text(json.dumps(r, ensure_ascii=False, indent=2))
        print(row(r), flush=True)


if __name__ == "__main__":
    main()
