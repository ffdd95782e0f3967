"""The four statistical tables of an annual report, as data, and their one-line-per-row rendering.

Since 2019 every 政府信息公开工作年度报告 carries the same four tables in the national format
(国办公开办函〔2019〕60号, revised by 〔2021〕30号). Loaders (pdf, docx, html) only rebuild the cell grid;
everything that knows the national format lives here, free of I/O libraries, so it is tested once:

- ``GridCell`` rows are what a loader hands over: one list per visual row, a merged cell being the SAME
  object in every row it spans (that identity is how merged labels such as 三、本年度办理结果 reach each
  row they cover);
- ``join_fragments`` glues the pieces of a table that crosses page breaks, including a merged label cut
  in two (``（四）无`` | ``法提供``) or left empty on the continuation page;
- ``build_tables`` recognises the kind of each table, the template year of the document, and keys every
  row and column by the national template while keeping the source label (typos included) in ``label``;
- ``render_row`` writes a data row as ONE line that ``normalize_text`` leaves unchanged, and
  ``locate_cells`` finds every cell's value as an exact span of the stored text, so a cited number is
  always a span of what was stored;
- ``split_glued_row`` reads a row whose digits were flattened together (``640020470``) only where the
  row's own arithmetic allows exactly one reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from govqa.cells import SEP
from govqa.text import normalize_text

KIND_ACTIVE = "主动公开"
KIND_REQUEST = "申请"
KIND_REVIEW = "复议诉讼"
KIND_OTHER = "其他"

PLACEHOLDER = "\ue000表{}\ue000"  # private-use marks a loader leaves where a table's lines go

# ---------------------------------------------------------------- the national template

_R3 = "三、本年度办理结果"
_WITHHELD = "（三）不予公开"
_UNABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"

_REQUEST_COMMON: list[tuple[str, ...]] = [
    ("一、本年新收政府信息公开申请数量",),
    ("二、上年结转政府信息公开申请数量",),
    (_R3, "（一）予以公开"),
    (_R3, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    (_R3, _WITHHELD),
    *[
        (_R3, _WITHHELD, s)
        for s in (
            "1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "3.危及“三安全一稳定”",
            "4.保护第三方合法权益",
            "5.属于三类内部事务信息",
            "6.属于四类过程性信息",
            "7.属于行政执法案卷",
            "8.属于行政查询事项",
        )
    ],
    (_R3, _UNABLE),
    *[(_R3, _UNABLE, s) for s in ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")],
    (_R3, _NOT_PROCESSED),
    *[
        (_R3, _NOT_PROCESSED, s)
        for s in (
            "1.信访举报投诉类申请",
            "2.重复申请",
            "3.要求提供公开出版物",
            "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息",
        )
    ],
    (_R3, _OTHER),
]
_REQUEST_2021_OTHER = [
    (_R3, _OTHER, s)
    for s in (
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "3.其他",
    )
]
_REQUEST_TAIL = [(_R3, "（七）总计"), ("四、结转下年度继续办理",)]

REQUEST_ROWS: dict[str, list[tuple[str, ...]]] = {
    "2019": _REQUEST_COMMON + _REQUEST_TAIL,
    "2021": _REQUEST_COMMON + _REQUEST_2021_OTHER + _REQUEST_TAIL,
}
REQUEST_COLS = [
    "自然人",
    "法人或其他组织/商业企业",
    "法人或其他组织/科研机构",
    "法人或其他组织/社会公益组织",
    "法人或其他组织/法律服务机构",
    "法人或其他组织/其他",
    "总计",
]
_OUTCOMES = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
REVIEW_COLS = [f"行政复议/{o}" for o in _OUTCOMES]
LITIGATION_COLS = [f"行政诉讼/{g}/{o}" for g in ("未经复议直接起诉", "复议后起诉") for o in _OUTCOMES]

# 主动公开: section -> (row labels, column labels), per template year.
ACTIVE_SECTIONS: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "2021": {
        "第二十条第（一）项": (["规章", "行政规范性文件"], ["本年制发件数", "本年废止件数", "现行有效件数"]),
        "第二十条第（五）项": (["行政许可"], ["本年处理决定数量"]),
        "第二十条第（六）项": (["行政处罚", "行政强制"], ["本年处理决定数量"]),
        "第二十条第（八）项": (["行政事业性收费"], ["本年收费金额（单位：万元）"]),
    },
    "2019": {
        "第二十条第（一）项": (["规章", "规范性文件"], ["本年新制作数量", "本年新公开数量", "对外公开总数量"]),
        "第二十条第（五）项": (["行政许可", "其他对外管理服务事项"], ["上一年项目数量", "本年增/减", "处理决定数量"]),
        "第二十条第（六）项": (["行政处罚", "行政强制"], ["上一年项目数量", "本年增/减", "处理决定数量"]),
        "第二十条第（八）项": (["行政事业性收费"], ["上一年项目数量", "本年增/减"]),
        "第二十条第（九）项": (["政府集中采购"], ["采购项目数量", "采购总金额"]),
    },
}

# ---------------------------------------------------------------- data types


Box = tuple[int, float, float, float, float]  # (page, x0, top, x1, bottom) in PDF points, top-left origin


@dataclass
class Cell:
    """One value cell: canonical column key, the text as in the cell ("" when blank), its number, and
    where it is printed (PDFs only: the cell's ruled box on its page)."""

    col: str
    raw: str
    value: float | None
    box: Box | None = None


@dataclass
class Row:
    """One data row. ``key`` is the national template's path; ``label`` is the source's own wording."""

    key: str
    label: str
    cells: list[Cell]
    page: int | None = None
    matched: bool = True
    box: Box | None = None  # the printed row: its own label and value cells (PDFs only)


@dataclass
class Table:
    kind: str  # 主动公开 | 申请 | 复议诉讼 | 其他
    template: str | None  # "2019" | "2021" | None
    index: int  # 表N, counted over all tables of the document
    page: int | None
    rows: list[Row] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)


