"""Cited executive summaries: key figures, then bullets, every one tied to the sentences it rests on.

The key-figure block always comes from verified extraction, never from free LLM text: for a 2019+
report the statistical tables' cells first (`bot.table_figures`, with the issuer's previous report's
cell and the change beside each), then the statistics year, the prose rules (`bot.figures`) and the
report's other counted figures. Bullets come from the report's parts as its headings define them
(`bot.sections`): extractively (a chosen sentence per section, the offline default), or through the
LLM map-reduce in `bot.summarize_llm`, whose bullets must pass the same verifier and fall back to the
extractive sentence when they don't. The audit's findings on the report follow as 核查提示. Annual
reports get 核心数据 / 主要工作 / 存在问题 / 改进措施 / 核查提示; work plans get 主要任务 / 时限与目标 / 责任单位.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from bot.audit import FAIL, UNCERTAIN, Finding, audit_document, year_to_year
from bot.figures import Counted, counted_figures, key_figures, rank
from bot.llm import FALLBACK_NOTICE, LLMUnavailable
from bot.numbers import parse_numbers, present_in, same_value
from bot.sections import (
    Bullet,
    KeyFigure,
    Prior,
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
from bot.table_figures import cell_figures
from bot.verify import citation_ok
from govqa.settings import Settings
from govqa.text import sentence_spans
from govqa.types import LEVEL_ZH, Citation, Document, Kind, ReportMeta, SummaryBackend, doc_label

log = logging.getLogger(__name__)

MAX_CHARS = 1500  # what a reader reads (figures and bullets), citations not counted
MAX_BULLET_CHARS = 800  # of which bullets
MAX_FIGURES = 28  # key figures shown at most: the tables' first, then the prose rules', then other counts
MIN_FIGURES = 12  # kept when the whole is too long
MAX_COUNTED = 14  # the report's other counted figures: the most central, shown in reading order
MIN_WORK_BULLETS = 3  # 主要工作 takes more sentences per section when the report has fewer sections
MAX_CHECKS = 4  # 核查提示: findings that do not add up first
MAX_HINT_CITES = 4  # rows cited by one 核查提示 (a sum cites its total and its first parts)

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
    """主要工作 from the work parts (one sentence per section, more from each when the report has few
    sections), 存在问题 and 改进措施 from the problem-and-measure parts only."""
    work, problem = work_sections(doc)

    def sentences(start: int, end: int) -> list[tuple[int, int]]:
        return [sp for sp in prose_sentences(doc, start, end) if not _ABOUT_REPORT.search(doc.text[sp[0] : sp[1]])]

    picks = list(dict.fromkeys(b for b in (best_sentence(doc, sentences(s.start, s.end)) for s in work) if b))
    if len(picks) < MIN_WORK_BULLETS:  # few sections (or none): more sentences of the work parts
        spans = list(dict.fromkeys(sp for s in work for sp in sentences(s.start, s.end))) or sentences(0, len(doc.text))
        concrete = [sp for sp in spans if sp not in picks and _concrete(doc, sp)]
        picks = sorted(picks + spread(concrete, MIN_WORK_BULLETS - len(picks)))
    problems, measures = problems_and_measures(doc, problem)
    return {"主要工作": _bullets(doc, spread(picks, 5)), "存在问题": _bullets(doc, problems[:3]),
            "改进措施": _bullets(doc, measures[:3])}


# A sentence about the report itself (its parts, its period, where to ask), not the year's work.
_ABOUT_REPORT = re.compile(r"本报告|本年度报告|报告(?:中所列|所列|包括|由|的电子版)|统计期限|如对本")


def _concrete(doc: Document, span: tuple[int, int]) -> bool:
    """A sentence with a counted figure: a work bullet that says what was done, not that it was valued."""
    return any(n.unit not in ("年", "月", "日", "") for n in parse_numbers(doc.text[span[0] : span[1]]))


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


CONFLICTS = "数字不一致"
CHECKS = "核查提示"
# A prose figure that restates a table figure of the same report adds nothing when the values agree.
RESTATES_TABLE = {
    "受理信息公开申请": "本年新收政府信息公开申请（表）", "同意公开": "予以公开（表）", "部分公开": "部分公开（表）",
    "行政复议": "行政复议总计（表）",
}


def figures_of(doc: Document, previous: Document | None = None) -> tuple[list[KeyFigure], list[Bullet]]:
    """Key figures, and a bullet for each figure the report states twice with different values: such a
    figure is not a key figure (the answerer refuses it too) but a note that cites both places.

    Order: the statistical tables' cells (2019+ reports, with last year's cell beside each), the rule
    figures of the prose, then the report's other counted figures in reading order."""
    table = cell_figures(doc, previous)
    by_label = {k.label: k for k in table}
    figures, conflicts = [], []
    rules = key_figures(doc.text)
    for f in rules:
        if f.rival is not None:
            conflicts.append(Bullet(f"{f.label}：报告中既写{f.number.text}，又写{f.rival.number.text}，请核对原文",
                                    [cite(doc, *f.sentence), cite(doc, *f.rival.sentence)]))
            continue
        same = by_label.get(RESTATES_TABLE.get(f.label, ""))
        if same is not None and same_value(same.value, same.unit, f.number.value, f.number.unit):
            continue
        figures.append(KeyFigure(f.label, f.number.value, f.number.unit, f.number.text, cite(doc, *f.sentence)))
    taken = {(f.number.start, f.number.end) for f in rules} | {
        (f.rival.number.start, f.rival.number.end) for f in rules if f.rival is not None}
    others = [c for c in counted_figures(doc.text, figure_sentences(doc), taken, doc.meta.issuer or "")
              if not any(_restates(c, k) for k in table)]
    cited = [(k.citation.start, k.citation.end) for k in figures]
    others_kf = [KeyFigure(c.label, c.number.value, c.number.unit, c.number.text, cite(doc, *c.sentence))
                 for c in rank(others, cited, MAX_COUNTED)]
    year = year_figure(doc)
    return table + ([year] if year else []) + figures + others_kf, conflicts


