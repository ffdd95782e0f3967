"""The citation viewer: a panel on the right that any tab's citation link opens (govqa/web/client.py
sends the clicked link's key to a hidden box). For a PDF it shows the cited page with the passage boxed
in blue and the answered cell or number in red, and links the original file opened at that page; for
other formats, the passage in its paragraph or table row, and the file."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import gradio as gr

from govqa import webapp_core as core
from govqa.web.shell import Shell

PROMPT = "<p>点击回答、摘要、核查或对比中的“第N页 · 查看原文”，在这里查看原文页面。</p>"


def file_url(path: str, page: int | None) -> str:
    """A link to the original file, served by Gradio from its upload folder (a copy is put there), opened
    at the cited page by the browser's PDF viewer (#page=N)."""
    from gradio.processing_utils import save_file_to_cache
    from gradio.utils import get_upload_folder

    cached = save_file_to_cache(path, get_upload_folder())
    return f"gradio_api/file={quote(cached)}" + (f"#page={page}" if page else "")


def render_view(v: dict[str, Any]) -> str:
    """Heading, where, the quote (a table row as a table), and the link to the original file."""
    body = core.row_table(v["quote"], v["start"], v["span"]) if core.is_row_line(v["quote"]) else core.esc(v["quote"])
    out = [f"<h3>{core.esc(v['label'])}</h3>", f"<p><b>{core.esc(v['where'])}</b> · {core.esc(v['source'])}</p>",
           f"<blockquote class=\"govqa-cite\">{body}</blockquote>"]
    if not v["png"]:
        out.append(f"<div class=\"govqa-passage\">…{core.esc(v['before'])}<b>{core.esc(v['quote'])}</b>"
                   f"{core.esc(v['after'])}…</div>")
    if v.get("file"):
        where = f"（{v['where']}）" if v["page"] else ""
        out.append(f"<p><a id=\"govqa-original\" href=\"{file_url(v['file'], v['page'])}\" target=\"_blank\" "
                   f"rel=\"noopener\">打开原文件{core.esc(where)}</a></p>")
    elif v.get("file_error"):
        out.append(f"<p><small>{core.esc(v['file_error'])}</small></p>")
    return "".join(out)


def build(shell: Shell) -> None:
    """The panel, closed until a citation is clicked."""
    with gr.Sidebar(label="原文", open=False, position="right", width="48%", elem_id="govqa-viewer") as panel:
        key = gr.Textbox(elem_id="govqa-cite-key", elem_classes=["govqa-hidden"], show_label=False, container=False)
        info = gr.HTML(PROMPT, elem_id="govqa-viewer-info")
        image = gr.Image(label="原文页面（蓝框：引用段落；红框：所答单元格）", type="pil", interactive=False, visible=False,
                         elem_id="govqa-viewer-image", buttons=["download", "fullscreen"])

    def show(k: str):
        from PIL import Image

        view = shell.run(core.citation_view, k)
        picture = Image.open(io.BytesIO(view["png"])) if view["png"] else None
        return gr.Sidebar(open=True), render_view(view), gr.Image(value=picture, visible=picture is not None)

    def citation_json(citation: str) -> dict:
        """Where a citation (doc:start:end:value_start:value_end) is in its file: page, boxes, the file."""
        view = shell.run(core.citation_view, citation)
        return {k: v for k, v in view.items() if k != "png"} | {"has_page_image": view["png"] is not None}

    key.change(show, [key], [panel, info, image], api_visibility="private", show_progress="minimal")
    shell.cite_key = key
    shell.endpoint(citation_json, "citation")
