"""总览: every report at a glance, one row each (issuer, region, level, year, kind), the key template
figures (新收 … 结转) and the audit counts; filters by region, year and level; a click on a figure shows
the cells it was read from with their pages; the overview downloads as Excel (总览, 表格单元格, 核查, 对比)
or CSV. Endpoint: /overview."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from govqa import webapp_core as core
from govqa.export import ID_HEADERS, overview_table
from govqa.library import FIGURE_NAMES, Library
from govqa.web.shell import ALL, Shell

PROMPT = "点击一个数字，查看它引自哪一行、哪一页。"


def overview_view(library: Library, region: str = "", year: str = "", level: str = "") -> dict[str, Any]:
    rows = library.overview(region, year, level)
    headers, body = overview_table(rows)
    return {"headers": headers, "rows": [["" if v is None else v for v in line] for line in body],
            "reports": [r.to_dict() for r in rows]}


def render_figure(report: dict[str, Any], name: str) -> str:
    """A clicked figure: its value, a sum's arithmetic, and each cell it reads as its row (a table, the cell
    marked) with a link to its page."""
    fig = report["figures"][name]
    shown = f"{fig['text']}{fig['unit']}" if fig["value"] is not None else (fig["note"] or "报告中没有此项")
    out = [f"<p><b>{core.esc(report['issuer'] or report['label'])} {report['year'] or ''}年 · {core.esc(name)}</b>"
           f" = {core.esc(shown)}</p>"]
    if fig["arithmetic"]:
        out.append(f"<p>算式：<b>{core.esc(fig['arithmetic'])}</b></p>")
    for p in fig["parts"]:
        cite = {"doc": report["doc"], "start": p["row_start"], "end": p["row_end"], "where": p["where"]}
        span = [p["start"], p["end"]]
        out.append(f"<blockquote class=\"govqa-cite\">{core.row_table(p['quote'], p['row_start'], span)}<br>"
                   f"<small>{core.esc(report['source'])} {core.page_link(cite, span)}</small></blockquote>")
    if report["copies"]:
        out.append(f"<p><small>同一报告的另一份文件：{core.esc('、'.join(report['copies']))}（数字相同，只列一行）</small></p>")
    return "".join(out)


def export_file(shell: Shell, fmt: str, region: str, year: str, level: str) -> str:
    """The overview written to a temporary file for the download."""
    path = Path(tempfile.mkdtemp(prefix="govqa-overview-")) / f"总览.{fmt}"
    return str(shell.run(lambda lib: lib.export_overview(path, fmt, region, year, level)))


def build(shell: Shell) -> None:
    with gr.Tab("总览", id="overview"):
        with gr.Row():
            region = shell.picker(gr.Dropdown(ALL, value="", label="地区", allow_custom_value=True, scale=2,
                                              elem_id="govqa-ov-region"), "region")
            year = shell.picker(gr.Dropdown(ALL, value="", label="年份", scale=1, elem_id="govqa-ov-year"), "year")
            level = shell.picker(gr.Dropdown(ALL, value="", label="级别", scale=1, elem_id="govqa-ov-level"), "level")
            button = gr.Button("显示总览", variant="primary", scale=1, elem_id="govqa-ov-btn")
        note = gr.Markdown(PROMPT, elem_id="govqa-ov-note")
        table = gr.Dataframe(headers=ID_HEADERS + FIGURE_NAMES, interactive=False, wrap=True, elem_id="govqa-ov-table",
                             pinned_columns=1)
        detail = gr.HTML(elem_id="govqa-ov-detail")
        with gr.Row():
            xlsx_btn = gr.Button("导出 Excel（总览、表格单元格、核查、对比）", elem_id="govqa-ov-xlsx")
            csv_btn = gr.Button("导出 CSV", elem_id="govqa-ov-csv")
            download = gr.File(label="下载", interactive=False, elem_id="govqa-ov-file")
        reports = gr.State([])

    def overview_json(region: str = "", year: str = "", level: str = "") -> dict:
        """One row per report: identity, the key figures (each cited to its cells and pages) and audit counts."""
        return shell.run(overview_view, region, year, level)

    def show(r: str, y: str, lv: str):
        view = overview_json(r, y, lv)
        n = len(view["reports"])
        return gr.update(value=view["rows"], headers=view["headers"]), f"共 {n} 份报告。{PROMPT}", view["reports"], ""

    def pick(rows: list[dict], evt: gr.SelectData) -> str:
        if not rows or evt.index is None:
            return ""
        i, j = evt.index
        k = j - len(ID_HEADERS)
        return render_figure(rows[i], FIGURE_NAMES[k]) if 0 <= k < len(FIGURE_NAMES) else ""

    io = dict(inputs=[region, year, level], outputs=[table, note, reports, detail], api_visibility="private")
    button.click(show, **io)
    gr.on([region.input, year.input, level.input], show, **io)
    table.select(pick, [reports], [detail], api_visibility="private")
    xlsx_btn.click(lambda *f: export_file(shell, "xlsx", *f), [region, year, level], [download], api_visibility="private")
    csv_btn.click(lambda *f: export_file(shell, "csv", *f), [region, year, level], [download], api_visibility="private")
    shell.endpoint(overview_json, "overview")