def _restates(c: Counted, k: KeyFigure) -> bool:
    """A prose count that restates a table cell: the same value, and the clause names the row (新收, 予以公开)."""
    words = re.sub(r"（表）|[：:]|政府信息公开", "", k.label)
    return same_value(k.value, k.unit, c.number.value, c.number.unit) and any(
        words[i : i + 2] in c.label for i in range(len(words) - 1))


_YEAR_LINE = re.compile(r"年度报告|工作报告|统计期限|统计时间|统计期间|数据统计")


def year_figure(doc: Document) -> KeyFigure | None:
    """The statistics year, cited to the first line that states it (the title, or the statistics period):
    which year a report speaks for is the first thing a reader checks."""
    year = doc.meta.year
    if not year:
        return None
    for s, e in sentence_spans(doc.text):
        body = doc.text[s:e]
        i = body.find(f"{year}年")
        if i >= 0 and _YEAR_LINE.search(body) and not body[i - 1 : i].isdigit():
            return KeyFigure("统计年度", float(year), "年", f"{year}年", cite(doc, s, e))
    return None


def figure_sentences(doc: Document) -> list[tuple[int, int]]:
    """The sentences a report's counted figures are read from: all but the problem-and-measure parts
    and the table lines (their cells are read as cells)."""
    _work, problem = work_sections(doc)
    return [sp for sp in prose_sentences(doc, 0, len(doc.text), max_len=400, min_len=4, min_cjk=0.3)
            if not any(p.start <= sp[0] < p.end for p in problem)]


def audit_bullets(doc: Document, previous: Document | None = None) -> list[Bullet]:
    """The audit's findings on the report (and on its carry-over from the previous one) as 核查提示:
    what does not add up (不符), and what cannot be checked where it matters (a prose figure against the
    table, a blank 总计). What the audit says, the values it read (each cited), no sum it computed: the
    bullet shows only numbers that stand in its citations; the arithmetic is on the 核查 tab."""
    findings = audit_document(doc) + (year_to_year([previous, doc]) if previous is not None else [])
    docs = [doc] + ([previous] if previous is not None else [])
    out = []
    for f in sorted((f for f in findings if _worth_a_hint(f)), key=lambda f: f.status != FAIL):
        cites: list[Citation] = []
        # A sum over many cells cites its total and its first parts; the 核查 tab lists every cell.
        for c in f.cited if len(f.cited) <= MAX_HINT_CITES else [*f.cited[: MAX_HINT_CITES - 1], f.cited[-1]]:
            d = next((x for x in docs if x.text[c.start : c.end] == c.quote), None)
            if d is not None and all((x.doc, x.start) != (d.doc_id, c.start) for x in cites):
                cites.append(cite(d, c.start, c.end))
        read = [c for c in f.cited if c.label != "原文"]
        values = "；".join(dict.fromkeys(f"{_short(c.label)} {c.raw or '空白'}" for c in read)) if len(read) <= 5 else ""
        what = re.sub(r"[：:](?:无法核对|各项之和为).*$", "", f.message) if len(read) > 5 else f.message
        if len(read) > 5 and read[-1].value is None:
            what += "（总计为空白）"
        what = _SUM_SAID.sub(r"≠\1", what)
        text = f"{'不符' if f.status == FAIL else '无法核对'}：{what}" + (f"（读取：{values}）" if values else "")
        if cites:
            out.append(Bullet(_only_cited(text, cites), cites))
    return out[:MAX_CHECKS]


