"""The govqa browser app (Gradio): 问答, 报告库, 摘要, 核查 and 对比 tabs over one library of reports.

Run with `python app.py` or `govqa serve`. It binds settings.app_host (127.0.0.1) on
settings.app_port (7860); GOVQA_CHROMA_HOST/PORT switch to a Chroma server. Nothing is
fetched from the internet: no analytics, no share link, fonts from the Gradio package.

Named API endpoints (for gradio_client): /ask (the chat: message, region, year, doc, backend),
/ask_json, /upload, /set_meta, /remove, /summary, /summary_json, /documents, /stats, /tables, /audit,
/reuse, /compare.
The work itself is the service layer's (govqa/library.py); rendering is in govqa/webapp_core.py;
this file lays out the UI and wires the events.
"""

from __future__ import annotations

import html
import logging
import os
import queue
import threading
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from govqa import webapp_core as core  # noqa: E402
from govqa.library import LibraryError, UploadOutcome  # noqa: E402
from govqa.meta import FIELD_ZH, meta_display  # noqa: E402
from govqa.model import start_model  # noqa: E402
from govqa.settings import Settings, get_settings  # noqa: E402
from govqa.tabs_assess import build_assess_tab  # noqa: E402
from govqa.types import Status  # noqa: E402

log = logging.getLogger("govqa.app")

EXAMPLE = "2017年山西省全省共受理政府信息公开申请多少件？"
BACKENDS = [("自动（数字从原文抽取，其他事实用大模型）", "auto"), ("仅从原文抽取", "extractive"), ("大模型", "llm")]
ALL = [("全部", "")]

CSS = """
.govqa-answer { font-size: 1.35em; margin: 0.2em 0 0.5em; }
.govqa-refusal { color: #b45309; }
.govqa-draft { color: var(--body-text-color-subdued); }
.govqa-summary table.govqa-figures td:first-child { min-width: 9em; }
.govqa-cite, blockquote.govqa-cite { margin: 0.4em 0; }
mark { background: #ffe58a; color: inherit; padding: 0 2px; border-radius: 2px; }
.govqa-passage { font-size: 0.92em; line-height: 1.7; padding: 0.4em 0.6em; background: var(--background-fill-secondary);
                 border-radius: 6px; margin-top: 0.3em; }
.govqa-summary details.govqa-cite { display: inline-block; vertical-align: top; }
.govqa-summary details.govqa-cite[open] { display: block; }
.govqa-summary details.govqa-cite > summary { cursor: pointer; color: var(--link-text-color); list-style: none; }
.govqa-summary table.govqa-figures td { vertical-align: top; }
.govqa-summary .govqa-value { font-size: 1.1em; white-space: nowrap; }
/* Gradio's toasts title themselves by level in English; show the Chinese word instead. */
.toast-title.error, .toast-title.warning, .toast-title.info, .toast-title.success { font-size: 0 !important; }
.toast-title::before { font-size: var(--text-md); }
.toast-title.error::before { content: "错误"; }
.toast-title.warning::before { content: "注意"; }
.toast-title.info::before { content: "提示"; }
.toast-title.success::before { content: "完成"; }
"""


def _fail(exc: Exception) -> gr.Error:
    """A Chinese message for the user; the traceback goes to the server log only."""
    if isinstance(exc, LibraryError):  # a toast renders HTML: what the message quotes is shown as text
        return gr.Error(html.escape(str(exc)), title="提示", print_exception=False)
    log.exception("handler failed")
    name = type(exc).__name__
    if "Connection" in name or "Connect" in str(exc)[:200]:
        return gr.Error("无法连接向量数据库服务器；请检查 GOVQA_CHROMA_HOST/PORT 与服务器状态。", title="错误",
                        print_exception=False)
    return gr.Error(f"操作失败（{name}），详情见服务器日志。", title="错误", print_exception=False)


NOT_UPLOADED = "只能导入通过本页面上传的文件"


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


def allowed_hosts(settings: Settings) -> list[str]:
    """Host header values the app answers to (without port): its own address, the loopback names, and
    settings.app_allowed_hosts. Any other Host is refused (400), so a web page on another site cannot
    reach the app through DNS rebinding."""
    hosts = {settings.app_host, "127.0.0.1", "localhost", "::1", "[::1]", *settings.app_allowed_hosts}
    if settings.app_host in ("0.0.0.0", "::"):
        import socket

        hosts |= {socket.gethostname(), socket.getfqdn()}
    return sorted(h for h in hosts if h and h not in ("0.0.0.0", "::"))


