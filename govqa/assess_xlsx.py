"""The assessments as an XLSX workbook (openpyxl): 排名 (one row per report, the scorecard's figures) and
检查明细 (one row per check and piece of evidence, with the quoted span and its offsets), so a ranking can be
filtered and re-sorted in a spreadsheet and every cell traced back to the report. Written beside the target
and renamed, so a failed write leaves no half file."""

from __future__ import annotations

import os
import re
from pathlib import Path

from bot.assess import Assessment
from bot.assess_rules import CHECKS, GROUPS, STATUS_ZH
from govqa.types import LEVEL_ZH

RANK_HEADERS = ["排名", "报告", "文件", "地区", "级别", "年份", "适用规则", "得分", "得分下限", "得分上限", *GROUPS,
                *[c.name for c in CHECKS], "通过", "不通过", "不确定", "编号"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters an XLSX cell cannot hold
DETAIL_HEADERS = ["报告", "文件", "年份", "类别", "检查", "结果", "说明", "依据条款", "证据说明", "引文", "引文所在报告",
                  "起", "止"]


def rank_rows(assessments: list[Assessment]) -> list[list]:
    """One row per report, in the order given (ranked by the caller), as 排名 shows them."""
    rows = []
    for i, a in enumerate(assessments, 1):
        low, high = a.score_range
        counts = a.counts()
        by_key = {c.key: STATUS_ZH[c.status] for c in a.checks}
        rows.append([i, a.label, a.source, a.region, LEVEL_ZH.get(a.level, a.level), a.year or "",
                     a.rules_name or a.rules_why, a.score, low, high, *[STATUS_ZH[a.group_status(g)] for g in GROUPS],
                     *[by_key.get(c.key, "") for c in CHECKS], counts["PASS"], counts["FAIL"], counts["UNCERTAIN"], a.doc])
    return rows


def detail_rows(assessments: list[Assessment]) -> list[list]:
    rows = []
    for a in assessments:
        for c in a.checks:
            head = [a.label, a.source, a.year or "", c.group, c.name, STATUS_ZH[c.status], c.message, c.rule]
            if not c.evidence:
                rows.append([*head, "", "", "", "", ""])
            for e in c.evidence:
                for cite in e.cites or [None]:
                    if cite is None:
                        rows.append([*head, e.note, "", "", "", ""])
                    else:
                        rows.append([*head, e.note, cite.quote, cite.source or a.source, cite.start, cite.end])
    return rows


def write_assessments(path: Path, assessments: list[Assessment]) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    rank = wb.active
    rank.title = "排名"
    details = wb.create_sheet("检查明细")
    sheets = ((rank, RANK_HEADERS, rank_rows(assessments)), (details, DETAIL_HEADERS, detail_rows(assessments)))
    for sheet, headers, rows in sheets:
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_CONTROL.sub("", v) if isinstance(v, str) else v for v in row])
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions  # filter by region, level, year … in the spreadsheet itself
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
