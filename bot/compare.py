"""One figure across reports: a table cell (row × column) per report, each point cited to its row, a
report without the cell shown as missing, never as 0."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from govqa.cells import cells_in_text
from govqa.types import Document, doc_label


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_row(docs: list[Document], row: str) -> str:
    """A row key named by a part of it ("本年新收", "予以公开", "行政复议"): the one full key that contains it."""
    keys = {c.row for d in docs for c in cells_in_text(d.text)}
    if row in keys:
        return row
    found = sorted(k for k in keys if row in k)
    if len(found) != 1:
        raise KeyError(f"表格行 {row!r} " + ("不存在" if not found else f"不唯一：{'、'.join(found[:5])}"))
    return found[0]


def compare_cells(docs: list[Document], row: str, col: str = "总计") -> list[Point]:
    points = []
    for d in docs:
        cell = next((c for c in cells_in_text(d.text) if c.row == row and c.col == col), None)
        label, year = doc_label(d.meta, d.source), d.meta.get("year")
        if cell is None:
            points.append(Point(d.doc_id, d.source, label, year, None, "", "", 0, 0, ""))
        else:
            points.append(Point(d.doc_id, d.source, label, year, cell.value, cell.raw, cell.unit, cell.row_start,
                                cell.row_end, cell.line))
    return sorted(points, key=lambda p: (p.year or 0, p.label))
