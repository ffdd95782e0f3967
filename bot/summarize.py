"""Cited executive summaries: key figures, then bullets, every one tied to the sentences it rests on.

The key-figure block always comes from verified extraction (`bot.figures`), never from free LLM
text. Bullets come from the report's sections: extractively (a chosen sentence per section, the
offline default), or through the LLM map-reduce in `bot.summarize_llm`, whose bullets must pass
the same verifier and fall back to the extractive sentence when they don't. Annual reports get
核心数据 / 主要工作 / 存在问题 / 改进措施; work plans get 主要任务 / 时限与目标 / 责任单位.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.figures import key_figures
from bot.numbers import parse_numbers, present_in
from bot.verify import citation_ok, numbers_in_text_ok
from govqa.types import Citation, Document, doc_label
from ingest.chunking import sentence_spans
from ingest.normalize import cjk_ratio
from vectorstore.store import Store

SUMMARY_VERSION = 2
MAX_CHARS = 900  # what a reader reads (figures and bullets), citations not counted

_TOP = re.compile(r"^([一二三四五六七八九十]+)[、.．]\s*(.+)$")
_SUB = re.compile(r"^[(（]([一二三四五六七八九十]+)[)）]\s*(.+)$")
_NUM = re.compile(r"^(\d{1,2})[、.．](?!\d)\s*(.+)$")
_PROBLEM_SECTION = re.compile(r"问题|不足|改进|措施|打算|下一步|计划")
_PROBLEM = re.compile(r"问题|不足|薄弱|差距|有待|不够|不高|滞后|不到位|不平衡|欠缺|还需|仍需|尚需|仍然存在|亟待")
_MEASURE_START = re.compile(r"改进措施|下一步|今后|针对上述|我们将|将着重|将从|\d{4}年[，,]?(?:我们|我市|我省|我县|我区)?将")
_MEASURE = re.compile(r"将|进一步|下一步|加强|推进|提升|完善|做好|加大|强化|深化")
_DEADLINE = re.compile(r"\d{1,2}月底前|年底前|年内|前完成|底前|之前完成|截至\d|\d{4}年\d{1,2}月\d{1,2}日前|\d{4}年(?:底|年底)")
_RESPONSIBLE = re.compile(r"[(（]?(?:牵头单位|责任单位|负责单位)[:：]([^)）。\n]+)")
# "省发展改革委要…", "各级财政部门负责…": the unit a task is given to.
_SUBJECT = re.compile(r"((?:各级|各|省|市|县|区)[\u4e00-\u9fff、]{0,16}?(?:部门|单位|政府|办公厅|办公室|局|厅|委员会|委|中心))"
                      r"(?=要|负责|牵头|应当|会同)")
_GENERIC_UNIT = re.compile(r"^各(?:地|级|有关)?、?各?(?:部门|单位)$")

ANNUAL_SECTIONS = ("主要工作", "存在问题", "改进措施")
PLAN_SECTIONS = ("主要任务", "时限与目标", "责任单位")


@dataclass
class Bullet:
    text: str
    citations: list[Citation]


@dataclass
class KeyFigure:
    label: str
    value: float
    unit: str
    text: str  # the number as the source writes it, e.g. "107.4万条"
    citation: Citation


@dataclass
class Summary:
    doc: str
    meta: dict[str, Any]
    title: str
    template: str  # annual_report | work_plan
    key_figures: list[KeyFigure] = field(default_factory=list)
    sections: dict[str, list[Bullet]] = field(default_factory=dict)
    backend: str = "extractive"
    verified: bool = True
    dropped: int = 0  # bullets or figures the verifier removed or replaced

    def to_dict(self) -> dict[str, Any]:
        def num(v: float) -> float | int:
            return int(v) if float(v).is_integer() else v

        return {
            "doc": self.doc, "meta": self.meta, "title": self.title, "template": self.template,
            "key_figures": [{"label": k.label, "value": num(k.value), "unit": k.unit, "text": k.text,
                             "citation": asdict(k.citation)} for k in self.key_figures],
            "sections": {name: [{"text": b.text, "citations": [asdict(c) for c in b.citations]} for b in bullets]
                         for name, bullets in self.sections.items()},
            "backend": self.backend, "verified": self.verified, "dropped": self.dropped,
        }

    def body_chars(self) -> int:
        """Length a reader reads: figures and bullets, without the citation list."""
        return sum(len(k.label) + len(k.text) for k in self.key_figures) + sum(
            len(b.text) for bullets in self.sections.values() for b in bullets)


# -- document structure ----------------------------------------------------------------------------
@dataclass
class Section:
    heading: str
    level: int  # 1: 一、 2: (一) 3: 1、
    start: int  # where the body starts (after an inline heading)
    end: int


def sections(text: str) -> list[Section]:
    """Headings as these reports write them: on their own line ("一、总体情况") or inline, as the
    first short sentence of a paragraph ("（一）主动公开方面。2019年，…")."""
    heads: list[tuple[int, int, str, int]] = []  # line start, level, heading, body start
    pos = 0
    for line in text.split("\n"):
        s = line.strip()
        lead = len(line) - len(line.lstrip())
        for level, pattern in ((1, _TOP), (2, _SUB), (3, _NUM)):
            m = pattern.match(s)
            if not m:
                continue
            rest = m.group(2)
            if len(s) <= 40 and "。" not in s.rstrip("。"):
                heads.append((pos, level, rest.rstrip("。"), pos + len(line)))
            else:
                first = re.match(r"^([^。：:]{2,25})[。：:]", rest)
                if first:
                    body = pos + lead + (len(s) - len(rest)) + first.end()
                    heads.append((pos, level, first.group(1), body))
            break
        pos += len(line) + 1
    out = []
    for i, (_line, level, heading, body) in enumerate(heads):
        end = next((h[0] for h in heads[i + 1 :] if h[1] <= level), len(text))
        out.append(Section(heading, level, body, end))
    return out


def cite(doc: Document, s: int, e: int) -> Citation:
    return Citation(doc.doc_id, s, e, doc.text[s:e], doc.source, doc_label(doc.meta, doc.source))


def prose_sentences(doc: Document, start: int, end: int, max_len: int = 160) -> list[tuple[int, int]]:
    """Sentences worth quoting: prose, not headings, not table rows (tabs, runs of bare numbers)."""
    out = []
    for s, e in sentence_spans(doc.text[start:end]):
        s, e = s + start, e + start
        body = doc.text[s:e]
        if not 12 <= len(body) <= max_len or "\t" in body or cjk_ratio(body) < 0.5:
            continue
        if any(p.match(body) and len(body) <= 30 for p in (_TOP, _SUB, _NUM)):
            continue
        out.append((s, e))
    return out


def best_sentence(doc: Document, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The sentence a reader learns most from: a concrete one (with a figure) of readable length."""
    def score(span: tuple[int, int]) -> tuple[int, int]:
        body = doc.text[span[0] : span[1]]
        concrete = any(n.unit not in ("年", "月", "日", "") for n in parse_numbers(body))
        return (2 * concrete + (20 <= len(body) <= 120), -span[0])

    return max(spans, key=score) if spans else None


