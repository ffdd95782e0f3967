"""The extractive answerer: the number tied to the question's key phrase, in the best sentences.

For each retrieved chunk, every number in the asked unit is scored by how much of the
question's key phrase stands in its clause (before the number counts most) and in its
sentence. The best-supported number wins; a question asking for two or three values
("由年初的多少家精简至多少家", "共多少件？其中…各多少件") takes them in order from the one
sentence that supports them best. Too little support -> no answer (the caller refuses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jieba

from bot.numbers import Number, base_unit, parse_numbers
from govqa.text import sentence_spans
from govqa.types import Citation, Hit, Query, Value, doc_label

_CLAUSE = re.compile(r"[，,；;：:]")
_DATE_UNITS = {"年", "月", "日", "天", "小时", "分钟", "工作日"}
MIN_SUPPORT = 0.5  # share of the key phrase's weight that must stand next to the number


@dataclass
class Candidate:
    numbers: list[Number]
    support: float
    citation: Citation
    rank: int


def _weight(term: str) -> float:
    return min(len(term), 4) if not term.isdigit() else 3.0


def _credit(term: str, text: str) -> float:
    """1 for the whole term, else the share of its characters covered by its sub-words found in text."""
    if term in text:
        return 1.0
    subs = [w for w in jieba.cut_for_search(term) if len(w) >= 2 and w != term and w in text]
    return 0.8 * min(1.0, sum(len(w) for w in subs) / len(term))


def _support(query: Query, parts: tuple[str, str, str, str]) -> float:
    """How strongly the question's words tie to a number. ``parts`` are the number's own clause,
    the earlier part of its sentence, the rest of the sentence and the previous sentence, worth
    1, 0.7, 0.4 and 0.3 of a term. The asked clause ("…，予以公开的有多少件") counts 0.6, the
    whole question 0.4."""
    def credit(t: str) -> float:
        return max(w * _credit(t, text) for w, text in zip((1.0, 0.7, 0.4, 0.3), parts))

    def share(terms: list[str]) -> float:
        total = sum(_weight(t) for t in terms) or 1.0
        return sum(_weight(t) * credit(t) for t in terms) / total

    return 0.6 * share(query.focus) + 0.4 * share(query.terms)


def _year_conflict(query_years: set[str], text_before: str) -> bool:
    """'由2016年的25%提高到100%': a number tied to another year than the one asked."""
    m = re.search(r"(20\d{2})年(?:的|底|末|初)?[^，。；]{0,4}$", text_before)
    return bool(m and query_years and m.group(1) not in query_years)


def candidates(query: Query, hits: list[Hit], doc_texts: dict[str, str]) -> list[Candidate]:
    years = set(re.findall(r"(20\d{2})\s*年", query.text))
    out: list[Candidate] = []
    for rank, hit in enumerate(hits):
        text = doc_texts[hit.chunk.doc_id]
        c0 = hit.chunk.start
        spans = sentence_spans(hit.chunk.text)
        # Several values may run over into the next sentence ("共581件。其中…242件，…339件").
        windows = [(a, b, prev) for (a, b), prev in zip(spans, [None, *spans])]
        if query.n_values > 1:
            windows += [(a[0], b[1], None) for a, b in zip(spans, spans[1:])]
        for s, e, prev in windows:
            sentence = hit.chunk.text[s:e]
            previous = hit.chunk.text[prev[0] : prev[1]] if prev else ""
            nums = [n for n in parse_numbers(sentence)
                    if n.unit not in _DATE_UNITS and (n.unit or query.unit is None)
                    and (query.unit is None or base_unit(n.unit) == query.unit)]
            for i, n in enumerate(nums):
                group = nums[i : i + max(1, query.n_values)]
                if len(group) < query.n_values or _year_conflict(years, sentence[: n.start]):
                    continue
                last = group[-1]
                clause_start = max([m.end() for m in _CLAUSE.finditer(sentence, 0, n.start)] or [0])
                own = sentence[clause_start : n.start] if len(group) == 1 else sentence[: last.start]
                parts = (own, sentence[:clause_start], sentence[last.end :], previous)
                if query.head and max(_credit(query.head, p) for p in parts) < 0.5:
                    continue  # the sentence never says what sets this number apart ("败诉")
                support = _support(query, parts)
                cit = Citation(hit.chunk.doc_id, c0 + s, c0 + e, text[c0 + s : c0 + e], hit.source,
                               doc_label(hit.meta, hit.source))
                out.append(Candidate(group, support - 0.01 * rank, cit, rank))
    out.sort(key=lambda c: -c.support)
    return out


def extract_values(query: Query, hits: list[Hit], doc_texts: dict[str, str],
                   min_support: float = MIN_SUPPORT) -> tuple[list[Value], list[Citation]]:
    """Values for a numeric question, or ([], closest citations) when support is too thin."""
    cands = candidates(query, hits, doc_texts)
    if not cands or cands[0].support < min_support or len(cands[0].numbers) < query.n_values:
        return [], [c.citation for c in cands[:3]]
    best = cands[0]
    values = [Value(n.value, n.unit, n.text, n.approximate, best.citation) for n in best.numbers]
    return values, [best.citation]
