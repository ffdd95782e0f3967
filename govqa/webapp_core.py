"""What the browser app (app.py) does besides layout: the library's own thread, and the rendering
of answers and summaries to HTML. The work itself is the service layer's (govqa/library.py).

The library lives in one worker thread: its SQLite store may not cross threads, and one writer
at a time keeps the store's indexes in step while several browser tabs are open.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from govqa.cells import cells_in_text, is_row_line
from govqa.library import EmbedAhead, Library, LibraryError, UploadOutcome
from govqa.meta import region_text
from govqa.settings import Settings
from govqa.types import KIND_ZH, LEVEL_ZH, STATUS_ZH, DocRecord, ReportMeta

T = TypeVar("T")

DOC_HEADERS = ["编号", "文件名", "标题", "地区", "级别", "年份", "类型", "发布单位", "发布日期", "块数", "导入时间", "识别依据"]
UPLOAD_HEADERS = ["文件", "结果", "说明"]
STATUS_ZH_APP = {**STATUS_ZH, "unchanged": "已存在"}


# -- the library's thread --------------------------------------------------------------------------
class LibraryWorker:
    """The library's thread, and a second one that reads and embeds uploads ahead (ingest.pipeline.prepare)
    with a model of its own, so that an upload holds the library's thread only for the quick write."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govqa-library")
        self._prep = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govqa-embed-ahead")
        self._uploads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govqa-upload")
        self._library: Library | None = None
        self._embed_ahead = EmbedAhead(settings)

    def upload(self, src: Path, name: str, on_page: Callable[[int, int, bool], None] | None = None) -> UploadOutcome:
        """Read the file (in the bounded worker process: a scan is OCR'd there, page by page) and embed its
        chunks on the preparing thread, then store what was read on the library's thread: questions never
        wait for a file being read."""
        prepared = self._prep.submit(self._embed_ahead, src, on_page).result()
        return self.run(lambda lib: lib.upload(src, name, prepared, on_page))

    def start_upload(self, src: Path, name: str, on_page: Callable[[int, int, bool], None] | None = None) -> Future:
        """``upload`` without waiting: the caller shows the pages as they are read."""
        return self._uploads.submit(self.upload, src, name, on_page)

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self.submit(fn, *args, **kwargs).result()

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future:
        """Queue work on the library's thread without waiting (the chat streams while it runs)."""
        return self._pool.submit(self._call, fn, args, kwargs)

    def _call(self, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
        if self._library is None:
            self._library = Library(self.settings)
        self._library.refresh()  # documents `govqa ingest` added while the app runs
        return fn(self._library, *args, **kwargs)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._prep.shutdown(wait=False, cancel_futures=True)
        self._uploads.shutdown(wait=False, cancel_futures=True)


# -- documents -------------------------------------------------------------------------------------
def doc_rows(docs: list[DocRecord]) -> list[list[Any]]:
    rows = []
    for d in docs:
        m = d.meta
        rows.append([
            d.doc_id, d.source, d.label, region_text(m), level_text(m),
            m.year or "", KIND_ZH.get(m.kind, "") if m.kind else "", m.issuer or "",
            m.published or "", d.n_chunks, datetime.fromtimestamp(d.ingested_at).strftime("%Y-%m-%d %H:%M"),
            evidence_text(m),
        ])
    return rows


def level_text(meta: ReportMeta) -> str:
    level = LEVEL_ZH.get(meta.level, "") if meta.level else ""
    return f"{level}（{LEVEL_ZH.get(meta.dept_level, '')}）" if meta.dept_level else level


def evidence_text(meta: ReportMeta) -> str:
    """Where region, issuer and level were read from, and how sure each is, so a user sees why a report is
    filed where it is."""
    lines: dict[str, float] = {}
    for f in ("issuer", "region", "level"):
        if (ev := meta.why(f)) is not None:
            lines[ev.line] = max(lines.get(ev.line, 0.0), ev.confidence)
    return "；".join(f"{line[:60]}（可信度 {c:.2f}）" for line, c in lines.items())


def doc_choices(docs: list[DocRecord]) -> list[tuple[str, str]]:
    return [(f"{d.label}（{d.source}）", d.doc_id) for d in docs]


def upload_row(o: UploadOutcome) -> list[str]:
    return [o.name, STATUS_ZH_APP[o.status], o.message]


def ask(library: Library, question: str, region: str = "", year: str = "", doc_id: str = "", backend: str = "auto",
        on_token: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The answer as JSON, each citation with its document and passage (the chat and /ask_json)."""
    return library.ask(question, backend=backend, region=region, year=year, doc_id=doc_id, on_token=on_token).to_dict()


def summary_view(library: Library, doc_id: str) -> dict[str, Any]:
    """The summary as JSON with every citation's passage, and how long it took."""
    if not doc_id:
        raise LibraryError("请选择一份报告")
    t0 = time.perf_counter()
    s = library.summary_with_context(doc_id)
    s["latency_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return s


# -- rendering -------------------------------------------------------------------------------------
# Everything a user typed or a report contains is shown as text, never as markup: each string is escaped
# where it enters HTML (_esc) or a Markdown component (md_text); toasts (gr.Error, gr.Warning) render
# HTML too, so their messages pass through html.escape (govqa/web/shell.py). tests/test_browser_escape.py
# plants <img onerror> and <b> in metadata and checks that no element is created anywhere in the app.
def _esc(text: Any) -> str:
    # Newlines become <br>: a blank line would end the HTML block inside the chat's markdown.
    return re.sub(r"\n+", "<br>", html.escape(str(text)))


# The marks that format inline text (a link or image needs its "[", a table its "|"); "." and "-" only
# format at a line's start, where no message puts a stored string.
_MD_MARKS = re.compile(r"([\\`*_\[\]#|~])")


def md_text(text: Any) -> str:
    """Text for a gr.Markdown: HTML escaped, then Markdown's own marks backslashed, so a stored title
    like "[点此](javascript:…)" or "**粗**" is shown as typed."""
    return _MD_MARKS.sub(r"\\\1", html.escape(str(text), quote=False)).replace("\n", " ")


def _mark(quote: str, needles: list[str]) -> str:
    """The quote, escaped, with each needle (a value as written) highlighted once."""
    spans: list[tuple[int, int]] = []
    for n in sorted({n for n in needles if n}, key=len, reverse=True):
        i = quote.find(n)
        while i >= 0 and any(a < i + len(n) and i < b for a, b in spans):
            i = quote.find(n, i + 1)
        if i >= 0:
            spans.append((i, i + len(n)))
    out, pos = [], 0
    for a, b in sorted(spans):
        out += [_esc(quote[pos:a]), f"<mark>{_esc(quote[a:b])}</mark>"]
        pos = b
    return "".join(out) + _esc(quote[pos:])


def _source_line(c: dict[str, Any], span: list[int] | None = None) -> str:
    """Report, region, year, file and where in it (第3页 / 第12段), the last a link that opens the page."""
    parts = [c.get("label") or c.get("title") or c.get("source") or ""]
    if c.get("region"):
        parts.append(str(c["region"]))
    if c.get("year"):
        parts.append(f"{c['year']}年")
    head = " · ".join(_esc(p) for p in parts if p)
    return f"{head} · {_esc(c.get('source', ''))} {page_link(c, span)}"


def cite_key(c: dict[str, Any], span: list[int] | None = None) -> str:
    """What a click on a citation sends to the viewer: document, quote span, and the answered value's span."""
    vs, ve = span or ("", "")
    return f"{c['doc']}:{c['start']}:{c['end']}:{vs}:{ve}"


def page_link(c: dict[str, Any], span: list[int] | None = None) -> str:
    """"第3页 · 查看原文" (or 第12段 for formats without pages): a click opens the citation viewer."""
    where = c.get("where") or "原文"
    # The key travels in the fragment: the chat's HTML sanitizer keeps href and class, not data-* attributes.
    return (f"<a class=\"govqa-page-link\" href=\"#govqa-cite={_esc(cite_key(c, span))}\" title=\"查看原文所在页\">"
            f"{_esc(where)} · 查看原文</a>")


def _passage(c: dict[str, Any], needles: list[str]) -> str:
    """The quote in bold with up to CONTEXT_CHARS of the document on either side."""
    ell_a = "…" if c.get("before") else ""
    ell_b = "…" if c.get("after") else ""
    return (f"{ell_a}{_esc(c.get('before', ''))}<span class=\"govqa-quote\"><b>{_mark(c['quote'], needles)}</b></span>"
            f"{_esc(c.get('after', ''))}{ell_b}")


def _context(c: dict[str, Any], needles: list[str]) -> str:
    return (f"<details class=\"govqa-context\"><summary>展开上下文</summary>"
            f"<div class=\"govqa-passage\">{_passage(c, needles)}</div></details>")


def render_draft(text: str) -> str:
    """The LLM's reply while it is being written: shown as an unverified draft with every digit
    masked, because a number may only be shown once the verifier has found it in its source."""
    masked = re.sub(r"[0-9０-９]|[零〇一二两三四五六七八九十百千万亿]{2,}", lambda m: "▒" * len(m.group(0)), text)
    return (f"<p class=\"govqa-draft\"><i>大模型正在作答（草稿，尚未核实；数字核实后显示）：</i><br>"
            f"{_esc(masked)}▌</p>")


def render_suspicious(items: list[dict[str, Any]]) -> str:
    """可疑文字: planted instructions in the reports the answer used, with where they stand; never answered from."""
    if not items:
        return ""
    rows = []
    for x in items:
        quote = x["quote"] if len(x["quote"]) <= 120 else x["quote"][:120] + "…"
        rows.append(f"<li>{_esc(quote)}<br><small>{_esc(x.get('title') or x['source'])} · {_esc(x['source'])} "
                    f"第 {x['line']} 行（第 {x['start']}–{x['end']} 字）· {_esc(x['kind'])}</small></li>")
    return (f"<details class=\"govqa-suspicious\"><summary>⚠ 可疑文字 {len(items)} 处：报告中有对读者或模型下指令的文字，"
            f"已忽略，未用作答案</summary><ul>{''.join(rows)}</ul></details>")


def render_answer(out: dict[str, Any]) -> str:
    """Markdown (with inline HTML) for one chat message: the answer first, then each citation with its
    page link; a table row is shown as a small table with the answered cell marked."""
    notice = f"<p class=\"govqa-notice\"><small>⚠ {_esc(out['fallback'])}</small></p>" if out.get("fallback") else ""
    notice += render_suspicious(out.get("suspicious") or [])
    if out["refused"]:
        return notice + _render_refusal(out)
    meaning = "".join(f"<br>{_esc(m)}" for m in out.get("meaning") or [])
    parts = [notice, _answer_head(out) + (f"<p class=\"govqa-meaning\"><small>{meaning[4:]}</small></p>" if meaning else ""), ""]
    shown: list[tuple[str, int, int]] = []
    for c in out["citations"]:
        key = (c["doc"], c["start"], c["end"])
        if key not in shown:
            shown.append(key)
            parts.append(_citation_block(c, out))
    note = "由大模型作答，答案已在原文中逐字核实" if out["backend"] != "extractive" else "从原文中抽取，已核实"
    if out.get("derived"):
        note = "由两处引用的数值计算，数值均已在原文中核实"
    parts.append(f"<small>{note} · {out['latency_ms']:.0f} ms</small>")
    return "\n".join(parts)


def _render_refusal(out: dict[str, Any]) -> str:
    parts = ["<p class=\"govqa-answer govqa-refusal\"><b>报告中未找到</b></p>", ""]
    if out.get("reason"):
        parts += [f"原因：{_esc(out['reason'])}", ""]
    if out["closest"]:
        parts.append("**最接近的段落**" + (f"（{_esc(out['closest_note'])}）" if out.get("closest_note") else "") + "：")
        for c in out["closest"]:
            quote = c["quote"] if len(c["quote"]) <= 160 else c["quote"][:160] + "…"
            parts.append(f"<blockquote>{_esc(quote)}<br><small>{_source_line(c)}</small>{_context(c, [])}</blockquote>")
    if out.get("maybe"):  # the closest candidate number: shown, never as the answer
        parts.append("<div class=\"govqa-maybe\"><b>可能相关</b>（不是答案：未能确认这个数字回答了本问题，请对照原文）：<ul>")
        for v in out["maybe"]:
            c = v["citation"]
            parts.append(f"<li>{_esc(v['text'])} —— {_mark(c['quote'][:160], [v['text']])}<br>"
                         f"<small>{_source_line(c)}</small></li>")
        parts.append("</ul></div>")
    return "\n".join(parts)


def _answer_head(out: dict[str, Any]) -> str:
    """答：… — a computed result with its labelled summary and arithmetic; several values each with its report."""
    d = out.get("derived")
    if d:
        return (f"<p class=\"govqa-answer\">答：<b>{_esc(d['text'])}</b></p>"
                f"<p class=\"govqa-derived\">{_esc(d['summary'])}<br>算式：<b>{_esc(d['arithmetic'])}</b></p>")
    values = out["values"]
    head = out.get("labelled") or ("；".join(v["text"] for v in values) if values else out["answer"])
    return f"<p class=\"govqa-answer\">答：<b>{_esc(head)}</b></p>"


def _citation_block(c: dict[str, Any], out: dict[str, Any]) -> str:
    key = (c["doc"], c["start"], c["end"])
    mine = [v for v in out["values"] if (v["citation"]["doc"], v["citation"]["start"], v["citation"]["end"]) == key]
    needles = [v["text"] for v in mine]
    if not out["values"]:
        needles = [p for p in out["answer"].split("；") if p and p in c["quote"] and p != c["quote"]]
    span = next((v.get("span") for v in mine if v.get("span")), None)
    body = row_table(c["quote"], c["start"], span) if is_row_line(c["quote"]) else _mark(c["quote"], needles)
    audit = "".join(f"<br><small class=\"govqa-audit\">⚠ 核查：{_esc(m)}</small>" for m in c.get("audit") or [])
    return (f"<blockquote class=\"govqa-cite\">{body}<br><small>引自：{_source_line(c, span)}</small>"
            f"{audit}{_context(c, needles)}</blockquote>")


def _col_head(col: str) -> str:
    """A column as a table head: its last part ("商业企业"), its last two under 行政诉讼 ("复议后起诉/结果维持")."""
    parts = col.split("/")
    return "/".join(parts[-2:]) if len(parts) >= 3 else parts[-1]


def row_table(line: str, line_start: int, span: list[int] | None = None) -> str:
    """A rendered table row (【表2】行｜列=值｜…) as a small HTML table: the row's label, a head row with
    the columns, the values, and the answered cell (``span``, document offsets) marked."""
    cells = cells_in_text(line)
    if not cells:
        return _esc(line)
    head = "".join(f"<th title=\"{_esc(c.col)}\">{_esc(_col_head(c.col))}</th>" for c in cells)
    tds = []
    for c in cells:
        answered = span is not None and line_start + c.start == span[0]
        shown = _esc(c.raw) if c.raw else "<span class=\"govqa-blank\">空白</span>"
        tds.append(f"<td class=\"govqa-hit\"><mark>{shown}</mark></td>" if answered else f"<td>{shown}</td>")
    label = f"表{cells[0].table}　{cells[0].row}"
    return (f"<table class=\"govqa-row\"><caption>{_esc(label)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody><tr>{''.join(tds)}</tr></tbody></table>")


def _figure_note(k: dict[str, Any], cite: Callable[[dict[str, Any], list[str]], str]) -> str:
    """Beside a figure, as in the CLI's markdown: its note, and last year's value (cited there) with the change."""
    parts = [_esc(k["note"])] if k.get("note") else []
    p = k.get("previous")
    if p:
        year = f"{p['year']}年" if p.get("year") else "上年"
        parts.append(f"上年（{year}报告）{_esc(p['text'])} {cite(p['citation'], [p['text']])}，变化 {_esc(p['change'])}")
    return f"<br><small class=\"govqa-note\">（{'；'.join(parts)}）</small>" if parts else ""


def render_summary(s: dict[str, Any]) -> str:
    """HTML: key figures and bullets, each citation a numbered marker that opens its source passage."""
    refs: list[tuple] = []

    def cite(c: dict[str, Any], needles: list[str]) -> str:
        key = (c.get("doc") or c.get("doc_id"), c["start"], c["end"])
        if key not in refs:
            refs.append(key)
        n = refs.index(key) + 1
        return (f"<details class=\"govqa-cite\"><summary>〔{n}〕</summary><div class=\"govqa-passage\">"
                f"{_passage(c, needles)}<br><small>{_source_line(c)}</small></div></details>"
                f"<small class=\"govqa-where\">{page_link(c)}</small>")

    m = ReportMeta.from_dict(s["meta"])
    head = [("发布单位", m.issuer), ("地区", m.region), ("级别", LEVEL_ZH.get(m.level) if m.level else None),
            ("统计年度" if s["template"] == "annual_report" else "年度", m.year), ("发布日期", m.published)]
    out = [f"<div class=\"govqa-summary\"><h2>{_esc(s['title'])}</h2>",
           f"<p class=\"govqa-meta\">{_esc('；'.join(f'{k}：{v}' for k, v in head if v))}</p>"]
    if s["template"] == "annual_report":
        out.append("<h3>核心数据</h3>")
        if s["key_figures"]:
            out.append("<table class=\"govqa-figures\"><thead><tr><th>指标</th><th>数值</th><th>出处（点击查看原文）</th></tr>"
                       "</thead><tbody>")
            for k in s["key_figures"]:
                out.append(f"<tr><td>{_esc(k['label'])}</td><td class=\"govqa-value\"><b>{_esc(k['text'])}</b>"
                           f"{_figure_note(k, cite)}</td><td>{cite(k['citation'], [k['text']])}</td></tr>")
            out.append("</tbody></table>")
        else:
            out.append("<p>（报告未列出可核实的数据）</p>")
    for name, bullets in s["sections"].items():
        if not bullets:
            continue
        out.append(f"<h3>{_esc(name)}</h3><ul>")
        for b in bullets:
            out.append(f"<li>{_esc(b['text'])} {''.join(cite(c, []) for c in b['citations'])}</li>")
        out.append("</ul>")
    out.append(f"<p><small>共 {len(refs)} 处引用，均已在原文中逐字核实；点击〔编号〕查看原文段落。</small></p></div>")
    return "".join(out)


esc, mark = _esc, _mark  # for the tab modules (govqa/web)


# -- the citation viewer ------------------------------------------------------------------------------
_KEY = re.compile(r"^([0-9a-f]{6,64}):(\d+):(\d+):(\d*):(\d*)(?:\|\d+)?$")


def citation_view(library: Library, key: str) -> dict[str, Any]:
    """What the viewer shows for a clicked citation (``cite_key``): the report, where the passage is, the
    page image with the passage boxed and the answered value marked (PDFs), the passage in its context
    (other formats), and the original file."""
    m = _KEY.match(key or "")
    if not m:
        raise LibraryError("无法识别要查看的引用")
    doc_id, start, end = m.group(1), int(m.group(2)), int(m.group(3))
    doc = library.document(doc_id)
    if not 0 <= start < end <= len(doc.text):
        raise LibraryError("引用的位置不在该报告中")
    span = [int(m.group(4)), int(m.group(5))] if m.group(4) and m.group(5) else None
    loc = library.locate(doc_id, start, end)
    marks = [b] if span and (b := library.value_box(doc_id, *span)) else []
    view = {"doc": doc_id, "label": doc.meta.title or doc.source, "source": doc.source, "where": loc.where,
            "page": loc.page, "quote": doc.text[start:end], "start": start, "end": end, "span": span,
            "before": doc.text[max(0, start - 160) : start], "after": doc.text[end : end + 160], "png": None, "file": None}
    if loc.page:
        view["png"] = library.page_image(doc_id, loc.page, loc.boxes, marks)
    try:
        view["file"] = str(library.original_file(doc_id))
    except LibraryError as exc:
        view["file_error"] = str(exc)
    return view
