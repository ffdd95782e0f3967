"""Where each character of a stored PDF text is printed: page and box, so a citation can be shown on
the page it came from ("第3页", with the quoted passage or the answered cell boxed).

The stored text is built from the PDF and then normalized (paragraphs re-joined, spaces near Chinese
dropped, full-width digits made ASCII, tables rendered as one line per row), so offsets into it say
nothing about the page. Two sources give the geometry back:

- prose: the printed characters (pdfplumber's chars, or OCR word boxes shared among their characters)
  are aligned to the stored text in order, character by character, resynchronising after anything the
  text has that the page has not (or the reverse);
- tables: each rendered row line and each value in it is located in the text (ingest.tables.locate_cells)
  and takes the ruled box of its printed row or cell.

The alignment runs against the *stored* text, so `govqa repair` can backfill a layout for a report
stored before layouts existed by reading its PDF again: what no longer lines up is simply left unboxed.
A ``Layout`` is plain data (``to_json``) kept by the registry beside its document.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from govqa.cells import cells_in_text
from govqa.text import normalize_text

Glyph = tuple[str, int, float, float, float, float]  # (character, page, x0, top, x1, bottom)
Box = tuple[int, float, float, float, float]  # (page, x0, top, x1, bottom), PDF points, top-left origin

LAYOUT_VERSION = 1
RESYNC_WINDOW = 40  # printed characters skipped at most to find the text's next character again
RESYNC_CONFIRM = 3  # ... and then this many following characters must agree too (no chance matches of "的")
SAME_LINE = 2.0  # points: characters whose tops differ by less are on one printed line


@dataclass
class Run:
    """Consecutive text characters printed on one line: text offsets [start, start + len(xs) // 2)."""

    start: int
    page: int
    top: float
    bottom: float
    xs: list[float] = field(default_factory=list)  # x0, x1 of each character in turn

    @property
    def end(self) -> int:
        return self.start + len(self.xs) // 2


@dataclass
class Layout:
    sizes: list[tuple[float, float]]  # (width, height) of each page
    runs: list[Run]
    rows: dict[tuple[int, int], Box]  # each rendered table row line -> its printed row
    cells: dict[tuple[int, int], Box]  # each value in a row line (start == end when blank) -> its printed cell

    def to_json(self) -> bytes:
        def spans(d: dict[tuple[int, int], Box]) -> list[list[float]]:
            return [[s, e, int(b[0]), *(round(float(v), 1) for v in b[1:])] for (s, e), b in d.items()]

        data = {"v": LAYOUT_VERSION, "sizes": [[round(float(w), 1), round(float(h), 1)] for w, h in self.sizes],
                "runs": [[r.start, int(r.page), round(float(r.top), 1), round(float(r.bottom), 1),
                          [round(float(x), 1) for x in r.xs]] for r in self.runs],
                "rows": spans(self.rows), "cells": spans(self.cells)}
        return zlib.compress(json.dumps(data, separators=(",", ":")).encode())

    @classmethod
    def from_json(cls, blob: bytes) -> Layout:
        data = json.loads(zlib.decompress(blob))

        def spans(rows: list[list[float]]) -> dict[tuple[int, int], Box]:
            return {(int(s[0]), int(s[1])): (int(s[2]), s[3], s[4], s[5], s[6]) for s in rows}

        return cls([(w, h) for w, h in data["sizes"]], [Run(*r) for r in data["runs"]], spans(data["rows"]),
                   spans(data["cells"]))

    def boxes(self, start: int, end: int) -> list[Box]:
        """The boxes covering text[start:end] on its page(s): the span's own box when it is a table row
        or a cell, else one box per printed line it covers (with the rows of any table inside it).
        [] when nothing of it is placed."""
        own = self.rows.get((start, end)) or self.cells.get((start, end))
        if own:
            return [own]
        out: list[Box] = []
        for r in self.runs:
            if r.end <= start or r.start >= end:
                continue
            a, b = max(start, r.start) - r.start, min(end, r.end) - r.start
            xs = r.xs[2 * a : 2 * b]
            out.append((r.page, min(xs), r.top, max(xs), r.bottom))
        out += [box for (s, e), box in self.rows.items() if s < end and start < e]
        return _merge(out)

    def cell(self, start: int, end: int) -> Box | None:
        """The printed box of the table value at text[start:end], if it is one."""
        return self.cells.get((start, end))

    def page(self, start: int, end: int | None = None) -> int | None:
        """The page text[start:end] begins on, or None when it is not placed."""
        found = self.boxes(start, end if end is not None else start + 1)
        return found[0][0] if found else None


def _merge(boxes: list[Box]) -> list[Box]:
    """One box per printed line: pieces on the same page and line are joined."""
    out: list[Box] = []
    for b in sorted(boxes, key=lambda b: (b[0], b[2], b[1])):
        if out and out[-1][0] == b[0] and abs(out[-1][2] - b[2]) < SAME_LINE and abs(out[-1][4] - b[4]) < SAME_LINE:
            p, x0, t, x1, bt = out[-1]
            out[-1] = (p, min(x0, b[1]), min(t, b[2]), max(x1, b[3]), max(bt, b[4]))
        else:
            out.append(b)
    return out


def _key(ch: str) -> str:
    """A printed character as the normalized text writes it ("１" -> "1"); "" for white space."""
    return normalize_text(ch)


def _table_lines(text: str) -> list[tuple[int, int]]:
    return sorted({(c.row_start, c.row_end) for c in cells_in_text(text)})


def align(text: str, glyphs: Sequence[Glyph]) -> dict[int, Glyph]:
    """Text offset -> the printed character it came from, for the prose (rendered table rows skipped)."""
    keys = [_key(g[0]) for g in glyphs]
    printed = [(k, g) for k, g in zip(keys, glyphs) if len(k) == 1]
    skip = _table_lines(text)
    out: dict[int, Glyph] = {}
    j, t = 0, 0
    for i, ch in enumerate(text):
        while t < len(skip) and skip[t][1] <= i:
            t += 1
        if ch.isspace() or (t < len(skip) and skip[t][0] <= i < skip[t][1]):
            continue
        if j < len(printed) and printed[j][0] == ch:
            out[i], j = printed[j][1], j + 1
            continue
        found = _resync(text, i, printed, j)
        if found is not None:
            out[i], j = printed[found][1], found + 1
    return out


def _resync(text: str, i: int, printed: list[tuple[str, Glyph]], j: int) -> int | None:
    """The next printed position (within RESYNC_WINDOW) where text[i:] picks up again, or None (the text
    has a character the page has not: it stays unplaced)."""
    ahead = [c for c in text[i : i + 4 * RESYNC_CONFIRM] if not c.isspace()][: RESYNC_CONFIRM + 1]
    for d in range(1, RESYNC_WINDOW + 1):
        k = j + d
        if k + len(ahead) > len(printed):
            return None
        if all(printed[k + n][0] == c for n, c in enumerate(ahead)):
            return k
    return None


def runs_of(text: str, placed: dict[int, Glyph]) -> list[Run]:
    """Placed characters grouped into runs on one printed line; white space between two placed
    characters of one line joins their run (it takes the gap's position)."""
    runs: list[Run] = []
    for i in sorted(placed):
        _, page, x0, top, x1, bottom = placed[i]
        last = runs[-1] if runs else None
        gap = text[last.end : i] if last else ""
        if last and last.page == page and abs(last.top - top) < SAME_LINE and (not gap or gap.isspace()) and "\n" not in gap:
            for _ in gap:
                last.xs += [last.xs[-1], last.xs[-1]]
            last.xs += [x0, x1]
            last.top, last.bottom = min(last.top, top), max(last.bottom, bottom)
        else:
            runs.append(Run(i, page, top, bottom, [x0, x1]))
    return runs


def build_layout(text: str, glyphs: Sequence[Glyph], tables: Sequence[Any], sizes: Sequence[tuple[float, float]]) -> Layout:
    """The layout of a stored PDF text: its prose aligned to the printed characters, and each rendered
    table row and value cell given its printed box (``tables``: ingest.tables.Table, boxes from the PDF)."""
    from ingest.tables import locate_cells

    rows: dict[tuple[int, int], Box] = {}
    cells: dict[tuple[int, int], Box] = {}
    for rec in locate_cells(text, tables):
        if rec.row_box is not None:
            rows[(rec.row_start, rec.row_end)] = rec.row_box
        if rec.box is not None:
            cells[(rec.start, rec.end)] = rec.box
    return Layout([(w, h) for w, h in sizes], runs_of(text, align(text, glyphs)), rows, cells)


def layout_of(blob: bytes | None) -> Layout | None:
    """A stored layout, or None (not a PDF, or stored before layouts and not yet backfilled)."""
    if not blob:
        return None
    try:
        return Layout.from_json(blob)
    except (ValueError, zlib.error, KeyError, TypeError):
        return None
