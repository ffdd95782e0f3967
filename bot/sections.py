"""What summaries are made of: their types, a report's section structure, and the sentences worth
quoting. Shared by the extractive templates (bot/summarize.py) and the LLM map-reduce
(bot/summarize_llm.py), so that neither imports the other."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.numbers import parse_numbers
from bot.verify import citation_ok, numbers_in_text_ok
from govqa.text import cjk_ratio, sentence_spans
from govqa.types import Citation, Document, ReportMeta, doc_label

TOP = re.compile(r"^([一二三四五六七八九十]+)[、.．]\s*(.+)$")
SUB = re.compile(r"^[(（]([一二三四五六七八九十]+)[)）]\s*(.+)$")
NUM = re.compile(r"^(\d{1,2})[、.．](?!\d)\s*(.+)$")
# What a report's parts are, read from its headings: the national template's six (一、总体情况 …
# 五、存在的主要问题及改进情况, 六、其他需要报告的事项) and the older reports' own ("存在问题和改进措施",
# "下一步工作打算"). A heading may name problems, measures, or both ("…问题及改进情况").
PROBLEM_HEADING = re.compile(r"存在|问题|不足|差距|薄弱")
MEASURE_HEADING = re.compile(r"改进|措施|打算|下一步|今后|努力方向|工作思路|工作计划|工作重点|工作安排|展望")
OTHER_HEADING = re.compile(r"其他需要报告|其他事项")
# Cues read only inside a problem-and-measure part, where they say which of the two a sentence is.
# A sentence that starts with one of these begins the measures ("针对存在问题，2025年我们将…：一是…"),
# and the enumerated items after it (二是…, 三是…) stay measures, as a reader reads a list.
MEASURE_START = re.compile(r"^[^。]{0,6}(?:改进措施|下一步|今后|针对|为此|对此|我们将|我[省市县区镇乡街]将|将着重|将从"
                           r"|\d{4}年[，,]?[^。，,]{0,8}将)")
# A sentence that starts the problems again ("存在的主要问题是…", "主要表现在…").
PROBLEM_START = re.compile(r"^[^。]{0,6}(?:存在的?(?:主要)?问题|主要问题|问题主要|主要表现|不足之处|存在以下)")
PROBLEM = re.compile(r"问题|不足|薄弱|差距|有待|不够|不高|不强|滞后|不到位|不平衡|不完善|不规范|不及时|欠缺|还需|仍需|尚需"
                     r"|需要加强|仍然存在|仍存在|还存在|亟待|单一")
# A plan: what the issuer will do. Never a problem bullet, even inside the problems.
PLAN = re.compile(r"下一步|针对|今后|我们将|将(?:进一步|继续|持续|加强|加大|着力|不断|全面|深入|积极|认真|重点|推动|推进"
                  r"|完善|切实)|\d{4}年[^。]{0,8}将|拟|计划")
ENUM_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[、.．](?!\d))")
TABLE_LINE = re.compile(r"^【表\d+】|[｜|]|【无法拆分】|=\s*\d")

@dataclass
class Bullet:
    text: str
    citations: list[Citation]


@dataclass
class Prior:
    """The same figure in the issuer's previous report, cited there, and the change to this year's:
    "+74件" is derived from the two cited values, in the unit the table writes them in."""

    value: float
    unit: str
    text: str
    citation: Citation
    year: int | None = None
    change: str = ""


@dataclass
class KeyFigure:
    label: str
    value: float
    unit: str
    text: str  # the number as the source writes it, e.g. "107.4万条"
    citation: Citation
    previous: Prior | None = None  # the issuer's previous report, same figure (table cells only)
    # What stands beside the value: a part read from the same cited row ("其中结果纠正1件"), or a share
    # computed from cited cells that says what it was computed from ("占办理结果总计（95件）的52.6%").
    note: str = ""


@dataclass
class Summary:
    doc: str
    meta: ReportMeta
    title: str
    template: str  # annual_report | work_plan
    key_figures: list[KeyFigure] = field(default_factory=list)
    sections: dict[str, list[Bullet]] = field(default_factory=dict)
    backend: str = "extractive"
    verified: bool = True
    dropped: int = 0  # bullets or figures the verifier removed or replaced
    notice: str = ""  # shown to the reader, e.g. that the LLM was down and extraction wrote the bullets
    previous: str = ""  # doc_id of the issuer's previous report the figures were compared with ("" when none)

    def to_dict(self) -> dict[str, Any]:
        def num(v: float) -> float | int:
            return int(v) if float(v).is_integer() else v

        return {
            "doc": self.doc, "meta": self.meta.to_dict(), "title": self.title, "template": self.template,
            "key_figures": [{"label": k.label, "value": num(k.value), "unit": k.unit, "text": k.text,
                             "citation": asdict(k.citation), "note": k.note,
                             "previous": None if k.previous is None else {
                                 "value": num(k.previous.value), "unit": k.previous.unit, "text": k.previous.text,
                                 "year": k.previous.year, "citation": asdict(k.previous.citation),
                                 "change": k.previous.change}}
                            for k in self.key_figures],
            "sections": {name: [{"text": b.text, "citations": [asdict(c) for c in b.citations]} for b in bullets]
                         for name, bullets in self.sections.items()},
            "backend": self.backend, "verified": self.verified, "dropped": self.dropped, "notice": self.notice,
            "previous": self.previous,
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
        for level, pattern in ((1, TOP), (2, SUB), (3, NUM)):
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


def prose_sentences(doc: Document, start: int, end: int, max_len: int = 160, min_len: int = 12,
                    min_cjk: float = 0.5) -> list[tuple[int, int]]:
    """Sentences worth quoting: prose, not headings, not table rows (rendered rows, tabs, pipes, runs of
    bare numbers): a table line is never a bullet."""
    out = []
    for s, e in sentence_spans(doc.text[start:end]):
        s, e = _unmarked(doc.text, s + start, e + start)
        body = doc.text[s:e]
        if not min_len <= len(body) <= max_len or "\t" in body or cjk_ratio(body) < min_cjk or TABLE_LINE.search(body):
            continue
        if any(p.match(body) and len(body) <= 30 for p in (TOP, SUB, NUM)):
            continue
        out.append((s, e))
    return out


_MARKUP = re.compile(r"^(?:[^。：:]{0,8}[：:])?[*＊#]+\s*")


def _unmarked(text: str, s: int, e: int) -> tuple[int, int]:
    """The span without markdown emphasis a page copy left at its edges ("改进措施：**一是…", "…。**")."""
    m = _MARKUP.match(text[s:e])
    if m:
        s += m.end()
    while e > s and text[e - 1] in "*＊#":
        e -= 1
    return s, e


def best_sentence(doc: Document, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The sentence a reader learns most from: a concrete one (with a figure) of readable length."""
    def score(span: tuple[int, int]) -> tuple[int, int]:
        body = doc.text[span[0] : span[1]]
        concrete = any(n.unit not in ("年", "月", "日", "") for n in parse_numbers(body))
        return (2 * concrete + (20 <= len(body) <= 120), -span[0])

    return max(spans, key=score) if spans else None