@dataclass(eq=False)
class GridCell:
    """A cell of a rebuilt grid. The same object sits in every visual row a merged cell spans.

    ``x0``/``x1`` are page coordinates for PDFs (used to line fragments up across a page break) and
    column indices for HTML/DOCX; ``top``/``bottom`` are page coordinates for PDFs only (the box a
    citation of this cell draws on its page), None otherwise.
    """

    text: str
    x0: float
    x1: float
    page: int | None = None
    top: float | None = None
    bottom: float | None = None


@dataclass
class CellRecord:
    table_kind: str
    table_index: int
    template: str | None
    row_key: str
    col_key: str
    value: float | None
    raw: str
    start: int
    end: int
    row_start: int
    row_end: int
    page: int | None
    box: Box | None = None  # the cell's printed box (PDFs only)
    row_box: Box | None = None  # the printed row's box (PDFs only)


# ---------------------------------------------------------------- text helpers

_ENUM = re.compile(r"^(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|\d+[.、．]?)")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_UNIT = re.compile(r"(?:万元|元|件|个|条|次|人次|%)$")
_CJKISH = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’（）《》]")


def join_lines(text: str) -> str:
    """Join the lines of one cell: no space between Chinese, one space between Latin/digit runs."""
    parts = [p.strip() for p in text.replace("\r", "\n").split("\n")]
    out = ""
    for part in parts:
        if not part:
            continue
        if out and not (_CJKISH.match(out[-1]) or _CJKISH.match(part[0])):
            out += " "
        out += part
    return out


def cell_text(text: str) -> str:
    """A cell's text as stored: one normalized line, with no character that would break a rendered row."""
    text = normalize_text(join_lines(text or ""))
    return text.replace(SEP, "|").replace("=", "＝").replace("【", "[").replace("】", "]")


@lru_cache(maxsize=8192)
def canon_label(label: str) -> str:
    """Comparable form of a label: no spaces, brackets and enumerator punctuation unified."""
    s = re.sub(r"\s+", "", normalize_text(label))
    s = s.replace("(", "（").replace(")", "）")
    s = re.sub(r"^(\d+)[、．]", r"\1.", s)
    return s


@lru_cache(maxsize=8192)
def _split_enum(label: str) -> tuple[str, str]:
    s = canon_label(label)
    m = _ENUM.match(s)
    if not m:
        return "", s
    enum = m.group(1).rstrip(".、．")
    return enum, s[m.end() :]


