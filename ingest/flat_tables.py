"""The national tables when a page-to-text copy flattened them to one cell per line.

A scraped page often loses a table's grid and writes each cell on its own line (blank lines or stray
pipes between them)::

    第二十条第(六)项 / 信息内容 / 本年处理决定数量 / 行政处罚 / 30 / 行政强制 / 0

Nothing marks where a row ends, so the template decides: a 主动公开 row is its label and exactly as
many numbers as its section has columns (the template year's), a 申请 row its label path and exactly
7 numbers, the 复议诉讼 table exactly 15 numbers. A row whose numbers do not come out exactly (a blank
cell dropped by the copy, a label not in the template) ends the reading of that table there: what was
read stays, the rest of the lines stay text, and no cell is ever guessed. The table's own header
lines are left out once its rows are rendered (``ingest/tables.py`` writes each row as one citable line).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest.tables import (
    ACTIVE_SECTIONS,
    KIND_ACTIVE,
    KIND_REQUEST,
    KIND_REVIEW,
    LITIGATION_COLS,
    PLACEHOLDER,
    REQUEST_COLS,
    REQUEST_ROWS,
    REVIEW_COLS,
    Cell,
    GridCell,
    Row,
    Table,
    _best,
    _canon,
    assemble,
    detect_template,
    match_request_label,
    parse_value,
)

MAX_CELL = 40  # characters: a longer line is prose, and ends a flattened table
MIN_ROWS = 2  # a table read from fewer rows is more likely prose that ends in numbers
_SECTION = re.compile(r"^第[二两]十条第（[一二三四五六七八九十]+）项$")
_TOP = re.compile(r"^[一二三四五六七八九十]+、")
_MID = re.compile(r"^（[一二三四五六七八九十]+）")
_NUMBERED = re.compile(r"^\d+[.、．]")
_REQUEST_START = ("申请人情况", "一、本年新收政府信息公开申请数量")
_REVIEW_HEAD = ("行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉")

Token = tuple[int, str]  # (line index, cell text)


def _cell(line: str) -> str:
    return line.strip().strip("|｜").strip()


def _number(text: str) -> float | None:
    return parse_value(text) if re.fullmatch(r"[-+]?\d+(?:\.\d+)?", text.replace(",", "")) else None


def _tokens(lines: list[str]) -> list[Token]:
    return [(i, c) for i, line in enumerate(lines) if (c := _cell(line))]


def _numbers_at(toks: list[Token], k: int, n: int) -> list[str] | None:
    """The n cells from k when all are numbers (and the one after is not), else None."""
    cells = [t for _, t in toks[k : k + n]]
    if len(cells) < n or any(_number(c) is None for c in cells):
        return None
    if k + n < len(toks) and _number(toks[k + n][1]) is not None:
        return None
    return cells


def _active(toks: list[Token], k: int, template: str) -> tuple[list[Row], int]:
    """主动公开 sections from token k: each row is a template label and its section's column count; the
    head cells (信息内容, column names) come only between a section's marker and its first row."""
    sections = ACTIVE_SECTIONS[template]
    rows: list[Row] = []
    section, in_head, end = "", False, k
    while k < len(toks):
        text = _canon(toks[k][1])
        if _SECTION.match(text):
            section, in_head, k = text, True, k + 1
            continue
        labels, cols = sections.get(section, ([], []))
        label = _best(text, labels)
        if not section or len(text) > MAX_CELL or "。" in text:
            break
        if label not in labels:
            if not in_head or _number(text) is not None:
                break
            k += 1
            continue
        values = _numbers_at(toks, k + 1, len(cols))
        if values is None:
            break
        rows.append(Row(key=f"{section}/{label}", label=toks[k][1],
                        cells=[Cell(col=c, raw=v, value=parse_value(v)) for c, v in zip(cols, values)]))
        k += 1 + len(cols)
        in_head, end = False, k
    return rows, end


