"""The one verifier. CLI, UI, summaries and eval show only what passed it.

Rules: a citation's quote is an exact substring of the stored document at its offsets; a
value is stated in its own citation's quote (compared by value with unit scaling, so
660.91万元 == 6609100 元); a fact answer's text is a span of one of its citations.
Anything that fails is dropped; an answer left with nothing becomes a refusal.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.numbers import parse_numbers, present_in
from govqa.taint import tainted
from govqa.text import citable
from govqa.types import Answer, Citation, Value


def citation_ok(c: Citation, doc_text: Callable[[str], str | None]) -> bool:
    """An exact span of its document, and no part of a planted instruction: neither on its own
    (govqa.text.citable) nor in its document, where a clean-looking sentence may follow an instruction
    in the same paragraph (govqa.taint.tainted)."""
    text = doc_text(c.doc)
    return bool(text) and 0 <= c.start < c.end <= len(text) and text[c.start : c.end] == c.quote \
        and citable(c.quote) and not tainted(text, c.start, c.end)


def value_ok(v: Value, doc_text: Callable[[str], str | None]) -> bool:
    return citation_ok(v.citation, doc_text) and present_in(v.value, v.unit, v.citation.quote)


def numbers_in_text_ok(text: str, citations: list[Citation]) -> bool:
    """Every number written in ``text`` appears in one of the citations (summaries, LLM phrasing)."""
    return all(
        any(present_in(n.value, n.unit, c.quote) for c in citations)
        for n in parse_numbers(text)
    )


def verify(answer: Answer, doc_text: Callable[[str], str | None]) -> Answer:
    if answer.refused:
        return answer
    values = [v for v in answer.values if value_ok(v, doc_text)]
    citations = [c for c in answer.citations if citation_ok(c, doc_text)]
    lost_value = len(values) != len(answer.values)
    if answer.values and (lost_value or not values):
        return refusal(answer, "数值未能在引用原文中核实")
    if not answer.values:
        # A fact answer: its text must be a span of a verified citation, and carry no unverified number.
        pieces = [p for p in answer.answer.split("；") if p]
        if not citations or not pieces or not all(any(p in c.quote for c in citations) for p in pieces):
            return refusal(answer, "答案未能在引用原文中核实")
        if not numbers_in_text_ok(answer.answer, citations):
            return refusal(answer, "答案中的数字未能在引用原文中核实")
    answer.values, answer.citations = values, citations
    return answer


def refusal(answer: Answer, why: str = "") -> Answer:
    closest = answer.closest or answer.citations
    return Answer.refusal(answer.question, why, backend=answer.backend, latency_ms=answer.latency_ms, closest=closest[:3])