# "…与总计：各项之和为 11，表中总计为 0": the audit's computed sum, written as the relation instead.
_SUM_SAID = re.compile(r"与(\S*?总计)[：:]各项之和为[^，,]*[，,]表中总计为.*$")


def _worth_a_hint(f: Finding) -> bool:
    """Every 不符; a 无法核对 only when it is about the prose or a blank 总计 (a table with blank cells is
    common, and the 核查 tab lists each)."""
    if f.status == FAIL:
        return True
    if f.status != UNCERTAIN:
        return False
    if not f.check.startswith(("申请/", "行政复议/", "行政诉讼/")):
        return True
    # A blank 总计 beside filled parts: the report left out a figure it should state (a sum check cites
    # its total last). Other blank cells are how many reports write 0.
    total = f.cited[-1] if f.cited else None
    return (total is not None and total.value is None and total.label.endswith("总计")
            and any(c.value for c in f.cited[:-1]))


def _only_cited(text: str, cites: list[Citation]) -> str:
    """``text`` without the numbers that stand in none of ``cites`` (sums and years the audit wrote)."""
    for n in reversed(parse_numbers(text)):
        if not any(present_in(n.value, n.unit, c.quote) for c in cites):
            text = text[: n.start] + text[n.end :]
    return re.sub(r"\s+([，。；）])", r"\1", re.sub(r" {2,}", " ", text))


def _short(label: str) -> str:
    """"三、本年度办理结果/（七）总计 × 总计" -> "（七）总计×总计": the row's last part and the column's."""
    row, _, col = label.partition(" × ")
    return f"{row.split('/')[-1]}×{col.split('/')[-1]}" if col else row


def fit(summary: Summary, max_chars: int = MAX_CHARS) -> None:
    """Keep what a reader reads short: at most MAX_FIGURES figures (the last, least central, go first),
    bullets within MAX_BULLET_CHARS (the longest bullet of the largest section goes first), and the
    whole within max_chars (trailing figures beyond MIN_FIGURES, then bullets)."""
    del summary.key_figures[MAX_FIGURES:]

    def bullet_chars() -> int:
        return sum(len(b.text) for bullets in summary.sections.values() for b in bullets)

    def drop_bullet() -> bool:
        name = max((n for n, b in summary.sections.items() if len(b) > 1), key=lambda n: len(summary.sections[n]),
                   default=None) or max((n for n, b in summary.sections.items() if b),
                                        key=lambda n: len(summary.sections[n][0].text), default=None)
        if name is None:
            return False
        bullets = summary.sections[name]
        bullets.remove(max(bullets, key=lambda b: len(b.text)))
        return True

    while bullet_chars() > MAX_BULLET_CHARS and drop_bullet():
        pass
    while summary.body_chars() > max_chars:
        if len(summary.key_figures) > MIN_FIGURES:
            summary.key_figures.pop()
        elif not drop_bullet():
            break


def summarize(doc: Document, settings: Settings, backend: SummaryBackend | None = None, progress: bool = False,
              previous: Document | None = None) -> Summary:
    """The summary of one document. backend: 'extractive' | 'llm' (default: the setting). ``previous``:
    the same issuer's report of the year before, when the library has it: each table figure shows last
    year's cell and the change, and the carry-over between the two is audited."""
    backend = backend or settings.summary_backend
    template = Kind.work_plan if doc.meta.kind == Kind.work_plan else Kind.annual_report
    summary = Summary(doc.doc_id, doc.meta, doc_label(doc.meta, doc.source), template)
    extra: dict[str, list[Bullet]] = {}
    if template == Kind.annual_report:
        summary.key_figures, conflicts = figures_of(doc, previous)
        summary.previous = previous.doc_id if previous is not None else ""
        summary.sections = annual_sections(doc)
        extra = {CONFLICTS: conflicts, CHECKS: audit_bullets(doc, previous)}
    else:
        summary.sections = plan_sections(doc)
    if backend == SummaryBackend.llm:
        try:
            summary.sections, summary.backend, summary.dropped = llm_sections(settings, doc, summary, progress)
        except LLMUnavailable as exc:  # the extractive bullets stand, and the reader is told why
            log.warning("LLM summary of %s fell back to extraction: %s", doc.doc_id, exc)
            summary.notice = FALLBACK_NOTICE
    if extra.get(CONFLICTS):
        summary.sections = {CONFLICTS: extra[CONFLICTS], **summary.sections}
    fit(summary)
    if extra.get(CHECKS):  # the audit's hints are not cut for length: they are why a reader checks the source
        summary.sections[CHECKS] = extra[CHECKS]
    texts = {doc.doc_id: doc.text} | ({previous.doc_id: previous.text} if previous is not None else {})
    return verify_summary(summary, texts.get)


