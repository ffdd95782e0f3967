"""HTML reports -> (normalized text, tables): ``<table>`` markup read as tables, the rest of the page as text.

Government sites publish the four statistical tables as real table markup, with rowspan/colspan for the
merged labels and ``&nbsp;`` for cells left blank. Flattening that to text (as ``loaders.html_to_text``
does) loses which number belongs to which row and column; here the grid is rebuilt honouring the spans,
blank cells stay blank (never 0), and each table is replaced in the text by its rendered rows.
Only the standard library's parser is used, so nothing is added for HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ingest.tables import PLACEHOLDER, GridCell, Table, assemble, build_tables

_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "title", "tr", "table"}
_SKIP_TAGS = {"script", "style", "noscript", "head"}


class _RawCell:
    def __init__(self, rowspan: int, colspan: int) -> None:
        self.rowspan, self.colspan = rowspan, colspan
        self.parts: list[str] = []


def _span(attrs: list[tuple[str, str | None]], name: str) -> int:
    value = dict(attrs).get(name) or "1"
    m = re.match(r"\s*(\d+)", value)
    return max(1, min(int(m.group(1)), 1000)) if m else 1


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # Each block is a list of pieces joined once at the end: appending to a string held in a list
        # copies it each time (a page of 1.5 M nested <div>s wrote a "\n" per tag: quadratic).
        self.blocks: list[list[str]] = [[]]
        self.tables: list[list[list[_RawCell]]] = []
        self.title = ""
        self._skip = 0
        self._in_title = False
        self._depth = 0  # table nesting; inner tables are read as text of the outer cell
        self._rows: list[list[_RawCell]] = []
        self._cell: _RawCell | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self._rows = []
                self.blocks.append([])
                return
        if self._depth == 1 and tag == "tr":
            self._rows.append([])
        elif self._depth == 1 and tag in {"td", "th"}:
            if not self._rows:
                self._rows.append([])
            self._cell = _RawCell(_span(attrs, "rowspan"), _span(attrs, "colspan"))
            self._rows[-1].append(self._cell)
        elif tag in _BLOCK_TAGS:
            self._write("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if tag == "table" and self._depth:
            self._depth -= 1
            if self._depth == 0:
                self._cell = None
                self.tables.append(self._rows)
                self.blocks.append([PLACEHOLDER.format(len(self.tables))])
                self.blocks.append([])
                return
        if self._depth == 1 and tag in {"td", "th"}:
            self._cell = None
        elif tag in _BLOCK_TAGS:
            self._write("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if not self._skip:
            self._write(data)

    def _write(self, s: str) -> None:
        if self._depth:
            if self._cell is not None:
                self._cell.parts.append(s)
        else:
            self.blocks[-1].append(s)


def grid_rows(rows: list[list[_RawCell]]) -> list[list[GridCell]]:
    """Rows of raw cells -> visual rows, a cell spanning rows being the same GridCell in each of them.
    Slots are kept per row, and a rowspan reaching past the table's last row stops there, so the work
    is in proportion to the cells the table has (a 190,000-row page was quadratic here)."""
    occupied: list[dict[int, GridCell]] = [{} for _ in rows]
    for r, raw_row in enumerate(rows):
        c = 0
        for raw in raw_row:
            while c in occupied[r]:
                c += 1
            cell = GridCell(text="".join(raw.parts), x0=c, x1=c + raw.colspan)
            for dr in range(min(raw.rowspan, len(rows) - r)):
                for dc in range(raw.colspan):
                    occupied[r + dr][c + dc] = cell
            c += raw.colspan
    out: list[list[GridCell]] = []
    for slots in occupied:
        seen: list[GridCell] = []
        for c in sorted(slots):
            if not seen or slots[c] is not seen[-1] and not any(slots[c] is s for s in seen):
                seen.append(slots[c])
        out.append(seen)
    return out


def html_tables(html: str) -> tuple[str, list[Table]]:
    """Read an HTML page: normalized text with each table's rows rendered in place, and the tables."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    groups = [grid_rows(rows) for rows in parser.tables]
    tables = build_tables(groups)
    blocks = ["".join(b) for b in parser.blocks]
    title = parser.title.strip()
    if title and title not in "".join(blocks):
        blocks = [title, *blocks]
    return assemble(blocks, tables), tables
