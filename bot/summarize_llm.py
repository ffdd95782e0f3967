"""LLM bullets for summaries: map over groups of sections, reduce to the best few, verify each.

Map: each group of sections is sent as numbered sentences (as many as fit a tiktoken-counted
budget) with `prompts/summarize_map.md`; the model writes bullets ending in [sentence numbers].
Reduce: all work bullets are numbered and `prompts/summarize_reduce.md` picks the best by number
only, so the reduce step cannot add text. Every bullet is checked by the verifier against the
sentences it cites; one that fails (no valid citation, a number not in its sentences, not
Chinese prose) is replaced by the extractive sentence of its section, or dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable
from tqdm import tqdm

from bot.llm import backend_name, load_prompt, make_chat_model, model_call, prompt_instruction, prompt_template
from bot.sections import (
    Bullet,
    Summary,
    best_sentence,
    bullet_ok,
    cite,
    is_measure,
    is_problem,
    problems_and_measures,
    prose_sentences,
    spread,
    work_sections,
)
from bot.verify import numbers_in_text_ok
from govqa.settings import Settings
from govqa.text import cjk_ratio, count_tokens
from govqa.types import Document

MAX_GROUPS = 5  # map calls over the work sections; each call sees a budget of sentences
MAX_WORK_BULLETS = 5
_IDS = re.compile(r"\[(\d+)\]")


REPLY_TOKENS = 160  # a map reply: at most 3 bullets of 60 characters


def chain(settings: Settings, prompt: str) -> Runnable:
    """prompt file -> chat model -> text, as a LangChain runnable."""
    model = make_chat_model(settings).bind(max_tokens=REPLY_TOKENS)
    return prompt_template(prompt) | model | StrOutputParser()


def sentence_budget(settings: Settings, prompt: str) -> int:
    """Tokens left for the numbered sentences once the prompt file and the reply are counted."""
    return settings.llm_context_tokens - REPLY_TOKENS - count_tokens(load_prompt(prompt)) - 64


def numbered(doc: Document, spans: list[tuple[int, int]], budget: int) -> list[tuple[int, int]]:
    """As many sentences as fit the budget, spread over all of them when they don't all fit."""
    chosen: list[tuple[int, int]] = []
    used = 0
    step = 1
    total = sum(count_tokens(doc.text[s:e]) + 6 for s, e in spans)
    if total > budget:
        step = max(1, round(total / budget + 0.5))
    for s, e in spans[::step]:
        n = count_tokens(doc.text[s:e]) + 6
        if used + n > budget:
            break
        chosen.append((s, e))
        used += n
    return chosen


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _rest_on(text: str, spans: list[tuple[int, int]], ids: list[int], doc: Document) -> list[tuple[int, int]]:
    """The sentences a bullet rests on: those it names, else (a small model miscounts) the one it
    copies most from, when it shares most of its wording."""
    named = [spans[i - 1] for i in ids if 1 <= i <= len(spans)]
    if named and numbers_in_text_ok(text, [cite(doc, *sp) for sp in named]):
        return named
    words = _bigrams(text)
    best = max(spans, key=lambda sp: len(words & _bigrams(doc.text[sp[0] : sp[1]])), default=None)
    if best and words and len(words & _bigrams(doc.text[best[0] : best[1]])) >= 0.6 * len(words):
        return [best]
    return named


def draft_to_bullets(reply: str, doc: Document, spans: list[tuple[int, int]], fallback: tuple[int, int] | None,
                     doc_text: Callable[[str], str | None], limit: int = 3) -> tuple[list[Bullet], int]:
    """Turn the model's lines into verified bullets. Returns (bullets, how many were replaced or dropped)."""
    bullets, bad = [], 0
    for line in reply.splitlines():
        if len(bullets) >= limit:
            break
        ids = [int(x) for x in _IDS.findall(line)]
        text = _IDS.sub("", line)
        text = re.sub(r"^\s*(?:[-*•·]|\d+[.、)）])?\s*", "", text).strip(" ;；,，。")
        if not text:
            continue
        text += "。"
        rest = _rest_on(text, spans, ids, doc)
        bullet = Bullet(text, [cite(doc, *sp) for sp in rest])
        if rest and 6 <= len(text) <= 150 and cjk_ratio(text) >= 0.5 and bullet_ok(bullet, doc_text):
            if not any(b.citations[0].start == bullet.citations[0].start for b in bullets):
                bullets.append(bullet)
            continue
        bad += 1
        # The sentence the model pointed at, verbatim; else the section's own extractive pick.
        span = rest[0] if rest else fallback
        if span and not any(b.citations[0].start == span[0] for b in bullets):
            bullets.append(Bullet(doc.text[span[0] : span[1]], [cite(doc, *span)]))
    return bullets, bad