def verify_summary(summary: Summary, doc_text: Callable[[str], str | None]) -> Summary:
    """The verifier's rules for summaries: a figure is stated in its exact citation (last year's value
    in its own); a bullet's numbers all stand in its citations. What fails is dropped, never shown."""
    before = len(summary.key_figures) + sum(len(b) for b in summary.sections.values())
    summary.key_figures = [k for k in summary.key_figures
                           if citation_ok(k.citation, doc_text) and present_in(k.value, k.unit, k.citation.quote)]
    quotes = [k.citation.quote for k in summary.key_figures]
    for k in summary.key_figures:
        p = k.previous
        if p is not None and not (citation_ok(p.citation, doc_text) and present_in(p.value, p.unit, p.citation.quote)):
            k.previous = None
            summary.dropped += 1
        if k.note and not _note_ok(k.note, quotes):
            k.note = ""
            summary.dropped += 1
    for name, bullets in summary.sections.items():
        summary.sections[name] = [b for b in bullets if bullet_ok(b, doc_text)]
    summary.dropped += before - (len(summary.key_figures) + sum(len(b) for b in summary.sections.values()))
    summary.verified = True
    return summary


def _note_ok(note: str, quotes: list[str]) -> bool:
    """A note's numbers stand in the summary's cited rows, but the share it derives from them ("占…的52.6%")."""
    derived = note.startswith("占")
    return all(any(present_in(n.value, n.unit, q) for q in quotes) or (derived and n.unit == "%")
               for n in parse_numbers(note))


def summary_from_dict(d: dict[str, Any]) -> Summary:
    s = Summary(d["doc"], ReportMeta.from_dict(d["meta"]), d["title"], d["template"], backend=d["backend"],
                verified=d["verified"], dropped=d.get("dropped", 0), notice=d.get("notice", ""),
                previous=d.get("previous", ""))
    s.key_figures = []
    for k in d["key_figures"]:
        p = k.get("previous")
        prior = None if not p else Prior(p["value"], p["unit"], p["text"], Citation(**p["citation"]), p.get("year"),
                                         p.get("change", ""))
        s.key_figures.append(KeyFigure(k["label"], k["value"], k["unit"], k["text"], Citation(**k["citation"]),
                                       prior, k.get("note", "")))
    s.sections = {n: [Bullet(b["text"], [Citation(**c) for c in b["citations"]]) for b in bl]
                  for n, bl in d["sections"].items()}
    return s


# -- rendering -------------------------------------------------------------------------------------


def figure_note(k: KeyFigure, ref: Callable[[Citation], str]) -> str:
    """What stands beside a figure: its note, and last year's value (cited there) with the change."""
    parts = [k.note] if k.note else []
    if k.previous is not None:
        year = f"{k.previous.year}年" if k.previous.year else "上年"
        parts.append(f"上年（{year}报告）{k.previous.text} {ref(k.previous.citation)}，变化 {k.previous.change}")
    return f"（{'；'.join(parts)}）" if parts else ""


def to_markdown(summary: Summary, where: Callable[[Citation], str] | None = None) -> str:
    """The summary as Markdown; ``where`` says where each citation is in the file (第3页), when given."""
    m = summary.meta
    refs: list[Citation] = []

    def ref(c: Citation) -> str:
        if c not in refs:
            refs.append(c)
        return f"〔{refs.index(c) + 1}〕"

    lines = [f"# {summary.title}", ""]
    level = LEVEL_ZH.get(m.level, m.level) if m.level else None
    head = [("发布单位", m.issuer), ("地区", m.region), ("级别", level),
            ("统计年度" if summary.template == "annual_report" else "年度", m.year),
            ("发布日期", m.published)]
    lines.append("；".join(f"{k}：{v}" for k, v in head if v))
    lines.append("")
    if summary.notice:
        lines += [f"> {summary.notice}", ""]
    if summary.template == "annual_report":
        lines += ["## 核心数据", ""]
        lines += [f"- {k.label}：**{k.text}** {ref(k.citation)}{figure_note(k, ref)}" for k in summary.key_figures] \
            or ["- （报告未列出可核实的数据）"]
        lines.append("")
    for name, bullets in summary.sections.items():
        if bullets:
            lines += [f"## {name}", ""] + [f"- {b.text} {''.join(ref(c) for c in b.citations)}" for b in bullets] + [""]
    lines += ["## 引用", ""]
    lines += [f"〔{i}〕 {c.source} {where(c) + ' ' if where else ''}[{c.start}:{c.end}] {c.quote}" for i, c in enumerate(refs, 1)]
    lines += ["", f"（生成方式：{summary.backend}；所有数字均已与引用原文核对）"]
    return "\n".join(lines) + "\n"
