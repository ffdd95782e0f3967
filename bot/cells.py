"""Answers from the statistical tables' cells: the row and the column are chosen by the words of the
question, and a question that names no column means the row's 总计.

"2024年淮安市政府信息公开申请中予以公开的有多少件？" -> 三、本年度办理结果/（一）予以公开 × 总计 = 1362件,
cited by its row line. A cell is only an answer when exactly one row and one column fit; a blank cell
is no answer (blank is not 0). Everything else goes to the prose extractor.
"""

from __future__ import annotations

import re

from govqa.cells import Cell, cells_in_text
from govqa.types import Citation, Value

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、])")
# What people call the rows whose template label is long.
_ROW_WORDS = {
    "本年新收政府信息公开申请数量": ("新收", "收到", "受理"),
    "上年结转政府信息公开申请数量": ("上年结转",),
    "结转下年度继续办理": ("结转下年", "下年度继续办理"),
    "总计": ("办理结果总计", "总计"),
}


def _core(segment: str) -> str:
    return re.sub(r"[（(][^)）]*[)）]$", "", _NUMBERING.sub("", segment)).strip()


def _row_words(row: str) -> tuple[str, ...]:
    last = _core(row.split("/")[-1])
    return _ROW_WORDS.get(last, (last,))


def _col_named(cell: Cell, question: str) -> bool | None:
    """True when the question names this cell's column, False when it names another of the row's
    columns, None when it names none (the row's 总计 is meant)."""
    last = _core(cell.col.split("/")[-1])
    if last in ("总计", "合计") or not last:
        return None
    # "本年制发件数" is asked as "本年制发…几件", "现行有效件数" as "现行有效的有几件".
    stem = re.sub(r"(?:件数|数量|数)$", "", last)
    return last in question or (len(last) > 2 and last.replace("结果", "") in question) or (
        len(stem) >= 4 and stem in question)


def cell_answer(question: str, docs: dict[str, str], source: dict[str, tuple[str, str]],
                row_text: str | None = None) -> tuple[Value, Citation] | None:
    """The one cell a question asks for in these documents (doc_id -> text), or None. The table is
    the one the question's words point to: 复议/诉讼, else 申请, else 主动公开. ``row_text``: where the
    row is named when not in the question itself ("…规范性文件几件？现行有效的有几件？": the second ask's
    row is the first's, its column its own)."""
    found: list[tuple[str, Cell]] = []
    row_text = row_text or question
    kind = "复议诉讼" if re.search("复议|诉讼", row_text) else "申请" if "申请" in row_text else "主动公开"
    for doc_id, text in docs.items():
        cells = [c for c in cells_in_text(text) if c.kind == kind]
        rows = {c.row for c in cells if any(w in row_text for w in _row_words(c.row))}
        if len(rows) != 1:
            continue  # no row named, or several (收到 … 结转): not one cell
        row_cells = [c for c in cells if c.row in rows]
        named = [c for c in row_cells if _col_named(c, question)]
        if not named and len(row_cells) == 1:  # 行政处罚｜本年处理决定数量=2: the row's one value
            named = row_cells
        if not named:
            totals = [c for c in row_cells if _col_named(c, question) is None]
            # 行政诉讼 has two 总计 (直接起诉, 复议后起诉): the block must be named.
            named = [c for c in totals if all(seg in question for seg in c.col.split("/")[1:-1])] or totals
        if len(named) == 1:
            found.append((doc_id, named[0]))
    values = {(c.value, c.unit) for _, c in found}
    if len(values) != 1 or found[0][1].value is None:
        return None  # none, blank, or two documents disagree: the prose extractor or a refusal decides
    doc_id, c = found[0]
    text = docs[doc_id]
    cit = Citation(doc_id, c.row_start, c.row_end, text[c.row_start : c.row_end], *source[doc_id])
    base, unit = c.base()
    value = Value(base, unit, c.raw + c.unit, False, cit, span=(c.start, c.end))  # the answered cell itself
    return value, cit