def problem_parts(secs: list[Section]) -> list[Section]:
    """The problem-and-measure parts, by their headings: at the top level when the report has them
    there (五、存在的主要问题及改进情况), else the highest level that has one; never a part inside another."""
    for level in (1, 2, 3):
        found = [s for s in secs if s.level == level and len(s.heading) <= 30
                 and (PROBLEM_HEADING.search(s.heading) or MEASURE_HEADING.search(s.heading))]
        # A work heading that only mentions a measure word ("（二）完善工作措施") is not this part: at
        # levels below the top, the heading must name the problems or the plan itself.
        if level > 1:
            found = [s for s in found if PROBLEM_HEADING.search(s.heading) or re.search(r"下一步|打算|今后|改进", s.heading)]
        if found:
            return found
    return []


def work_sections(doc: Document) -> tuple[list[Section], list[Section]]:
    """(work sections, problem-and-measure sections) of an annual report. Work is what stands outside
    the problem-and-measure parts and the 其他需要报告的事项 part."""
    secs = sections(doc.text)
    problem = problem_parts(secs)
    other = [s for s in secs if s.level == 1 and OTHER_HEADING.search(s.heading)]

    def outside(sec: Section) -> bool:
        return not any(p.start <= sec.start < p.end for p in problem + other) and sec not in problem + other

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


def _heading_mode(heading: str) -> str | None:
    """What a heading says its part holds: "problem", "measure", or None when it names both or neither."""
    problem, measure = bool(PROBLEM_HEADING.search(heading)), bool(MEASURE_HEADING.search(heading))
    return "problem" if problem and not measure else "measure" if measure and not problem else None


def is_problem(body: str) -> bool:
    """A shortfall stated, and nothing planned: what 存在问题 may hold."""
    return bool(PROBLEM.search(body)) and not PLAN.search(body[:20])


def is_measure(body: str) -> bool:
    """Not a bare shortfall: what 改进措施 may hold (a sentence naming a shortfall must also plan)."""
    return not (PROBLEM.search(body) and not PLAN.search(body))


def problems_and_measures(doc: Document, problem: list[Section]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(problem sentences, measure sentences) of the problem-and-measure parts, read in order.

    The structure decides first: a part or sub-part headed as problems only or measures only holds
    that. In a part that holds both, the problems come first, and the sentence that opens the measures
    (针对…/下一步/2025年…将) switches to them; an enumerated list (一是…二是…) keeps the side it began on.
    Cues only guard: a sentence that plans is never a problem, a bare shortfall is never a measure."""
    problems: list[tuple[int, int]] = []
    measures: list[tuple[int, int]] = []
    subs = sections(doc.text)
    for part in problem:
        mode = _heading_mode(part.heading) or "problem"
        inner = [x for x in subs if part.start <= x.start < part.end and x.level > part.level and _heading_mode(x.heading)]
        current: Section | None = None
        quoted = set(prose_sentences(doc, part.start, part.end, max_len=200))
        # Every sentence moves the reading (a short "一是加强专业培训。" may open the measures); only
        # the quotable ones are filed.
        for s, e in sentence_spans(doc.text[part.start : part.end]):
            s, e = s + part.start, e + part.start
            raw = doc.text[s:e]
            sub = max((x for x in inner if x.start <= s < x.end), key=lambda x: x.start, default=None)
            if sub is not None and sub is not current:
                current, mode = sub, _heading_mode(sub.heading) or mode
            if MEASURE_START.search(raw):
                mode = "measure"
            elif PROBLEM_START.search(raw):
                mode = "problem"
            span = _unmarked(doc.text, s, e)
            if span not in quoted:
                continue
            body = doc.text[span[0] : span[1]]
            # An item of an enumerated list of problems is one even when its wording is mild ("三是政府网站
            # 集约化建设需持续推进"), as long as it plans nothing.
            if mode == "problem" and (is_problem(body) or (ENUM_ITEM.match(body) and not PLAN.search(body[:20]))):
                problems.append(span)
            elif mode == "measure" and is_measure(body):
                measures.append(span)
    return problems, measures


def bullet_ok(b: Bullet, doc_text: Callable[[str], str | None]) -> bool:
    return bool(b.text.strip()) and bool(b.citations) and all(citation_ok(c, doc_text) for c in b.citations) \
        and numbers_in_text_ok(b.text, b.citations)


