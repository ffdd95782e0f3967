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
PROBLEM_SECTION = re.compile(r"问题|不足|改进|措施|打算|下一步|计划")
PROBLEM = re.compile(r"问题|不足|薄弱|差距|有待|不够|不高|滞后|不到位|不平衡|欠缺|还需|仍需|尚需|仍然存在|亟待")
MEASURE_START = re.compile(r"改进措施|下一步|今后|针对上述|我们将|将着重|将从|\d{4}年[，,]?(?:我们|我市|我省|我县|我区)?将")
MEASURE = re.compile(r"将|进一步|下一步|加强|推进|提升|完善|做好|加大|强化|深化")

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
    meta: ReportMeta
    title: str
    template: str  # annual_report | work_plan
    key_figures: list[KeyFigure] = field(default_factory=list)
    sections: dict[str, list[Bullet]] = field(default_factory=dict)
    backend: str = "extractive"
    verified: bool = True
    dropped: int = 0  # bullets or figures the verifier removed or replaced
    notice: str = ""  # shown to the reader, e.g. that the LLM was down and extraction wrote the bullets

    def to_dict(self) -> dict[str, Any]:
        def num(v: float) -> float | int:
            return int(v) if float(v).is_integer() else v

        return {
            "doc": self.doc, "meta": self.meta.to_dict(), "title": self.title, "template": self.template,
            "key_figures": [{"label": k.label, "value": num(k.value), "unit": k.unit, "text": k.text,
                             "citation": asdict(k.citation)} for k in self.key_figures],
            "sections": {name: [{"text": b.text, "citations": [asdict(c) for c in b.citations]} for b in bullets]
                         for name, bullets in self.sections.items()},
            "backend": self.backend, "verified": self.verified, "dropped": self.dropped, "notice": self.notice,
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


def prose_sentences(doc: Document, start: int, end: int, max_len: int = 160) -> list[tuple[int, int]]:
    """Sentences worth quoting: prose, not headings, not table rows (tabs, runs of bare numbers)."""
    out = []
    for s, e in sentence_spans(doc.text[start:end]):
        s, e = s + start, e + start
        body = doc.text[s:e]
        if not 12 <= len(body) <= max_len or "\t" in body or cjk_ratio(body) < 0.5:
            continue
        if any(p.match(body) and len(body) <= 30 for p in (TOP, SUB, NUM)):
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
    problem = [s for s in secs if s.level == 1 and PROBLEM_SECTION.search(s.heading)]

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
        in_measures = bool(MEASURE_START.search(sec.heading)) and not PROBLEM.search(sec.heading)
        for s, e in prose_sentences(doc, sec.start, sec.end, max_len=200):
            body = doc.text[s:e]
            if MEASURE_START.search(body[:12]):
                in_measures = True
            if not in_measures and PROBLEM.search(body):
                problems.append((s, e))
            elif in_measures or MEASURE.search(body):
                measures.append((s, e))
    return problems, measures


def bullet_ok(b: Bullet, doc_text: Callable[[str], str | None]) -> bool:
    return bool(b.text.strip()) and bool(b.citations) and all(citation_ok(c, doc_text) for c in b.citations) \
        and numbers_in_text_ok(b.text, b.citations)


