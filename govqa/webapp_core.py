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

from govqa.library import EmbedAhead, Library, LibraryError, UploadOutcome, changes
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
        self._library: Library | None = None
        self._embed_ahead = EmbedAhead(settings)

    def upload(self, src: Path, name: str) -> UploadOutcome:
        """Read the file (in the bounded worker process) and embed its chunks on the preparing thread,
        then store it on the library's thread: questions never wait for a file being read."""
        prepared = self._prep.submit(self._embed_ahead, src).result()
        return self.run(lambda lib: lib.upload(src, name, prepared))


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
# HTML too, so their messages pass through html.escape (app.py). tests/test_browser_escape.py plants
# <img onerror> and <b> in metadata and checks that no element is created anywhere in the app.
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


def _source_line(c: dict[str, Any]) -> str:
    parts = [c.get("label") or c.get("title") or c.get("source") or ""]
    if c.get("region"):
        parts.append(str(c["region"]))
    if c.get("year"):
        parts.append(f"{c['year']}年")
    parts.append(f"{c.get('source', '')} 第 {c['start']}–{c['end']} 字")
    return " · ".join(_esc(p) for p in parts if p)


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
    """Markdown (with inline HTML) for one chat message."""
    notice = f"<p class=\"govqa-notice\"><small>⚠ {_esc(out['fallback'])}</small></p>" if out.get("fallback") else ""
    notice += render_suspicious(out.get("suspicious") or [])
    if out["refused"]:
        parts = [notice, "<p class=\"govqa-answer govqa-refusal\"><b>报告中未找到</b></p>", ""]
        if out.get("reason"):
            parts += [f"原因：{_esc(out['reason'])}", ""]
        if out["closest"]:
            parts.append("**最接近的段落**" + (f"（{_esc(out['closest_note'])}）" if out.get("closest_note") else "") + "：")
            for c in out["closest"]:
                quote = c["quote"] if len(c["quote"]) <= 160 else c["quote"][:160] + "…"
                parts.append(f"<blockquote>{_esc(quote)}<br><small>{_source_line(c)}</small>{_context(c, [])}</blockquote>")
        return "\n".join(parts)
    values = out["values"]
    head = "；".join(v["text"] for v in values) if values else out["answer"]
    parts = [notice, f"<p class=\"govqa-answer\">答：<b>{_esc(head)}</b></p>", ""]
    shown: list[tuple[str, int, int]] = []
    for c in out["citations"]:
        key = (c["doc"], c["start"], c["end"])
        if key in shown:
            continue
        shown.append(key)
        needles = [v["text"] for v in values if (v["citation"]["doc"], v["citation"]["start"], v["citation"]["end"]) == key]
        if not values:
            needles = [p for p in out["answer"].split("；") if p and p in c["quote"] and p != c["quote"]]
        audit = "".join(f"<br><small class=\"govqa-audit\">⚠ 核查：{_esc(m)}</small>" for m in c.get("audit") or [])
        parts.append(f"<blockquote class=\"govqa-cite\">{_mark(c['quote'], needles)}<br><small>引自：{_source_line(c)}</small>"
                     f"{audit}{_context(c, needles)}</blockquote>")
    note = "由大模型作答，答案已在原文中逐字核实" if out["backend"] != "extractive" else "从原文中抽取，已核实"
    parts.append(f"<small>{note} · {out['latency_ms']:.0f} ms</small>")
    return "\n".join(parts)


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
                f"{_passage(c, needles)}<br><small>{_source_line(c)}</small></div></details>")

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



def render_cell(c: dict[str, Any]) -> str:
    """A clicked table cell: its row and column, and the stored row line with the value marked."""
    at = c["start"] - c["row_start"]
    line = c["line"]
    marked = _esc(line[:at]) + f"<mark>{_esc(c['raw']) or '（空白）'}</mark>" + _esc(line[at + len(c["raw"]) :])
    value = (c["raw"] + c["unit"]) if c["raw"] else "（空白，不是 0）"
    return (f"<p><b>{_esc(c['row'])} × {_esc(c['col'])}</b> = {_esc(value)}</p>"
            f"<blockquote class=\"govqa-cite\">{marked}<br><small>原文第 {c['row_start']}–{c['row_end']} 字</small></blockquote>")


# -- 核查 (audit and text reuse) --------------------------------------------------------------------
AUDIT_HEADERS = ["结果", "文件", "核查项", "说明", "算式"]
AUDIT_ZH = {"FAIL": "不符", "UNCERTAIN": "无法核对", "PASS": "相符"}


