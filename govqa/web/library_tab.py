"""报告库: the stored reports; uploads (the list fills in as each file is stored; a scan's OCR shows its
progress page by page); metadata correction; a report's table cells; removal.
Endpoints: /upload, /set_meta, /remove, /documents, /stats, /tables."""

from __future__ import annotations

import html
import os
import queue
from pathlib import Path
from typing import Any

import gradio as gr

from govqa import webapp_core as core
from govqa.library import UploadOutcome
from govqa.meta import FIELD_ZH, meta_display
from govqa.types import Status
from govqa.web.shell import Shell, fail, notice

NOT_UPLOADED = "只能导入通过本页面上传的文件"
PAGE_WAIT_S = 0.3  # how often the upload looks for the next page read
TABLE_HEADERS = ["表", "类别", "行", "列", "值", "单位", "位置"]


def uploaded_file(path: Any) -> Path | None:
    """The file only if Gradio stored it in its upload folder (where gr.File puts what a browser or
    gradio_client sent in the request); any other path — /etc/passwd, a symlink out, ../ — is None.
    Nothing is asked of the path itself beyond where it resolves to, so a refusal says nothing about
    whether it exists."""
    if not isinstance(path, (str, os.PathLike)):
        return None
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder()).resolve()
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    return resolved if resolved != folder and resolved.is_relative_to(folder) else None


def _store_one(shell: Shell, path: Any, name: str, progress: gr.Progress, i: int, n: int) -> UploadOutcome:
    """One file, stored on the library's thread while this thread shows its pages as they are read."""
    received = uploaded_file(path)
    if received is None:  # a server path sent through the API: refused, whether or not it exists
        return UploadOutcome(name, Status.failed, NOT_UPLOADED)
    pages: queue.Queue[tuple[int, int, bool]] = queue.Queue()
    job = shell.worker.start_upload(received, name, lambda *page: pages.put(page))
    while not job.done():
        try:
            page, total, scanned = pages.get(timeout=PAGE_WAIT_S)
        except queue.Empty:
            continue
        what = "识别扫描页" if scanned else "读取"
        progress((i + page / max(total, 1), n), desc=f"{name}：{what}第 {page}/{total} 页（第 {i + 1}/{n} 份）", unit="份")
    try:
        return job.result()
    except Exception as exc:
        return UploadOutcome(name, Status.failed, fail(exc).message)


def _upload_message(outcomes: list[UploadOutcome], total: int) -> str:
    counts = "，".join(f"{core.STATUS_ZH_APP[s]} {n}" for s in Status if (n := sum(o.status == s for o in outcomes)))
    done = f"共 {total} 个文件：" if len(outcomes) == total else f"已处理 {len(outcomes)}/{total} 个文件："
    lines = [done + counts + "。"]
    lines += [f"- 失败 **{core.md_text(o.name)}**：{core.md_text(o.message)}" for o in outcomes if o.status == Status.failed]
    return "\n".join(lines)


def upload(shell: Shell, files: list[str] | None, progress: gr.Progress):
    """Store each file in turn; after each, the message, the results and the report list are shown (and,
    after the last, the file picker is emptied)."""
    if not files:
        raise notice("请先选择要上传的文件（.txt .md .html .htm .pdf .docx）")
    outcomes: list[UploadOutcome] = []
    names = [Path(str(f)).name for f in files]
    for i, (f, name) in enumerate(zip(files, names)):
        progress((i, len(files)), desc=f"正在导入 {name}（{i + 1}/{len(files)}）", unit="份")
        outcome = _store_one(shell, f, name, progress, i, len(files))
        outcomes.append(outcome)
        if outcome.status == Status.failed:
            gr.Warning(f"{html.escape(outcome.name)}：{html.escape(outcome.message)}", title="导入失败")
        docs = shell.run(lambda lib: lib.documents())
        last = i == len(files) - 1  # the chosen files are cleared with the last result, ready for the next upload
        yield (_upload_message(outcomes, len(files)), [core.upload_row(o) for o in outcomes], core.doc_rows(docs),
               None if last else gr.skip())


def tables_view(shell: Shell, doc_id: str):
    if not doc_id:
        raise notice("请先选择报告")
    cells = shell.run(lambda lib: lib.table_cells(doc_id))
    rows = [[c["table"], c["kind"], c["row"], c["col"], c["raw"] if c["raw"] else "（空白）", c["unit"] if c["raw"] else "",
             c["where"]] for c in cells]
    note = f"共 {len(cells)} 个单元格；点击单元格查看原文所在行。" if cells else "该报告中没有识别出统计表。"
    return rows, note, cells


def render_cell(c: dict[str, Any]) -> str:
    """A clicked table cell: its row and column, its row as a table with the cell marked, and its page."""
    value = (c["raw"] + c["unit"]) if c["raw"] else "（空白，不是 0）"
    cite = {"doc": c["doc"], "start": c["row_start"], "end": c["row_end"], "where": c["where"]}
    return (f"<p><b>{core.esc(c['row'])} × {core.esc(c['col'])}</b> = {core.esc(value)}</p>"
            f"<blockquote class=\"govqa-cite\">{core.row_table(c['line'], c['row_start'], [c['start'], c['end']])}"
            f"<br><small>{core.page_link(cite, [c['start'], c['end']])}</small></blockquote>")


