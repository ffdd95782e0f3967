"""One figure across reports: a table cell (row × column) per report, each point cited to its row, a
report without the cell shown as missing, never as 0.

One point per report: two stored files of one report (a text PDF and its scan, the same report from two
sites) are one report when they share issuer, year and kind and print the same value; the point keeps
the first file and names the others (``copies``), so a chart never draws the report twice nor sums it.
Where the copies disagree, both stay, each labelled with its file, for a reader to check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
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
    issuer_name: str = ""  # as the report prints it ("淮安市洪泽区人民政府"): the chart's full label
    kind: str = ""
    copies: list[str] = field(default_factory=list)  # other files of the same report with the same value
    where: str = ""  # where the cited row is in the file (第3页 / 表2 第1行), filled in by the service

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
        who, name, kind = "/".join(issuer_key(d.meta) or ()), d.meta.issuer or "", d.meta.kind or ""
        if cell is None:
            points.append(Point(d.doc_id, d.source, label, year, None, "", "", 0, 0, "", who, name, kind))
        else:
            points.append(Point(d.doc_id, d.source, label, year, cell.value, cell.raw, cell.unit, cell.row_start,
                                cell.row_end, cell.line, who, name, kind))
    return one_per_report(sorted(points, key=lambda p: (p.year or 0, p.label, p.source)))


def one_per_report(points: list[Point]) -> list[Point]:
    """Files of one report (same issuer, year and kind) that agree become one point naming the others;
    a copy without the cell adds nothing to one that has it. Copies that disagree are all kept, each
    labelled with its file. Reports of an unknown issuer or year are never merged."""
    groups: dict[tuple, list[Point]] = {}
    for p in points:
        key = (p.issuer, p.year, p.kind) if p.issuer and p.year else (p.doc,)
        groups.setdefault(key, []).append(p)
    out: list[Point] = []
    for group in groups.values():
        found = [p for p in group if p.value is not None]
        values = {p.raw for p in found}
        if len(values) > 1:
            for p in found:
                p.label = f"{p.label}（{p.source}）"
            out += found
            continue
        keep = found[0] if found else group[0]
        keep.copies = [p.source for p in group if p is not keep]
        out.append(keep)
    return sorted(out, key=lambda p: (p.year or 0, p.label, p.source))


def changes(points: list[dict[str, Any]]) -> list[str]:
    """Year-on-year changes, only between reports of one issuer, labelled by it and with the arithmetic
    ("淮安市洪泽区人民政府 2023→2024：+74件（95 − 21 = 74）"); points of different issuers are compared
    side by side, never subtracted."""
    out = []
    found = [p for p in points if p["value"] is not None and p["year"] and p["issuer"]]
    for who in dict.fromkeys(p["issuer"] for p in found):
        series = sorted((p for p in found if p["issuer"] == who), key=lambda p: p["year"])
        name = series[-1].get("issuer_name") or who
        for a, b in zip(series, series[1:]):
            if b["year"] != a["year"]:
                d = b["value"] - a["value"]
                out.append(f"{name} {a['year']}→{b['year']}：{d:+g}{b['unit']}（{b['raw']} − {a['raw']} = {d:g}）")
    return out
