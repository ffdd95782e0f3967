"""The LLM path for real: the default GGUF through llama-cpp-python in process, and the same model
behind an OpenAI-compatible server (llama_cpp.server) on 127.0.0.1. Prompt parsing with a fake reply."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from bot.llm import assemble_default_model, prompt_messages
from bot.llm_answer import parse_reply
from govqa.library import Library
from tests.conftest import DEMO

FACT_Q = "山西省2018年政务公开工作要点要求省政府门户网站在年内完成部署什么？"


def test_prompt_file_becomes_chat_turns():
    msgs = prompt_messages("answer", passages="[1] 某句。", question="某问题？")
    roles = [type(m).__name__ for m in msgs]
    assert roles[0] == "SystemMessage" and roles[-1] == "HumanMessage"
    assert roles.count("AIMessage") >= 2  # two worked examples
    assert msgs[-1].content == "段落：\n[1] 某句。\n问题：某问题？"  # the file's template, filled in


def test_reply_parsing():
    assert parse_reply("213件\n依据：[2]") == ("213件", [2])
    assert parse_reply("答案：某省人民政府办公厅 依据：[1]") == ("某省人民政府办公厅", [1])


@pytest.fixture(scope="module")
def plan(tmp_path_factory, cache_dir) -> Library:
    from govqa.settings import Settings

    lib = Library(Settings(data_dir=tmp_path_factory.mktemp("llm") / "data", cache_dir=cache_dir))
    assert not lib.add([DEMO / "002_8bd63bc0f1252708.txt"]).failed
    return lib


def _check_ipv6(ans):
    assert not ans.refused, ans.answer
    assert ans.backend.startswith("llm:")
    assert "IPv6" in ans.answer or "互联网协议第六版" in ans.answer
    for c in ans.citations:
        assert c.quote in ans.answer or ans.answer in c.quote


def test_local_gguf_answers_a_fact_question(plan):
    ans = plan.ask(FACT_Q, backend="llm").answer
    _check_ipv6(ans)


def test_llm_reply_streams_token_by_token_and_the_draft_hides_digits(plan):
    from govqa.webapp_core import render_draft

    tokens: list[str] = []
    ans = plan.ask(FACT_Q, backend="llm", on_token=tokens.append).answer
    _check_ipv6(ans)
    assert len(tokens) > 3  # pieces as generated, not one final string
    assert "IPv6" in "".join(tokens) or "互联网协议第六版" in "".join(tokens)
    draft = render_draft("全省共受理申请1695件，一千六百九十五件")
    assert "1695" not in draft and "一千六百九十五" not in draft and "尚未核实" in draft


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_openai_compatible_server(plan):
    model = assemble_default_model(plan.settings.cache_path)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "qwen-local",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--chat_format", "chatml", "--verbose", "False"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not start")
        settings = plan.settings.model_copy(update={
            "llm_backend": "openai", "llm_base_url": f"http://127.0.0.1:{port}/v1", "llm_model": "qwen-local"})
        ans = Library(settings).ask(FACT_Q, backend="llm").answer
        _check_ipv6(ans)
        assert ans.backend == "llm:qwen-local"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
