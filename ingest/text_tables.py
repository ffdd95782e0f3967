"""The national tables when a report was pasted into plain text: one line per table row, cells
separated by tabs (what copying a WPS/Word table as text gives) or by pipes ("| 行政处罚 | 2 |", what
page-to-text converters write for an HTML table).

Without this, text normalization turns the tabs into spaces and a row such as
"一、本年新收政府信息公开申请数量→→92→3→1→→1→→97" loses its columns: no cell can be cited or audited.
Such copies are irregular: a merged label (三、本年度办理结果) is written once and left empty below,
leading empty cells are sometimes dropped, and a stray tab may end a row. So the grid is not taken
column by column. Instead:

- 申请 table: the values are the 7 cells that end at the row's last number (总计 is the last column;
  a row with no number has 7 blanks); the label is the row's text cells before them, completed by the
  enclosing labels of the rows above by their enumerator (三、 > （一） > 1.), the way a reader does.
- 主动公开 and 复议诉讼 tables: the cells as split, without the stray empty cells past the template's
  last column.

Each table found becomes the same ``Table`` as from a PDF or HTML page (ingest/tables.py), rendered as
one citable line per row. A run of tabbed lines that is none of the national tables stays as it was.

Text scraped from a page may instead glue a row's cells into one digit run
("一、本年新收政府信息公开申请数量640020470" is 64|0|0|2|0|4|70). Such a row is read only where the
row's own column count and sums force one reading (``split_glued_row``); any other glued row stays
as text marked 【无法拆分】, which no answer ever cites.
"""

from __future__ import annotations

import re

from govqa.text import UNREADABLE
from ingest.flat_tables import glued_in_prose, one_cell_per_line
from ingest.tables import (
    KIND_ACTIVE,
    KIND_OTHER,
    KIND_REQUEST,
    KIND_REVIEW,
    LITIGATION_COLS,
    PLACEHOLDER,
    REQUEST_COLS,
    REVIEW_COLS,
    GridCell,
    Table,
    assemble,
    build_tables,
    classify,
    detect_template,
    parse_value,
    split_glued_row,
)

_TOP = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_MID = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_WIDTH = {KIND_ACTIVE: 4, KIND_REVIEW: len(REVIEW_COLS) + len(LITIGATION_COLS)}


def _tabbed(line: str) -> bool:
    return line.count("\t") >= 2 or line.count("|") >= 3


def _split(line: str) -> list[str]:
    """The cells of a row line: tab-separated, or between pipes (the outer pipes are no cells)."""
    if "\t" not in line:
        return [c.strip() for c in line.strip().strip("|").split("|")]
    return [c.strip() for c in line.split("\t")]


def _runs(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of tabbed lines; a single blank line inside a run does not end it."""
    out, i = [], 0
    while i < len(lines):
        if not _tabbed(lines[i]):
            i += 1
            continue
        j = i
        while j < len(lines) and (_tabbed(lines[j]) or (not lines[j].strip() and j + 1 < len(lines)
                                                        and _tabbed(lines[j + 1]))):
            j += 1
        out.append((i, j))
        i = j
    return out


def _plain_rows(lines: list[str], width: int, trim: bool = False) -> list[list[GridCell]]:
    """Cells as split; past ``width`` (or, with ``trim``, at the end of any row) empty cells are the
    copy's stray separators, not blank cells of the table."""
    rows = []
    for line in lines:
        cells = _split(line)
        while cells and not cells[-1] and (trim or len(cells) > width):
            cells.pop()
        rows.append([GridCell(t, k, k + 1) for k, t in enumerate(cells)])
    return rows


def _request_rows(lines: list[str]) -> list[list[GridCell]]:
    n = len(REQUEST_COLS)
    top: GridCell | None = None
    mid: GridCell | None = None
    rows = []
    for line in lines:
        cells = _split(line)
        numbers = [k for k, t in enumerate(cells) if t and parse_value(t) is not None]
        end = numbers[-1] + 1 if numbers else len(cells)
        start = max(0, end - n)
        labels = [t for t in cells[:start] if t]
        values = cells[start:end] + [""] * (n - (end - start))
        if not labels:
            rows.append([GridCell(t, k, k + 1) for k, t in enumerate(cells)])  # a header: left to build_tables
            continue
        leaf: GridCell | None = None
        for t in labels:
            if _TOP.match(t):
                top, mid, leaf = GridCell(t, 0, 1), None, None
            elif _MID.match(t):
                mid, leaf = GridCell(t, 1, 2), None
            else:
                leaf = GridCell(t, 2, 3)
        path = [top] if _TOP.match(labels[-1]) else [c for c in (top, mid, leaf) if c is not None]
        rows.append([*path, *(GridCell(v, 3 + k, 4 + k) for k, v in enumerate(values))])
    return rows


def tab_tables(raw: str) -> str:
    """``raw`` with each tabbed national table replaced by its rendered rows (normalized), or ``raw``
    unchanged when it holds none."""
    lines = raw.split("\n")
    blocks: list[str] = []
    groups: list[list[list[GridCell]]] = []
    done = 0
    for start, end in _runs(lines):
        run = [line for line in lines[start:end] if line.strip()]
        kind = classify(_plain_rows(run, 10**6))
        if kind == KIND_OTHER:
            continue
        blocks += lines[done:start]
        groups.append(_request_rows(run) if kind == KIND_REQUEST
                      else _plain_rows(run, _WIDTH[kind], trim=kind == KIND_ACTIVE))
        blocks.append(PLACEHOLDER.format(len(groups)))
        done = end
    if not groups:
        for read in (_glued_tables, lambda r, _lines: one_cell_per_line(r), lambda r, _lines: glued_in_prose(r)):
            out = read(raw, lines)
            if out is not raw:
                return out
        return raw
    blocks += lines[done:]
    return assemble(blocks, build_tables(groups))


_GLUED = re.compile(r"^\s*((?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、．])?[^\d|\t]{2,60}?)"
                    r"\s*(\d[\d ]{6,})\s*$")
_MIN_GLUED_ROWS = 3  # fewer is a sentence that ends in a number, not a table


def _glued_tables(raw: str, lines: list[str]) -> str:
    """Runs of glued 申请 rows, each row read only when its own sums force one reading."""
    template = detect_template([[[GridCell(raw, 0, 1)]]])
    blocks: list[str] = []
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and (_GLUED.match(lines[j]) or (j > i and _TOP.match(lines[j].strip() or "x"))):
            j += 1
        glued = [m for line in lines[i:j] if (m := _GLUED.match(line))]
        if len(glued) < _MIN_GLUED_ROWS:
            blocks.append(lines[i])
            i += 1
            continue
        rows = []
        for line in lines[i:j]:
            m = _GLUED.match(line)
            row = split_glued_row(m.group(1).strip(), m.group(2), template) if m else None
            if row is not None and row.matched:
                rows.append(row)
            else:  # a heading stays; a row with no one reading stays as text, marked so it is never cited
                blocks.append(f"{UNREADABLE}{line.strip()}" if m else line)
        if rows:
            tables.append(Table(kind=KIND_REQUEST, template=template, index=len(tables) + 1, page=None, rows=rows))
            blocks.append(PLACEHOLDER.format(len(tables)))
        i = j
    return assemble(blocks, tables) if tables else raw
