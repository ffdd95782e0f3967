"""The LLM path for real: the default GGUF in its own process (llama_cpp.server on 127.0.0.1, started
by govqa), the same model behind a server the user runs (the openai backend), and what happens when
the model process dies mid-question. Prompt parsing with a fake reply."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from bot.llm import FALLBACK_NOTICE, assemble_default_model, local_server, prompt_messages
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


def test_local_gguf_answers_a_fact_question_through_its_own_process(plan):
    ans = plan.ask(FACT_Q, backend="llm").answer
    _check_ipv6(ans)
    server = local_server(plan.settings)
    assert server.pid and server.pid != os.getpid()  # the model is not in this process
    assert not ans.fallback


def test_completion_round_trip_shows_no_amx_and_a_time(plan):
    from govqa.model import doctor

    checks = {c.name: c for c in doctor(plan.settings)}
    assert all(c.ok for c in checks.values()), [(c.name, c.detail, c.fix) for c in checks.values() if not c.ok]
    assert "AVX2 = 1" in checks["llama.cpp 指令集"].detail and "AMX" not in checks["llama.cpp 指令集"].detail
    assert "用时" in checks["一次补全"].detail and "'是'" in checks["一次补全"].detail


def test_model_killed_mid_question_falls_back_then_recovers(plan):
    """SIGKILL of the model server while it is writing: that question is answered by extraction with the
    notice; the next question starts a new server and is answered by the LLM again."""
    server = local_server(plan.settings)
    server.ensure()
    starts, victim = server.starts, server.pid
    killed = threading.Event()

    def kill_on_first_token(_: str) -> None:
        if not killed.is_set():
            killed.set()
            os.kill(victim, signal.SIGKILL)

    ans = plan.ask(FACT_Q, backend="llm", on_token=kill_on_first_token).answer
    assert killed.is_set()
    assert ans.fallback.startswith(FALLBACK_NOTICE), ans.fallback
    assert ans.backend == "extractive"
    assert not ans.refused and "IPv6" in ans.answer  # extraction found the sentence itself
    again = plan.ask(FACT_Q, backend="llm").answer
    _check_ipv6(again)
    assert not again.fallback and server.starts == starts + 1 and server.pid != victim


def test_a_model_that_cannot_start_never_fails_the_question(plan, tmp_path):
    """A broken model file: the server exits at start; the question is still answered, with the notice."""
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    settings = plan.settings.model_copy(update={"llm_model_path": bad, "llm_start_timeout_s": 60})
    ans = Library(settings).ask(FACT_Q, backend="llm").answer
    assert ans.fallback.startswith(FALLBACK_NOTICE) and "模型服务" in ans.fallback
    assert not ans.refused and "IPv6" in ans.answer


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


def _model_servers_of(pid: int) -> list[int]:
    """The llama_cpp.server processes started by process ``pid``."""
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        for child in open(f"/proc/{pid}/task/{task}/children").read().split():
            try:
                cmd = open(f"/proc/{child}/cmdline", "rb").read()
            except OSError:
                continue
            if b"llama_cpp.server" in cmd:
                out.append(int(child))
    return out


APP_QUESTIONS = [
    ("2017年山西省全省共受理政府信息公开申请多少件？", "1695"),
    ("今年公开工作有什么问题？", None),
    ("山西省2017年主动公开政府信息多少条？", None),
    (FACT_Q, "IPv6"),
    ("What did Shanxi publish in 2018?", None),
]


def test_app_keeps_answering_when_the_model_process_is_killed(plan, tmp_path):
    """`govqa serve` as its own process: 20 questions (numbers and vague ones, in auto mode) through
    /ask_json, the model server SIGKILLed once in between. Every question gets an answer or a refusal,
    and the app process never dies."""
    from gradio_client import Client

    plan.add([DEMO / "000_e718e0343c84cd48.txt"])
    port = _free_port()
    env = {**os.environ, "GOVQA_DATA_DIR": str(plan.settings.data_dir), "GOVQA_CACHE_DIR": str(plan.settings.cache_path),
           "GOVQA_APP_PORT": str(port)}
    app = subprocess.Popen([sys.executable, "-m", "govqa.cli", "serve"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _model_servers_of(app.pid):  # serve starts the model beside the app
            assert app.poll() is None and time.monotonic() < deadline, "the app or its model server did not start"
            time.sleep(0.5)
        client = None
        while client is None:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            except Exception:
                assert app.poll() is None and time.monotonic() < deadline
                time.sleep(0.5)
        answered, notices, killed = 0, 0, []
        for i in range(20):
            if i == 7:
                killed = _model_servers_of(app.pid)
                for pid in killed:
                    os.kill(pid, signal.SIGKILL)
            question, expect = APP_QUESTIONS[i % len(APP_QUESTIONS)]
            out = client.predict(question, "", "", "", "auto", api_name="/ask_json")
            assert app.poll() is None, f"the app died at question {i + 1}"
            assert out["refused"] or out["answer"], out
            if expect:
                assert not out["refused"] and expect in out["answer"], out
            answered += 1
            notices += bool(out.get("fallback") and out["fallback"].startswith(FALLBACK_NOTICE))
        assert answered == 20 and killed
        later = _model_servers_of(app.pid)
        assert later and not set(later) & set(killed)  # a fresh model server took over
        assert notices <= 1  # only a question that met the dead server falls back
    finally:
        app.terminate()
        app.wait(timeout=30)