def build_app(settings: Settings | None = None) -> gr.Blocks:
    settings = settings or get_settings()
    worker = core.LibraryWorker(settings)

    def run(fn, *args, **kwargs):
        try:
            return worker.run(fn, *args, **kwargs)
        except Exception as exc:
            raise _fail(exc) from None

    # -- 问答 -----------------------------------------------------------------------------------
    def chat(message: str, history: list, region: str, year: str, doc: str, backend: str):
        if not (message or "").strip():
            yield "请输入问题。"
            return
        llm = backend == "llm"
        yield ("_正在由大模型阅读相关段落并作答（本机 CPU 上可能需要一分钟）……_" if llm
               else "_正在检索报告并核实引用……（非数字问题可能交给大模型，需要稍久）_")
        tokens: queue.Queue[str] = queue.Queue()
        job = worker.submit(core.ask, message, region or "", year or "", doc or "", backend or "auto", on_token=tokens.put)
        draft = ""
        while not job.done() or not tokens.empty():
            try:
                draft += tokens.get(timeout=0.2)
            except queue.Empty:
                continue
            while not tokens.empty():
                draft += tokens.get_nowait()
            if draft.strip():
                yield core.render_draft(draft)  # the LLM path streams; digits stay masked until verified
        try:
            out = job.result()
        except LibraryError as exc:
            yield f"**提示**：{core.md_text(exc)}"
            return
        except Exception as exc:
            yield f"**出错了**：{_fail(exc).message}"  # already escaped
            return
        # Only now, with the verifier's verdict, is the answer (and every number in it) shown.
        yield core.render_answer(out)

    def ask_json(question: str, region: str = "", year: str = "", doc_id: str = "", backend: str = "auto") -> dict:
        """The verified answer as JSON (values, citations with their passages, or a refusal with the closest passages)."""
        return run(core.ask, question, region, year, doc_id, backend)

    # -- 报告库 -----------------------------------------------------------------------------------
    def documents() -> list[dict]:
        """All ingested documents with metadata, chunk counts and ingest time."""
        return run(lambda lib: [{k: v for k, v in d.to_dict().items() if k != "path"} for d in lib.documents()])

    def stats() -> dict:
        """Counts: documents, text chunks and stored vectors."""
        return run(lambda lib: lib.stats())

    def refresh(region: str, year: str, doc: str, meta_doc: str, remove_doc: str, sum_doc: str, tab_doc: str,
                audit_doc: str, cmp_row: str, cmp_col: str, cmp_docs: list[str] | None):
        docs = run(lambda lib: lib.documents())
        rows, cols = run(lambda lib: lib.table_keys())
        ids = [d.doc_id for d in docs]
        regions = sorted({d.meta.region for d in docs if d.meta.region})  # canonical: one name per area
        years = sorted({str(d.meta.year) for d in docs if d.meta.year}, reverse=True)
        choices = core.doc_choices(docs)

        def pick(value: str, valid: list[str], default: str = "") -> str:
            return value if value in valid else default

        first = ids[0] if ids else None
        table = core.doc_rows(docs)
        n_chunks = sum(d.n_chunks for d in docs)
        summary = (f"共 **{len(docs)}** 份报告，{n_chunks} 个文本块。" if docs
                   else "还没有报告：请在下方上传（.txt .md .html .htm .pdf .docx）。")
        return (
            gr.update(value=table), summary,
            gr.update(choices=ALL + [(r, r) for r in regions], value=pick(region, regions)),
            gr.update(choices=ALL + [(f"{y}年", y) for y in years], value=pick(year, years)),
            gr.update(choices=[("全部报告", "")] + choices, value=pick(doc, ids)),
            gr.update(choices=choices, value=pick(meta_doc, ids, first)),
            gr.update(choices=choices, value=pick(remove_doc, ids, None)),
            gr.update(choices=choices, value=pick(sum_doc, ids, first)),
            gr.update(choices=choices, value=pick(tab_doc, ids, None)),
            gr.update(choices=[("全部报告", "")] + choices, value=pick(audit_doc, ids)),
            gr.update(choices=rows, value=pick(cmp_row, rows, rows[0] if rows else None)),
            gr.update(choices=cols, value=pick(cmp_col, cols, "总计" if "总计" in cols else None)),
            gr.update(choices=choices, value=[d for d in cmp_docs or [] if d in ids]),
        )

    def upload(files: list[str] | None, progress=gr.Progress()):
        if not files:
            raise gr.Error("请先选择要上传的文件（.txt .md .html .htm .pdf .docx）", title="提示", print_exception=False)
        outcomes: list[UploadOutcome] = []
        paths = [Path(str(f)) for f in files]
        for i, p in enumerate(paths):
            progress((i, len(paths)), desc=f"正在导入 {p.name}（{i + 1}/{len(paths)}）", unit="份")
            received = uploaded_file(files[i])
            if received is None:  # a server path sent through the API: refused, whether or not it exists
                outcomes.append(UploadOutcome(p.name, Status.failed, NOT_UPLOADED))
                continue
            try:
                outcomes.append(worker.upload(received, p.name))
            except Exception as exc:
                outcomes.append(UploadOutcome(p.name, Status.failed, _fail(exc).message))
        progress((len(paths), len(paths)), desc="导入完成", unit="份")
        failed = [o for o in outcomes if o.status == Status.failed]
        for o in failed:
            gr.Warning(f"{html.escape(o.name)}：{html.escape(o.message)}", title="导入失败")
        counts = "，".join(f"{core.STATUS_ZH_APP[s]} {n}" for s in Status if (n := sum(o.status == s for o in outcomes)))
        lines = [f"共 {len(outcomes)} 个文件：{counts}。"]
        lines += [f"- 失败 **{core.md_text(o.name)}**：{core.md_text(o.message)}" for o in failed]
        return "\n".join(lines), [core.upload_row(o) for o in outcomes]

    def set_meta(doc_id: str, field: str, value: str) -> str:
        if not doc_id:
            raise gr.Error("请先选择报告", title="提示", print_exception=False)
        meta = run(lambda lib: lib.set_meta(doc_id, {field: value}))
        shown = meta_display(field, getattr(meta, field)) or "（空）"
        return f"已保存：{FIELD_ZH.get(field, field)} = {core.md_text(shown)}"

    def current_value(doc_id: str, field: str) -> str:
        if not doc_id or not field:
            return ""
        docs = run(lambda lib: lib.documents())
        doc = next((d for d in docs if d.doc_id == doc_id), None)
        return meta_display(field, getattr(doc.meta, field)) if doc else ""

    def remove(doc_id: str) -> str:
        if not doc_id:
            raise gr.Error("请先选择要删除的报告", title="提示", print_exception=False)
        record = run(lambda lib: lib.remove(doc_id))
        return f"已删除：{core.md_text(record.label)}"

    # -- 表格 -----------------------------------------------------------------------------------
    def tables_json(doc_id: str) -> list[dict]:
        """The statistical tables' cells of one report: table, kind, row, column, value as printed, unit and span."""
        if not doc_id:
            raise gr.Error("请先选择报告", title="提示", print_exception=False)
        return run(lambda lib: [c.to_dict() for c in lib.tables(doc_id)])

    def tables_view(doc_id: str):
        cells = tables_json(doc_id) if doc_id else []
        rows = [[c["table"], c["kind"], c["row"], c["col"], c["raw"] if c["raw"] else "（空白）", c["unit"] if c["raw"] else ""]
                for c in cells]
        note = f"共 {len(cells)} 个单元格；点击单元格查看原文所在行。" if cells else "该报告中没有识别出统计表。"
        return rows, note, cells

    def cell_source(cells: list[dict], evt: gr.SelectData) -> str:
        if not cells or evt.index is None:
            return ""
        c = cells[evt.index[0]]
        return core.render_cell(c)

    # -- 核查 -----------------------------------------------------------------------------------
    def audit_json(doc_id: str = "") -> list[dict]:
        """Consistency findings (PASS/FAIL/UNCERTAIN) of one report, or of all with doc_id empty, each with its cited cells."""
        return run(core.audit_view, doc_id or "")

    def audit_table(doc_id: str):
        findings = audit_json(doc_id)
        counts = {z: sum(core.AUDIT_ZH[f["status"]] == z for f in findings) for z in core.AUDIT_ZH.values()}
        note = (f"共 {len(findings)} 项核查：" + "，".join(f"{z} {n}" for z, n in counts.items())
                + "。点击一行查看所引单元格与算式。" if findings else "没有可核查的统计表或数字。")
        return core.audit_rows(findings), note, findings, ""

    def finding_source(findings: list[dict], evt: gr.SelectData) -> str:
        if not findings or evt.index is None:
            return ""
        return core.render_finding(findings[evt.index[0]])

    def reuse_json(doc_id: str, against: str = "") -> dict:
        """Sentences and table rows repeated from the same issuer's previous report (or from `against`)."""
        return run(core.reuse_view, doc_id, against)

    def reuse_html(doc_id: str) -> str:
        if not doc_id:
            raise gr.Error("请选择一份报告（不是“全部报告”）", title="提示", print_exception=False)
        return core.render_reuse(reuse_json(doc_id))

    # -- 对比 -----------------------------------------------------------------------------------
    def compare_json(row: str, col: str = "总计", doc_ids: list[str] | None = None) -> dict:
        """One table cell across reports (all, or doc_ids): every point cited to its row; a missing one is null, never 0."""
        return run(core.compare_view, row, col, doc_ids or [])

    def compare_show(row: str, col: str, doc_ids: list[str] | None):
        view = compare_json(row, col, doc_ids)
        return core.compare_frame(view["points"]), core.compare_rows(view["points"]), core.compare_note(view)

    # -- 摘要 -----------------------------------------------------------------------------------
    def summary_json(doc_id: str) -> dict:
        """The cited executive summary of one report (every citation with its passage)."""
        return run(core.summary_view, doc_id)

    def summary_html(doc_id: str) -> str:
        if not doc_id:
            return "<p>请选择一份报告。</p>"
        return core.render_summary(run(core.summary_view, doc_id))

    # -- layout -----------------------------------------------------------------------------------
    with gr.Blocks(title="govqa · 政府信息公开年度报告问答", analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        gr.Markdown("## govqa · 政府信息公开工作年度报告问答\n"
                    "每个数字都附原文引用并经逐字核实；报告里没有的，回答“报告中未找到”。")
        with gr.Tabs():
            with gr.Tab("问答", id="qa"):
                with gr.Row():
                    f_region = gr.Dropdown(ALL, value="", label="地区", allow_custom_value=True, scale=1,
                                           elem_id="govqa-f-region")
                    f_year = gr.Dropdown(ALL, value="", label="年份", allow_custom_value=True, scale=1)
                    f_doc = gr.Dropdown([("全部报告", "")], value="", label="报告", allow_custom_value=True, scale=2,
                                        elem_id="govqa-f-doc")
                    f_backend = gr.Dropdown(BACKENDS, value="auto", label="回答方式", scale=2)
                chatbot = gr.Chatbot(label="问答", height=520, elem_id="govqa-chat", buttons=["copy"], feedback_options=None,
                                     placeholder="问一个关于已导入报告的问题，例如：<br>" + EXAMPLE)
                textbox = gr.Textbox(placeholder="输入问题后按回车，例如：" + EXAMPLE, show_label=False, submit_btn="提问",
                                     stop_btn="停止", elem_id="govqa-question", autofocus=True)
                gr.ChatInterface(chat, chatbot=chatbot, textbox=textbox, additional_inputs=[f_region, f_year, f_doc, f_backend],
                                 api_name="ask", fill_height=False, examples=[[EXAMPLE]], examples_label="示例",
                                 run_examples_on_click=True)
            with gr.Tab("报告库", id="library"):
                lib_stats = gr.Markdown()
                docs_table = gr.Dataframe(headers=core.DOC_HEADERS, interactive=False, wrap=True, label="已导入的报告",
                                          elem_id="govqa-docs")
                with gr.Row():
                    with gr.Column():
                        files = gr.File(label="上传报告（.txt .md .html .htm .pdf .docx，可多选）", file_count="multiple",
                                        type="filepath",
                                        elem_id="govqa-upload")
                        upload_btn = gr.Button("导入", variant="primary", elem_id="govqa-upload-btn")
                    with gr.Column():
                        upload_msg = gr.Markdown(elem_id="govqa-upload-msg")
                        upload_table = gr.Dataframe(headers=core.UPLOAD_HEADERS, interactive=False, wrap=True, label="导入结果")
                with gr.Accordion("修正元数据", open=True):
                    with gr.Row():
                        meta_doc = gr.Dropdown([], label="报告", allow_custom_value=True, scale=3, elem_id="govqa-meta-doc")
                        meta_field = gr.Dropdown([(zh, f) for f, zh in FIELD_ZH.items()], value="region", label="字段",
                                                 scale=1, elem_id="govqa-meta-field")
                        meta_value = gr.Textbox(label="新值（留空则清除）", scale=2, elem_id="govqa-meta-value")
                        meta_btn = gr.Button("保存", scale=1, elem_id="govqa-meta-btn")
                    meta_msg = gr.Markdown(elem_id="govqa-meta-msg")
                with gr.Accordion("表格（统计表的单元格）", open=False):
                    with gr.Row():
                        tab_doc = gr.Dropdown([], label="报告", allow_custom_value=True, scale=4, elem_id="govqa-tables-doc")
                        tab_btn = gr.Button("查看表格", scale=1, elem_id="govqa-tables-btn")
                    tab_note = gr.Markdown()
                    tab_table = gr.Dataframe(headers=["表", "类别", "行", "列", "值", "单位"], interactive=False, wrap=True,
                                             elem_id="govqa-tables")
                    tab_cell = gr.HTML(elem_id="govqa-cell")
                    tab_cells = gr.State([])
                with gr.Accordion("删除报告", open=False):
                    with gr.Row():
                        remove_doc = gr.Dropdown([], label="报告", allow_custom_value=True, scale=4)
                        remove_btn = gr.Button("删除", variant="stop", scale=1)
                    remove_msg = gr.Markdown()
            with gr.Tab("摘要", id="summary"):
                with gr.Row():
                    sum_doc = gr.Dropdown([], label="报告", allow_custom_value=True, scale=4, elem_id="govqa-summary-doc")
                    sum_btn = gr.Button("生成摘要", variant="primary", scale=1, elem_id="govqa-summary-btn")
                sum_out = gr.HTML("<p>选择一份报告，查看带引用的摘要。</p>", elem_id="govqa-summary")

            with gr.Tab("核查", id="audit"):
                with gr.Row():
                    audit_doc = gr.Dropdown([("全部报告", "")], value="", label="报告", allow_custom_value=True, scale=4,
                                            elem_id="govqa-audit-doc")
                    audit_btn = gr.Button("核查勾稽关系", variant="primary", scale=1, elem_id="govqa-audit-btn")
                    reuse_btn = gr.Button("与上一年度文字重复", scale=1, elem_id="govqa-reuse-btn")
                audit_note = gr.Markdown(elem_id="govqa-audit-note")
                audit_table_out = gr.Dataframe(headers=core.AUDIT_HEADERS, interactive=False, wrap=True,
                                               elem_id="govqa-audit")
                audit_cell = gr.HTML(elem_id="govqa-finding")
                audit_state = gr.State([])
                reuse_out = gr.HTML(elem_id="govqa-reuse")
            with gr.Tab("对比", id="compare"):
                with gr.Row():
                    cmp_row = gr.Dropdown([], label="表格行（指标）", allow_custom_value=True, scale=3, elem_id="govqa-cmp-row")
                    cmp_col = gr.Dropdown([], label="列", allow_custom_value=True, scale=1, elem_id="govqa-cmp-col")
                    cmp_docs = gr.Dropdown([], label="报告（留空为全部）", multiselect=True, scale=3, elem_id="govqa-cmp-docs")
                    cmp_btn = gr.Button("对比", variant="primary", scale=1, elem_id="govqa-cmp-btn")
                cmp_note = gr.Markdown(elem_id="govqa-cmp-note")
                cmp_plot = gr.BarPlot(x="报告", y="值", tooltip=["报告", "值", "原文"], label="对比图", height=360,
                                      y_lim=[0, None], elem_id="govqa-cmp-plot")
                cmp_table = gr.Dataframe(headers=core.COMPARE_HEADERS, interactive=False, wrap=True, elem_id="govqa-cmp-table")
            build_assess_tab(run)  # 评估: govqa/tabs_assess.py

        pickers = [f_region, f_year, f_doc, meta_doc, remove_doc, sum_doc, tab_doc, audit_doc, cmp_row, cmp_col, cmp_docs]
        refresh_io = dict(fn=refresh, inputs=pickers, outputs=[docs_table, lib_stats, *pickers], api_visibility="private")
        demo.load(**refresh_io)
        upload_btn.click(upload, [files], [upload_msg, upload_table], api_name="upload").then(**refresh_io).then(
            lambda: None, None, files, api_visibility="private")
        meta_btn.click(set_meta, [meta_doc, meta_field, meta_value], [meta_msg], api_name="set_meta").then(**refresh_io)
        gr.on([meta_doc.change, meta_field.change], current_value, [meta_doc, meta_field], [meta_value], api_visibility="private")
        remove_btn.click(remove, [remove_doc], [remove_msg], api_name="remove").then(**refresh_io)
        sum_btn.click(summary_html, [sum_doc], [sum_out], api_name="summary")
        tab_btn.click(tables_view, [tab_doc], [tab_table, tab_note, tab_cells], api_visibility="private")
        tab_table.select(cell_source, [tab_cells], [tab_cell], api_visibility="private")
        audit_btn.click(audit_table, [audit_doc], [audit_table_out, audit_note, audit_state, audit_cell],
                        api_visibility="private")
        audit_table_out.select(finding_source, [audit_state], [audit_cell], api_visibility="private")
        reuse_btn.click(reuse_html, [audit_doc], [reuse_out], api_visibility="private")
        cmp_btn.click(compare_show, [cmp_row, cmp_col, cmp_docs], [cmp_plot, cmp_table, cmp_note], api_visibility="private")
        gr.api(audit_json, api_name="audit")
        gr.api(reuse_json, api_name="reuse")
        gr.api(compare_json, api_name="compare")
        gr.api(tables_json, api_name="tables")
        gr.api(ask_json, api_name="ask_json")
        gr.api(summary_json, api_name="summary_json")
        gr.api(documents, api_name="documents")
        gr.api(stats, api_name="stats")
    demo.govqa_worker = worker  # type: ignore[attr-defined]
    return demo


def launch_kwargs(settings: Settings) -> dict[str, Any]:
    """launch() options: local, offline, no tracebacks in the browser. Gradio's own upload cap is
    kept well above max_file_mb so that our check, with its Chinese message, is the one users meet.
    Requests whose Host header is not one of allowed_hosts(settings) get 400 (DNS rebinding)."""
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    return dict(
        app_kwargs={"middleware": [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings))]},
        server_name=settings.app_host, server_port=settings.app_port, show_error=False, share=False, ssr_mode=False,
        max_file_size=f"{max(1, int(settings.max_file_mb * 4))}mb", footer_links=["api", "settings"], run_history=False,
        theme=gr.themes.Default(font=[gr.themes.LocalFont("Source Sans Pro"), "PingFang SC", "Microsoft YaHei",
                                      "Noto Sans CJK SC", "WenQuanYi Micro Hei", "sans-serif"]),
        css=CSS,
    )


