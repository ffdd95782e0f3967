"""Summary eval: are the summary's numbers true to their sources, and does it carry the figures
that a person reading the report picked out by hand?

Per document: number_precision (numbers in the summary stated in their cited sentence; must be
1.0), citation_valid (citations that are exact spans of the stored document), gold_coverage (gold
numeric values for that document found among the key figures; annual reports only), length in
characters (what a reader reads), generation time.
"""

from __future__ import annotations

import time
from pathlib import Path
from statistics import mean
from typing import Any

from bot.numbers import parse_numbers, present_in, same_value
from bot.sections import Summary
from bot.verify import citation_ok
from govqa.library import Library
from govqa.types import SummaryBackend


def _numbers(summary: Summary) -> list[tuple[float, str, list]]:
    """(value, unit, citations) of every number shown: figures, then numbers written in bullets."""
    out = [(k.value, k.unit, [k.citation]) for k in summary.key_figures]
    for bullets in summary.sections.values():
        for b in bullets:
            out += [(n.value, n.unit, b.citations) for n in parse_numbers(b.text)]
    return out


def score_summary(summary: Summary, doc_text: str, gold_values: list[tuple[float, str]]) -> dict[str, Any]:
    def text_of(d: str) -> str | None:
        return doc_text if d == summary.doc else None

    nums = _numbers(summary)
    ok = sum(1 for v, u, cites in nums if any(citation_ok(c, text_of) and present_in(v, u, c.quote) for c in cites))
    cites = [k.citation for k in summary.key_figures] + [c for bl in summary.sections.values() for b in bl for c in b.citations]
    covered = [g for g in gold_values if any(same_value(k.value, k.unit, *g) for k in summary.key_figures)]
    annual = summary.template == "annual_report"
    return {
        "numbers": len(nums),
        "number_precision": round(ok / len(nums), 4) if nums else 1.0,
        "citations": len(cites),
        "citation_valid": round(sum(citation_ok(c, text_of) for c in cites) / len(cites), 4) if cites else 1.0,
        "gold_values": len(gold_values),
        "gold_covered": len(covered),
        "gold_coverage": round(len(covered) / len(gold_values), 4) if annual and gold_values else None,
        "missed": [f"{v:g}{u}" for v, u in gold_values if (v, u) not in covered],
        "key_figures": len(summary.key_figures),
        "chars": summary.body_chars(),
        "dropped": summary.dropped,
    }


def gold_values_by_doc(items: list[dict]) -> dict[str, list[tuple[float, str]]]:
    """Numeric gold values per source file name (questions that span several reports are skipped:
    their values cannot be told apart per report)."""
    out: dict[str, list[tuple[float, str]]] = {}
    for it in items:
        if it.get("type") != "numeric" or not isinstance(it.get("doc"), str):
            continue
        vals = out.setdefault(Path(it["doc"]).name, [])
        for a in it.get("answers", []):
            v = (float(a["value"]), a.get("unit", ""))
            if v not in vals:
                vals.append(v)
    return out


def run_summary_eval(library: Library, items: list[dict],
                     backend: SummaryBackend = SummaryBackend.extractive) -> dict[str, Any]:
    gold = gold_values_by_doc(items)
    rows = []
    for d in library.documents():
        doc = library.document(d.doc_id)
        t0 = time.perf_counter()
        summary = library.summary(d.doc_id, backend=backend, refresh=True)
        seconds = time.perf_counter() - t0
        row = {"doc": d.doc_id, "source": d.source, "title": summary.title, "template": str(summary.template),
               "backend": summary.backend, "seconds": round(seconds, 2)}
        row.update(score_summary(summary, doc.text, gold.get(Path(d.source).name, [])))
        rows.append(row)
    covs = [r["gold_coverage"] for r in rows if r["gold_coverage"] is not None]
    return {
        "n": len(rows),
        "backend": str(backend),
        "number_precision": round(mean(r["number_precision"] for r in rows), 4) if rows else 1.0,
        "number_precision_min": min((r["number_precision"] for r in rows), default=1.0),
        "citation_valid": round(mean(r["citation_valid"] for r in rows), 4) if rows else 1.0,
        "citation_valid_min": min((r["citation_valid"] for r in rows), default=1.0),
        "gold_coverage": round(mean(covs), 4) if covs else None,
        "chars_mean": round(mean(r["chars"] for r in rows)) if rows else 0,
        "chars_max": max((r["chars"] for r in rows), default=0),
        "seconds_mean": round(mean(r["seconds"] for r in rows), 2) if rows else 0.0,
        "items": rows,
    }
