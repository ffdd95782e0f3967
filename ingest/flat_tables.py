"""The national tables when a page was copied as text with its grid flattened away.

Two layouts seen on published pages (ingest/text_tables.py reads the tab- and pipe-separated ones):

- **one cell per line**: the row label on a line, then each cell's number on a line of its own, often
  with blank lines between (``行政规范性文件⏎⏎3⏎⏎0⏎⏎7``); a long label may be cut over two lines
  (``本年新⏎制作数量``, ``一、本年新收政府信息公开⏎申请数量``);
- **glued**: the cells' digits written with no separator, one row per line or the whole table on one
  line (``规章000行政规范性文件6233440第二十条第（五）项…一、本年新收政府信息公开申请数量21710000218二、…``),
  where even an enumerator sticks to the number before it (``…40000042.其他法律…`` is 4000004 and "2.").

The text is cut into pieces (labels and numbers, each with its span in the text) and read against the
national template (ingest/tables.py): a table starts at its own anchor (``第二十条第（一）项``, the 申请
table's head or first row, the 复议诉讼 head), each row's label must be a template row, and the table
ends at the first piece of text that is not. A row whose cells stand apart takes them as they are; a
glued row is read only where its column count and its own sums force one reading (``glued_reading``),
and otherwise stays as text marked 【无法拆分】, which no answer ever cites. A table with fewer than
``MIN_ROWS`` readable rows is left as it was: it is more likely prose that looks like a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from govqa.text import UNREADABLE, normalize_text
from ingest.tables import (
    ACTIVE_SECTIONS,
    KIND_ACTIVE,
    KIND_REQUEST,
    KIND_REVIEW,
    LITIGATION_COLS,
    REQUEST_COLS,
    REQUEST_ROWS,
    REQUEST_SUMS,
    REVIEW_COLS,
    REVIEW_SUMS,
    Cell,
    GridCell,
    Row,
    Table,
    canon_label,
    detect_template,
    glued_reading,
    match_request_label,
    parse_value,
    render_row,
    review_rows,
)

MIN_ROWS = 2  # readable rows a flattened table needs to replace the text it was read from
GLUED_MAX_DECIMALS = 4  # a glued amount with more decimals (24252.311082) is two numbers run together
MAX_LABEL_CHARS = 120  # a longer piece of text is prose, never a label or a table head

_SEGMENT = re.compile(r"[^\s|｜]+")  # what stands between separators (spaces, line breaks, pipes)
# Where a label starts inside a glued segment: 一、 （一） 1. and 第二十条 (not 第（一）项 inside a section).
_CUT = re.compile(r"(?<![第一二三四五六七八九十])(?=[一二三四五六七八九十]{1,2}、)"
                  r"|(?<!第)(?=[（(][一二三四五六七八九十]{1,2}[)）])"
                  r"|(?=\d[.、．][\u4e00-\u9fff“\"‘])"
                  r"|(?=第[二两]十条)")
_ARABIC_ENUM = re.compile(r"^\d[.、．]")
_NUMBER = re.compile(r"[-+－]?\d+(?:\.\d+)?(?:万元|元|%)?")
_BLANKS = {"-", "—", "－", "——", "/", "无"}
_HEADING = re.compile(r"^[一二三四五六七八九十]、[^（(，。；]{2,30}?情况")  # 二、主动公开政府信息情况
_TOP = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_MID = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_ENUMERATED = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[.、．])")
_SECTION = re.compile(r"第[二两]十条第（[一二三四五六七八九十]+）项")
_PROSE_AFTER = re.compile(r"^[件条个次人项篇期家名年月日%，,。；;、]")  # "…申请13件，" is a sentence
_REQUEST_HEAD = ("申请人情况", "勾稽")
_REQUEST_TOP_WORDS = ("申请数量", "办理结果", "结转")  # what the 申请 table's 一、…四、 rows say
_REVIEW_HEAD = ("行政复议", "行政诉讼")
_TEMPLATE_PARTS = {canon_label(p) for rows in REQUEST_ROWS.values() for path in rows for p in path}


@dataclass
class Piece:
    """A label or a number with its span in the text; ``alone``: a cell of its own (nothing glued to it)."""

    text: str
    start: int
    end: int
    number: bool = False
    alone: bool = False


@dataclass
class Unit:
    """Text pieces and the numbers that follow them: one table row, with any heads before it."""

    texts: list[Piece] = field(default_factory=list)
    values: list[Piece] = field(default_factory=list)


def pieces(raw: str) -> list[Piece]:
    """The text cut into labels and numbers. A number glued to text is its own piece (``alone`` False)."""
    out: list[Piece] = []
    for seg in _SEGMENT.finditer(raw):
        text, base = seg.group(), seg.start()
        if text in _BLANKS or _NUMBER.fullmatch(text):
            out.append(Piece(text, base, seg.end(), number=True, alone=True))
            continue
        bounds = sorted({0, len(text), *(m.start() for m in _CUT.finditer(text))})
        for a, b in zip(bounds, bounds[1:]):
            out += _split_chunk(text[a:b], base + a)
    return out


def _split_chunk(chunk: str, base: int) -> list[Piece]:
    """A chunk that starts at most one label: its enumerator is text, then labels and numbers alternate."""
    out: list[Piece] = []
    keep = 2 if _ARABIC_ENUM.match(chunk) else 0  # "2.其他…": the 2 is the label's, not a number
    pos = 0
    for m in _NUMBER.finditer(chunk, keep):
        if m.start() > pos:
            out += _text_piece(chunk[pos : m.start()], base + pos)
        out.append(Piece(m.group(), base + m.start(), base + m.end(), number=True))
        pos = m.end()
    if pos < len(chunk):
        out += _text_piece(chunk[pos:], base + pos)
    return out


def _text_piece(text: str, start: int) -> list[Piece]:
    """A text piece, with a section heading glued in front of a table head split off ("…情况行政复议…")."""
    m = _HEADING.match(text)
    if m and m.end() < len(text):
        return [Piece(m.group(), start, start + m.end()), Piece(text[m.end() :], start + m.end(), start + len(text))]
    return [Piece(text, start, start + len(text))]


def units(ps: list[Piece]) -> list[Unit]:
    out: list[Unit] = []
    for p in ps:
        if not out or (not p.number and out[-1].values):
            out.append(Unit())
        (out[-1].values if p.number else out[-1].texts).append(p)
    return out


# ---------------------------------------------------------------- reading one unit as a row


def _is_prose(piece: Piece) -> bool:
    return "。" in piece.text or "；" in piece.text or len(piece.text) > MAX_LABEL_CHARS


def _groups(texts: list[Piece]) -> list[tuple[str, int]]:
    """Labels of a unit as (canonical text, index of its first piece). A piece continues the label before
    it when that label is not yet a whole template label and the piece has no enumerator of its own
    (``一、本年新收政府信息公开`` + ``申请数量``; ``三、本年度办`` + ``理结果``)."""
    out: list[tuple[str, int]] = []
    for i, p in enumerate(texts):
        t = canon_label(p.text)
        if out and not _ENUMERATED.match(t) and not _HEADING.match(out[-1][0]) and out[-1][0] not in _TEMPLATE_PARTS:
            out[-1] = (out[-1][0] + t, out[-1][1])
        else:
            out.append((t, i))
    return out


def _cells(values: list[Piece], cols: list[str], sums: list[tuple[int, int]]) -> list[Cell] | None:
    """The row's cells: as they stand when each is its own piece and they fill the columns; else the one
    reading of the glued run; else None (unreadable)."""
    if all(v.alone for v in values):
        if len(values) != len(cols):
            return None  # a blank cell was dropped with its line: which one is unknowable
        parts = [v.text for v in values]
    else:
        for v in values:
            dec = v.text.partition(".")[2]
            if len(re.sub(r"\D", "", dec)) > GLUED_MAX_DECIMALS:
                return None
        got = glued_reading([v.text for v in values], len(cols), sums)
        if got is None:
            return None
        parts = got
    return [Cell(col=c, raw=p, value=parse_value(p)) for c, p in zip(cols, parts)]


@dataclass
class _Reader:
    """One table being read: its kind, where its text starts and ends, and its lines in order (a ``Row``,
    or the source text of a row left unreadable, marked 【无法拆分】)."""

    kind: str
    template: str
    start: int
    end: int = -1
    lines: list[Row | str] = field(default_factory=list)
    section: str = ""
    top: str | None = None
    mid: str | None = None
    used: set[tuple[str, ...]] = field(default_factory=set)
    done: bool = False

    @property
    def readable(self) -> int:
        return sum(isinstance(x, Row) for x in self.lines)

    def take(self, unit: Unit, raw: str) -> bool:
        """Read ``unit`` as this table's next row; False when it is not one (the table ended before it)."""
        unit = Unit([p for p in unit.texts if p.start >= self.start], unit.values)  # not what came before the table
        if self.done or not unit.values or any(_is_prose(p) for p in unit.texts):
            return False
        if unit.values[-1].end == len(raw):
            return False  # the text stops right after this row's last number, which may be cut short
        after = raw[unit.values[-1].end : unit.values[-1].end + 1]
        if after and _PROSE_AFTER.match(after):
            return False  # "…申请13件，": a sentence, not a row
        read = {KIND_ACTIVE: self._active, KIND_REQUEST: self._request, KIND_REVIEW: self._review}[self.kind]
        got = read(unit)
        if got is None:
            return False
        label, cells = got
        if cells is None:
            digits = raw[unit.values[0].start : unit.values[-1].end]
            self.lines.append(UNREADABLE + re.sub(r"\s+", " ", label + digits).strip())
        self.end = unit.values[-1].end
        return True

    def _active(self, unit: Unit) -> tuple[str, list[Cell] | None] | None:
        sections = ACTIVE_SECTIONS[self.template]
        joined = "".join(canon_label(p.text) for p in unit.texts)
        found = _SECTION.findall(joined)
        if found:
            self.section = found[-1]
        if not unit.values or self.section not in sections:
            return None
        groups = _groups(unit.texts)
        if not groups:
            return None
        label, first = groups[-1]
        rows, cols = sections[self.section]
        name = next((r for r in sorted(rows, key=len, reverse=True)
                     if label.endswith(canon_label(r)) or label.startswith(canon_label(r))), None)
        if name is None:
            return None
        cells = _cells(unit.values, list(cols), [])
        if cells is not None:
            row = Row(key=f"{self.section}/{name}", label=normalize_text(unit.texts[first].text), cells=cells)
            self.lines.append(row)
        return self._label(unit, first), cells

    def _request(self, unit: Unit) -> tuple[str, list[Cell] | None] | None:
        groups = _groups(unit.texts)
        if not unit.values or not groups:
            return None
        leaf: str | None = None
        for text, _ in groups:
            if _TOP.match(text):
                self.top, self.mid, leaf = text, None, None
            elif _MID.match(text):
                self.mid, leaf = text, None
            else:
                leaf = text
        last, first = groups[-1]
        path = [self.top] if _TOP.match(last) else [t for t in (self.top, self.mid, leaf) if t is not None]
        key, ok = match_request_label([t for t in path if t], REQUEST_ROWS[self.template], self.used)
        if not ok:
            return None
        self.used.add(key)
        cells = _cells(unit.values, REQUEST_COLS, REQUEST_SUMS)
        if cells is not None:
            self.lines.append(Row(key="/".join(key), label="/".join(t for t in path if t), cells=cells))
        return self._label(unit, first), cells

    def _review(self, unit: Unit) -> tuple[str, list[Cell] | None] | None:
        if not unit.values:
            return None
        cells = _cells(unit.values, REVIEW_COLS + LITIGATION_COLS, REVIEW_SUMS)
        if cells is not None:
            self.lines += review_rows("行政复议、行政诉讼", cells)
        self.done = True  # one row of 15 values is the whole table
        return "行政复议、行政诉讼 ", cells

    @staticmethod
    def _label(unit: Unit, first: int) -> str:
        """The row's own label as the source wrote it, up to its numbers (glued or not)."""
        return "".join(p.text + " " * (q.start > p.end) for p, q in zip(unit.texts[first:], [*unit.texts[first + 1 :],
                                                                                             unit.values[0]]))


