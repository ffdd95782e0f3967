"""Answers from the statistical tables' cells: the question's words name the table, the row and the
column through the template's closed vocabulary (bot/cell_words.py), and a question that names no
column means the row's 总计.

"2024年淮安市人民政府本年新收政府信息公开申请总计多少件？" -> 一、本年新收政府信息公开申请数量 × 总计 =
3119件, cited by its row line. A cell is only an answer when exactly one row and one column fit: a
question that names two rows ("收到和结转的"), a group of columns ("法人或其他组织"), a block left open
("行政诉讼总计": 直接起诉 or 复议后?) or a qualifier the table cannot honour (网上, 第四季度, 同比, 全市)
gets no cell, and a blank cell is no answer (blank is not 0). Everything else goes to the prose extractor.
"""

from __future__ import annotations

import re

from bot.cell_words import ACTIVE, QUALIFIERS, REQUEST, REVIEW, leftover, mentions
from bot.query import subject_of
from govqa.cells import Cell, cells_in_text
from govqa.text import normalize_text
from govqa.types import Citation, Value

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、．])")
_SECTION = re.compile(r"^第[二两]十条")
# A parent row named alone means its total row, where the template has one.
_PARENT_TOTAL = {"本年度办理结果": "本年度办理结果/总计"}
# The unit a question asks in, and which of them a table's count (件) may be asked in.
_ASKED_UNIT = re.compile(r"(?:多少|几)\s*(万元|亿元|元|人次|件|个|条|次|人|项|宗|起|份|篇|家|期|批)")
_COUNT_UNITS = {"件", "个", "宗", "起", "份"}
_NOT_A_BODY = re.compile(r"截至|截止|到|至|自|从|在|于|今年|去年|本年|全年")  # "截至2022年…" names no body


def _core(segment: str) -> str:
    """A row segment without its enumerator and its note: （二）部分公开（区分处理的，…） -> 部分公开."""
    return re.sub(r"[（(][^)）]*[)）]$", "", _NUMBERING.sub("", segment)).strip()


def row_path(row: str) -> list[str]:
    """A stored row key as the vocabulary writes rows (no 第二十条 section, no enumerators, no notes)."""
    return [_core(s) for s in row.split("/") if not _SECTION.match(s)]


def _row_fits(row: str, want: str) -> bool:
    have, w = row_path(row), want.split("/")
    return len(have) == len(w) and have[:-1] == w[:-1] and have[-1].endswith(w[-1])


def _segments(cell: Cell) -> list[str]:
    """A column key's parts; a 主动公开 column is one part (its name may hold a slash: 本年增/减)."""
    return [cell.col] if cell.kind == ACTIVE else cell.col.split("/")


def _kind(rows: set[tuple[str, str]], row_text: str) -> str | None:
    """The table asked about: 复议/诉讼 decide; the 申请 table needs the word 申请 (收到 alone is any count)."""
    kinds = {k for k, _ in rows if k != REQUEST or "申请" in row_text}
    if REVIEW in kinds:
        return REVIEW
    return kinds.pop() if len(kinds) == 1 else None


def _rows(text: str) -> set[tuple[str, str]]:
    found = mentions(text)
    return {t for m in found if not m.weak for t in m.rows} or {t for m in found if m.weak for t in m.rows}


def asked_row(question: str, row_text: str | None = None) -> tuple[str, str] | None:
    """(table, row path) the words name, or None when they name none or more than one row. ``row_text``
    (the question with the ask before it) names the row when the question names none, and the table
    ("…政府信息公开申请？其中结转下年度继续办理的有几件？": 结转下年度, of the 申请 table)."""
    row_text = row_text or question
    rows = _rows(question) or _rows(row_text)
    kind = _kind(rows, row_text)
    paths = {p for k, p in rows if k == kind}
    paths = {p for p in paths if not any(q.startswith(p + "/") for q in paths)}  # a parent only narrows
    if kind is None or len(paths) != 1:
        return None
    return kind, paths.pop()


