"""One figure across reports: a table cell (row × column) per report, each point cited to its row, a
report without the cell shown as missing, never as 0."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from govqa.cells import Cell
from govqa.types import DocRecord, doc_label, issuer_key


@dataclass
class Point:
    doc: str
    source: str
    label: str  # the report, as users see it
    year: int | None
    value: float | None  # None: missing (no such cell, or blank in the source)
    raw: str
    unit: str
    start: int  # the cited row's span ("" quote when missing)
    end: int
    quote: str
    issuer: str = ""  # who published it, one key across years (govqa.types.issuer_key); "" when unknown

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_row(keys: Iterable[str], row: str) -> str:
    """A row key named by a part of it ("本年新收", "予以公开", "行政复议"): the one full key that contains it."""
    keys = set(keys)
    if row in keys:
        return row
    found = sorted(k for k in keys if row in k)
    if len(found) != 1:
        raise KeyError(f"表格行 {row!r} " + ("不存在" if not found else f"不唯一：{'、'.join(found[:5])}"))
    return found[0]


def compare_cells(docs: list[DocRecord], cells: dict[str, Cell]) -> list[Point]:
    """One point per report: its cell (doc_id -> the stored cell record of the compared row × column),
    or a missing point when it has none."""
    points = []
    for d in docs:
        cell = cells.get(d.doc_id)
        label, year = doc_label(d.meta, d.source), d.meta.year
        who = "/".join(issuer_key(d.meta) or ())
        if cell is None:
            points.append(Point(d.doc_id, d.source, label, year, None, "", "", 0, 0, "", who))
        else:
            points.append(Point(d.doc_id, d.source, label, year, cell.value, cell.raw, cell.unit, cell.row_start,
                                cell.row_end, cell.line, who))
    return sorted(points, key=lambda p: (p.year or 0, p.label))


def changes(points: list[dict[str, Any]]) -> list[str]:
    """Year-on-year changes, only between reports of one issuer ("2023→2024：+74件"); points of
    different issuers are compared side by side, never subtracted."""
    out = []
    found = [p for p in points if p["value"] is not None and p["year"] and p["issuer"]]
    for who in dict.fromkeys(p["issuer"] for p in found):
        series = sorted((p for p in found if p["issuer"] == who), key=lambda p: p["year"])
        for a, b in zip(series, series[1:]):
            if b["year"] != a["year"]:
                out.append(f"{a['year']}→{b['year']}：{b['value'] - a['value']:+g}{b['unit']}")
    return out
