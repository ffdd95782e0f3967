"""The govqa browser app (Gradio): 问答, 报告库, 摘要, 总览, 核查, 对比 and 评估 tabs over one library of reports,
and a citation viewer on the right that shows a cited PDF page with the passage boxed.

Run with `python app.py` or `govqa serve`. It binds settings.app_host (127.0.0.1) on
settings.app_port (7860); GOVQA_CHROMA_HOST/PORT switch to a Chroma server. Nothing is
fetched from the internet: no analytics, no share link, fonts from the Gradio package.

Named API endpoints (for gradio_client): /ask (the chat: message, region, year, doc, backend),
/ask_json, /citation, /upload, /set_meta, /remove, /summary, /summary_json, /summary_markdown, /documents,
/stats, /tables, /overview, /audit, /reuse, /compare, /assess, /assess_ranking.
The work itself is the service layer's (govqa/library.py); each tab is a module of govqa/web (its
layout, events and rendering); this file puts them together and starts the server.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from govqa import webapp_core as core  # noqa: E402
from govqa.library import LibraryError  # noqa: E402
from govqa.model import start_model  # noqa: E402
from govqa.settings import Settings, get_settings  # noqa: E402
from govqa.web import assess, audit, compare, library_tab, overview, qa, summary, viewer  # noqa: E402
from govqa.web.client import CSS, HEAD  # noqa: E402
from govqa.web.library_tab import NOT_UPLOADED, uploaded_file  # noqa: E402,F401  (kept importable from app)
from govqa.web.shell import Shell  # noqa: E402

log = logging.getLogger("govqa.app")

# The tabs in order; each module lays out its tab and wires its events (``build(shell)``).
TABS = [qa, library_tab, summary, overview, audit, compare, assess]


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
    """The app: the citation viewer, the tabs in TABS, then the pickers and endpoints wired to the library."""
    settings = settings or get_settings()
    worker = core.LibraryWorker(settings)
    shell = Shell(settings, worker)
    with gr.Blocks(title="govqa · 政府信息公开年度报告问答", analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        gr.Markdown("## govqa · 政府信息公开工作年度报告问答\n每个数字都附原文引用并经逐字核实，"
                    "点击“第N页 · 查看原文”可在原页上看到它；报告里没有的，回答“报告中未找到”。")
        viewer.build(shell)
        with gr.Tabs():
            for tab in TABS:
                tab.build(shell)
        shell.wire(demo)
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
        css=CSS, head=HEAD,
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
