"""Where a cited passage is in the original file, as a reader finds it there: "第3页" with the boxes to
draw on that page for a PDF (from its stored layout, ingest/layout.py), "第12段" or "表2 第5行" for the
other formats (their stored text keeps one paragraph or one table row per line).

One place computes it for every front end: answers, summaries, 核查, 对比 and 总览 all show the same
words for the same span.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from govqa.cells import cells_in_text
from govqa.types import Document, ReportMeta, Value, issuer_key, report_tag
from ingest.layout import Layout, layout_of

_ROW_LINE = re.compile(r"^【表(\d+)】")


@dataclass
class Location:
    where: str  # what a reader is told: 第3页 / 第12段 / 表2 第5行
    page: int | None = None
    boxes: list[list[float]] = field(default_factory=list)  # [page, x0, top, x1, bottom] in PDF points
    paragraph: int | None = None  # formats without pages: the paragraph (line) number
    table: int | None = None  # ... or the table and its row
    table_row: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def text_position(text: str, start: int) -> Location:
    """Paragraph or table row of ``start`` in a stored text without pages (TXT, HTML, DOCX): each
    paragraph and each rendered table row is one line of it."""
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start : text.find("\n", start) if "\n" in text[start:] else len(text)]
    m = _ROW_LINE.match(line)
    if m:
        table = int(m.group(1))
        rows = sorted({c.row_start for c in cells_in_text(text[:line_start + len(line)]) if c.table == table})
        n = rows.index(line_start) + 1 if line_start in rows else len(rows)
        return Location(f"表{table} 第{n}行", table=table, table_row=n)
    paragraph = sum(1 for ln in text[:line_start].split("\n") if ln.strip()) + 1
    return Location(f"第{paragraph}段", paragraph=paragraph)


class Locator:
    """Locations of spans in stored documents; each document's layout is read once."""

    def __init__(self, layout_blob: Any) -> None:
        self._blob = layout_blob  # doc_id -> stored layout bytes (Store.layout)
        self._layouts: dict[str, Layout | None] = {}

    def layout(self, doc_id: str) -> Layout | None:
        if doc_id not in self._layouts:
            self._layouts[doc_id] = layout_of(self._blob(doc_id))
        return self._layouts[doc_id]

    def locate(self, doc: Document, start: int, end: int) -> Location:
        """The page and boxes of doc.text[start:end] for a PDF with a layout; its paragraph or table row
        otherwise (also for a PDF whose layout has not been backfilled yet)."""
        layout = self.layout(doc.doc_id)
        boxes = layout.boxes(start, end) if layout else []
        if not boxes:
            return text_position(doc.text, start)
        page = boxes[0][0]
        return Location(f"第{page}页", page, [list(b) for b in boxes])

    def cell_box(self, doc_id: str, start: int, end: int) -> list[float] | None:
        """The printed box of the table value at [start, end) (the answered cell), if known."""
        layout = self.layout(doc_id)
        box = layout.cell(start, end) if layout else None
        return list(box) if box else None

    def forget(self, doc_id: str) -> None:
        self._layouts.pop(doc_id, None)


def labelled_values(values: list[Value], meta: Callable[[str], ReportMeta]) -> str:
    """The answer with each value's report named, when its values come from more than one report:
    "2023年 21件；2024年 95件" for one issuer's years, "淮安市人民政府 2024年 3119件；…" otherwise.
    "" when all values come from one report (the answer itself says it)."""
    docs = list(dict.fromkeys(v.citation.doc for v in values))
    if len(docs) < 2:
        return ""
    metas = {d: meta(d) for d in docs}
    keys = {issuer_key(m) for m in metas.values()}
    one_issuer = len(keys) == 1 and None not in keys
    return "；".join(f"{report_tag(metas[v.citation.doc], issuer=not one_issuer)} {v.text}" for v in values)


def places_text(wheres: list[str]) -> str:
    """Several places in one report, said briefly: "第3、4页", "表2 第3–22行", or as listed."""
    wheres = list(dict.fromkeys(w for w in wheres if w))
    pages = [re.fullmatch(r"第(\d+)页", w) for w in wheres]
    if wheres and all(pages):
        return "第" + "、".join(m.group(1) for m in pages if m) + "页"
    rows = [re.fullmatch(r"表(\d+) 第(\d+)行", w) for w in wheres]
    if wheres and all(rows) and len({m.group(1) for m in rows if m}) == 1:
        ns = sorted(int(m.group(2)) for m in rows if m)
        span = f"{ns[0]}–{ns[-1]}" if ns[-1] - ns[0] + 1 == len(ns) and len(ns) > 2 else "、".join(map(str, ns))
        return f"表{rows[0].group(1)} 第{span}行"  # type: ignore[union-attr]
    return "；".join(wheres)