def build(shell: Shell) -> None:
    with gr.Tab("报告库", id="library"):
        shell.view(gr.Markdown(), "library_summary")
        docs = shell.view(gr.Dataframe(headers=core.DOC_HEADERS, interactive=False, wrap=True, label="已导入的报告",
                                       elem_id="govqa-docs"), "docs_table")
        _upload_box(shell, docs)
        _meta_box(shell)
        _tables_box(shell)
        _remove_box(shell)

    def documents() -> list[dict]:
        """All ingested documents with metadata, chunk counts and ingest time."""
        return shell.run(lambda lib: [{k: v for k, v in d.to_dict().items() if k != "path"} for d in lib.documents()])

    def stats() -> dict:
        """Counts: documents, text chunks and stored vectors."""
        return shell.run(lambda lib: lib.stats())

    shell.endpoint(documents, "documents")
    shell.endpoint(stats, "stats")


def _upload_box(shell: Shell, docs: Any) -> None:
    with gr.Row():
        with gr.Column():
            files = gr.File(label="上传报告（.txt .md .html .htm .pdf .docx，可多选）", file_count="multiple",
                            type="filepath", elem_id="govqa-upload")
            button = gr.Button("导入", variant="primary", elem_id="govqa-upload-btn")
        with gr.Column():
            message = gr.Markdown(elem_id="govqa-upload-msg")
            results = gr.Dataframe(headers=core.UPLOAD_HEADERS, interactive=False, wrap=True, label="导入结果",
                                   elem_id="govqa-upload-results")

    def run_upload(paths: list[str] | None, progress=gr.Progress()):
        yield from upload(shell, paths, progress)

    shell.changed_by(button.click(run_upload, [files], [message, results, docs, files], api_name="upload"))


def _meta_box(shell: Shell) -> None:
    with gr.Accordion("修正元数据", open=True):
        with gr.Row():
            doc = shell.picker(gr.Dropdown([], label="报告", allow_custom_value=True, scale=3, elem_id="govqa-meta-doc"),
                               "doc_first")
            field = gr.Dropdown([(zh, f) for f, zh in FIELD_ZH.items()], value="region", label="字段", scale=1,
                                elem_id="govqa-meta-field")
            value = gr.Textbox(label="新值（留空则清除）", scale=2, elem_id="govqa-meta-value")
            button = gr.Button("保存", scale=1, elem_id="govqa-meta-btn")
        message = gr.Markdown(elem_id="govqa-meta-msg")

    def set_meta(doc_id: str, name: str, new: str) -> str:
        if not doc_id:
            raise notice("请先选择报告")
        meta = shell.run(lambda lib: lib.set_meta(doc_id, {name: new}))
        shown = meta_display(name, getattr(meta, name)) or "（空）"
        return f"已保存：{FIELD_ZH.get(name, name)} = {core.md_text(shown)}"

    def current(doc_id: str, name: str) -> str:
        if not doc_id or not name:
            return ""
        found = next((d for d in shell.run(lambda lib: lib.documents()) if d.doc_id == doc_id), None)
        return meta_display(name, getattr(found.meta, name)) if found else ""

    shell.changed_by(button.click(set_meta, [doc, field, value], [message], api_name="set_meta"))
    gr.on([doc.change, field.change], current, [doc, field], [value], api_visibility="private")


def _tables_box(shell: Shell) -> None:
    with gr.Accordion("表格（统计表的单元格）", open=False):
        with gr.Row():
            doc = shell.picker(gr.Dropdown([], label="报告", allow_custom_value=True, scale=4, elem_id="govqa-tables-doc"),
                               "doc_none")
            button = gr.Button("查看表格", scale=1, elem_id="govqa-tables-btn")
        note = gr.Markdown()
        table = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True, elem_id="govqa-tables")
        cell = gr.HTML(elem_id="govqa-cell")
        state = gr.State([])

    def tables_json(doc_id: str) -> list[dict]:
        """The statistical tables' cells of one report: table, kind, row, column, value as printed, unit, span, page."""
        if not doc_id:
            raise notice("请先选择报告")
        return shell.run(lambda lib: lib.table_cells(doc_id))

    def pick(cells: list[dict], evt: gr.SelectData) -> str:
        return render_cell(cells[evt.index[0]]) if cells and evt.index is not None else ""

    button.click(lambda d: tables_view(shell, d), [doc], [table, note, state], api_visibility="private")
    table.select(pick, [state], [cell], api_visibility="private")
    shell.endpoint(tables_json, "tables")


def _remove_box(shell: Shell) -> None:
    with gr.Accordion("删除报告", open=False):
        with gr.Row():
            doc = shell.picker(gr.Dropdown([], label="报告", allow_custom_value=True, scale=4), "doc_none")
            button = gr.Button("删除", variant="stop", scale=1)
        message = gr.Markdown()

    def remove(doc_id: str) -> str:
        if not doc_id:
            raise notice("请先选择要删除的报告")
        return f"已删除：{core.md_text(shell.run(lambda lib: lib.remove(doc_id)).label)}"

    shell.changed_by(button.click(remove, [doc], [message], api_name="remove"))
