"""Retrieval eval: recall@k of gold evidence strings in the top-k chunks.

An item hits when every evidence string (split on " | ") lies inside one of its top-k
chunks. Matching ignores whitespace on both sides, since the store holds normalized text, and
table-cell bars (| and ｜): evidence copied from a source's pipe table ("行政处罚 | 2 |") is compared
with the same row as stored, where each row is rendered on one line of ｜-separated cells.
Evidence copied from a page's layout, one cell per line ("行政许可\n\n34\n\n16\n\n773"), is matched
piece by piece: its pieces in order, each number whole, at most ``LAYOUT_GAP`` characters apart, so the
row rebuilt at ingest ("行政许可｜上一年项目数量=34｜本年增/减=16｜处理决定数量=773") still holds it.
A page that printed a row's cells glued to its label ("一、本年新收政府信息公开申请数量21710000218") is matched
against each stored row's label followed by its cells, glued the same way.
Items of type ``unanswerable`` have no evidence and are skipped.
"""

from __future__ import annotations

import re
import time
import unicodedata
from typing import Any

from eval.gold import evidence_parts
from govqa.library import Library
from govqa.text import squash
from govqa.types import SearchMode


def _plain(text: str) -> str:
    """Squashed, full-width forms folded (a template's 本年收费金额（单位：万元） is the source's (单位:万元))."""
    return unicodedata.normalize("NFKC", squash(text)).replace("|", "")


LAYOUT_GAP = 40  # characters a rebuilt row puts between two cells of a layout evidence (a column's name)


def _layout(evidence: str) -> re.Pattern[str] | None:
    """A layout evidence's pieces in order (numbers whole, at most LAYOUT_GAP apart); None for one piece."""
    pieces = [_plain(p) for p in evidence.split() if _plain(p)]
    if len(pieces) < 2:
        return None
    parts = [rf"(?<!\d){re.escape(p)}(?!\d)" if p.isdigit() else re.escape(p) for p in pieces]
    return re.compile(f".{{0,{LAYOUT_GAP}}}?".join(parts))


_ROW = re.compile(r"^【表\d】(?:[^｜\n]*/)?([^｜/\n]+)((?:｜[^｜\n]*)+)$", re.M)


def _glued_rows(text: str) -> str:
    """Each stored row as a page may print it glued: its label, then its cells' values."""
    return "\n".join(m.group(1) + "".join(c.split("=", 1)[-1] for c in m.group(2).split("｜")[1:])
                     for m in _ROW.finditer(text))


def evidence_ranks(evidence: list[str], chunk_texts: list[str]) -> list[int | None]:
    squashed = [_plain(t) + "\n" + _plain(_glued_rows(t)) for t in chunk_texts]
    ranks: list[int | None] = []
    for ev in evidence:
        e, layout = _plain(ev), _layout(ev)
        if not e:
            continue
        ranks.append(next((i + 1 for i, t in enumerate(squashed) if e in t or (layout and layout.search(t))), None))
    return ranks


def run_retrieval_eval(library: Library, gold: list[dict[str, Any]], k: int, use_filter: bool = True,
                       mode: SearchMode = SearchMode.hybrid) -> dict[str, Any]:
    items, latencies = [], []
    for item in gold:
        if item["type"] == "unanswerable":
            continue
        t0 = time.perf_counter()
        hits, flt = library.search(item["question"], k=k, use_filter=use_filter, mode=mode)
        latencies.append(time.perf_counter() - t0)
        ranks = evidence_ranks(evidence_parts(item), [h.chunk.text for h in hits])
        items.append({
            "id": item["id"],
            "hit": bool(ranks) and all(r is not None for r in ranks),
            "ranks": ranks,
            "filter": flt.describe(),
            "kept": None if flt.doc_ids is None else len(flt.doc_ids),  # reports the question filter left
            "top": [f"{h.source}#{h.chunk.index}" for h in hits],
        })
    n = len(items)
    return {
        "recall_at_k": round(sum(i["hit"] for i in items) / n, 4) if n else 0.0,
        "k": k,
        "n": n,
        "mode": str(mode),
        "filter": use_filter,
        "retrievers": [m for m in ("bm25", "dense") if mode in (m, "hybrid") and (m != "dense" or library.has_vectors)],
        "latency_ms_mean": round(1000 * sum(latencies) / n, 1) if n else 0.0,
        "items": items,
    }
