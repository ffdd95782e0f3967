"""What every tab of the app shares: the library's worker, Chinese error messages, the pickers that
follow the library (refreshed together whenever it changes), the citation viewer, and the named API
endpoints. Each tab is a module of govqa/web with ``build(shell)``; app.py lays them out in order.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from govqa import webapp_core as core
from govqa.library import LibraryError
from govqa.settings import Settings
from govqa.types import LEVEL_ZH

log = logging.getLogger("govqa.app")
ALL = [("全部", "")]
ALL_DOCS = [("全部报告", "")]


def fail(exc: Exception) -> gr.Error:
    """A Chinese message for the user; the traceback goes to the server log only."""
    if isinstance(exc, LibraryError):  # a toast renders HTML: what the message quotes is shown as text
        return gr.Error(html.escape(str(exc)), title="提示", print_exception=False)
    log.exception("handler failed")
    name = type(exc).__name__
    if "Connection" in name or "Connect" in str(exc)[:200]:
        return gr.Error("无法连接向量数据库服务器；请检查 GOVQA_CHROMA_HOST/PORT 与服务器状态。", title="错误",
                        print_exception=False)
    return gr.Error(f"操作失败（{name}），详情见服务器日志。", title="错误", print_exception=False)


def notice(message: str) -> gr.Error:
    """A user's slip (nothing chosen): said in Chinese, no traceback."""
    return gr.Error(message, title="提示", print_exception=False)


@dataclass
class Choices:
    """What the pickers offer, read once per refresh."""

    docs: list[Any]
    rows: list[str]
    cols: list[str]

    @property
    def ids(self) -> list[str]:
        return [d.doc_id for d in self.docs]


def _keep(value: Any, valid: list[Any], default: Any = "") -> Any:
    return value if value in valid else default


def _regions(c: Choices, value: Any) -> dict:
    regions = sorted({d.meta.region for d in c.docs if d.meta.region})  # canonical: one name per area
    return gr.update(choices=ALL + [(r, r) for r in regions], value=_keep(value, regions))


def _years(c: Choices, value: Any) -> dict:
    years = sorted({str(d.meta.year) for d in c.docs if d.meta.year}, reverse=True)
    return gr.update(choices=ALL + [(f"{y}年", y) for y in years], value=_keep(value, years))


def _levels(c: Choices, value: Any) -> dict:
    levels = [k for k in LEVEL_ZH if any(d.meta.level == k for d in c.docs)]
    return gr.update(choices=ALL + [(LEVEL_ZH[k], str(k)) for k in levels], value=_keep(value, levels))


# How each kind of picker is refreshed from the library: (choices, current value) -> gr.update.
PICKERS: dict[str, Callable[[Choices, Any], dict]] = {
    "region": _regions,
    "year": _years,
    "level": _levels,
    "doc_all": lambda c, v: gr.update(choices=ALL_DOCS + core.doc_choices(c.docs), value=_keep(v, c.ids)),
    "doc_first": lambda c, v: gr.update(choices=core.doc_choices(c.docs), value=_keep(v, c.ids, c.ids[0] if c.ids else None)),
    "doc_none": lambda c, v: gr.update(choices=core.doc_choices(c.docs), value=_keep(v, c.ids, None)),
    "docs": lambda c, v: gr.update(choices=core.doc_choices(c.docs), value=[d for d in v or [] if d in c.ids]),
    "row": lambda c, v: gr.update(choices=c.rows, value=_keep(v, c.rows, c.rows[0] if c.rows else None)),
    "col": lambda c, v: gr.update(choices=c.cols, value=_keep(v, c.cols, "总计" if "总计" in c.cols else None)),
}


def _library_summary(c: Choices) -> str:
    n_chunks = sum(d.n_chunks for d in c.docs)
    return (f"共 **{len(c.docs)}** 份报告，{n_chunks} 个文本块。" if c.docs
            else "还没有报告：请在下方上传（.txt .md .html .htm .pdf .docx）。")


# Outputs that only show the library (no value to keep).
VIEWS: dict[str, Callable[[Choices], Any]] = {
    "docs_table": lambda c: gr.update(value=core.doc_rows(c.docs)),
    "library_summary": _library_summary,
}


@dataclass
class Shell:
    settings: Settings
    worker: core.LibraryWorker
    pickers: list[tuple[Any, str]] = field(default_factory=list)
    views: list[tuple[Any, str]] = field(default_factory=list)
    changes: list[Any] = field(default_factory=list)  # events after which the library may have changed
    endpoints: list[tuple[Callable, str]] = field(default_factory=list)
    cite_key: Any = None  # the citation viewer's hidden input (govqa/web/viewer.py)

    def run(self, fn: Callable, *args: Any, **kwargs: Any) -> Any:
        """Run on the library's thread; any error becomes a Chinese message."""
        try:
            return self.worker.run(fn, *args, **kwargs)
        except Exception as exc:
            raise fail(exc) from None

    def picker(self, component: Any, kind: str) -> Any:
        """Register a picker of this kind (see PICKERS): its choices follow the library."""
        assert kind in PICKERS, kind
        self.pickers.append((component, kind))
        return component

    def view(self, component: Any, kind: str) -> Any:
        assert kind in VIEWS, kind
        self.views.append((component, kind))
        return component

    def changed_by(self, event: Any) -> Any:
        """The pickers refresh after this event (an upload, a removal, a metadata correction)."""
        self.changes.append(event)
        return event

    def endpoint(self, fn: Callable, name: str) -> None:
        """A named API endpoint (gradio_client), registered when the app is wired."""
        self.endpoints.append((fn, name))

    def refresh(self, *values: Any) -> list[Any]:
        docs, (rows, cols) = self.run(lambda lib: (lib.documents(), lib.table_keys()))
        c = Choices(docs, rows, cols)
        return ([VIEWS[k](c) for _, k in self.views]
                + [PICKERS[k](c, v) for (_, k), v in zip(self.pickers, values)])

    def wire(self, demo: gr.Blocks) -> None:
        """Page load and every library change refresh the views and pickers; the endpoints go live."""
        io = dict(fn=self.refresh, inputs=[c for c, _ in self.pickers],
                  outputs=[c for c, _ in self.views] + [c for c, _ in self.pickers], api_visibility="private")
        demo.load(**io)
        for event in self.changes:
            event.then(**io)
        for fn, name in self.endpoints:
            gr.api(fn, api_name=name)