# ---------------------------------------------------------------- anchors: where a table starts


def _anchor(unit: Unit, template: str) -> tuple[str, int] | None:
    """(kind, start) when ``unit`` opens one of the national tables, with where the table's text starts
    (section headings and prose before it stay as they are)."""
    heads = [p for p in unit.texts if not _HEADING.fullmatch(p.text) and not _is_prose(p)]
    for p in heads:
        t = canon_label(p.text)
        if _SECTION.search(t):
            return KIND_ACTIVE, p.start
        if t.startswith(_REVIEW_HEAD) and all(w in "".join(canon_label(q.text) for q in heads) for w in
                                              ("行政复议", "行政诉讼", "尚未审结")):
            return KIND_REVIEW, p.start
        if any(w in t for w in _REQUEST_HEAD):
            return KIND_REQUEST, p.start
    groups = _groups(unit.texts)
    if unit.values and groups and _TOP.match(groups[-1][0]) and any(w in groups[-1][0] for w in _REQUEST_TOP_WORDS):
        _, ok = match_request_label([groups[-1][0]], REQUEST_ROWS[template])
        if ok:
            return KIND_REQUEST, unit.texts[groups[-1][1]].start
    return None


def flat_tables(raw: str) -> tuple[str, int]:
    """``raw`` with each flattened national table replaced by its rendered rows (normalized), and how many
    tables were read; ``raw`` unchanged and 0 when it holds none."""
    template = detect_template([[[GridCell(raw, 0, 1)]]]) or "2021"
    readers: list[_Reader] = []
    cur: _Reader | None = None
    for unit in units(pieces(raw)):
        anchor = _anchor(unit, template)
        if cur is not None and (anchor is None or anchor[0] == cur.kind) and cur.take(unit, raw):
            continue  # the table goes on
        cur = None
        if anchor:  # a table starts here (or starts again: a second report's table in the same file)
            cur = _Reader(kind=anchor[0], template=template, start=anchor[1])
            readers.append(cur)
            if not cur.take(unit, raw):
                cur = None
    kept: list[_Reader] = []
    for r in readers:
        if r.readable >= MIN_ROWS and r.end > r.start and (not kept or r.start >= kept[-1].end):
            kept.append(r)
    if not kept:
        return raw, 0
    out, done = [], 0
    for i, r in enumerate(kept, start=1):
        table = Table(kind=r.kind, template=template, index=i, page=None,
                      rows=[x for x in r.lines if isinstance(x, Row)])
        lines = [render_row(table, x) if isinstance(x, Row) else x for x in r.lines]
        out += [raw[done : r.start], "\n" + "\n".join(lines) + "\n"]
        done = r.end
    out.append(raw[done:])
    return normalize_text("".join(out)), len(kept)
