"""The LLM answerer: numbered passages in a tiktoken-counted budget, the model answers with a
citation id, and the answer is tied back to an exact span of the cited passage.

Whatever the model writes, only a span of the source survives: the answer text must occur in a
cited passage (the citation is the sentence holding it) and every number in it must be stated
there; otherwise the verifier turns it into a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.llm import backend_name, make_chat_model, model_call, prompt_messages
from bot.numbers import parse_numbers
from govqa.settings import Settings
from govqa.taint import masked
from govqa.text import count_tokens, sentence_spans
from govqa.types import REFUSAL, Answer, Citation, Hit, Value, doc_label

_PROMPT_OVERHEAD = 420  # system prompt + worked examples, in tokens (checked in tests)


def build_passages(hits: list[Hit], budget: int) -> list[Hit]:
    chosen, used = [], 0
    for h in hits:
        n = count_tokens(h.chunk.text) + 8
        if used + n > budget:
            break
        chosen.append(h)
        used += n
    return chosen


def _span_citation(hit: Hit, doc_text: str, needle: str) -> Citation | None:
    pos = hit.chunk.text.find(needle)
    if pos < 0:
        return None
    for s, e in sentence_spans(hit.chunk.text):
        if s <= pos < e:
            # The needle may run past the sentence end; extend to cover it.
            e = max(e, pos + len(needle))
            a, b = hit.chunk.start + s, hit.chunk.start + e
            return Citation(hit.chunk.doc_id, a, b, doc_text[a:b], hit.source, doc_label(hit.meta, hit.source))
    return None


def parse_reply(reply: str) -> tuple[str, list[int]]:
    text = reply.strip()
    ids = [int(x) for x in re.findall(r"\[(\d+)\]", text)]
    first = re.split(r"\n|依据[:：]", text)[0].strip()
    first = re.sub(r"^(答案|答)[:：]\s*", "", first).strip(" 。")
    return first, ids


def llm_answer(settings: Settings, question: str, hits: list[Hit], texts: dict[str, str], numeric: bool,
               max_passages: int = 3, on_token: Callable[[str], None] | None = None) -> Answer:
    """``on_token`` receives the model's reply as it is generated (the app shows it as an unverified
    draft); the returned Answer is what passed the verifier."""
    model = make_chat_model(settings)
    budget = settings.llm_context_tokens - settings.llm_max_tokens - _PROMPT_OVERHEAD - count_tokens(question) - 32
    passages = build_passages(hits[:max_passages], budget)
    # Planted instructions are cut out before the model reads them (govqa/taint.py).
    body = "\n".join(f"[{i}] {masked(h.chunk.text, texts[h.chunk.doc_id], h.chunk.start)}"
                     for i, h in enumerate(passages, 1))
    messages = prompt_messages("answer", passages=body, question=question)
    with model_call(settings):
        if on_token is None:
            reply = model.invoke(messages).content
        else:
            parts = []
            for chunk in model.stream(messages):
                parts.append(str(chunk.content))
                on_token(parts[-1])
            reply = "".join(parts)
    text, ids = parse_reply(str(reply))
    backend = backend_name(settings)
    if not text or text.startswith(REFUSAL):
        return Answer.refusal(question, "模型未找到答案", backend=backend)
    order = [passages[i - 1] for i in ids if 1 <= i <= len(passages)] + passages
    for hit in order:
        cit = _span_citation(hit, texts[hit.chunk.doc_id], text)
        if cit:
            values = [Value(n.value, n.unit, n.text, n.approximate, cit) for n in parse_numbers(text)
                      if n.unit not in ("年", "月", "日")] if numeric else []
            return Answer(question, text, False, values, [cit], backend)
    # Not a span of any passage: keep it only as a refusal reason, never as an answer.
    return Answer.refusal(question, "模型的回答不是原文", backend=backend)
