"""Summary eval: are the summary's numbers true to their sources, does it carry the figures that a
person reading the report picked out by hand, and is anything filed where it does not belong?

Per document: number_precision (numbers in the summary stated in their cited sentence; must be
1.0), citation_valid (citations that are exact spans of the stored document), gold_coverage (gold
values for that document found among the key figures; annual reports only), misfiled (bullets
whose own words contradict their section, or table lines shown as bullets), length in characters
(what a reader reads), generation time.

Gold values come from question files (numeric items with one ``doc``) or from key-facts files, one
line per report: ``{"file": ..., "facts": [{"label", "value", "unit", "evidence"}, ...]}``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
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


# What contradicts a section, by the reader's own reading (deliberately not the summarizer's rules):
# a table line is never a bullet; a sentence that states a shortfall and plans nothing is not a
# measure; a sentence that plans (下一步/针对…/将…) is not a problem.
TABLE_LINE = re.compile(r"【表|[｜|]|=\s*\d|^[\d\s.、，,]+$")
PROBLEM_CUE = re.compile(r"不够|不足|有待|欠缺|薄弱|差距|滞后|不到位|不高|不强|不完善|不及时|不规范|仍存在|还存在")
PLAN_CUE = re.compile(r"下一步|针对|今后|我们将"
                      r"|将(?:进一步|继续|持续|加强|加大|着力|不断|全面|深入|积极|认真|重点|推动|推进|完善)"
                      r"|\d{4}年[^。]{0,8}将|拟|计划")
MISFILED_BY_SECTION: dict[str, Callable[[str], bool]] = {
    "改进措施": lambda t: bool(PROBLEM_CUE.search(t)) and not PLAN_CUE.search(t),
    "存在问题": lambda t: bool(PLAN_CUE.search(t[:20])),
}


def misfiled(summary: Summary) -> list[str]:
    """Bullets in a section whose own words contradict it, and table lines shown as bullets."""
    out = []
    for name, bullets in summary.sections.items():
        wrong_here = MISFILED_BY_SECTION.get(name, lambda _t: False)
        out += [f"{name}：{b.text[:60]}" for b in bullets if TABLE_LINE.search(b.text) or wrong_here(b.text)]
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
        "misfiled": misfiled(summary),
        "key_figures": len(summary.key_figures),
        "chars": summary.body_chars(),
        "dropped": summary.dropped,
    }


def gold_values_by_doc(items: list[dict]) -> dict[str, list[tuple[float, str]]]:
    """Numeric gold values per source file name (questions that span several reports are skipped:
    their values cannot be told apart per report). A key-facts line gives its report's facts."""
    out: dict[str, list[tuple[float, str]]] = {}
    for it in items:
        if "facts" in it and "file" in it:
            vals = out.setdefault(Path(it["file"]).name, [])
            vals += [v for v in ((float(f["value"]), f.get("unit", "")) for f in it["facts"]) if v not in vals]
            continue
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
        "misfiled": sum(len(r["misfiled"]) for r in rows),
        "chars_mean": round(mean(r["chars"] for r in rows)) if rows else 0,
        "chars_max": max((r["chars"] for r in rows), default=0),
        "seconds_mean": round(mean(r["seconds"] for r in rows), 2) if rows else 0.0,
        "items": rows,
    }