def parse_value(raw: str) -> float | None:
    """The number in a cell, or None for blank / dash / text. A trailing unit (万元, 件, %) is allowed."""
    s = raw.replace(",", "").replace("，", "").strip()
    s = _UNIT.sub("", s)
    if _NUMBER.fullmatch(s):
        return float(s)
    return None


def _is_numberish(text: str) -> bool:
    s = text.strip()
    return s == "" or parse_value(s) is not None or s in {"-", "—", "/", "－", "——", "无"}


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio() if a and b else 0.0


# ---------------------------------------------------------------- fragments -> logical rows


def _distinct(row: Iterable[GridCell]) -> list[GridCell]:
    seen: set[int] = set()
    out = []
    for c in row:
        if id(c) not in seen:
            seen.add(id(c))
            out.append(c)
    return sorted(out, key=lambda c: c.x0)


def _overlap(a: GridCell, b: GridCell) -> float:
    inter = min(a.x1, b.x1) - max(a.x0, b.x0)
    return inter / max(1e-6, min(a.x1 - a.x0, b.x1 - b.x0))


def join_fragments(fragments: Sequence[list[list[GridCell]]]) -> list[list[GridCell]]:
    """Glue the page pieces of one table into its logical rows.

    A label cell at the top of a continuation piece that is empty, or does not start with an enumerator
    (``法提供``), is the rest of the merged cell cut at the page break (``（四）无``): the two become one
    cell object with the joined text, so every row under it sees the whole label. Value cells are never
    glued: a number always belongs to the row it is printed in.
    """
    rows: list[list[GridCell]] = []
    for frag in fragments:
        frag = [_distinct(r) for r in frag if r]
        if rows and frag:
            _glue_cut_labels(rows, frag)
            if _is_split_row(rows[-1], frag[0]):
                _merge_split_row(rows[-1], frag[0])
                frag = frag[1:]
        rows.extend(frag)
    return rows


_VALUES = 7  # value columns of the 申请 table, the only one tall enough for a row to be cut by a page


def _is_split_row(last: list[GridCell], first: list[GridCell]) -> bool:
    """Is ``first`` the rest of ``last``, a 申请 row cut by the page (``5.要求…重新出`` | ``具已获取信息``)?

    Only when both halves line up column for column, the lower half's own label does not start with an
    enumerator, and one of the halves carries no number at all, so no value is ever moved between rows."""
    if len(last) != len(first) or len(first) < _VALUES + 1:
        return False
    if any(_overlap(a, b) < 0.6 for a, b in zip(last, first)):
        return False
    vals_a, vals_b = last[-_VALUES:], first[-_VALUES:]
    if not all(_is_numberish(c.text) for c in vals_a + vals_b):
        return False
    leaf = cell_text(first[-_VALUES - 1].text)
    if not leaf or _ENUM.match(canon_label(leaf)) or first[-_VALUES - 1] is last[-_VALUES - 1]:
        return False
    return not any(c.text.strip() for c in vals_a) or not any(c.text.strip() for c in vals_b)


def _merge_split_row(last: list[GridCell], first: list[GridCell]) -> None:
    for a, b in zip(last, first):
        if a is b or not b.text.strip():
            continue
        a.text = join_lines(a.text) + join_lines(b.text) if a.text.strip() else b.text


def _glue_cut_labels(before: list[list[GridCell]], after: list[list[GridCell]]) -> None:
    last, first = before[-1], after[0]
    labels_last = [c for c in last if not _is_numberish(c.text)]
    for cell in list(first):
        if _is_numberish(cell.text) and cell.text.strip():
            continue
        text = cell_text(cell.text)
        if text and _ENUM.match(canon_label(text)):
            continue
        prev = next((p for p in labels_last if _overlap(p, cell) > 0.6), None)
        if prev is None or prev is labels_last[-1]:
            continue  # only a parent label (one with a label right of it) is glued, never a row's own label
        prev.text = join_lines(prev.text) + join_lines(cell.text)
        for r in after:
            for i, c in enumerate(r):
                if c is cell:
                    r[i] = prev


# ---------------------------------------------------------------- kinds and templates


