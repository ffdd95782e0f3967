"""The model as a service for the shells: start the local model server early (`govqa serve`), and
`govqa doctor`, which says whether this machine can run the LLM path and what to do when not.

Why a doctor: llama.cpp is built from source on the user's machine. A build with native flags can
crash on a CPU feature (AMX) that the next machine has and this one did not; the doctor shows the
flags the build uses and runs one real completion through the server, with its time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import platform
import time
from dataclasses import dataclass

from govqa.settings import Settings

# CPU features a portable build must not use (ggml's AMX path segfaults on our Q4_K_M model).
FORBIDDEN_FEATURES = ("AMX_INT8", "AMX_BF16", "AMX_TILE", "AVX512")
DOCTOR_PROMPT = "只回答一个字：是"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""  # what to do when not ok (Chinese)


def start_model(settings: Settings) -> str:
    """Start the local model server now (``govqa serve`` does this at start, so the first question does
    not wait for the model). Returns "" when it runs, or why it does not (the app then answers by extraction)."""
    if settings.llm_backend != "llama_cpp":
        return ""
    from bot.llm import LLMUnavailable, local_server
    from bot.llm_server import ServerFailed

    try:
        local_server(settings).ensure()
        return ""
    except (LLMUnavailable, ServerFailed) as exc:
        return str(exc)


def _version(name: str) -> str:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return ""


def _versions() -> list[Check]:
    out = [Check("Python", True, platform.python_version())]
    for name, fix in (("torch", "make install（先装 CPU 版 torch==2.13.0）"), ("chromadb", "make install"),
                      ("llama-cpp-python", "make install（以可移植参数从源码构建）")):
        v = _version(name)
        out.append(Check(name, bool(v), v or "未安装", "" if v else fix))
    return out


def _system_info() -> Check:
    try:
        import llama_cpp

        info = llama_cpp.llama_print_system_info().decode(errors="replace").strip()
    except Exception as exc:  # noqa: BLE001 - any import or load failure is the finding itself
        return Check("llama.cpp 指令集", False, f"无法加载 llama.cpp（{type(exc).__name__}: {exc}）", "make install")
    bad = [f for f in FORBIDDEN_FEATURES if f"{f} = 1" in info]
    fix = "" if not bad else ("llama-cpp-python 以本机指令集构建（含 " + "、".join(bad) + "），在部分 CPU 上会崩溃："
                              "rm -rf .whl .venv 后重新 make install")
    return Check("llama.cpp 指令集", not bad, info, fix)


def _model_file(settings: Settings) -> Check:
    from bot.llm import DEFAULT_GGUF_SHA256, LLMUnavailable, assemble_default_model

    try:
        path = settings.llm_model_path or assemble_default_model(settings.cache_path)
    except LLMUnavailable as exc:
        return Check("模型文件", False, str(exc), "make install")
    if not path.exists():
        return Check("模型文件", False, f"找不到 {path}", "检查 GOVQA_LLM_MODEL_PATH，或去掉它使用自带模型")
    if settings.llm_model_path:
        return Check("模型文件", True, f"{path}（自选模型，不校验）")
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    ok = digest.hexdigest() == DEFAULT_GGUF_SHA256
    return Check("模型文件", ok, f"{path}，sha256 {'一致' if ok else '不一致：' + digest.hexdigest()}",
                 "" if ok else f"删除 {path} 后重试（会从模型分包重新拼接）")


def _completion(settings: Settings) -> Check:
    from langchain_core.messages import HumanMessage

    from bot.llm import LLMUnavailable, make_chat_model, model_call

    t0 = time.perf_counter()
    try:
        model = make_chat_model(settings).bind(max_tokens=8)
        started = time.perf_counter()
        with model_call(settings):
            reply = str(model.invoke([HumanMessage(DOCTOR_PROMPT)]).content).strip()
    except LLMUnavailable as exc:
        return Check("一次补全", False, str(exc),
                     "查看 data_dir/cache/logs/model_server.log；或设 GOVQA_LLM_BACKEND=none 只用原文抽取")
    took = time.perf_counter() - started
    load = started - t0
    return Check("一次补全", bool(reply), f"{reply!r}，用时 {took:.2f} 秒（启动模型服务 {load:.1f} 秒）",
                 "" if reply else "模型没有输出：查看 data_dir/cache/logs/model_server.log")


def doctor(settings: Settings) -> list[Check]:
    """Every check, in the order a user would fix them."""
    checks = _versions()
    if settings.llm_backend == "none":
        return [*checks, Check("大模型", True, "已关闭（GOVQA_LLM_BACKEND=none），只用原文抽取")]
    if settings.llm_backend == "llama_cpp":
        checks += [_system_info(), _model_file(settings)]
    return [*checks, _completion(settings)]
