"""Key figures of a 2019+ report read from its statistical tables' cells, each cited to its row, with
the same cell of the issuer's previous report beside it.

Which cells a reader of an executive summary looks for, in the order they look (the national
template's own order): applications received and carried over, the outcome total and how many were
disclosed, the main reasons for not disclosing, what is carried into next year, then review and
litigation with how many were corrected, and the 主动公开 table's counts. The rules are data
(``CELL_FIGURES``); a blank or missing cell is never shown as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.sections import KeyFigure, Prior, cite
from govqa.cells import Cell, cells_in_text
from govqa.types import Document

_R3 = "三、本年度办理结果/"


@dataclass(frozen=True)
class CellFigure:
    label: str
    rows: tuple[str, ...]  # the row's key in either template (2019, 2021); the first present wins
    cols: tuple[str, ...]  # the column, likewise


def _f(label: str, rows: str, cols: str = "总计") -> CellFigure:
    return CellFigure(label, tuple(rows.split()), tuple(cols.split()))


# Order is the order shown; REASONS_AFTER names the figure the top reasons follow.
CELL_FIGURES = [
    _f("本年新收政府信息公开申请（表）", "一、本年新收政府信息公开申请数量"),
    _f("上年结转政府信息公开申请（表）", "二、上年结转政府信息公开申请数量"),
    _f("办理结果总计（表）", f"{_R3}（七）总计"),
    _f("予以公开（表）", f"{_R3}（一）予以公开"),
    _f("部分公开（表）", f"{_R3}（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    _f("结转下年度继续办理（表）", "四、结转下年度继续办理"),
    _f("行政复议总计（表）", "行政复议", "行政复议/总计"),
    _f("行政诉讼：未经复议直接起诉（表）", "行政诉讼", "行政诉讼/未经复议直接起诉/总计"),
    _f("行政诉讼：复议后起诉（表）", "行政诉讼", "行政诉讼/复议后起诉/总计"),
    _f("行政规范性文件：本年制发（表）", "第二十条第（一）项/行政规范性文件 第二十条第（一）项/规范性文件",
       "本年制发件数 本年新制作数量"),
    _f("行政许可：处理决定（表）", "第二十条第（五）项/行政许可", "本年处理决定数量 处理决定数量"),
    _f("行政处罚：处理决定（表）", "第二十条第（六）项/行政处罚", "本年处理决定数量 处理决定数量"),
    _f("行政事业性收费金额（表）", "第二十条第（八）项/行政事业性收费", "本年收费金额（单位：万元）"),
]
REASONS_AFTER = "部分公开（表）"
# The outcome groups whose reasons a reader wants: why an application was not (fully) answered.
REASON_GROUPS = ("（三）不予公开", "（四）无法提供", "（五）不予处理")
TOP_REASONS = 3  # the largest non-zero reasons shown
SHARE_OF = ("予以公开（表）", "办理结果总计（表）")  # a share shown beside the figure, with both cells cited
# A part of the same row shown beside a total: how many cases the review or the court corrected.
CORRECTED = {"行政复议总计（表）": "行政复议/结果纠正",
             "行政诉讼：未经复议直接起诉（表）": "行政诉讼/未经复议直接起诉/结果纠正",
             "行政诉讼：复议后起诉（表）": "行政诉讼/复议后起诉/结果纠正"}


def _lookup(cells: dict[tuple[str, str], Cell], rule: CellFigure) -> Cell | None:
    for row in rule.rows:
        for col in rule.cols:
            c = cells.get((row, col))
            if c is not None:
                return c
    return None


def _figure(doc: Document, label: str, c: Cell) -> KeyFigure:
    value, unit = c.base()
    return KeyFigure(label, value, unit, c.raw + c.unit, cite(doc, c.row_start, c.row_end))  # type: ignore[arg-type]


def _reasons(doc: Document, cells: list[Cell]) -> list[tuple[str, Cell]]:
    """The largest non-zero reasons for not disclosing, across the 不予公开 / 无法提供 / 不予处理 rows."""
    found = []
    for c in cells:
        if c.col != "总计" or not c.value or not c.row.startswith(_R3):
            continue
        parts = c.row[len(_R3) :].split("/")
        if len(parts) == 2 and parts[0] in REASON_GROUPS:
            reason = parts[1].lstrip("0123456789.、．")
            found.append((f"{parts[0].strip('（）一二三四五六七八九十')}：{reason}（表）", c))
    return sorted(found, key=lambda x: -(x[1].value or 0))[:TOP_REASONS]


def _change(now: Cell, before: Cell) -> str:
    """"+74件", "-3件", "0件": this year's cell less last year's, in the unit the table writes."""
    d = (now.value or 0) - (before.value or 0)
    text = f"{d:+.2f}".rstrip("0").rstrip(".") if not float(d).is_integer() else f"{int(d):+d}"
    return ("0" if text in ("+0", "-0") else text) + now.unit


def _share(part: Cell, whole: Cell) -> str:
    """"占办理结果总计（95件）的52.6%": derived, so it says what it was computed from."""
    if not whole.value or part.value is None:
        return ""
    return f"占办理结果总计（{whole.raw}{whole.unit}）的{part.value / whole.value:.1%}"


def cell_figures(doc: Document, previous: Document | None = None) -> list[KeyFigure]:
    """The table figures of ``doc`` (none when it has no national tables), each with the same cell of
    ``previous`` (the issuer's report of the year before) as its prior value when that cell is filled."""
    cells = cells_in_text(doc.text)
    if not cells:
        return []
    by = {(c.row, c.col): c for c in cells}
    before = {(c.row, c.col): c for c in cells_in_text(previous.text)} if previous is not None else {}
    year = previous.meta.year if previous is not None else None
    out: list[KeyFigure] = []
    used: dict[str, Cell] = {}
    rules: list[tuple[str, Cell | None, Cell | None]] = []
    for rule in CELL_FIGURES:
        rules.append((rule.label, _lookup(by, rule), _lookup(before, rule) if before else None))
        if rule.label == REASONS_AFTER:
            rules += [(label, c, before.get((c.row, c.col))) for label, c in _reasons(doc, cells)]
    for label, c, prior in rules:
        if c is None or c.value is None:
            continue
        fig = _figure(doc, label, c)
        used[label] = c
        corrected = by.get((c.row, CORRECTED.get(label, "")))
        if corrected is not None and corrected.value is not None:
            fig.note = f"其中结果纠正{corrected.raw}{corrected.unit}"
        if prior is not None and prior.value is not None and previous is not None:
            pv, pu = prior.base()
            fig.previous = Prior(pv, pu, prior.raw + prior.unit, cite(previous, prior.row_start, prior.row_end),  # type: ignore[arg-type]
                                 year, _change(c, prior))
        out.append(fig)
    part, whole = (used.get(label) for label in SHARE_OF)
    if part is not None and whole is not None:
        next(f for f in out if f.label == SHARE_OF[0]).note = _share(part, whole)
    return out