def _groups(items: list, n: int) -> list[list]:
    """Contiguous groups, at most n of them."""
    if not items:
        return []
    size = -(-len(items) // n)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _map(run: Runnable, instruction: str, doc: Document, spans: list[tuple[int, int]], budget: int,
         doc_text: Callable[[str], str | None], limit: int) -> tuple[list[Bullet], int]:
    spans = numbered(doc, spans, budget)
    if not spans:
        return [], 0
    body = "\n".join(f"[{i}] {doc.text[s:e]}" for i, (s, e) in enumerate(spans, 1))
    reply = run.invoke({"instruction": instruction, "sentences": body})
    return draft_to_bullets(reply, doc, spans, best_sentence(doc, spans), doc_text, limit)


def _reduce(run: Runnable, bullets: list[Bullet], limit: int) -> list[Bullet]:
    if len(bullets) <= limit:
        return bullets
    listing = "\n".join(f"[{i}] {b.text}" for i, b in enumerate(bullets, 1))
    reply = run.invoke({"limit": limit, "bullets": listing})
    picked: list[int] = []
    for x in re.findall(r"\d+", reply):
        i = int(x)
        if 1 <= i <= len(bullets) and i not in picked:
            picked.append(i)
    if not picked:
        return spread(bullets, limit)
    return [bullets[i - 1] for i in sorted(picked[:limit])]


def llm_sections(settings: Settings, doc: Document, summary: Summary,
                 progress: bool = False) -> tuple[dict[str, list[Bullet]], str, int]:
    """(sections, backend name, bullets replaced or dropped by the verifier). Work plans keep their
    extractive template: their task headings, deadlines and units are already the source's words.
    A model that fails mid-way raises LLMUnavailable (the caller keeps the extractive bullets)."""
    if summary.template != "annual_report":
        return summary.sections, "extractive", 0
    with model_call(settings):
        return _llm_sections(settings, doc, summary, progress)


def _llm_sections(settings: Settings, doc: Document, summary: Summary,
                  progress: bool) -> tuple[dict[str, list[Bullet]], str, int]:
    run_map, run_reduce = chain(settings, "summarize_map"), chain(settings, "summarize_reduce")
    budget = sentence_budget(settings, "summarize_map")

    def doc_text(d: str) -> str | None:
        return doc.text if d == doc.doc_id else None

    work, problem = work_sections(doc)
    groups = _groups(work, MAX_GROUPS)
    problems, measures = problems_and_measures(doc, problem)
    steps = len(groups) + bool(problems) + bool(measures) + 1
    bar = tqdm(total=steps, desc=f"摘要 {summary.title[:20]}", unit="步", disable=not progress)
    bad = 0
    work_bullets: list[Bullet] = []
    for group in groups:
        spans = [sp for sec in group for sp in prose_sentences(doc, sec.start, sec.end)]
        got, n_bad = _map(run_map, prompt_instruction("summarize_map", "work"), doc, spans, budget, doc_text, 2)
        work_bullets += got
        bad += n_bad
        bar.update()
    out: dict[str, list[Bullet]] = {"主要工作": _reduce(run_reduce, work_bullets, MAX_WORK_BULLETS)}
    bar.update()
    for name, spans, key, fits in (("存在问题", problems, "problems", is_problem),
                                   ("改进措施", measures, "measures", is_measure)):
        instruction = prompt_instruction("summarize_map", key)
        got, n_bad = _map(run_map, instruction, doc, spans, budget, doc_text, 3) if spans else ([], 0)
        # The model's wording must still read as its section's: a rephrased measure that reads as a
        # shortfall is dropped, never misfiled.
        out[name] = [b for b in got if fits(b.text)][:3]
        bad += n_bad + sum(not fits(b.text) for b in got)
        if spans:
            bar.update()
    bar.close()
    if not out["主要工作"]:  # the model gave nothing usable: the extractive bullets stand
        out["主要工作"] = summary.sections.get("主要工作", [])
    return out, backend_name(settings), bad