def classify(rows: Sequence[Sequence[GridCell]]) -> str:
    text = "".join(c.text for r in rows[:6] for c in r)
    flat = re.sub(r"\s+", "", text)
    if "行政复议" in flat and "行政诉讼" in flat:
        return KIND_REVIEW
    if any(
        k in flat for k in ("申请人情况", "本年新收", "自然人", "勾稽", "本年度办理结果", "结转下年度", "予以公开", "不予处理")
    ):
        return KIND_REQUEST
    if "第二十条" in flat or "信息内容" in flat:
        return KIND_ACTIVE
    return KIND_OTHER


def detect_template(groups: Sequence[Sequence[Sequence[GridCell]]]) -> str | None:
    """The template year of a document, read from its tables.

    The 主动公开 column heads are the clearest sign (本年制发件数 is 2021+, 本年新制作数量 / 上一年项目数量
    2019-2020); failing that, 其他处理 sub-rows (申请人无正当理由逾期不补正…) exist only from 2021. Reports do
    not always follow their year's template exactly (洪泽 2023 has no 其他处理 sub-rows), so the document
    as a whole decides, not each table.
    """
    flat = re.sub(r"\s+", "", "".join(c.text for g in groups for r in g for c in r))
    if any(k in flat for k in ("本年制发件数", "现行有效件数", "本年废止件数", "逾期不补正", "本年收费金额")):
        return "2021"
    if any(k in flat for k in ("本年新制作数量", "对外公开总数量", "上一年项目数量", "本年新公开数量")):
        return "2019"
    return None


def build_tables(groups: Sequence[Sequence[Sequence[GridCell]]], template: str | None = None) -> list[Table]:
    """Logical rows of each table (in document order) -> keyed ``Table`` objects, numbered 表1, 表2, …"""
    tpl = template or detect_template(groups)
    tables = []
    for i, rows in enumerate(groups, start=1):
        rows = [_distinct(r) for r in rows if r]
        kind = classify(rows)
        pages = sorted({c.page for r in rows for c in r if c.page is not None})
        table = Table(kind=kind, template=tpl if kind != KIND_OTHER else None, index=i, page=pages[0] if pages else None)
        table.pages = pages
        if kind == KIND_REQUEST:
            table.rows = _request_rows(rows, tpl)
        elif kind == KIND_REVIEW:
            table.rows = _review_rows(rows)
        elif kind == KIND_ACTIVE:
            table.rows = _active_rows(rows, tpl)
        else:
            table.rows = _other_rows(rows)
        tables.append(table)
    return tables


def _value_cells(cells: Sequence[GridCell], cols: Sequence[str]) -> list[Cell]:
    out = []
    for col, c in zip(cols, cells):
        raw = re.sub(r"\s+", "", cell_text(c.text))
        out.append(Cell(col=col, raw=raw, value=parse_value(raw), box=cell_box(c)))
    return out


def cell_box(c: GridCell) -> Box | None:
    """Where a PDF cell is printed; None for HTML/DOCX/text cells (no page geometry)."""
    if c.page is None or c.top is None or c.bottom is None:
        return None
    return (c.page, c.x0, c.top, c.x1, c.bottom)


def row_box(cells: Iterable[GridCell]) -> Box | None:
    """The printed extent of a row: the union of its cells' boxes on the page of its last cell (a row
    is never cut by a page: join_fragments merges a cut row into one)."""
    boxes = [b for b in map(cell_box, cells) if b is not None]
    if not boxes:
        return None
    page = boxes[-1][0]
    same = [b for b in boxes if b[0] == page]
    return (page, min(b[1] for b in same), min(b[2] for b in same), max(b[3] for b in same), max(b[4] for b in same))


def _row_page(cells: Sequence[GridCell]) -> int | None:
    return cells[-1].page if cells else None


_REQUEST_HEAD = ("自然人", "申请人情况", "商业", "科研", "勾稽", "法律服务")


