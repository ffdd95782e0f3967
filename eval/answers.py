"""Answer eval: every gold question asked for real, scored against hand-extracted values.

numeric_exact   all expected values returned (value and unit scale equal), not refused
wrong_rate      answered with a value not expected (numeric and unanswerable items) — the worst outcome
refused_rate    numeric items refused
unanswerable_correct  unanswerable items refused
fact_correct    fact items whose answer holds every expected text (or an alias)
citation_valid  answers whose every citation is an exact span of its document and holds its values
wrong_by_class  each wrong answer put in one class (``wrong_class``), so the kind of mistake shows:
                report (cited another report than the gold one), unit (right number, another unit),
                multi_number (the right sentence, another of its numbers), scope (累计/本年, 全市/部门 and
                the other traps of that kind), other
risk_coverage   at each confidence threshold (``CURVE_THRESHOLDS``): coverage, the share of numeric and
                unanswerable items that would be answered, and risk, the share of those answers that are wrong
                (an answer is withheld at threshold t exactly when its ``confidence`` is under t)
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from bot.numbers import present_in, same_value
from bot.verify import citation_ok, value_ok
from govqa.library import Library
from govqa.types import Backend


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def score_item(item: dict[str, Any], ans: dict[str, Any]) -> dict[str, Any]:
    expected = item.get("answers") or []
    got = [(v["value"], v["unit"]) for v in ans["values"]]
    row: dict[str, Any] = {"id": item["id"], "type": item["type"], "refused": ans["refused"], "answer": ans["answer"],
                           "values": [v["text"] for v in ans["values"]],
                           "quotes": [c["quote"] for c in ans["citations"]], "confidence": ans.get("confidence"),
                           "basis": ans.get("confidence_basis") or []}
    if item["type"] == "numeric":
        found = [any(same_value(e["value"], e["unit"], v, u) for v, u in got) for e in expected]
        extra = [v for v, u in got if not any(same_value(e["value"], e["unit"], v, u) for e in expected)]
        row["exact"] = not ans["refused"] and all(found)
        row["wrong"] = not ans["refused"] and bool(extra)
    elif item["type"] == "unanswerable":
        row["exact"] = ans["refused"]
        row["wrong"] = not ans["refused"] and bool(got)
    else:
        text = ans["answer"]
        row["exact"] = not ans["refused"] and all(
            any(a in text for a in [e["text"], *e.get("aliases", [])]) for e in expected)
        row["wrong"] = False
    return row


_SCOPE_TRAPS = {"scope", "parent_child", "dept_whole", "other_year"}


def wrong_class(item: dict[str, Any], ans: dict[str, Any]) -> str:
    """Which kind of mistake a wrong answer is (see the module docstring)."""
    docs = item.get("doc") or []
    gold_docs = {Path(d).name for d in ([docs] if isinstance(docs, str) else docs)}
    cited = {Path(c.get("source") or "").name for c in ans["citations"]}
    if gold_docs and cited and not cited & gold_docs:
        return "report"
    if item.get("trap") in _SCOPE_TRAPS:
        return "scope"
    expected = item.get("answers") or []
    got = [(v["value"], v["unit"]) for v in ans["values"]]
    if any(abs(float(e["value"]) - float(v)) < 1e-6 for e in expected for v, _ in got):
        return "unit"
    quotes = " ".join(c["quote"] for c in ans["citations"])
    if any(present_in(float(e["value"]), e.get("unit", ""), quotes) for e in expected):
        return "multi_number"
    return "other"


SCORED = ("numeric", "unanswerable")  # the item types an answer can be wrong on
CURVE_THRESHOLDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)  # where the risk–coverage curve is read


def at_threshold(rows: list[dict[str, Any]], t: float) -> dict[str, Any]:
    """Scored items as they would come out with answers under confidence ``t`` withheld: numeric exact,
    and answered / wrong / scored among numeric and unanswerable items."""
    shown = [r for r in rows if r["type"] in SCORED and not r["refused"] and (r["confidence"] or 0.0) >= t]
    numeric = sum(r["type"] == "numeric" for r in rows)
    exact = sum(r["exact"] for r in shown if r["type"] == "numeric")
    return {"threshold": t, "exact": round(exact / numeric, 4) if numeric else 0.0, "answered": len(shown),
            "wrong": sum(bool(r["wrong"]) for r in shown), "scored": sum(r["type"] in SCORED for r in rows)}


def risk_coverage(rows: list[dict[str, Any]], thresholds: tuple[float, ...] = CURVE_THRESHOLDS) -> list[dict[str, Any]]:
    """Coverage (answered / scored) and risk (wrong / answered) at each threshold: the curve a threshold
    is chosen from (bot/confidence.py)."""
    curve = []
    for t in thresholds:
        p = at_threshold(rows, t)
        curve.append({**p, "coverage": round(p["answered"] / p["scored"], 4) if p["scored"] else 0.0,
                      "risk": round(p["wrong"] / p["answered"], 4) if p["answered"] else 0.0})
    return curve


def run_answer_eval(library: Library, gold: list[dict[str, Any]], backend: Backend = Backend.auto) -> dict[str, Any]:
    rows, latencies, valid = [], [], []
    backends: set[str] = set()
    texts: dict[str, str | None] = {}

    def doc_text(doc_id: str) -> str | None:
        if doc_id not in texts:
            texts[doc_id] = library.document(doc_id).text if any(d.doc_id == doc_id for d in docs) else None
        return texts[doc_id]

    docs = library.documents()
    for item in gold:
        a = library.ask(item["question"], backend=backend).answer
        backends.add(a.backend)
        latencies.append(a.latency_ms)
        if not a.refused:
            valid.append(all(citation_ok(c, doc_text) for c in a.citations) and all(value_ok(v, doc_text) for v in a.values))
        row = score_item(item, a.to_dict())
        if row["wrong"]:
            row["wrong_class"] = wrong_class(item, a.to_dict())
        rows.append({**row, "latency_ms": round(a.latency_ms, 1)})

    def rate(kind: str | tuple, key: str) -> float:
        sel = [r for r in rows if r["type"] in ((kind,) if isinstance(kind, str) else kind)]
        return round(sum(bool(r[key]) for r in sel) / len(sel), 4) if sel else 0.0

    return {
        "n": len(rows),
        "numeric_exact": rate("numeric", "exact"),
        "wrong_rate": rate(("numeric", "unanswerable"), "wrong"),
        "refused_rate": rate("numeric", "refused"),
        "unanswerable_correct": rate("unanswerable", "exact"),
        "fact_correct": rate("fact", "exact"),
        "citation_valid": round(sum(valid) / len(valid), 4) if valid else 1.0,
        "latency_ms_p50": round(statistics.median(latencies), 1) if latencies else 0.0,
        "latency_ms_p95": round(_pct(latencies, 0.95), 1),
        "wrong_by_class": {k: sum(r.get("wrong_class") == k for r in rows)
                           for k in ("report", "unit", "multi_number", "scope", "other")},
        "backend": "+".join(sorted(backends)),
        "risk_coverage": risk_coverage(rows),
        "items": rows,
    }
