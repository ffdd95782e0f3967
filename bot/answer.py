"""The answer service: question -> retrieval (with region/year filter) -> extractive answer
-> the verifier. A question about several reports is split and each part answered from its own."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from bot.extract import MIN_SUPPORT, extract_values
from bot.query import Query, analyse, split_question
from bot.verify import REFUSAL, refusal, verify
from govqa.types import Answer, Citation, Hit, Value, doc_label
from ingest.chunking import sentence_spans
from vectorstore.filters import short_name
from vectorstore.retriever import search
from vectorstore.store import Store

_DATE_RE = re.compile(r"(20\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")


def _sentence_at(text: str, pos: int, doc_id: str, source: str, title: str) -> Citation:
    for s, e in sentence_spans(text):
        if s <= pos < e:
            return Citation(doc_id, s, e, text[s:e], source, title)
    return Citation(doc_id, pos, pos + 1, text[pos : pos + 1], source, title)


def _best_sentence(query: Query, hits: list[Hit], texts: dict[str, str]) -> Citation | None:
    best, best_score = None, 0.0
    weights = {t: min(len(t), 4) for t in query.terms}
    total = sum(weights.values()) or 1
    for rank, h in enumerate(hits):
        for s, e in sentence_spans(h.chunk.text):
            sent = h.chunk.text[s:e]
            score = sum(w for t, w in weights.items() if t in sent) / total - 0.01 * rank
            if score > best_score:
                a = h.chunk.start + s
                best, best_score = Citation(h.chunk.doc_id, a, a + e - s, texts[h.chunk.doc_id][a : a + e - s], h.source,
                                            doc_label(h.meta, h.source)), score
    return best if best_score >= 0.4 else None


def _fact(query: Query, hits: list[Hit], texts: dict[str, str]) -> tuple[list[str], list[Citation]]:
    top = hits[0]
    text, doc_id, title = texts[top.chunk.doc_id], top.chunk.doc_id, doc_label(top.meta, top.source)
    parts: list[str] = []
    cits: list[Citation] = []
    if "issuer" in query.fact and top.meta.get("issuer") and top.meta["issuer"] in text:
        parts.append(top.meta["issuer"])
        cits.append(_sentence_at(text, text.index(top.meta["issuer"]), doc_id, top.source, title))
    if "date" in query.fact and top.meta.get("published"):
        y, m, d = (int(x) for x in top.meta["published"].split("-"))
        for mt in _DATE_RE.finditer(text):
            if tuple(int(g) for g in mt.groups()) == (y, m, d):
                parts.append(mt.group(0))
                cits.append(_sentence_at(text, mt.start(), doc_id, top.source, title))
                break
    if "place" in query.fact and top.meta.get("region"):
        region = top.meta["region"]
        sentence = _best_sentence(query, hits[:1], texts)
        if sentence and region in text:
            parts.append(region)
            cits += [sentence, _sentence_at(text, text.index(region), doc_id, top.source, title)]
    if not parts:
        sentence = _best_sentence(query, hits, texts)
        if sentence:
            parts.append(sentence.quote)
            cits.append(sentence)
    return parts, cits


def _name_terms(store: Store) -> list[str]:
    """Region and issuer names: the filter handles them, so they are no evidence for a number."""
    out = []
    for d in store.documents():
        r, issuer = d["meta"].get("region"), d["meta"].get("issuer")
        if r:
            out += [r, short_name(r)]
        if issuer:
            out.append(issuer)
    return out


def answer_question(store: Store, question: str, k: int = 6, backend: str = "auto",
                    doc_ids: list[str] | None = None, min_support: float | None = None,
                    on_token: Callable[[str], None] | None = None) -> Answer:
    """``backend``: 'extractive' (no LLM), 'llm' (the LLM answers everything), or 'auto' (numbers
    extractively; other fact questions through the LLM, falling back to the best sentence)."""
    t0 = time.perf_counter()
    drop = _name_terms(store)
    values: list[Value] = []
    citations: list[Citation] = []
    fact_parts: list[str] = []
    closest: list[Citation] = []
    texts: dict[str, str] = {}
    refused_why = ""
    used_llm = ""
    for part in split_question(question):
        hits, flt = search(store, part, k=k, doc_ids=doc_ids)
        if not hits:
            refused_why = ("没有关于" + "、".join(flt.unknown_regions) + "的报告" if flt.unknown_regions
                           else "没有符合问题中地区/年份的报告" if flt.doc_ids == [] else "没有相关段落")
            break
        for h in hits:
            if h.chunk.doc_id not in texts:
                texts[h.chunk.doc_id] = store.document(h.chunk.doc_id).text
        query = analyse(part, drop=drop)
        if backend == "llm" or (backend == "auto" and query.fact == ["other"]):
            got = _try_llm(store, part, hits, texts, query.numeric, required=backend == "llm", on_token=on_token)
            if got is not None and got.refused and backend == "auto":
                got = None  # the LLM found no verifiable span: the extractive path still may
            if got is not None:
                if got.refused:
                    refused_why = got.answer.removeprefix(REFUSAL).strip("（）") or "模型未找到答案"
                    break
                used_llm = got.backend
                values += got.values
                fact_parts += [] if got.values else [got.answer]
                citations += [c for c in got.citations if c not in citations]
                continue
        if query.numeric:
            vals, cits = extract_values(query, hits, texts, min_support or MIN_SUPPORT)
            if not vals:
                closest += cits or [Citation(h.chunk.doc_id, h.chunk.start, h.chunk.end, h.chunk.text, h.source)
                                    for h in hits[:2]]
                refused_why = "报告中没有明确对应该问题的数字"
                break
            values += vals
            citations += [c for c in cits if c not in citations]
        else:
            parts, cits = _fact(query, hits, texts)
            if not parts:
                refused_why = "没有找到能回答该问题的原文"
                break
            fact_parts += parts
            citations += [c for c in cits if c not in citations]
    if refused_why:
        ans = refusal(Answer(question, "", True, closest=closest), refused_why)
    else:
        text = "；".join([v.text for v in values] + fact_parts)
        ans = verify(Answer(question, text, False, values, citations, used_llm or "extractive", closest=closest),
                     lambda d: texts.get(d) or (store.document(d).text if store.document(d) else None))
    ans.latency_ms = (time.perf_counter() - t0) * 1000
    return ans


def _try_llm(store: Store, question: str, hits: list[Hit], texts: dict[str, str], numeric: bool,
             required: bool, on_token: Callable[[str], None] | None = None) -> Answer | None:
    """The LLM's answer, or None when it is unavailable and not required (the extractive path answers)."""
    from bot.llm import LLMUnavailable
    from bot.llm_answer import llm_answer

    try:
        return llm_answer(store.settings, question, hits, texts, numeric, on_token=on_token)
    except LLMUnavailable as exc:
        if required:
            return Answer(question, f"{REFUSAL}（{exc}）", True)
        return None
    except Exception as exc:  # a model or server error must never reach the user as a traceback
        if required:
            return Answer(question, f"{REFUSAL}（模型调用失败：{type(exc).__name__}）", True)
        return None