def audit_view(library: Library, doc_id: str = "") -> list[dict[str, Any]]:
    """Findings of one report (or all, with the year-to-year carry-over), not-adding-up first."""
    order = {"FAIL": 0, "UNCERTAIN": 1, "PASS": 2}
    return sorted((f.to_dict() for f in library.audit(doc_id or None)), key=lambda f: order[f["status"]])


def audit_rows(findings: list[dict[str, Any]]) -> list[list[str]]:
    return [[AUDIT_ZH[f["status"]], f["source"], f["check"], f["message"], f["arithmetic"]] for f in findings]


def render_finding(f: dict[str, Any]) -> str:
    """A clicked finding: what the report says, the arithmetic, and each cell or sentence it read."""
    head = f"<p><b>{_esc(AUDIT_ZH[f['status']])}</b>　{_esc(f['check'])}：{_esc(f['message'])}</p>"
    if f["arithmetic"]:
        head += f"<p>算式：{_esc(f['arithmetic'])}</p>"
    quotes: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for c in f["cited"]:
        quotes.setdefault((c["start"], c["end"]), []).append(c)
    for (start, end), cells in quotes.items():
        values = [c["raw"] for c in cells if c["raw"]]
        labels = "；".join(f"{c['label']} = {c['raw'] or '空白'}" for c in cells)
        head += (f"<blockquote class=\"govqa-cite\">{_mark(cells[0]['quote'], values)}<br>"
                 f"<small>{_esc(labels)} · 原文第 {start}–{end} 字</small></blockquote>")
    return head


def reuse_view(library: Library, doc_id: str, against: str = "") -> dict[str, Any]:
    if not doc_id:
        raise LibraryError("请选择一份报告")
    return library.reuse(doc_id, against or None).to_dict()


def render_reuse(r: dict[str, Any]) -> str:
    """The share of repeated sentences and rows, and each repeated passage beside last year's."""
    out = [f"<p><b>{_esc(r['label'])}</b> 与 <b>{_esc(r['previous_label'])}</b> 相比：</p><ul>",
           f"<li>句子：{r['sentences']} 句中 {r['sentences_verbatim']} 句逐字重复、{r['sentences_near']} 句几乎相同"
           f"（{r['sentence_share']:.0%}）</li>",
           f"<li>表格行：{r['rows']} 行中 {r['rows_repeated']} 行（含数字）完全相同（{r['row_share']:.0%}），"
           f"其中 {r['rows_zero']} 行全为 0 或空白</li></ul>"]
    for x in r["repeats"]:
        how = "逐字重复" if x["similarity"] == 1.0 else f"几乎相同（相似度 {x['similarity']:.2f}）"
        prev = "" if x["similarity"] == 1.0 else f"<br><small>上一年：{_esc(x['prev_quote'])}</small>"
        out.append(f"<blockquote class=\"govqa-cite govqa-reuse\">{_esc(x['quote'])}{prev}<br>"
                   f"<small>{how} · 原文第 {x['start']}–{x['end']} 字</small></blockquote>")
    return "".join(out)


# -- 对比 (one figure across reports) ---------------------------------------------------------------
COMPARE_HEADERS = ["报告", "年份", "值", "原文（所引表格行）"]


def compare_view(library: Library, row: str, col: str = "总计", doc_ids: list[str] | None = None) -> dict[str, Any]:
    if not row:
        raise LibraryError("请选择要对比的表格行")
    key, points = library.compare(row, col or "总计", doc_ids or None)
    return {"row": key, "col": col or "总计", "points": [p.to_dict() for p in points]}


def compare_rows(points: list[dict[str, Any]]) -> list[list[Any]]:
    return [[p["label"], p["year"] or "", f"{p['raw']}{p['unit']}" if p["value"] is not None else "缺失（不是 0）",
             p["quote"] or "—"] for p in points]


def compare_frame(points: list[dict[str, Any]]):
    """The plotted points (pandas, for gr.BarPlot): only the reports that have the cell; a missing one
    stays out of the chart and is listed as 缺失 in the table, never drawn as 0."""
    import pandas as pd

    rows = [{"报告": f"{p['year'] or '?'} {p['label']}", "值": p["value"], "原文": p["quote"]}
            for p in points if p["value"] is not None]
    return pd.DataFrame(rows, columns=["报告", "值", "原文"])


def compare_note(view: dict[str, Any]) -> str:
    points = view["points"]
    found = [p for p in points if p["value"] is not None]
    lines = [f"**{md_text(view['row'])} × {md_text(view['col'])}**：{len(found)} 份报告有此单元格"
             + (f"，{len(points) - len(found)} 份缺失（不当作 0）" if len(found) < len(points) else "") + "。"]
    lines += [f"- {md_text(c)}" for c in changes(points)]
    return "\n".join(lines)
