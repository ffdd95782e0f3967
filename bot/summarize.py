"""Cited executive summaries, extractive: no LLM needed, every figure and bullet a verified span.

STATUS (issue 5, in progress): not yet exposed in the CLI or app. Open problem: a generic
key-figure question can still tie a verified number to the wrong label (e.g. a tax bureau's
"门户网站…800余条" as the province's website total), and gold coverage is below target.

Key figures come from the answer machinery (the same extraction and verifier as `govqa ask`),
asked of this one report; bullets are sentences chosen from its sections (主要工作 from the work
sections, 存在问题 / 改进措施 from the problems-and-measures section). Work plans get their own
template: issuer and date, task areas, deadlines and targets, responsible units.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.answer import answer_question
from bot.verify import citation_ok, numbers_in_text_ok
from govqa.types import Citation, Document, doc_label
from ingest.chunking import sentence_spans
from vectorstore.store import Store

SUMMARY_VERSION = 1
MAX_CHARS = 900
# Generic questions ("共受理政府信息公开申请多少件？") need a tighter tie than a user's own question:
# a figure under the wrong label is a wrong number to the reader.
KEY_FIGURE_SUPPORT = 0.9

# (label, question asked of the report). Each is answered only if the report states it.
KEY_FIGURES = [
    ("主动公开政府信息", "共主动公开政府信息多少条？"),
    ("受理政府信息公开申请", "共受理政府信息公开申请多少件？"),
    ("收到和办理依申请公开", "全年共收到和办理依申请公开多少件？"),
    ("申请答复率", "政府信息公开申请的答复率是多少？"),
    ("同意公开", "依申请公开中同意公开的有多少件？"),
    ("予以公开", "申请处理结果中予以公开的有多少件？"),
    ("不予公开", "不予公开的有多少件？"),
    ("信息不存在或本机关不掌握", "因本机关不掌握或申请信息不存在无法提供的有多少件？"),
    ("行政复议", "政府信息公开行政复议案件有多少件？"),
    ("行政诉讼", "与政府信息公开有关的行政诉讼案件有多少件？"),
    ("信息公开支出", "用于政府信息公开方面的支出是多少？"),
    ("门户网站发布信息", "政府门户网站公布政府信息多少条？"),
    ("政府网站公开信息", "通过政府网站公开政府信息多少条？"),
    ("政策解读", "发布政策解读稿件多少篇？"),
    ("新闻发布会", "召开新闻发布会多少次？"),
    ("回应舆情", "回应公众关注热点或重大舆情多少次？"),
    ("政府公报", "通过政府公报公开政府信息多少条？"),
    ("政务微博微信", "通过政务微博、微信公开政府信息多少条？"),
]

_TOP = re.compile(r"^[一二三四五六七八九十]+[、.．]\s*(.+)$")
_SUB = re.compile(r"^[(（][一二三四五六七八九十]+[)）]\s*(.+)$")
_PROBLEM_SECTION = re.compile(r"问题|不足|改进|措施|打算|下一步|计划")
_PROBLEM = re.compile(r"问题|不足|薄弱|差距|有待|不够|不高|滞后|不到位|不平衡|欠缺")
_MEASURE = re.compile(r"将|进一步|下一步|加强|推进|提升|完善|做好|加大|强化|深化")
_DEADLINE = re.compile(r"\d{1,2}月底前|年底前|年内|前完成|底前|之前完成|截至\d|\d{4}年\d{1,2}月\d{1,2}日前")
_RESPONSIBLE = re.compile(r"[(（]?(?:牵头单位|责任单位|负责单位)[:：]([^)）。\n]+)")


@dataclass
class Bullet:
    text: str
    citations: list[Citation]


@dataclass
class KeyFigure:
    label: str
    value: float
    unit: str
    text: str
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

    def to_dict(self) -> dict[str, Any]:
        def num(v: float) -> float | int:
            return int(v) if float(v).is_integer() else v

        return {
            "doc": self.doc, "meta": self.meta, "title": self.title, "template": self.template,
            "key_figures": [{"label": k.label, "value": num(k.value), "unit": k.unit, "text": k.text,
                             "citation": asdict(k.citation)} for k in self.key_figures],
            "sections": {name: [{"text": b.text, "citations": [asdict(c) for c in b.citations]} for b in bullets]
                         for name, bullets in self.sections.items()},
            "backend": self.backend, "verified": self.verified,
        }

    def body_chars(self) -> int:
        """Length a reader reads: figures and bullets, without the citation list."""
        return sum(len(k.label) + len(k.text) for k in self.key_figures) + sum(
            len(b.text) for bullets in self.sections.values() for b in bullets)


# -- document structure ----------------------------------------------------------------------------
@dataclass
class Section:
    heading: str
    level: int  # 1: 一、 2: (一)
    start: int
    end: int


def sections(text: str) -> list[Section]:
    heads: list[tuple[int, int, str]] = []
    pos = 0
    for line in text.split("\n"):
        s = line.strip()
        m1, m2 = _TOP.match(s), _SUB.match(s)
        if (m1 or m2) and len(s) <= 40:
            heads.append((pos, 1 if m1 else 2, (m1 or m2).group(1)))
        pos += len(line) + 1
    out = []
    for i, (start, level, heading) in enumerate(heads):
        end = next((h[0] for h in heads[i + 1 :] if h[1] <= level), len(text))
        out.append(Section(heading, level, start, end))
    return out


def _cite(doc: Document, s: int, e: int) -> Citation:
    return Citation(doc.doc_id, s, e, doc.text[s:e], doc.source, doc_label(doc.meta, doc.source))


def _sentences(doc: Document, start: int, end: int, max_len: int = 160) -> list[tuple[int, int]]:
    out = []
    for s, e in sentence_spans(doc.text[start:end]):
        s, e = s + start, e + start
        body = doc.text[s:e]
        if 12 <= len(body) <= max_len and not _TOP.match(body) and not _SUB.match(body):
            out.append((s, e))
    return out


def _bullets(doc: Document, spans: list[tuple[int, int]], limit: int) -> list[Bullet]:
    return [Bullet(doc.text[s:e], [_cite(doc, s, e)]) for s, e in spans[:limit]]


# -- templates -------------------------------------------------------------------------------------
def _annual_sections(doc: Document) -> dict[str, list[Bullet]]:
    secs = sections(doc.text)
    problem_secs = [s for s in secs if s.level == 1 and _PROBLEM_SECTION.search(s.heading)]
    in_problem = [(s.start, s.end) for s in problem_secs]

    def outside(pos: int) -> bool:
        return not any(a <= pos < b for a, b in in_problem)

    work: list[tuple[int, int]] = []
    subs = [s for s in secs if s.level == 2 and outside(s.start)]
    for sec in subs or [s for s in secs if s.level == 1 and outside(s.start)]:
        first = _sentences(doc, sec.start, sec.end)
        if first:
            work.append(first[0])
    if not secs:  # no headings at all: the opening sentences
        work = _sentences(doc, 0, len(doc.text))[:4]
    problems, measures = [], []
    for sec in problem_secs:
        for s, e in _sentences(doc, sec.start, sec.end, max_len=200):
            body = doc.text[s:e]
            if _PROBLEM.search(body) and not re.search(r"^(下一步|今后|\d{4}年[,，]?我们将)", body):
                problems.append((s, e))
            elif _MEASURE.search(body):
                measures.append((s, e))
    step = max(1, len(work) // 5)
    return {"主要工作": _bullets(doc, work[::step], 5), "存在问题": _bullets(doc, problems, 3),
            "改进措施": _bullets(doc, measures, 3)}


def _plan_sections(doc: Document) -> dict[str, list[Bullet]]:
    secs = sections(doc.text)
    tops = [s for s in secs if s.level == 1] or [s for s in secs if s.level == 2]
    tasks = []
    for sec in tops[:6]:
        line_end = doc.text.find("\n", sec.start)
        s, e = sec.start, line_end if line_end > 0 else sec.end
        tasks.append(Bullet(doc.text[s:e].strip(), [_cite(doc, s, e)]))
    deadlines = [(s, e) for s, e in _sentences(doc, 0, len(doc.text), max_len=200) if _DEADLINE.search(doc.text[s:e])]
    units = []
    for m in _RESPONSIBLE.finditer(doc.text):
        units.append(Bullet(m.group(0).strip("(（)） "), [_cite(doc, m.start(), m.end())]))
    return {"主要任务": tasks, "时限与目标": _bullets(doc, deadlines, 4), "责任单位": units[:4]}


def _fit(summary: Summary) -> None:
    """Keep within MAX_CHARS: drop the longest bullets of the largest section first."""
    while summary.body_chars() > MAX_CHARS:
        name = max((n for n, b in summary.sections.items() if b), key=lambda n: len(summary.sections[n]), default=None)
        if name is None:
            break
        bullets = summary.sections[name]
        bullets.remove(max(bullets, key=lambda b: len(b.text)))


def summarize(store: Store, doc_id: str) -> Summary:
    doc = store.document(doc_id)
    if doc is None:
        raise KeyError(doc_id)
    template = "work_plan" if doc.meta.get("kind") == "work_plan" else "annual_report"
    summary = Summary(doc.doc_id, doc.meta, doc_label(doc.meta, doc.source), template)
    if template == "annual_report":
        seen: set[tuple[int, float]] = set()
        for label, question in KEY_FIGURES:
            ans = answer_question(store, question, backend="extractive", doc_ids=[doc.doc_id],
                                  min_support=KEY_FIGURE_SUPPORT)
            if ans.refused or len(ans.values) != 1:
                continue
            v = ans.values[0]
            if (v.citation.start + v.citation.quote.find(v.text), v.value) in seen:
                continue
            seen.add((v.citation.start + v.citation.quote.find(v.text), v.value))
            summary.key_figures.append(KeyFigure(label, v.value, v.unit, v.text, v.citation))
        summary.sections = _annual_sections(doc)
    else:
        summary.sections = _plan_sections(doc)
    _fit(summary)
    return verify_summary(summary, lambda d: doc.text if d == doc.doc_id else None)


def verify_summary(summary: Summary, doc_text) -> Summary:
    """The verifier's rules for summaries: a figure is stated in its exact citation; a bullet's
    numbers all stand in its citations. What fails is dropped, never shown."""
    from bot.numbers import present_in

    summary.key_figures = [k for k in summary.key_figures
                           if citation_ok(k.citation, doc_text) and present_in(k.value, k.unit, k.citation.quote)]
    for name, bullets in summary.sections.items():
        summary.sections[name] = [b for b in bullets if b.citations and all(citation_ok(c, doc_text) for c in b.citations)
                                  and numbers_in_text_ok(b.text, b.citations)]
    summary.verified = True
    return summary


# -- cache and rendering ---------------------------------------------------------------------------
def cached_summary(store: Store, doc_id: str, refresh: bool = False) -> Summary:
    """Summaries are cached per document content hash (doc_id), so a changed report gets a new one."""
    path = store.settings.data_dir / "summaries" / f"{doc_id}.v{SUMMARY_VERSION}.json"
    if path.exists() and not refresh:
        return summary_from_dict(json.loads(path.read_text(encoding="utf-8")))
    summary = summarize(store, doc_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
    return summary


def summary_from_dict(d: dict[str, Any]) -> Summary:
    s = Summary(d["doc"], d["meta"], d["title"], d["template"], backend=d["backend"], verified=d["verified"])
    s.key_figures = [KeyFigure(k["label"], k["value"], k["unit"], k["text"], Citation(**k["citation"]))
                     for k in d["key_figures"]]
    s.sections = {n: [Bullet(b["text"], [Citation(**c) for c in b["citations"]]) for b in bl]
                  for n, bl in d["sections"].items()}
    return s


def to_markdown(summary: Summary) -> str:
    m = summary.meta
    refs: list[Citation] = []

    def ref(c: Citation) -> str:
        if c not in refs:
            refs.append(c)
        return f"〔{refs.index(c) + 1}〕"

    lines = [f"# {summary.title}", ""]
    head = [("发布单位", m.get("issuer")), ("地区", m.get("region")), ("级别", m.get("level")),
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
    return "\n".join(lines) + "\n"
