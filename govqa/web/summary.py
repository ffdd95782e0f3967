"""摘要: a report's cited executive summary (each citation with its page), downloadable as Markdown.
Endpoints: /summary (HTML), /summary_json, /summary_markdown."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from govqa import webapp_core as core
from govqa.web.shell import Shell, notice

PROMPT = "<p>选择一份报告，查看带引用的摘要。</p>"


def markdown_file(shell: Shell, doc_id: str) -> str | None:
    """The summary as a Markdown file (named after the report's file) for the download button."""
    if not doc_id:
        return None
    text, source = shell.run(lambda lib: (lib.summary_markdown(doc_id), lib.document(doc_id).source))
    folder = Path(tempfile.mkdtemp(prefix="govqa-summary-"))
    path = folder / f"{Path(source).stem}_摘要.md"
    path.write_text(text, encoding="utf-8")
    return str(path)


def build(shell: Shell) -> None:
    def summary_json(doc_id: str) -> dict:
        """The cited executive summary of one report (every citation with its passage and page)."""
        return shell.run(core.summary_view, doc_id)

    def summary_html(doc_id: str) -> str:
        if not doc_id:
            return "<p>请选择一份报告。</p>"
        return core.render_summary(shell.run(core.summary_view, doc_id))

    def summary_markdown(doc_id: str) -> str:
        """The summary as Markdown (what the download holds), each citation with its page."""
        if not doc_id:
            raise notice("请选择一份报告")
        return shell.run(lambda lib: lib.summary_markdown(doc_id))

    with gr.Tab("摘要", id="summary"):
        with gr.Row():
            doc = shell.picker(gr.Dropdown([], label="报告", allow_custom_value=True, scale=4, elem_id="govqa-summary-doc"),
                               "doc_first")
            button = gr.Button("生成摘要", variant="primary", scale=1, elem_id="govqa-summary-btn")
        out = gr.HTML(PROMPT, elem_id="govqa-summary")
        download = gr.File(label="下载摘要（Markdown）", interactive=False, elem_id="govqa-summary-md")
    button.click(summary_html, [doc], [out], api_name="summary").then(
        lambda d: markdown_file(shell, d), [doc], [download], api_visibility="private")
    shell.endpoint(summary_json, "summary_json")
    shell.endpoint(summary_markdown, "summary_markdown")
