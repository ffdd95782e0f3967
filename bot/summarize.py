"""Cited executive summaries: key figures, then bullets, every one tied to the sentences it rests on.

The key-figure block always comes from verified extraction (`bot.figures`), never from free LLM
text. Bullets come from the report's sections: extractively (a chosen sentence per section, the
offline default), or through the LLM map-reduce in `bot.summarize_llm`, whose bullets must pass
the same verifier and fall back to the extractive sentence when they don't. Annual reports get
核心数据 / 主要工作 / 存在问题 / 改进措施; work plans get 主要任务 / 时限与目标 / 责任单位.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from bot.figures import key_figures
from bot.llm import FALLBACK_NOTICE, LLMUnavailable
from bot.numbers import present_in
from bot.sections import (
    Bullet,
    KeyFigure,
    Section,
    Summary,
    best_sentence,
    bullet_ok,
    cite,
    problems_and_measures,
    prose_sentences,
    sections,
    spread,
    work_sections,
)
from bot.summarize_llm import llm_sections
from bot.verify import citation_ok
from govqa.cells import cells_in_text
from govqa.settings import Settings
from govqa.text import sentence_spans
from govqa.types import LEVEL_ZH, Citation, Document, Kind, SummaryBackend, doc_label

log = logging.getLogger(__name__)

MAX_CHARS = 900  # what a reader reads (figures and bullets), citations not counted

_DEADLINE = re.compile(r"\d{1,2}月底前|年底前|年内|前完成|底前|之前完成|截至\d|\d{4}年\d{1,2}月\d{1,2}日前|\d{4}年(?:底|年底)")
_RESPONSIBLE = re.compile(r"[(（]?(?:牵头单位|责任单位|负责单位)[:：]([^)）。\n]+)")
# "省发展改革委要…", "各级财政部门负责…": the unit a task is given to.
_SUBJECT = re.compile(r"((?:各级|各|省|市|县|区)[\u4e00-\u9fff、]{0,16}?(?:部门|单位|政府|办公厅|办公室|局|厅|委员会|委|中心))"
                      r"(?=要|负责|牵头|应当|会同)")
_GENERIC_UNIT = re.compile(r"^各(?:地|级|有关)?、?各?(?:部门|单位)$")

ANNUAL_SECTIONS = ("主要工作", "存在问题", "改进措施")
PLAN_SECTIONS = ("主要任务", "时限与目标", "责任单位")


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


# The headline cells of the national tables, in the order a reader looks for them: (label, row, column).
HEADLINE_CELLS = [
    ("本年新收政府信息公开申请（表）", "一、本年新收政府信息公开申请数量", "总计"),
    ("予以公开（表）", "三、本年度办理结果/（一）予以公开", "总计"),
    ("办理结果总计（表）", "三、本年度办理结果/（七）总计", "总计"),
    ("行政复议总计（表）", "行政复议", "行政复议/总计"),
    ("行政诉讼：未经复议直接起诉（表）", "行政诉讼", "行政诉讼/未经复议直接起诉/总计"),
    ("行政诉讼：复议后起诉（表）", "行政诉讼", "行政诉讼/复议后起诉/总计"),
]


def table_figures(doc: Document) -> list[KeyFigure]:
    """Key figures from the statistical tables' headline cells, each cited by its row (blank cells skipped)."""
    cells = {(c.row, c.col): c for c in cells_in_text(doc.text)}
    out = []
    for label, row, col in HEADLINE_CELLS:
        c = cells.get((row, col))
        if c is None or c.value is None:
            continue
        base, unit = c.base()
        out.append(KeyFigure(label, base, unit, c.raw + c.unit,
                             cite(doc, c.row_start, c.row_end)))
    return out


CONFLICTS = "数字不一致"


