"""The overview and its sources as files: CSV (the overview), JSON (everything, as the service gives it)
and XLSX (openpyxl) with a sheet each for the overview, every report's table cells, 核查 and 对比.

Every figure written is a table cell of its report (or a sum of them, with the arithmetic): the
overview sheet carries each figure's citation as a cell comment, the 对比 sheet one row per figure
and report with the cited row line and its page. Files are written whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

from bot.overview import FIGURE_NAMES, FigureValue, OverviewRow
from govqa.locations import places_text
from govqa.types import KIND_ZH, LEVEL_ZH

ID_HEADERS = ["发布单位", "地区", "级别", "年份", "类型", "报告", "文件"]
AUDIT_HEADERS = ["不符", "无法核对", "相符"]
CELL_HEADERS = ["文件", "报告", "发布单位", "年份", "表", "类别", "行", "列", "值（原文）", "数值", "单位", "位置", "原文位置"]
FINDING_HEADERS = ["文件", "报告", "结果", "核查项", "说明", "算式", "所引位置"]
COMPARE_HEADERS = ["指标", "发布单位", "年份", "报告", "文件", "值", "单位", "较上年", "算式", "位置", "所引原文"]
STATUS_ZH = {"FAIL": "不符", "UNCERTAIN": "无法核对", "PASS": "相符"}
COMMENT_CHARS = 600  # a cell comment holds the citation, cut beyond this


def level_zh(r: OverviewRow) -> str:
    level = LEVEL_ZH.get(r.level, r.level)
    return f"{level}（{LEVEL_ZH.get(r.dept_level, r.dept_level)}）" if r.dept_level else level


def identity(r: OverviewRow) -> list[Any]:
    return [r.issuer, r.region, level_zh(r), r.year or "", KIND_ZH.get(r.kind, r.kind), r.label,
            "、".join([r.source, *r.copies])]


def number(fig: FigureValue) -> float | int | None:
    """A figure as a spreadsheet number (int when whole), None when the report has none."""
    if fig.value is None:
        return None
    return int(fig.value) if float(fig.value).is_integer() else fig.value


def citation(r: OverviewRow, fig: FigureValue) -> str:
    """Where a figure comes from: file, page and row line of each cell it reads, and a sum's arithmetic."""
    if not fig.parts:
        return fig.note
    lines = [f"{r.source} {p.where}：{p.quote}" for p in fig.parts]
    head = [f"算式：{fig.arithmetic}"] if fig.arithmetic else []
    tail = [fig.note] if fig.note else []
    return "\n".join(head + lines + tail)


def overview_table(rows: list[OverviewRow]) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the overview: identity, the figures, the audit counts."""
    headers = ID_HEADERS + FIGURE_NAMES + AUDIT_HEADERS
    body = [identity(r) + [number(r.figures[n]) for n in FIGURE_NAMES]
            + [r.audit.get(k, 0) for k in ("FAIL", "UNCERTAIN", "PASS")] for r in rows]
    return headers, body


def write_csv(rows: list[OverviewRow], path: Path) -> Path:
    """The overview as CSV (UTF-8 with BOM, so Excel reads the Chinese), each figure followed by its source."""
    headers = ID_HEADERS + [h for n in FIGURE_NAMES for h in (n, f"{n}出处")] + AUDIT_HEADERS
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(headers)
    for r in rows:
        figs = [x for n in FIGURE_NAMES for x in (number(r.figures[n]), citation(r, r.figures[n]))]
        w.writerow(identity(r) + figs + [r.audit.get(k, 0) for k in ("FAIL", "UNCERTAIN", "PASS")])
    return _write_bytes(path, ("\ufeff" + out.getvalue()).encode("utf-8"))


def write_json(data: Any, path: Path) -> Path:
    return _write_bytes(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> Path:
    """Whole file or nothing: written beside it, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def write_xlsx(rows: list[OverviewRow], cells: dict[str, list[dict[str, Any]]], findings: list[dict[str, Any]],
               path: Path) -> Path:
    """The workbook: 总览 (figures with their citations as comments), 表格单元格 (every cell of every
    report in the overview), 核查 and 对比. ``cells``: doc_id -> the cells of `govqa tables --json`
    with their 位置; ``findings``: the audit findings (dicts) of those reports."""
    from openpyxl import Workbook

    wb = Workbook()
    _overview_sheet(wb.active, rows)
    _cells_sheet(wb.create_sheet("表格单元格"), rows, cells)
    _sheet(wb.create_sheet("核查"), FINDING_HEADERS, [
        [f["source"], f.get("report", ""), STATUS_ZH[f["status"]], f["check"], f["message"], f["arithmetic"],
         places_text([c.get("where", "") for c in f["cited"]])] for f in findings])
    _sheet(wb.create_sheet("对比"), COMPARE_HEADERS, compare_rows(rows))
    buf = io.BytesIO()
    wb.save(buf)
    return _write_bytes(path, buf.getvalue())


def _sheet(ws: Any, headers: list[str], body: list[list[Any]]) -> None:
    from openpyxl.styles import Font

    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in body:
        ws.append(row)
    ws.freeze_panes = "A2"
    for i, h in enumerate(headers, start=1):
        width = max([len(str(h))] + [min(40, len(str(r[i - 1] or ""))) for r in body[:200]])
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(6, 1.6 * width)


def _overview_sheet(ws: Any, rows: list[OverviewRow]) -> None:
    from openpyxl.comments import Comment

    ws.title = "总览"
    headers, body = overview_table(rows)
    _sheet(ws, headers, body)
    first = len(ID_HEADERS) + 1
    for i, r in enumerate(rows, start=2):
        for j, name in enumerate(FIGURE_NAMES):
            text = citation(r, r.figures[name])
            if text:
                ws.cell(i, first + j).comment = Comment(text[:COMMENT_CHARS], "govqa")


def _cells_sheet(ws: Any, rows: list[OverviewRow], cells: dict[str, list[dict[str, Any]]]) -> None:
    body = []
    for r in rows:
        for c in cells.get(r.doc, []):
            value = c["value"]
            shown = int(value) if value is not None and float(value).is_integer() else value
            body.append([r.source, r.label, r.issuer, r.year or "", f"表{c['table']}", c["kind"], c["row"], c["col"],
                         c["raw"], shown, c["unit"] if c["raw"] else "", c.get("where", ""), f"{c['start']}–{c['end']}"])
    _sheet(ws, CELL_HEADERS, body)


def compare_rows(rows: list[OverviewRow]) -> list[list[Any]]:
    """One line per figure and report, by issuer and year, with the change from the issuer's previous
    year (only within one issuer, with the arithmetic) and the cited row."""
    out = []
    for name in FIGURE_NAMES:
        last: dict[str, OverviewRow] = {}
        for r in sorted(rows, key=lambda r: (r.key or r.doc, r.year or 0)):
            fig = r.figures[name]
            prev = last.get(r.key) if r.key else None
            change, sums = "", ""
            if prev is not None and fig.value is not None and prev.figures[name].value is not None and prev.year != r.year:
                d = fig.value - prev.figures[name].value  # type: ignore[operator]
                change, sums = f"{d:+g}", f"{fig.text} − {prev.figures[name].text} = {d:g}"
            if fig.value is not None and r.key:
                last[r.key] = r
            where = places_text([p.where for p in fig.parts])
            quote = "\n".join(p.quote for p in fig.parts)
            out.append([name, r.issuer, r.year or "", r.label, r.source, number(fig), fig.unit, change, sums or fig.arithmetic,
                        where, quote or fig.note])
    return out
