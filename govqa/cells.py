"""The statistical tables' cells, read back from a document's stored text.

Ingest writes each data row of the national tables as one line (ingest/tables.py `render_row`):
``【表2】三、本年度办理结果/（一）予以公开｜自然人=1288｜…｜总计=1362``. Every cell is therefore an
exact span of the stored text, and a cited cell is checked like any other quote. The registry stores
one record per cell, read from those lines when the document is added and removed with it
(vectorstore/registry.py), so that listing, comparing and auditing a library need not read its texts.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

SEP = "｜"
_ROW = re.compile(r"^【表(\d+)】([^｜\n]+)((?:｜[^｜=\n]+=[^｜\n]*)+)$", re.M)
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_WITH_UNIT = re.compile(r"^(-?\d+(?:\.\d+)?)(万元|元)$")  # "70487元": a cell that writes its own unit


@dataclass
class Cell:
    table: int  # 表N in the document
    kind: str  # 主动公开 | 申请 | 复议诉讼
    row: str  # canonical row key, e.g. 三、本年度办理结果/（一）予以公开
    col: str  # canonical column key, e.g. 自然人, 法人或其他组织/商业企业, 总计, 行政诉讼/复议后起诉/总计
    raw: str  # as in the cell ("" when blank: blank is not 0)
    value: float | None
    unit: str  # the table's unit for this cell: 件, 万元, or "" when the template does not say
    start: int  # the value's span in the document text
    end: int
    row_start: int  # the row line's span
    row_end: int
    line: str  # the row line itself, as stored (what a citation of this cell quotes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def base(self) -> tuple[float | None, str]:
        """(value, unit) with the unit's multiplier applied: 96171.6 万元 -> (961716000, 元), as numbers compare."""
        if self.value is None or not self.unit.startswith("万"):
            return self.value, self.unit
        return self.value * 10_000, self.unit[1:]


def table_kind(row: str) -> str:
    if row.startswith("第二十条"):
        return "主动公开"
    if row.startswith(("行政复议", "行政诉讼")):
        return "复议诉讼"
    return "申请"


def cell_unit(kind: str, col: str) -> str:
    """The national templates count applications and cases in 件; the 主动公开 table's fee column says 万元."""
    if "万元" in col:
        return "万元"
    if kind in ("申请", "复议诉讼") or re.search(r"件数|数量", col):
        return "件"
    return ""


def cells_in_text(text: str) -> list[Cell]:
    out: list[Cell] = []
    for m in _ROW.finditer(text):
        table, row = int(m.group(1)), m.group(2)
        kind = table_kind(row)
        pos = m.start(3)
        for part in m.group(3).split(SEP)[1:]:
            col, _, raw = part.partition("=")
            start = pos + len(SEP) + len(col) + 1
            value, unit = (float(raw) if _NUMBER.match(raw) else None), cell_unit(kind, col)
            if m_unit := _WITH_UNIT.match(raw):
                value, unit = float(m_unit.group(1)), m_unit.group(2)
            out.append(Cell(table, kind, row, col, raw, value, unit, start, start + len(raw),
                            m.start(), m.end(), m.group(0)))
            pos = start + len(raw)
    return out


def is_row_line(quote: str) -> bool:
    return bool(_ROW.fullmatch(quote))