def _request_rows(rows: Sequence[Sequence[GridCell]], template: str | None) -> list[Row]:
    n = len(REQUEST_COLS)
    candidates = list(REQUEST_ROWS[template or "2021"])
    used: set[tuple[str, ...]] = set()
    out = []
    for r in rows:
        if len(r) < n + 1:
            continue
        flat = "".join(c.text for c in r)
        if any(k in re.sub(r"\s+", "", flat) for k in _REQUEST_HEAD):
            continue
        values, labels = r[-n:], r[:-n]
        if not all(_is_numberish(c.text) for c in values):
            continue
        path = [t for t in (cell_text(c.text) for c in labels) if t]
        if not path:
            continue
        key, ok = match_request_label(path, candidates, used)
        if ok:
            used.add(key)
        out.append(
            Row(
                key="/".join(key) if ok else re.sub(r"\s+", "", "/".join(path)),
                label="/".join(path),
                cells=_value_cells(values, REQUEST_COLS),
                page=_row_page(values),
                matched=ok,
                box=row_box([labels[-1], *values]),
            )
        )
    return out


def match_request_label(
    path: Sequence[str], candidates: Sequence[tuple[str, ...]], used: Iterable[tuple[str, ...]] = ()
) -> tuple[tuple[str, ...], bool]:
    """Best template row for a source label path (outer labels first), tolerant of spacing, bracket width,
    ``1、`` vs ``1.``, typos (``行政止公开``) and merged parents; each template row is taken once."""
    used = set(used)
    leaf_enum, leaf_body = _split_enum(path[-1])
    parents = [_split_enum(p) for p in path[:-1]]
    best, best_score = candidates[0], 0.0
    for cand in candidates:
        if cand in used:
            continue
        enum, body = _split_enum(cand[-1])
        score = _similar(leaf_body, body)
        if leaf_enum and enum:
            score += 0.25 if leaf_enum == enum else -0.25
        elif leaf_enum or enum:
            score -= 0.1
        if parents and len(cand) > 1:
            cand_parents = [_split_enum(p) for p in cand[:-1]]
            pscore = max(
                (_similar(pb, cb) + (0.2 if pe and pe == ce else 0.0) for pe, pb in parents for ce, cb in cand_parents),
                default=0.0,
            )
            score += 0.15 * min(pscore, 1.0)
        elif parents and len(cand) == 1:
            score -= 0.1
        if score > best_score:
            best, best_score = cand, score
    return best, best_score >= 0.6


def _review_rows(rows: Sequence[Sequence[GridCell]]) -> list[Row]:
    n = len(REVIEW_COLS) + len(LITIGATION_COLS)
    out = []
    for r in rows:
        if len(r) < n:
            continue
        values = r[-n:]
        if not all(_is_numberish(c.text) for c in values) or not any(c.text.strip() for c in values):
            continue
        label = "/".join(t for t in (cell_text(c.text) for c in r[:-n]) if t)
        split = len(REVIEW_COLS)
        boxes = (row_box(values[:split]), row_box(values[split:]))
        out += review_rows(label, _value_cells(values, REVIEW_COLS + LITIGATION_COLS), _row_page(values), boxes)
    return out


def review_rows(label: str, cells: Sequence[Cell], page: int | None = None,
                boxes: tuple[Box | None, Box | None] = (None, None)) -> list[Row]:
    """The 复议诉讼 table's one line of 15 values as its two rows, 行政复议 (5) and 行政诉讼 (10), as every
    reader keys them; ``boxes``: each row's printed extent (PDFs)."""
    n = len(REVIEW_COLS)
    return [Row(key="行政复议", label=label or "行政复议", cells=list(cells[:n]), page=page, box=boxes[0]),
            Row(key="行政诉讼", label=label or "行政诉讼", cells=list(cells[n:]), page=page, box=boxes[1])]


_SECTION = re.compile(r"第[二两]十条第（[一二三四五六七八九十]+）项")