def _request(toks: list[Token], k: int, template: str) -> tuple[list[Row], int]:
    """申请 rows from token k: label cells (with their enclosing labels) followed by exactly 7 numbers."""
    n = len(REQUEST_COLS)
    candidates = list(REQUEST_ROWS[template])
    used: set[tuple[str, ...]] = set()
    rows: list[Row] = []
    top = mid = ""
    parts: list[str] = []
    end = k
    while k < len(toks):
        text = _canon(toks[k][1])
        if len(text) > MAX_CELL or "。" in text:
            break
        if _number(text) is None:
            if _TOP.match(text):
                top, mid, parts = text, "", [text]
            elif _MID.match(text):
                mid, parts = text, [text]
            elif _NUMBERED.match(text) or not parts:
                parts = [text]
            else:  # a label cut over two lines ("商业" / "企业")
                parts[-1] += text
            k += 1
            continue
        values = _numbers_at(toks, k, n)
        if values is None or not parts:
            break
        leaf = parts[-1]
        path = [leaf] if _TOP.match(leaf) else [p for p in (top, mid if mid != leaf else "", leaf) if p]
        key, ok = match_request_label(path, candidates, used)
        if not ok:
            break
        used.add(key)
        rows.append(Row(key="/".join(key), label="/".join(path),
                        cells=[Cell(col=c, raw=v, value=parse_value(v)) for c, v in zip(REQUEST_COLS, values)]))
        parts = []
        k += n
        end = k
        if key[0].startswith("四、"):
            break
    return rows, end


def _review(toks: list[Token], k: int, _template: str) -> tuple[list[Row], int]:
    """The 复议诉讼 table from token k: its head cells, then exactly 15 numbers."""
    while k < len(toks) and _number(toks[k][1]) is None:
        if not any(h in _canon(toks[k][1]) for h in _REVIEW_HEAD):
            return [], k
        k += 1
    cols = REVIEW_COLS + LITIGATION_COLS
    values = _numbers_at(toks, k, len(cols))
    if values is None:
        return [], k
    cells = [Cell(col=c, raw=v, value=parse_value(v)) for c, v in zip(cols, values)]
    return [Row(key="行政复议", label="行政复议", cells=cells[:5]),
            Row(key="行政诉讼", label="行政诉讼", cells=cells[5:])], k + len(cols)


Reader = Callable[[list[Token], int, str], tuple[list[Row], int]]


def _reader(toks: list[Token], k: int) -> tuple[str, Reader] | None:
    text = _canon(toks[k][1])
    if _SECTION.match(text):
        return KIND_ACTIVE, _active
    if text.startswith(_REQUEST_START):
        return KIND_REQUEST, _request
    if text == "行政复议" and any(_canon(t) == "行政诉讼" for _, t in toks[k + 1 : k + 4]):
        return KIND_REVIEW, _review
    return None


def one_cell_per_line(raw: str) -> str:
    """``raw`` with each national table written one cell per line replaced by its rendered rows
    (normalized), or ``raw`` unchanged when it holds none."""
    lines = raw.split("\n")
    toks = _tokens(lines)
    if not any(len(t) <= MAX_CELL for _, t in toks):
        return raw
    template = detect_template([[[GridCell(raw, 0, 1)]]]) or "2021"
    tables: list[Table] = []
    spans: list[tuple[int, int]] = []  # line range each table replaces
    k = 0
    while k < len(toks):
        found = _reader(toks, k)
        if found is None:
            k += 1
            continue
        kind, read = found
        start = k
        # The 申请 table's head ("申请人情况 … 其他") is skipped up to its first row label.
        if kind == KIND_REQUEST:
            while k < len(toks) and not _canon(toks[k][1]).startswith("一、"):
                k += 1
        rows, end = read(toks, k, template)
        if len(rows) < (1 if kind == KIND_REVIEW else MIN_ROWS):
            k = start + 1
            continue
        tables.append(Table(kind=kind, template=template, index=len(tables) + 1, page=None, rows=rows))
        spans.append((toks[start][0], toks[end - 1][0] + 1))
        k = end
    if not tables:
        return raw
    blocks: list[str] = []
    done = 0
    for (a, b), table in zip(spans, tables):
        blocks += lines[done:a]
        blocks.append(PLACEHOLDER.format(table.index))
        done = b
    blocks += lines[done:]
    return assemble(blocks, tables)