def _column(question: str, kind: str, row_cells: list[Cell]) -> Cell | None:
    """The one cell of the row the question's column words fit; with none named, the row's 总计."""
    asks = [{seg for k, seg in m.cols if k == kind} - {"总计"} for m in mentions(question)]
    asks = [a for a in asks if a]
    # Every word must fit: "法人或其他组织" + "商业企业" is one column, "复议后起诉" + "结果维持" too.
    fits = [c for c in row_cells if all(a & set(_segments(c)) for a in asks)]
    if len(fits) > 1:
        fits = [c for c in fits if _segments(c)[-1] == "总计"]
    return fits[0] if len(fits) == 1 else None


def _unit_fits(question: str, cell: Cell) -> bool:
    m = _ASKED_UNIT.search(question)
    if not m:
        return True
    asked = m.group(1)
    if cell.unit in ("万元", "元"):
        return asked in ("万元", "亿元", "元")
    return cell.unit == "件" and asked in _COUNT_UNITS


def _names_body(text: str, subject: str) -> bool:
    """Whether a report names the body a question asks about: its name, or the name without a leading
    place of two or more characters ("舒城经济开发区" for "安徽舒城经济开发区"), written in full or short
    (the short name's characters in order within a name at most twice as long: "运城经开区" is
    "运城经济技术开发区"). A table's cells are its issuer's own figures: "自然资源部…本年新收…" is never
    answered from another body's table."""
    subject = _plain(normalize_text(subject))
    if not subject or _NOT_A_BODY.fullmatch(subject):
        return True
    plain = _plain(text)
    return any(_written(plain, subject[i:]) for i in (0, *range(2, len(subject) - 2)))


def _written(text: str, name: str) -> bool:
    """``name`` in ``text`` as written, or as the short form of a longer name there."""
    if name in text:
        return True
    pattern = re.compile("".join(re.escape(ch) + r"[\u4e00-\u9fff]*?" for ch in name[:-1]) + re.escape(name[-1]))
    return any(len(m.group()) <= 2 * len(name) for m in pattern.finditer(text))


def _plain(text: str) -> str:
    """Without brackets and spaces: "高新区（新市区）" and "高新区(新市区)" are one name."""
    return re.sub(r"[()（）\s]", "", text)


def table_cell(question: str, text: str, row_text: str | None = None) -> Cell | None:
    """The one cell of this document's tables the question asks for, or None."""
    row_text = row_text or question
    if not _names_body(text, subject_of(row_text)):
        return None
    if QUALIFIERS.search(leftover(row_text, mentions(row_text))) or QUALIFIERS.search(
            leftover(question, mentions(question))):
        return None
    asked = asked_row(question, row_text)
    if asked is None:
        return None
    kind, want = asked
    cells = [c for c in cells_in_text(text) if c.kind == kind]
    row_cells = [c for c in cells if _row_fits(c.row, want)]
    if not row_cells and want in _PARENT_TOTAL:
        row_cells = [c for c in cells if _row_fits(c.row, _PARENT_TOTAL[want])]
    if len({c.row for c in row_cells}) != 1:
        return None
    cell = _column(question, kind, row_cells)
    if cell is None or cell.value is None or not _unit_fits(question, cell):
        return None  # no one cell, a blank cell (blank is not 0), or another unit than asked
    return cell


def cell_answer(question: str, docs: dict[str, str], source: dict[str, tuple[str, str]],
                row_text: str | None = None) -> tuple[Value, Citation] | None:
    """The one cell a question asks for in these documents (doc_id -> text), or None. ``row_text``: where
    the row is named when not in the question itself ("…规范性文件几件？现行有效的有几件？": the second
    ask's row is the first's, its column its own)."""
    found = [(doc_id, c) for doc_id, text in docs.items() if (c := table_cell(question, text, row_text))]
    values = {(c.value, c.unit) for _, c in found}
    if len(values) != 1:
        return None  # none, or two documents disagree: the prose extractor or a refusal decides
    doc_id, c = found[0]
    text = docs[doc_id]
    cit = Citation(doc_id, c.row_start, c.row_end, text[c.row_start : c.row_end], *source[doc_id])
    base, unit = c.base()
    shown = c.raw if c.raw.endswith(c.unit) else c.raw + c.unit
    value = Value(base, unit, shown, False, cit, span=(c.start, c.end))  # the answered cell itself
    return value, cit