def _start_model(settings: Settings) -> None:
    why = start_model(settings)
    if why:
        log.warning("大模型未启动，问答将只用原文抽取：%s", why)


def main(host: str | None = None, port: int | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = get_settings()
    updates = {k: v for k, v in (("app_host", host), ("app_port", port)) if v}
    if updates:
        settings = settings.model_copy(update=updates)
    demo = build_app(settings)
    try:  # open the library now: a wrong server address should stop the start, not the first question
        docs = demo.govqa_worker.run(lambda lib: lib.documents())  # type: ignore[attr-defined]
    except LibraryError as exc:
        raise SystemExit(str(exc)) from None
    print(f"govqa：报告库 {settings.data_dir}，{len(docs)} 份报告；在浏览器打开 http://{settings.app_host}:{settings.app_port}",
          flush=True)
    # The model server loads beside the app: questions are answered by extraction until it is up.
    threading.Thread(target=_start_model, args=(settings,), name="govqa-model-start", daemon=True).start()
    try:
        demo.queue(default_concurrency_limit=2).launch(quiet=True, **launch_kwargs(settings))
    except OSError as exc:
        where = f"{settings.app_host}:{settings.app_port}"
        log.debug("launch failed", exc_info=exc)
        raise SystemExit(f"无法在 {where} 上启动：端口已被占用或不可用（用 --port 或 GOVQA_APP_PORT 换一个）") from None


if __name__ == "__main__":
    main()