def figures_of(doc: Document) -> tuple[list[KeyFigure], list[Bullet]]:
    """Key figures, and a bullet for each figure the report states twice with different values: such a
    figure is not a key figure (the answerer refuses it too) but a note that cites both places."""
    figures, conflicts = [], []
    for f in key_figures(doc.text):
        if f.rival is None:
            figures.append(KeyFigure(f.label, f.number.value, f.number.unit, f.number.text, cite(doc, *f.sentence)))
        else:
            conflicts.append(Bullet(f"{f.label}：报告中既写{f.number.text}，又写{f.rival.number.text}，请核对原文",
                                    [cite(doc, *f.sentence), cite(doc, *f.rival.sentence)]))
    return table_figures(doc) + figures, conflicts


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


def summarize(doc: Document, settings: Settings, backend: SummaryBackend | None = None, progress: bool = False) -> Summary:
    """The summary of one document. backend: 'extractive' | 'llm' (default: the setting)."""
    backend = backend or settings.summary_backend
    template = Kind.work_plan if doc.meta.get("kind") == Kind.work_plan else Kind.annual_report
    summary = Summary(doc.doc_id, doc.meta, doc_label(doc.meta, doc.source), template)
    if template == Kind.annual_report:
        summary.key_figures, conflicts = figures_of(doc)
        summary.sections = annual_sections(doc)
        if conflicts:
            summary.sections = {CONFLICTS: conflicts, **summary.sections}
    else:
        summary.sections = plan_sections(doc)
    if backend == SummaryBackend.llm:
        try:
            summary.sections, summary.backend, summary.dropped = llm_sections(settings, doc, summary, progress)
        except LLMUnavailable as exc:  # the extractive bullets stand, and the reader is told why
            log.warning("LLM summary of %s fell back to extraction: %s", doc.doc_id, exc)
            summary.notice = FALLBACK_NOTICE
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


def summary_from_dict(d: dict[str, Any]) -> Summary:
    s = Summary(d["doc"], d["meta"], d["title"], d["template"], backend=d["backend"], verified=d["verified"],
                dropped=d.get("dropped", 0), notice=d.get("notice", ""))
    s.key_figures = [KeyFigure(k["label"], k["value"], k["unit"], k["text"], Citation(**k["citation"]))
                     for k in d["key_figures"]]
    s.sections = {n: [Bullet(b["text"], [Citation(**c) for c in b["citations"]]) for b in bl]
                  for n, bl in d["sections"].items()}
    return s


# -- rendering -------------------------------------------------------------------------------------


def to_markdown(summary: Summary, where: Callable[[Citation], str] | None = None) -> str:
    """The summary as Markdown; ``where`` says where each citation is in the file (第3页), when given."""
    m = summary.meta
    refs: list[Citation] = []

    def ref(c: Citation) -> str:
        if c not in refs:
            refs.append(c)
        return f"〔{refs.index(c) + 1}〕"

    lines = [f"# {summary.title}", ""]
    level = LEVEL_ZH.get(m.get("level") or "", m.get("level"))
    head = [("发布单位", m.get("issuer")), ("地区", m.get("region")), ("级别", level),
            ("统计年度" if summary.template == "annual_report" else "年度", m.get("year")),
            ("发布日期", m.get("published"))]
    lines.append("；".join(f"{k}：{v}" for k, v in head if v))
    lines.append("")
    if summary.notice:
        lines += [f"> {summary.notice}", ""]
    if summary.template == "annual_report":
        lines += ["## 核心数据", ""]
        lines += [f"- {k.label}：**{k.text}** {ref(k.citation)}" for k in summary.key_figures] or ["- （报告未列出可核实的数据）"]
        lines.append("")
    for name, bullets in summary.sections.items():
        if bullets:
            lines += [f"## {name}", ""] + [f"- {b.text} {''.join(ref(c) for c in b.citations)}" for b in bullets] + [""]
    lines += ["## 引用", ""]
    lines += [f"〔{i}〕 {c.source} {where(c) + ' ' if where else ''}[{c.start}:{c.end}] {c.quote}" for i, c in enumerate(refs, 1)]
    lines += ["", f"（生成方式：{summary.backend}；所有数字均已与引用原文核对）"]
    return "\n".join(lines) + "\n"