# ---------------------------------------------------------------- a whole table glued into running text
# A crawl that drops every cell boundary writes the 申请 and 复议诉讼 tables into the paragraph itself:
# "一、本年新收政府信息公开申请数量21710000218二、上年结转政府信息公开申请数量0000000三、本年度办 理结果
# （一）予以公开710000071…". Each template row's label is looked for in order, the digit run right after
# it is the row, and a row is read only where its own sums force one reading (``split_glued_row``);
# any other row stays as text marked 【无法拆分】. The 主动公开 table has no sums to check, so it is left.
_FIRST_ROW = "一、本年新收政府信息公开申请数量"
_REVIEW_END = "尚未审结总计"
_DIGITS = re.compile(r"[\d ]*\d")


def _canon_map(text: str) -> tuple[str, list[int]]:
    """The text without whitespace, ASCII brackets made full-width, and each kept character's index."""
    out, where = [], []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        out.append({"(": "（", ")": "）", "、": "、"}.get(ch, ch))
        where.append(i)
    return "".join(out), where


def _run(line: str, at: int) -> tuple[str, int]:
    """The digit run at ``at`` and where it ends, without the enumerator of the next label that the
    crawl glued to it ("…0000000" + "2.其他法律…" reads "00000002.")."""
    m = _DIGITS.match(line, at)
    if not m:
        return "", at
    digits, stop = m.group(0), m.end()
    if line[stop : stop + 1] in (".", "、", "．"):
        digits, stop = digits[:-1].rstrip(), stop - 1
    return digits, stop


def glued_in_prose(raw: str) -> str:
    """``raw`` with a 申请 (and the 复议诉讼) table glued into a paragraph replaced by its rendered rows,
    or ``raw`` unchanged when it holds none or none of its rows has one reading."""
    from ingest.tables import split_glued_row

    lines = raw.split("\n")
    template = detect_template([[[GridCell(raw, 0, 1)]]]) or "2021"
    for li, line in enumerate(lines):
        canon, where = _canon_map(line)
        first = canon.find(_FIRST_ROW)
        if first < 0 or not _DIGITS.match(line[where[first + len(_FIRST_ROW) - 1] + 1 :].lstrip()):
            continue
        rows: list[Row] = []
        unreadable: list[str] = []
        pos, end = first, first
        for cand in REQUEST_ROWS[template]:
            leaf = _canon(cand[-1])
            at = canon.find(leaf, pos)
            if at < 0:
                continue
            digits, stop = _run(line, where[at + len(leaf) - 1] + 1)
            pos = at + len(leaf)
            if not digits:  # a parent label (（三）不予公开): its rows follow
                continue
            row = split_glued_row(cand[-1], digits, template)
            if row is not None and row.matched:
                row.key = "/".join(cand)
                rows.append(row)
            else:
                unreadable.append(f"【无法拆分】{cand[-1]}{digits}")
            pos = end = next((k for k, w in enumerate(where) if w >= stop), len(canon))
        review = canon.find(_REVIEW_END, end)
        while review >= 0 and "行政复议" in canon[end:review]:
            digits, stop = _run(line, where[review + len(_REVIEW_END) - 1] + 1)
            if digits:  # the last head cell (…尚未审结总计) is followed by the 15 values
                row = split_glued_row("行政复议行政诉讼", digits)
                if row is not None:
                    rows += [Row(key="行政复议", label="行政复议", cells=row.cells[:5]),
                             Row(key="行政诉讼", label="行政诉讼", cells=row.cells[5:])]
                    end = next((k for k, w in enumerate(where) if w >= stop), len(canon))
                break
            review = canon.find(_REVIEW_END, review + 1)
        if len(rows) < MIN_ROWS:
            continue
        request = [r for r in rows if r.key not in ("行政复议", "行政诉讼")]
        review_rows = [r for r in rows if r.key in ("行政复议", "行政诉讼")]
        tables = [Table(kind=KIND_REQUEST, template=template, index=1, page=None, rows=request)]
        if review_rows:
            tables.append(Table(kind=KIND_REVIEW, template=template, index=2, page=None, rows=review_rows))
        cut_a, cut_b = where[first], where[end - 1] + 1 if end > first else where[first]
        block = [line[:cut_a], PLACEHOLDER.format(1)] + ([PLACEHOLDER.format(2)] if review_rows else [])
        block += unreadable + [line[cut_b:]]
        return assemble(lines[:li] + block + lines[li + 1 :], tables)
    return raw