def _active_rows(rows: Sequence[Sequence[GridCell]], template: str | None) -> list[Row]:
    sections = ACTIVE_SECTIONS[template or "2021"]
    section, heads = "", []
    out = []
    for r in rows:
        texts = [cell_text(c.text) for c in r]
        canon = [canon_label(t) for t in texts]
        m = _SECTION.search("".join(canon))
        if m and len([t for t in texts if t]) == 1:
            section, heads = m.group(0), []
            continue
        if not texts or not canon[0]:
            continue
        if canon[0] == "信息内容":
            tpl_cols = sections.get(section, ([], []))[1]
            heads = [(c, _best(canon_label(t), tpl_cols)) for c, t in zip(r[1:], texts[1:])]
            continue
        tpl_rows = sections.get(section, ([], []))[0]
        row_label = _best(canon[0], tpl_rows)
        key = f"{section}/{row_label}" if section else row_label
        cells = []
        for i, c in enumerate(r[1:], start=1):
            col = _column_for(c, heads) or f"列{i}"
            raw = re.sub(r"\s+", "", texts[i])
            cells.append(Cell(col=col, raw=raw, value=parse_value(raw), box=cell_box(c)))
        if cells:
            out.append(Row(key=key, label=texts[0], cells=cells, page=_row_page(r), matched=row_label in tpl_rows,
                           box=row_box(r)))
    return out


def _best(label: str, options: Sequence[str]) -> str:
    """The template label closest to ``label``, or the label itself when none is close."""
    scored = [(_similar(label, canon_label(o)), o) for o in options]
    score, best = max(scored, default=(0.0, label))
    return best if score >= 0.6 else label


def _column_for(cell: GridCell, heads: Sequence[tuple[GridCell, str]]) -> str | None:
    if not heads:
        return None
    overlaps = [(_overlap(cell, h), name) for h, name in heads]
    score, name = max(overlaps)
    return name if score > 0.3 else None


def _other_rows(rows: Sequence[Sequence[GridCell]]) -> list[Row]:
    heads: list[str] = []
    out = []
    for r in rows:
        texts = [re.sub(r"\s+", "", cell_text(c.text)) for c in r]
        if len(texts) < 2:
            continue
        if not heads and not any(parse_value(t) is not None for t in texts):
            heads = texts[1:]
            continue
        cells = []
        for i, t in enumerate(texts[1:]):
            col = heads[i] if i < len(heads) and heads[i] else f"列{i + 1}"
            cells.append(Cell(col=col, raw=t, value=parse_value(t), box=cell_box(r[i + 1])))
        out.append(Row(key=texts[0] or "行", label=texts[0], cells=cells, page=_row_page(r), matched=False,
                       box=row_box(r)))
    return out


# ---------------------------------------------------------------- rendering and locating


def render_row(table: Table, row: Row) -> str:
    """``【表3】三、本年度办理结果/（一）予以公开｜自然人=1288｜…｜总计=1362``; a blank cell is ``列=``."""
    parts = [f"【表{table.index}】{row.key}"]
    parts += [f"{c.col}={c.raw}" for c in row.cells]
    return SEP.join(parts)


def render_table(table: Table) -> str:
    return "\n".join(render_row(table, r) for r in table.rows)


def assemble(blocks: Sequence[str], tables: Sequence[Table]) -> str:
    """Join text blocks, put each table's rendered lines where its placeholder stands, normalize."""
    text = "\n".join(blocks)
    for t in tables:
        text = text.replace(PLACEHOLDER.format(t.index), "\n" + render_table(t) + "\n")
    return normalize_text(text)


def _find_line(text: str, line: str, start: int) -> int:
    pos = start
    while True:
        i = text.find(line, pos)
        if i < 0:
            return -1
        end = i + len(line)
        if (i == 0 or text[i - 1] == "\n") and (end == len(text) or text[end] == "\n"):
            return i
        pos = i + 1


def locate_cells(text: str, tables: Sequence[Table]) -> list[CellRecord]:
    """One record per cell with the exact span of its value in ``text`` (empty span after ``=`` if blank).

    Rows whose rendered line is not in ``text`` (the text was cut or edited) are left out rather than
    guessed, so every returned span is true.
    """
    out: list[CellRecord] = []
    cursor = 0
    for table in tables:
        for row in table.rows:
            line = render_row(table, row)
            at = _find_line(text, line, cursor)
            if at < 0:
                at = _find_line(text, line, 0)
            if at < 0:
                continue
            cursor = at + len(line)
            pos = at + len(f"【表{table.index}】{row.key}")
            for c in row.cells:
                pos += len(SEP) + len(c.col) + 1
                out.append(
                    CellRecord(
                        table_kind=table.kind,
                        table_index=table.index,
                        template=table.template,
                        row_key=row.key,
                        col_key=c.col,
                        value=c.value,
                        raw=c.raw,
                        start=pos,
                        end=pos + len(c.raw),
                        row_start=at,
                        row_end=at + len(line),
                        page=row.page,
                        box=c.box,
                        row_box=row.box,
                    )
                )
                pos += len(c.raw)
    return out


