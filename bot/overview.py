"""The library at a glance (总览): one row per report with its identity and the key figures of the
national template, each read from the report's own table cells and cited to them.

A figure is one cell (新收 = 一、本年新收… × 总计) or the sum of a few (不予公开 = its eight reasons, 诉讼 =
直接起诉 + 复议后起诉); a sum shows its arithmetic and cites every part, and is left empty when a part
is blank or missing (blank is not 0). Reports without the national tables show no figures: never 0.
Files of one report (same issuer, year and kind, the same figures: a text PDF and its scan) are one
row that names the other files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from govqa.cells import Cell
from govqa.types import DocRecord, doc_label, issuer_key

_R3 = "三、本年度办理结果/"
_DIRECT, _AFTER = "行政诉讼/未经复议直接起诉/", "行政诉讼/复议后起诉/"


@dataclass(frozen=True)
class Figure:
    """A key figure: its column name, and the (row, column) cells it adds up. A row ending in "/" means
    every row under it (不予公开's eight reasons)."""

    name: str
    cells: tuple[tuple[str, str], ...]


FIGURES = (
    Figure("新收", (("一、本年新收政府信息公开申请数量", "总计"),)),
    Figure("办结", ((_R3 + "（七）总计", "总计"),)),
    Figure("予以公开", ((_R3 + "（一）予以公开", "总计"),)),
    Figure("不予公开", ((_R3 + "（三）不予公开/", "总计"),)),
    Figure("复议", (("行政复议", "行政复议/总计"),)),
    Figure("诉讼", (("行政诉讼", _DIRECT + "总计"), ("行政诉讼", _AFTER + "总计"))),
    Figure("纠错", (("行政复议", "行政复议/结果纠正"), ("行政诉讼", _DIRECT + "结果纠正"), ("行政诉讼", _AFTER + "结果纠正"))),
    Figure("结转", (("四、结转下年度继续办理", "总计"),)),
)
FIGURE_NAMES = [f.name for f in FIGURES]


@dataclass
class Part:
    """One cell a figure reads: its row and column, the value as printed, its span and row line."""

    row: str
    col: str
    raw: str
    start: int
    end: int
    row_start: int
    row_end: int
    quote: str
    where: str = ""  # 第3页 / 表2 第1行, filled in by the service


@dataclass
class FigureValue:
    value: float | None  # None: not in the report, or a part of a sum is blank
    text: str  # as shown: "95", "3", "" when none
    unit: str
    arithmetic: str  # "0 + 0 + 1 + 0 + 0 + 1 + 1 + 0 = 3" for a sum; "" for one cell
    parts: list[Part] = field(default_factory=list)
    note: str = ""  # why it is empty, when a table is there


@dataclass
class OverviewRow:
    doc: str
    source: str
    label: str
    issuer: str
    region: str
    level: str
    dept_level: str
    year: int | None
    kind: str
    figures: dict[str, FigureValue]
    audit: dict[str, int] = field(default_factory=dict)  # FAIL / UNCERTAIN / PASS counts
    copies: list[str] = field(default_factory=list)  # other files of the same report
    key: str = ""  # issuer key (one across years), "" when unknown

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def figure_value(fig: Figure, cells: list[Cell]) -> FigureValue:
    """The figure from one report's cells: a cell as printed, or a sum of its parts with the arithmetic."""
    parts: list[Cell] = []
    for row, col in fig.cells:
        found = [c for c in cells if c.col == col and (c.row.startswith(row) if row.endswith("/") else c.row == row)]
        if not found:
            return FigureValue(None, "", "", "", [], "表中无此项" if cells else "")
        if len(found) > 1 and not row.endswith("/"):
            return FigureValue(None, "", "", "", [], "表中此项不止一处，无法确定")
        parts += found
    cited = [Part(c.row, c.col, c.raw, c.start, c.end, c.row_start, c.row_end, c.line) for c in parts]
    unit = parts[0].unit
    if any(c.value is None for c in parts):
        return FigureValue(None, "", unit, "", cited, "单元格空白（不是 0）")
    if len(parts) == 1:
        return FigureValue(parts[0].value, parts[0].raw, unit, "", cited)
    total = sum(c.value for c in parts if c.value is not None)
    return FigureValue(total, _fmt(total), unit, " + ".join(c.raw for c in parts) + f" = {_fmt(total)}", cited)


def overview_rows(docs: Iterable[DocRecord], cells: dict[str, list[Cell]],
                  audits: dict[str, dict[str, int]]) -> list[OverviewRow]:
    """One row per report (doc_id -> its table cells, doc_id -> its audit counts), by issuer and year."""
    rows = []
    for d in docs:
        m = d.meta
        figures = {f.name: figure_value(f, cells.get(d.doc_id, [])) for f in FIGURES}
        rows.append(OverviewRow(d.doc_id, d.source, doc_label(m, d.source), m.issuer or "", m.region or "",
                                str(m.level or ""), str(m.dept_level or ""), m.year, str(m.kind or ""),
                                figures, audits.get(d.doc_id, {}), key="/".join(issuer_key(m) or ())))
    return _one_per_report(sorted(rows, key=lambda r: (r.key or r.issuer, r.year or 0, r.source)))


def _one_per_report(rows: list[OverviewRow]) -> list[OverviewRow]:
    """Files of one report (issuer, year, kind) whose figures all agree are one row naming the others."""
    out: list[OverviewRow] = []
    for r in rows:
        same = next((o for o in out if r.key and (o.key, o.year, o.kind) == (r.key, r.year, r.kind)
                     and {k: v.text for k, v in o.figures.items()} == {k: v.text for k, v in r.figures.items()}), None)
        if same is not None:
            same.copies.append(r.source)
        else:
            out.append(r)
    return out
