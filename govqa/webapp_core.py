"""What the browser app (app.py) does, without Gradio: the store's own thread, uploads, answers,
summaries and their rendering to HTML. app.py only lays out the UI and wires events to this.

The store lives in one worker thread: its SQLite registry may not cross threads, and one writer
at a time keeps Chroma, the registry and BM25 in step while several browser tabs are open.
"""

from __future__ import annotations

import hashlib
import html
import re
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from govqa.settings import Settings
from govqa.types import KIND_ZH, KINDS, META_FIELDS, doc_label

T = TypeVar("T")

FIELD_ZH = {"region": "地区", "level": "级别", "issuer": "发布单位", "year": "年份", "kind": "类型", "title": "标题",
            "published": "发布日期"}
LEVEL_ZH = {"province": "省级", "city": "市级", "county": "县级", "department": "部门"}
STATUS_ZH = {"added": "已导入", "replaced": "已更新", "unchanged": "已存在", "duplicate": "重复", "failed": "失败"}
DOC_HEADERS = ["编号", "文件名", "标题", "地区", "级别", "年份", "类型", "发布单位", "发布日期", "块数", "导入时间"]
UPLOAD_HEADERS = ["文件", "结果", "说明"]
CONTEXT_CHARS = 240


class UserError(Exception):
    """A problem the user can fix; its message (Chinese) is shown as is."""