# ---------------------------------------------------------------- flattened rows in plain text


# Groups of a row whose first numbers add up to the next one: (first, total) column indices.
REQUEST_SUMS = [(0, 6)]  # 自然人 + five 法人或其他组织 columns = 总计
REVIEW_SUMS = [(0, 4), (5, 9), (10, 14)]  # 维持 + 纠正 + 其他 + 尚未审结 = 总计, for 复议 and each 诉讼 block
_MAX_GLUED_DIGITS = 9  # the longest number one glued cell is read as


def glued_reading(tokens: Sequence[str], n: int, sums: Sequence[tuple[int, int]] = ()) -> list[str] | None:
    """The one way to cut a glued run into ``n`` numbers, or None when there is none or more than one.

    ``tokens`` are the run's pieces as the source separated them (a space, a line break): a cut always
    falls between them, and a token that is not all digits (``18651.06``, ``70487元``) is one number
    that is never cut. No number gets a leading zero, and each (first, total) of ``sums`` must add up.
    A run that more than one reading fits is unreadable: guessing would show a number nobody wrote.
    """
    if not tokens or any(not t for t in tokens):
        return None
    found: list[list[str]] = []

    def sums_hold(parts: list[str]) -> bool:
        for lo, total in sums:
            if total < len(parts) and sum(float(p) for p in parts[lo:total]) != float(parts[total]):
                return False
        return True

    def dfs(k: int, pos: int, parts: list[str]) -> None:
        if len(found) > 1:
            return
        if k == len(tokens):
            if len(parts) == n and sums_hold(parts):
                found.append(list(parts))
            return
        tok = tokens[k]
        if pos == 0 and not tok.isdigit():  # an atomic token: one number as written
            if parse_value(tok) is not None and len(parts) < n:
                parts.append(tok)
                if sums_hold(parts):
                    dfs(k + 1, 0, parts)
                parts.pop()
            return
        for end in range(pos + 1, min(len(tok), pos + _MAX_GLUED_DIGITS) + 1):
            part = tok[pos:end]
            if len(part) > 1 and part[0] == "0":
                break
            if len(parts) >= n:
                break
            parts.append(part)
            if sums_hold(parts):
                dfs(k + 1, 0, parts) if end == len(tok) else dfs(k, end, parts)
            parts.pop()

    dfs(0, 0, [])
    return found[0] if len(found) == 1 else None


def split_glued_row(label: str, digits: str, template: str | None = None) -> Row | None:
    """Read a row whose numbers were flattened together, e.g. ``一、本年新收政府信息公开申请数量640020470``.

    Only a reading forced by the row itself is returned: the digits must split into exactly the row's
    column count (7 for 申请, 15 for 复议诉讼), no number with a leading zero, any spaces present kept as
    boundaries, and the row's own sums must hold (自然人 + five 法人 columns = 总计; 维持+纠正+其他+尚未 =
    总计 for each group). If no reading or more than one fits, the row is unreadable: None, never a guess.
    """
    tokens = digits.split()
    if not tokens or not all(t.isdigit() for t in tokens):
        return None
    canon = canon_label(label)
    if "行政复议" in canon or "行政诉讼" in canon:
        n, sums = 15, REVIEW_SUMS
        key, cols = "行政复议行政诉讼", REVIEW_COLS + LITIGATION_COLS
        matched = True
    else:
        n, sums = len(REQUEST_COLS), REQUEST_SUMS
        path, ok = match_request_label([label], REQUEST_ROWS[template or "2021"])
        key, cols, matched = "/".join(path) if ok else canon, REQUEST_COLS, ok
    parts = glued_reading(tokens, n, sums)
    if parts is None:
        return None
    cells = [Cell(col=c, raw=p, value=float(p)) for c, p in zip(cols, parts)]
    return Row(key=key, label=normalize_text(label), cells=cells, matched=matched)