def work_sections(doc: Document) -> tuple[list[Section], list[Section]]:
    """(work sections, problem-and-measure sections) of an annual report."""
    secs = sections(doc.text)
    problem = [s for s in secs if s.level == 1 and _PROBLEM_SECTION.search(s.heading)]

    def outside(sec: Section) -> bool:
        return not any(p.start <= sec.start < p.end for p in problem)

    for level in (2, 1, 3):
        work = [s for s in secs if s.level == level and outside(s) and prose_sentences(doc, s.start, s.end)]
        if len(work) >= 3:
            return work, problem
    return [s for s in secs if outside(s) and prose_sentences(doc, s.start, s.end)], problem


def spread(items: list, n: int) -> list:
    """n items spread over the whole list: a summary should cover the report, not its first page."""
    if len(items) <= n:
        return items
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)] if n > 1 else items[:1]


def problems_and_measures(doc: Document, problem: list[Section]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    problems, measures = [], []
    for sec in problem:
        in_measures = bool(_MEASURE_START.search(sec.heading)) and not _PROBLEM.search(sec.heading)
        for s, e in prose_sentences(doc, sec.start, sec.end, max_len=200):
            body = doc.text[s:e]
            if _MEASURE_START.search(body[:12]):
                in_measures = True
            if not in_measures and _PROBLEM.search(body):
                problems.append((s, e))
            elif in_measures or _MEASURE.search(body):
                measures.append((s, e))
    return problems, measures


# -- extractive templates --------------------------------------------------------------------------
def _bullets(doc: Document, spans: list[tuple[int, int]]) -> list[Bullet]:
    return [Bullet(doc.text[s:e], [cite(doc, s, e)]) for s, e in spans]


def annual_sections(doc: Document) -> dict[str, list[Bullet]]:
    work, problem = work_sections(doc)
    picks = [b for b in (best_sentence(doc, prose_sentences(doc, s.start, s.end)) for s in work) if b]
    if not picks:  # no headings at all: the opening sentences
        picks = prose_sentences(doc, 0, len(doc.text))[:4]
    problems, measures = problems_and_measures(doc, problem)
    return {"主要工作": _bullets(doc, spread(picks, 5)), "存在问题": _bullets(doc, problems[:3]),
            "改进措施": _bullets(doc, measures[:3])}


def _heading_span(doc: Document, sec: Section) -> tuple[int, int] | None:
    pos = doc.text.find(sec.heading, max(0, sec.start - len(sec.heading) - 8))
    return (pos, pos + len(sec.heading)) if 0 <= pos < sec.start + 1 else None


def plan_sections(doc: Document) -> dict[str, list[Bullet]]:
    secs = sections(doc.text)
    tops = [s for s in secs if s.level == 1] or [s for s in secs if s.level == 2]
    tasks = []
    for sec in tops[:6]:
        span = _heading_span(doc, sec)
        if span:
            tasks.append(Bullet(sec.heading, [cite(doc, *span)]))
    deadlines = [(s, e) for s, e in prose_sentences(doc, 0, len(doc.text), max_len=200) if _DEADLINE.search(doc.text[s:e])]
    return {"主要任务": tasks, "时限与目标": _bullets(doc, spread(deadlines, 4)), "责任单位": responsible_units(doc, secs)}


def responsible_units(doc: Document, secs: list[Section], limit: int = 5) -> list[Bullet]:
    """Units named as responsible: explicit 牵头单位/责任单位 labels first, then the subjects of task
    sentences, each with the task (its section heading) it is given."""
    out: list[Bullet] = []
    seen: set[str] = set()
    for m in _RESPONSIBLE.finditer(doc.text):
        unit = m.group(1).strip()
        if unit not in seen:
            seen.add(unit)
            out.append(Bullet(m.group(0).strip("(（)） "), [cite(doc, m.start(), m.end())]))
    for s, e in sentence_spans(doc.text):
        for m in _SUBJECT.finditer(doc.text[s:e]):
            unit = m.group(1)
            if unit in seen or _GENERIC_UNIT.match(unit):
                continue
            seen.add(unit)
            inner = [x for x in secs if x.start <= s < x.end and x.level >= 2]
            sec = max(inner, key=lambda x: x.level) if inner else None
            span = _heading_span(doc, sec) if sec else None
            cites = [cite(doc, s, e)] + ([cite(doc, *span)] if span else [])
            out.append(Bullet(f"{unit}：{sec.heading}" if span and sec else unit, cites))
    # Specific agencies (省民政厅) say more than "各市、县人民政府": show them first.
    out.sort(key=lambda b: ("、" in b.text.split("：")[0] or "各" in b.text[:2], 0))
    return out[:limit]


def figures_of(doc: Document) -> list[KeyFigure]:
    return [KeyFigure(f.label, f.number.value, f.number.unit, f.number.text, cite(doc, *f.sentence))
            for f in key_figures(doc.text)]


def fit(summary: Summary, max_chars: int = MAX_CHARS) -> None:
    """Keep within max_chars: drop the longest bullet of the largest section, then trailing figures."""
    while summary.body_chars() > max_chars:
        name = max((n for n, b in summary.sections.items() if len(b) > 1), key=lambda n: len(summary.sections[n]),
                   default=None)
        if name is not None:
            bullets = summary.sections[name]
            bullets.remove(max(bullets, key=lambda b: len(b.text)))
        elif len(summary.key_figures) > 6:
            summary.key_figures.pop()
        else:
            name = max((n for n, b in summary.sections.items() if b), key=lambda n: len(summary.sections[n][0].text),
                       default=None)
            if name is None:
                break
            summary.sections[name].pop()


def summarize(store: Store, doc_id: str, backend: str | None = None, progress: bool = False) -> Summary:
    """The summary of one stored document. backend: 'extractive' | 'llm' (default: the setting)."""
    doc = store.document(doc_id)
    if doc is None:
        raise KeyError(doc_id)
    backend = backend or store.settings.summary_backend
    template = "work_plan" if doc.meta.get("kind") == "work_plan" else "annual_report"
    summary = Summary(doc.doc_id, doc.meta, doc_label(doc.meta, doc.source), template)
    if template == "annual_report":
        summary.key_figures = figures_of(doc)
        summary.sections = annual_sections(doc)
    else:
        summary.sections = plan_sections(doc)
    if backend == "llm":
        from bot.summarize_llm import llm_sections

        summary.sections, summary.backend, summary.dropped = llm_sections(store.settings, doc, summary, progress)
    fit(summary)
    return verify_summary(summary, lambda d: doc.text if d == doc.doc_id else None)


def verify_summary(summary: Summary, doc_text: Callable[[str], str | None]) -> Summary:
    """The verifier's rules for summaries: a figure is stated in its exact citation; a bullet's
    numbers all stand in its citations. What fails is dropped, never shown."""
    before = len(summary.key_figures) + sum(len(b) for b in summary.sections.values())
    summary.key_figures = [k for k in summary.key_figures
                           if citation_ok(k.citation, doc_text) and present_in(k.value, k.unit, k.citation.quote)]
    for name, bullets in summary.sections.items():
        summary.sections[name] = [b for b in bullets if bullet_ok(b, doc_text)]
    summary.dropped += before - (len(summary.key_figures) + sum(len(b) for b in summary.sections.values()))
    summary.verified = True
    return summary


def bullet_ok(b: Bullet, doc_text: Callable[[str], str | None]) -> bool:
    return bool(b.text.strip()) and bool(b.citations) and all(citation_ok(c, doc_text) for c in b.citations) \
        and numbers_in_text_ok(b.text, b.citations)


# -- cache -----------------------------------------------------------------------------------------
def _cache_path(store: Store, doc_id: str, backend: str):
    return store.settings.data_dir / "summaries" / f"{doc_id}.{backend}.v{SUMMARY_VERSION}.json"


def cached_summary(store: Store, doc_id: str, refresh: bool = False, backend: str | None = None,
                   progress: bool = False) -> Summary:
    """Summaries are cached per document content hash (the doc_id), so a changed report gets a new one."""
    backend = backend or store.settings.summary_backend
    path = _cache_path(store, doc_id, backend)
    if path.exists() and not refresh:
        summary = summary_from_dict(json.loads(path.read_text(encoding="utf-8")))
        doc = store.document(doc_id)
        if doc is not None:  # metadata may have been corrected since (`govqa docs set`)
            summary.meta, summary.title = doc.meta, doc_label(doc.meta, doc.source)
        return summary
    summary = summarize(store, doc_id, backend, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
    return summary


def prune_summaries(store: Store) -> int:
    """Remove cached summaries of documents no longer stored (removed, or replaced by a new version)."""
    folder = store.settings.data_dir / "summaries"
    if not folder.exists():
        return 0
    known = {d["doc_id"] for d in store.documents()}
    gone = [p for p in folder.glob("*.json") if p.name.split(".")[0] not in known]
    for p in gone:
        p.unlink(missing_ok=True)
    return len(gone)


def after_ingest(store: Store, new_ids: list[str], progress: bool = False) -> None:
    """Summaries follow their documents: stale ones go; new ones are written when
    ``summarize_on_ingest`` asks (CLI ingest and app upload both call this)."""
    prune_summaries(store)
    if store.settings.summarize_on_ingest:
        from tqdm import tqdm

        for doc_id in tqdm(new_ids, desc="生成摘要", unit="篇", disable=not progress):
            cached_summary(store, doc_id)


def summary_from_dict(d: dict[str, Any]) -> Summary:
    s = Summary(d["doc"], d["meta"], d["title"], d["template"], backend=d["backend"], verified=d["verified"],
                dropped=d.get("dropped", 0))
    s.key_figures = [KeyFigure(k["label"], k["value"], k["unit"], k["text"], Citation(**k["citation"]))
                     for k in d["key_figures"]]
    s.sections = {n: [Bullet(b["text"], [Citation(**c) for c in b["citations"]]) for b in bl]
                  for n, bl in d["sections"].items()}
    return s


# -- rendering -------------------------------------------------------------------------------------
_LEVEL_ZH = {"province": "省级", "city": "市级", "county": "县级", "department": "部门"}


def to_markdown(summary: Summary) -> str:
    m = summary.meta
    refs: list[Citation] = []

    def ref(c: Citation) -> str:
        if c not in refs:
            refs.append(c)
        return f"〔{refs.index(c) + 1}〕"

    lines = [f"# {summary.title}", ""]
    level = _LEVEL_ZH.get(m.get("level") or "", m.get("level"))
    head = [("发布单位", m.get("issuer")), ("地区", m.get("region")), ("级别", level),
            ("统计年度" if summary.template == "annual_report" else "年度", m.get("year")),
            ("发布日期", m.get("published"))]
    lines.append("；".join(f"{k}：{v}" for k, v in head if v))
    lines.append("")
    if summary.template == "annual_report":
        lines += ["## 核心数据", ""]
        lines += [f"- {k.label}：**{k.text}** {ref(k.citation)}" for k in summary.key_figures] or ["- （报告未列出可核实的数据）"]
        lines.append("")
    for name, bullets in summary.sections.items():
        if bullets:
            lines += [f"## {name}", ""] + [f"- {b.text} {''.join(ref(c) for c in b.citations)}" for b in bullets] + [""]
    lines += ["## 引用", ""]
    lines += [f"〔{i}〕 {c.source} [{c.start}:{c.end}] {c.quote}" for i, c in enumerate(refs, 1)]
    lines += ["", f"（生成方式：{summary.backend}；所有数字均已与引用原文核对）"]
    return "\n".join(lines) + "\n"