# -- the store's thread ----------------------------------------------------------------------------
class StoreWorker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govqa-store")
        self._store: Any = None

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self.submit(fn, *args, **kwargs).result()

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future:
        """Queue work on the store's thread without waiting (the chat streams while it runs)."""
        return self._pool.submit(self._call, fn, args, kwargs)

    def _call(self, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
        if self._store is None:
            from vectorstore.store import Store

            self._store = Store(self.settings)
        # Documents added by `govqa ingest` while the app runs: BM25 follows the registry (a no-op otherwise).
        self._store.bm25.rebuild(self._store.registry)
        return fn(self._store, *args, **kwargs)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# -- documents -------------------------------------------------------------------------------------
def doc_rows(docs: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for d in docs:
        m = d["meta"]
        rows.append([
            d["doc_id"], d["source"], doc_label(m, d["source"]), m.get("region") or "",
            LEVEL_ZH.get(m.get("level"), m.get("level") or ""),
            m.get("year") or "", KIND_ZH.get(m.get("kind"), m.get("kind") or ""), m.get("issuer") or "", m.get("published") or "",
            d["n_chunks"], datetime.fromtimestamp(d["ingested_at"]).strftime("%Y-%m-%d %H:%M"),
        ])
    return rows


def doc_choices(docs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(f"{doc_label(d['meta'], d['source'])}（{d['source']}）", d["doc_id"]) for d in docs]


def parse_meta_value(field: str, value: str) -> Any:
    """A user's correction -> the stored value, or UserError saying what is expected."""
    if field not in META_FIELDS:
        raise UserError(f"无法修改字段 {field!r}；可改：{'、'.join(FIELD_ZH.values())}")
    value = (value or "").strip()
    if not value:
        return None
    if field == "year":
        if not value.isdigit() or not 1900 < int(value) < 2200:
            raise UserError(f"年份应为四位数字，例如 2017，收到“{value}”")
        return int(value)
    if field == "kind":
        by_zh = {v: k for k, v in KIND_ZH.items()}
        if value in KINDS or value in by_zh:
            return by_zh.get(value, value)
        raise UserError(f"类型应为：{'、'.join(KIND_ZH.values())}")
    if field == "level":
        by_zh = {v: k for k, v in LEVEL_ZH.items()}
        if value in LEVEL_ZH or value in by_zh:
            return by_zh.get(value, value)
        raise UserError(f"级别应为：{'、'.join(LEVEL_ZH.values())}")
    if field == "published" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise UserError(f"发布日期应为 YYYY-MM-DD，例如 2018-03-26，收到“{value}”")
    return value


def meta_display(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field == "kind":
        return KIND_ZH.get(value, str(value))
    if field == "level":
        return LEVEL_ZH.get(value, str(value))
    return str(value)


# -- uploads ---------------------------------------------------------------------------------------
def safe_name(name: str) -> str:
    """A file name that is only a name: no folders, no control or shell characters, no leading dot."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    stem = re.sub(r"[^\w\u4e00-\u9fff（）()\-]+", "_", stem).strip("._ ")[:80] or "report"
    suffix = re.sub(r"[^a-z0-9.]", "", suffix)[:10]
    return stem + suffix


@dataclass
class UploadOutcome:
    name: str  # as the user named the file
    status: str  # added | replaced | unchanged | duplicate | failed
    message: str  # Chinese, for the table
    doc_id: str | None = None

    def row(self) -> list[str]:
        return [self.name, STATUS_ZH[self.status], self.message]


def check_upload(settings: Settings, path: Path, name: str) -> str | None:
    """The reason an upload is refused before it is stored, or None."""
    suffix = Path(name).suffix.lower()
    allowed = sorted({s.lower() for s in settings.upload_suffixes})
    if suffix not in allowed:
        return f"不支持的文件类型 {suffix or '（无扩展名）'}；支持 {'、'.join(allowed)}"
    size = path.stat().st_size
    if size > settings.max_file_mb * 1e6:
        return f"文件过大（{size / 1e6:.1f} MB，上限 {settings.max_file_mb:.1f} MB）"
    if size == 0:
        return "文件为空"
    return None


def ingest_upload(store: Any, src: Path, name: str) -> UploadOutcome:
    """Store one uploaded file under data_dir/uploads/<sha256 prefix>/<safe name> and ingest it.

    The same bytes always land at the same path, so a repeated upload is recognised before
    anything is written; the same text under another name is a duplicate the ingest pipeline
    recognises by content hash. Files that fail or duplicate are not kept. Nothing is executed:
    the bytes are copied and read as text.
    """
    from ingest.pipeline import ingest

    settings = store.settings
    reason = check_upload(settings, src, name)
    if reason:
        return UploadOutcome(name, "failed", reason)
    data = src.read_bytes()
    uploads = (Path(settings.data_dir) / "uploads").resolve()
    folder = uploads / hashlib.sha256(data).hexdigest()[:16]
    dest = folder / safe_name(name)
    known = {d["doc_id"]: d for d in store.documents()}
    stored_before = dest.exists()
    if not stored_before:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / (dest.name + ".part")
        tmp.write_bytes(data)
        tmp.chmod(0o644)
        tmp.replace(dest)
    same_name = [d for d in known.values() if d["source"] == dest.name]
    outcome = ingest(store, [dest]).outcomes[0]
    keep = outcome.status in ("added", "replaced") or (outcome.status == "unchanged" and stored_before)
    if not keep and not stored_before:
        dest.unlink(missing_ok=True)
        if not any(folder.iterdir()):
            folder.rmdir()
    if outcome.status == "replaced":
        for d in same_name:
            remove_upload_file(store, d.get("path"))
    if outcome.status in ("added", "replaced"):
        from bot.summarize import after_ingest

        after_ingest(store, [outcome.doc_id])
    label = doc_label(outcome.meta, dest.name) if outcome.meta else dest.name
    message = {
        "added": f"{label}，{outcome.chunks} 块",
        "replaced": f"{label}，{outcome.chunks} 块（替换了同名的旧版本）",
        "unchanged": "此文件已导入过，未重复存储",
        "duplicate": f"{outcome.reason or '与已导入的报告内容相同'}，未重复导入",
        "failed": outcome.reason or "导入失败",
    }[outcome.status]
    return UploadOutcome(name, outcome.status, message, outcome.doc_id)


def remove_upload_file(store: Any, path: str | None) -> None:
    """Delete a stored upload (only ever inside data_dir/uploads)."""
    if not path:
        return
    uploads = (Path(store.settings.data_dir) / "uploads").resolve()
    p = Path(path).resolve()
    if p.parent.parent == uploads:
        p.unlink(missing_ok=True)
        if not any(p.parent.iterdir()):
            p.parent.rmdir()


def remove_document(store: Any, doc_id: str) -> str:
    doc = next((d for d in store.documents() if d["doc_id"] == doc_id), None)
    if doc is None:
        raise UserError("找不到该报告，可能已被删除；请刷新列表")
    store.remove(doc_id)
    remove_upload_file(store, doc.get("path"))
    from bot.summarize import prune_summaries

    prune_summaries(store)
    return doc_label(doc["meta"], doc["source"])


def set_meta(store: Any, doc_id: str, field: str, value: str) -> dict[str, Any]:
    from vectorstore.store import StoreError

    parsed = parse_meta_value(field, value)
    try:
        meta = store.set_meta(doc_id, {field: parsed})
    except StoreError as exc:
        raise UserError(str(exc)) from exc
    store.bm25.rebuild(store.registry)
    return meta


# -- answers ---------------------------------------------------------------------------------------
def filtered_doc_ids(docs: list[dict[str, Any]], region: str, year: str, doc_id: str) -> list[str] | None:
    if not (region or year or doc_id):
        return None
    return [d["doc_id"] for d in docs
            if (not region or d["meta"].get("region") == region) and (not year or str(d["meta"].get("year")) == str(year))
            and (not doc_id or d["doc_id"] == doc_id)]


def ask(store: Any, question: str, region: str = "", year: str = "", doc_id: str = "", backend: str = "auto",
        on_token: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The answer (Answer.to_dict()) plus what the page shows around it: each citation's document
    and passage, and on a refusal the closest passages."""
    from bot.answer import answer_question
    from govqa.types import Answer
    from vectorstore.retriever import search

    question = (question or "").strip()
    if not question:
        raise UserError("请输入问题")
    docs = store.documents()
    if not docs:
        raise UserError("报告库还是空的：请先在“报告库”页上传报告")
    doc_ids = filtered_doc_ids(docs, region, year, doc_id)
    if doc_ids == []:
        ans = Answer(question, "报告中未找到（筛选条件下没有报告）", True)
    else:
        ans = answer_question(store, question, backend=backend, doc_ids=doc_ids, on_token=on_token)
    out = ans.to_dict()
    if ans.refused and not out["closest"]:
        hits, _ = search(store, question, k=3, doc_ids=doc_ids or None)
        if not hits:
            hits, _ = search(store, question, k=3, use_filter=False)
            out["closest_note"] = "问题或筛选条件所指的报告中没有相关段落，以下来自其他报告"
        out["closest"] = [{"doc": h.chunk.doc_id, "start": h.chunk.start, "end": h.chunk.end, "quote": h.chunk.text,
                           "source": h.source, "title": doc_label(h.meta, h.source)} for h in hits]
    by_id = {d["doc_id"]: d for d in docs}
    texts: dict[str, str] = {}
    for c in [*out["citations"], *out["closest"], *(v["citation"] for v in out["values"])]:
        attach_context(store, c, by_id, texts)
    return out


def attach_context(store: Any, c: dict[str, Any], by_id: dict[str, dict], texts: dict[str, str]) -> None:
    """Add the document's label/region/year and the passage around the quote to a citation dict."""
    doc_id = c.get("doc") or c.get("doc_id")
    if doc_id not in texts:
        doc = store.document(doc_id)
        texts[doc_id] = doc.text if doc else ""
    text = texts[doc_id]
    d = by_id.get(doc_id)
    meta = d["meta"] if d else {}
    c["label"] = doc_label(meta, d["source"]) if d else (c.get("title") or c.get("source") or "")
    c["region"], c["year"] = meta.get("region") or "", meta.get("year") or ""
    s, e = c["start"], c["end"]
    c["before"] = text[max(0, s - CONTEXT_CHARS) : s]
    c["after"] = text[e : e + CONTEXT_CHARS]


# -- rendering -------------------------------------------------------------------------------------
def _esc(text: Any) -> str:
    # Newlines become <br>: a blank line would end the HTML block inside the chat's markdown.
    return re.sub(r"\n+", "<br>", html.escape(str(text)))


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


def render_answer(out: dict[str, Any]) -> str:
    """Markdown (with inline HTML) for one chat message."""
    if out["refused"]:
        why = out["answer"].removeprefix("报告中未找到")
        parts = ["<p class=\"govqa-answer govqa-refusal\"><b>报告中未找到</b></p>", ""]
        if why:
            parts += [f"原因：{_esc(why.strip('（）()'))}", ""]
        if out["closest"]:
            parts.append("**最接近的段落**" + (f"（{_esc(out['closest_note'])}）" if out.get("closest_note") else "") + "：")
            for c in out["closest"]:
                quote = c["quote"] if len(c["quote"]) <= 160 else c["quote"][:160] + "…"
                parts.append(f"<blockquote>{_esc(quote)}<br><small>{_source_line(c)}</small>{_context(c, [])}</blockquote>")
        return "\n".join(parts)
    values = out["values"]
    head = "；".join(v["text"] for v in values) if values else out["answer"]
    parts = [f"<p class=\"govqa-answer\">答：<b>{_esc(head)}</b></p>", ""]
    shown: list[tuple[str, int, int]] = []
    for c in out["citations"]:
        key = (c["doc"], c["start"], c["end"])
        if key in shown:
            continue
        shown.append(key)
        needles = [v["text"] for v in values if (v["citation"]["doc"], v["citation"]["start"], v["citation"]["end"]) == key]
        if not values:
            needles = [p for p in out["answer"].split("；") if p and p in c["quote"] and p != c["quote"]]
        parts.append(f"<blockquote class=\"govqa-cite\">{_mark(c['quote'], needles)}<br><small>引自：{_source_line(c)}</small>"
                     f"{_context(c, needles)}</blockquote>")
    note = "由大模型作答，答案已在原文中逐字核实" if out["backend"] != "extractive" else "从原文中抽取，已核实"
    parts.append(f"<small>{note} · {out['latency_ms']:.0f} ms</small>")
    return "\n".join(parts)


def summary_view(store: Any, doc_id: str) -> dict[str, Any]:
    """cached_summary(...).to_dict() (which carries the document's current metadata) with every citation's passage attached."""
    from bot.summarize import cached_summary

    docs = store.documents()
    by_id = {d["doc_id"]: d for d in docs}
    if doc_id not in by_id:
        raise UserError("请选择一份报告" if not doc_id else "找不到该报告，可能已被删除；请刷新列表")
    t0 = time.perf_counter()
    s = cached_summary(store, doc_id).to_dict()
    texts: dict[str, str] = {}
    for k in s["key_figures"]:
        attach_context(store, k["citation"], by_id, texts)
    for bullets in s["sections"].values():
        for b in bullets:
            for c in b["citations"]:
                attach_context(store, c, by_id, texts)
    s["latency_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return s


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

    m = s["meta"]
    head = [("发布单位", m.get("issuer")), ("地区", m.get("region")), ("级别", LEVEL_ZH.get(m.get("level"), m.get("level"))),
            ("统计年度" if s["template"] == "annual_report" else "年度", m.get("year")), ("发布日期", m.get("published"))]
    out = [f"<div class=\"govqa-summary\"><h2>{_esc(s['title'])}</h2>",
           f"<p class=\"govqa-meta\">{_esc('；'.join(f'{k}：{v}' for k, v in head if v))}</p>"]
    if s["template"] == "annual_report":
        out.append("<h3>核心数据</h3>")
        if s["key_figures"]:
            out.append("<table class=\"govqa-figures\"><thead><tr><th>指标</th><th>数值</th><th>出处（点击查看原文）</th></tr>"
                       "</thead><tbody>")
            for k in s["key_figures"]:
                out.append(f"<tr><td>{_esc(k['label'])}</td><td class=\"govqa-value\"><b>{_esc(k['text'])}</b></td>"
                           f"<td>{cite(k['citation'], [k['text']])}</td></tr>")
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

