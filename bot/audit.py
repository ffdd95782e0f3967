"""Consistency audit (勾稽关系): does a report's arithmetic hold? Each check says PASS, FAIL or UNCERTAIN
(a cell blank or missing), with the cells it read and the arithmetic written out. The audit never
corrects a source: it states what the report says and what does not add up.

Checks (the national template's own rules, and the prose):
- 申请 table, per column: 本年新收 + 上年结转 = 办理结果（七）总计 + 结转下年度继续办理; the results rows
  (every row under 三、本年度办理结果 but 总计) add up to （七）总计; and per row, 自然人 + the five
  法人或其他组织 columns = 总计.
- 复议 and each 诉讼 block: 结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计.
- Narrative vs table: a prose count of new applications that differs from the 新收 总计 cell.
- Prose parts and wholes: a part (其中…, or "…的43件中…120件") larger than its stated whole (FAIL), or
  parts adding up beyond it (UNCERTAIN: they may be two breakdowns of one whole).
- Year to year (across reports of one issuer): 结转下年度 of year N = 上年结转 of year N+1.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.numbers import Number, parse_numbers
from govqa.cells import Cell, cells_in_text
from govqa.text import UNREADABLE
from govqa.types import Document, issuer_key

PASS, FAIL, UNCERTAIN = "PASS", "FAIL", "UNCERTAIN"
_RESULTS = "三、本年度办理结果/"
_TOTAL_ROW = "三、本年度办理结果/（七）总计"
_NEW, _CARRIED_IN, _CARRIED_OUT = "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "四、结转下年度继续办理"
_OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结")


@dataclass
class Cited:
    """A number the check read: a cell (its row line cited) or a prose sentence."""

    label: str
    value: float | None
    raw: str
    start: int
    end: int
    quote: str
    where: str = ""  # 第3页 / 表2 第1行 (filled in by the service)


@dataclass
class Finding:
    check: str
    status: str
    message: str  # Chinese: what the report says and what does not add up
    arithmetic: str = ""
    cited: list[Cited] = field(default_factory=list)
    doc: str = ""
    source: str = ""
    report: str = ""  # the report by issuer and year ("淮安市洪泽区人民政府 2024年"), filled in by the service

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _cite(c: Cell) -> Cited:
    return Cited(f"{c.row} × {c.col}", c.value, c.raw, c.row_start, c.row_end, c.line)


def _fmt(v: float | None) -> str:
    return "空白" if v is None else (str(int(v)) if float(v).is_integer() else str(v))


def _sum_check(check: str, what: str, parts: list[Cell], total: Cell | None, others: list[Cell] | None = None) -> Finding:
    """parts (+ nothing) = total, as a Finding."""
    cells = [*parts, *(others or []), *([total] if total else [])]
    if total is None or not parts or any(c.value is None for c in cells):
        blanks = [f"{c.row.split('/')[-1]}×{c.col.split('/')[-1]}" for c in cells if c.value is None]
        blank = ("空白单元格：" + "、".join(blanks[:3]) + (f" 等 {len(blanks)} 个" if len(blanks) > 3 else "")
                 if blanks else "缺少单元格")
        arithmetic = ""
        if total is not None and total.value is not None and any(c.value is not None for c in parts):
            # what a reader checks next: the blanks read as none
            got = sum(c.value or 0 for c in parts)
            holds = "相符" if abs(got - total.value) < 1e-6 else "也不相符"
            arithmetic = (" + ".join(_fmt(c.value) for c in parts) + f" = {_fmt(got)}（空白按 0 计）；表中总计 "
                          f"{_fmt(total.value)}，{holds}")
        return Finding(check, UNCERTAIN, f"{what}：无法核对（{blank}）", arithmetic, [_cite(c) for c in cells])
    got = sum(c.value for c in parts)  # type: ignore[misc]
    arithmetic = " + ".join(_fmt(c.value) for c in parts) + f" = {_fmt(got)}；表中总计 {_fmt(total.value)}"
    if abs(got - total.value) < 1e-6:  # type: ignore[operator]
        return Finding(check, PASS, f"{what}：相符", arithmetic, [_cite(c) for c in cells])
    return Finding(check, FAIL, f"{what}：各项之和为 {_fmt(got)}，表中总计为 {_fmt(total.value)}", arithmetic,
                   [_cite(c) for c in cells])


def table_checks(cells: list[Cell], unreadable: list[tuple[int, str]] | None = None) -> list[Finding]:
    """``unreadable``: (offset, line) of the table lines ingest could not split (【无法拆分】…). A sum over
    every row of the 申请 table, when one of its rows is such a line, cannot be checked: it is UNCERTAIN,
    never a FAIL the report did not make."""
    out: list[Finding] = []
    request = [c for c in cells if c.kind == "申请"]
    lost = [line for at, line in unreadable or []
            if request and min(c.row_start for c in request) < at < max(c.row_end for c in request)]
    by = {(c.row, c.col): c for c in cells}
    apply_cols = [c.col for c in cells if c.row == _NEW]
    for col in apply_cols:
        new, cin, total, cout = (by.get((r, col)) for r in (_NEW, _CARRIED_IN, _TOTAL_ROW, _CARRIED_OUT))
        if new and total:
            cells_ = [x for x in (new, cin, total, cout) if x]
            if len(cells_) < 4 or any(x.value is None for x in cells_):
                arithmetic = ""
                if new.value is not None and total.value is not None:  # the blanks read as none
                    left = new.value + ((cin.value or 0) if cin else 0)
                    right = total.value + ((cout.value or 0) if cout else 0)
                    holds = "相符" if abs(left - right) < 1e-6 else "也不相符"
                    arithmetic = f"{_fmt(left)} 与 {_fmt(right)}（空白按 0 计），{holds}"
                out.append(Finding("申请/收支平衡", UNCERTAIN, f"{col}：本年新收+上年结转 与 办理结果总计+结转下年度 无法核对",
                                   arithmetic, [_cite(x) for x in cells_]))
            else:
                left, right = new.value + cin.value, total.value + cout.value  # type: ignore[operator]
                ok = abs(left - right) < 1e-6
                out.append(Finding("申请/收支平衡", PASS if ok else FAIL,
                                   f"{col}：本年新收+上年结转{'=' if ok else '≠'}办理结果总计+结转下年度",
                                   f"{_fmt(new.value)} + {_fmt(cin.value)} = {_fmt(left)}；"
                                   f"{_fmt(total.value)} + {_fmt(cout.value)} = {_fmt(right)}", [_cite(x) for x in cells_]))
        leaves = [c for c in cells if c.row.startswith(_RESULTS) and c.row != _TOTAL_ROW and c.col == col]
        if leaves:
            found = _sum_check("申请/办理结果合计", f"{col}：办理结果各项之和与（七）总计", leaves, by.get((_TOTAL_ROW, col)))
            if lost and found.status != UNCERTAIN:
                found.status = UNCERTAIN
                found.message = (f"{col}：办理结果各项之和与（七）总计：无法核对（{len(lost)} 行数字粘连、无法拆分，"
                                 f"如 {lost[0][:30]}）")
            out.append(found)
    for row in dict.fromkeys(c.row for c in cells if c.kind == "申请"):
        row_cells = [c for c in cells if c.row == row]
        parts = [c for c in row_cells if c.col != "总计"]
        if len(parts) >= 6:
            out.append(_sum_check("申请/申请人合计", f"{row}：自然人与法人或其他组织各列之和与总计", parts,
                                  by.get((row, "总计"))))
    for row, blocks in (("行政复议", ["行政复议"]), ("行政诉讼", ["行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉"])):
        for block in blocks:
            parts = [by[(row, f"{block}/{o}")] for o in _OUTCOMES if (row, f"{block}/{o}") in by]
            if parts:
                out.append(_sum_check(f"{row}/合计", f"{block}：维持+纠正+其他+尚未审结与总计", parts,
                                      by.get((row, f"{block}/总计"))))
    return out


_WHOLE_MARK = re.compile(r"其中|(?<=[件条项次个])[\u4e00-\u9fff]{0,4}中(?=[,，:：])")
_NEW_PROSE = re.compile(r"(?:收到|新收|受理)[^。；;]{0,16}?(?:政府)?信息公开申请[^。；;\d]{0,6}?(\d+)件")


def prose_checks(doc: Document, cells: list[Cell]) -> list[Finding]:
    out: list[Finding] = []
    text = doc.text
    start = 0
    for sentence in re.split(r"(?<=。)", text):
        s, e = start, start + len(sentence)
        start = e
        if sentence.startswith("【表"):
            continue
        nums = [n for n in parse_numbers(sentence) if n.unit in ("件", "条", "项", "个", "次")]
        marks = list(_WHOLE_MARK.finditer(sentence))
        for i, mark in enumerate(marks):
            before = [n for n in nums if n.end <= mark.start()]
            # The whole stands in the clause of its 其中 ("…的43件申请中", "共…46件，其中…").
            if not before or re.search(r"[；;]", sentence[before[-1].end : mark.start()]) \
                    or mark.start() - before[-1].end > 30:
                continue
            whole = before[-1]
            stop = marks[i + 1].start() if i + 1 < len(marks) else len(sentence)
            parts = [n for n in nums if mark.end() <= n.start and n.end <= stop and n.unit == whole.unit]
            if i + 1 < len(marks) and parts:
                parts = parts[:-1]  # the last number before the next 其中 is that one's whole
            seg_start = max(sentence.rfind("；", 0, mark.start()), sentence.rfind(";", 0, mark.start())) + 1
            earlier = [n.value for n in before if n.unit == whole.unit and n.start >= seg_start]
            # Parts adding up exactly to an earlier count of the clause are that count's breakdown.
            if parts and sum(p.value for p in parts) not in earlier:
                out += _part_findings(sentence, s, whole, parts)
    return out + _narrative_checks(text, cells)


def _part_findings(sentence: str, s: int, whole: Number, parts: list[Number]) -> list[Finding]:
    """A part larger than its whole, or parts adding up beyond it."""
    bigger = [p for p in parts if p.value > whole.value]
    over = sum(p.value for p in parts) > whole.value and len(parts) >= 2 and not whole.approximate
    if not (bigger or over):
        return []
    q = sentence.strip()
    qs = s + sentence.index(q)
    why = (f"部分 {bigger[0].text} 大于其总数 {whole.text}" if bigger
           else f"各部分之和 {_fmt(sum(p.value for p in parts))}{whole.unit} 超过其总数 {whole.text}")
    # A part larger than its whole is an error as printed; parts adding up beyond it may be two breakdowns
    # of one whole (by applicant, by outcome) or a list that runs on: a reader has to look.
    status = FAIL if bigger else UNCERTAIN
    if not bigger:
        why += "（各部分可能不是互斥的分类，请人工核对）"
    return [Finding("文字/部分与总数", status, why, " + ".join(p.text for p in parts) + f" 对比 {whole.text}",
                    [Cited("原文", whole.value, whole.text, qs, qs + len(q), q)])]


def _narrative_checks(text: str, cells: list[Cell]) -> list[Finding]:
    """A prose count of new applications against the table's 新收 总计."""
    out: list[Finding] = []
    new_total = next((c for c in cells if c.row == _NEW and c.col == "总计"), None)
    if new_total is not None and new_total.value is not None:
        for m in _NEW_PROSE.finditer(text):
            if text[max(0, m.start() - 40) : m.start()].count("【表"):
                continue
            value = float(m.group(1))
            ok = abs(value - new_total.value) < 1e-6
            sentence_start = max(text.rfind("。", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
            scoped = re.search(r"代表|办公室|政府办|本机关|其中", text[sentence_start : m.start()])
            status = PASS if ok else UNCERTAIN if scoped else FAIL
            out.append(Finding("文字与表格/新收申请", status,
                               f"正文写收到申请 {m.group(1)} 件，表中本年新收总计为 {_fmt(new_total.value)} 件"
                               + ("（正文所指的范围可能与表格不同）" if scoped and not ok else ""),
                               f"{m.group(1)} {'=' if ok else '≠'} {_fmt(new_total.value)}",
                               [Cited("原文", value, m.group(1), m.start(), m.end(), m.group(0)), _cite(new_total)]))
    return out


def audit_document(doc: Document) -> list[Finding]:
    cells = cells_in_text(doc.text)
    unreadable = [(m.start(), m.group()) for m in re.finditer(f"^{UNREADABLE}.*$", doc.text, re.M)]
    findings = table_checks(cells, unreadable) + prose_checks(doc, cells)
    for f in findings:
        f.doc, f.source = doc.doc_id, doc.source
    return findings


def year_to_year(docs: list[Document]) -> list[Finding]:
    """结转下年度 of year N against 上年结转 of year N+1, for reports of one issuer (region + issuer)."""
    out: list[Finding] = []
    keyed = {}
    for d in docs:
        who = issuer_key(d.meta)
        if who and d.meta.year:
            keyed[(*who, d.meta.year)] = d
    for (region, issuer, year), d in keyed.items():
        nxt = keyed.get((region, issuer, year + 1))
        if nxt is None:
            continue
        out_cell = next((c for c in cells_in_text(d.text) if c.row == _CARRIED_OUT and c.col == "总计"), None)
        in_cell = next((c for c in cells_in_text(nxt.text) if c.row == _CARRIED_IN and c.col == "总计"), None)
        if out_cell is None or in_cell is None or out_cell.value is None or in_cell.value is None:
            continue
        ok = out_cell.value == in_cell.value
        out.append(Finding("跨年/结转", PASS if ok else FAIL,
                           f"{issuer}：{year}年结转下年度 {_fmt(out_cell.value)} 件，"
                           f"{year + 1}年上年结转 {_fmt(in_cell.value)} 件",
                           f"{_fmt(out_cell.value)} {'=' if ok else '≠'} {_fmt(in_cell.value)}",
                           [_cite(out_cell), _cite(in_cell)], d.doc_id, f"{d.source} → {nxt.source}"))
    return out
