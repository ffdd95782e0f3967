"""问答: ask a question about the stored reports; the verified answer with its citations (each a link to
its page), filters for region, year and report above the chat. /ask (the chat) and /ask_json."""

from __future__ import annotations

import queue

import gradio as gr

from govqa import webapp_core as core
from govqa.library import LibraryError
from govqa.web.shell import ALL, ALL_DOCS, Shell, fail

EXAMPLE = "2017年山西省全省共受理政府信息公开申请多少件？"
BACKENDS = [("自动（数字从原文抽取，其他事实用大模型）", "auto"), ("仅从原文抽取", "extractive"), ("大模型", "llm")]
TOKEN_WAIT_S = 0.2  # how often the chat looks for the LLM's next words


def chat(shell: Shell, message: str, region: str, year: str, doc: str, backend: str):
    """The chat's reply, streamed: a waiting line, the LLM's draft with its digits masked, then the verified
    answer (only then is any number shown)."""
    if not (message or "").strip():
        yield "请输入问题。"
        return
    yield ("_正在由大模型阅读相关段落并作答（本机 CPU 上可能需要一分钟）……_" if backend == "llm"
           else "_正在检索报告并核实引用……（非数字问题可能交给大模型，需要稍久）_")
    tokens: queue.Queue[str] = queue.Queue()
    job = shell.worker.submit(core.ask, message, region or "", year or "", doc or "", backend or "auto", on_token=tokens.put)
    draft = ""
    while not job.done() or not tokens.empty():
        try:
            draft += tokens.get(timeout=TOKEN_WAIT_S)
        except queue.Empty:
            continue
        while not tokens.empty():
            draft += tokens.get_nowait()
        if draft.strip():
            yield core.render_draft(draft)
    try:
        out = job.result()
    except LibraryError as exc:
        yield f"**提示**：{core.md_text(exc)}"
        return
    except Exception as exc:
        yield f"**出错了**：{fail(exc).message}"  # already escaped
        return
    yield core.render_answer(out)


def build(shell: Shell) -> None:
    def reply(message: str, history: list, region: str, year: str, doc: str, backend: str):
        yield from chat(shell, message, region, year, doc, backend)

    def ask_json(question: str, region: str = "", year: str = "", doc_id: str = "", backend: str = "auto") -> dict:
        """The verified answer as JSON (values, citations with their passages and pages, or a refusal with the
        closest passages; a computed difference or ratio under "derived")."""
        return shell.run(core.ask, question, region, year, doc_id, backend)

    with gr.Tab("问答", id="qa"):
        with gr.Row():
            region = shell.picker(gr.Dropdown(ALL, value="", label="地区", allow_custom_value=True, scale=1,
                                          elem_id="govqa-f-region"), "region")
            year = shell.picker(gr.Dropdown(ALL, value="", label="年份", allow_custom_value=True, scale=1), "year")
            doc = shell.picker(gr.Dropdown(ALL_DOCS, value="", label="报告", allow_custom_value=True, scale=2,
                                           elem_id="govqa-f-doc"), "doc_all")
            backend = gr.Dropdown(BACKENDS, value="auto", label="回答方式", scale=2)
        chatbot = gr.Chatbot(label="问答", height=520, elem_id="govqa-chat", buttons=["copy"], feedback_options=None,
                             placeholder="问一个关于已导入报告的问题，例如：<br>" + EXAMPLE)
        textbox = gr.Textbox(placeholder="输入问题后按回车，例如：" + EXAMPLE, show_label=False, submit_btn="提问",
                             stop_btn="停止", elem_id="govqa-question", autofocus=True)
        gr.ChatInterface(reply, chatbot=chatbot, textbox=textbox, additional_inputs=[region, year, doc, backend],
                         api_name="ask", fill_height=False, examples=[[EXAMPLE]], examples_label="示例",
                         run_examples_on_click=True)
    shell.endpoint(ask_json, "ask_json")
