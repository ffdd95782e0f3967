"""对比: one table cell (row × column) across reports, one point per report (a text PDF and its scan are
one), a line per issuer across the years with its full name, each point cited with its page; a report
without the cell is listed as 缺失, never drawn as 0. Endpoint: /compare."""

from __future__ import annotations

from typing import Any

import gradio as gr

from govqa import webapp_core as core
from govqa.library import Library, LibraryError, changes
from govqa.web.shell import Shell

HEADERS = ["报告", "发布单位", "年份", "值", "位置", "原文（所引表格行）"]


def compare_view(library: Library, row: str, col: str = "总计", doc_ids: list[str] | None = None) -> dict[str, Any]:
    if not row:
        raise LibraryError("请选择要对比的表格行")
    key, points = library.compare(row, col or "总计", doc_ids or None)
    return {"row": key, "col": col or "总计", "points": [p.to_dict() for p in points]}


def compare_rows(points: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for p in points:
        value = f"{p['raw']}{p['unit']}" if p["value"] is not None else "缺失（不是 0）"
        copies = f"（同一报告另有 {'、'.join(p['copies'])}）" if p["copies"] else ""
        rows.append([p["label"] + copies, p["issuer_name"], p["year"] or "", value,
                     f"{p['source']} {p['where']}" if p["quote"] else "", p["quote"] or "—"])
    return rows


def compare_note(view: dict[str, Any]) -> str:
    points = view["points"]
    found = [p for p in points if p["value"] is not None]
    lines = [f"**{core.md_text(view['row'])} × {core.md_text(view['col'])}**：{len(found)} 份报告有此单元格"
             + (f"，{len(points) - len(found)} 份缺失（不当作 0）" if len(found) < len(points) else "") + "。"]
    copies = sum(len(p["copies"]) for p in points)
    if copies:
        lines.append(f"同一报告的另一份文件（如扫描版）{copies} 个，只计一次。")
    lines += [f"- {core.md_text(c)}" for c in changes(points)]
    return "\n".join(lines)


def compare_figure(library: Library, row: str, col: str, doc_ids: list[str] | None):
    """The chart (matplotlib) of the same comparison: a line per issuer across the years."""
    from govqa.charts import comparison_figure

    key, points = library.compare(row, col or "总计", doc_ids or None)
    return comparison_figure(points, f"{key} × {col or '总计'}")


def build(shell: Shell) -> None:
    with gr.Tab("对比", id="compare"):
        with gr.Row():
            row = shell.picker(gr.Dropdown([], label="表格行（指标）", allow_custom_value=True, scale=3,
                                           elem_id="govqa-cmp-row"), "row")
            col = shell.picker(gr.Dropdown([], label="列", allow_custom_value=True, scale=1, elem_id="govqa-cmp-col"), "col")
            docs = shell.picker(gr.Dropdown([], label="报告（留空为全部）", multiselect=True, scale=3,
                                            elem_id="govqa-cmp-docs"), "docs")
            button = gr.Button("对比", variant="primary", scale=1, elem_id="govqa-cmp-btn")
        note = gr.Markdown(elem_id="govqa-cmp-note")
        plot = gr.Plot(label="对比图（每个发布单位一条线）", elem_id="govqa-cmp-plot")
        table = gr.Dataframe(headers=HEADERS, interactive=False, wrap=True, elem_id="govqa-cmp-table")

    def compare_json(row: str, col: str = "总计", doc_ids: list[str] | None = None) -> dict:
        """One table cell across reports (all, or doc_ids): one point per report, each cited to its row and page;
        a missing one is null, never 0."""
        return shell.run(compare_view, row, col, doc_ids or [])

    def show(r: str, c: str, ids: list[str] | None):
        view = compare_json(r, c, ids)
        figure = shell.run(compare_figure, r, c, ids or [])
        return figure, compare_rows(view["points"]), compare_note(view)

    button.click(show, [row, col, docs], [plot, table, note], api_visibility="private")
    shell.endpoint(compare_json, "compare")
