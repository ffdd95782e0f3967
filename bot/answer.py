"""Answering: question -> analysed once -> retrieval (with region/year filter) -> extractive
answer or the LLM -> the verifier. A question about several reports is split and each part
answered from its own. A refusal carries its reason and the closest passages."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from bot.arithmetic import derived_answer
from bot.cells import cell_answer
from bot.confidence import Basis, confidence, sure_enough, withheld_reason
from bot.extract import MIN_SUPPORT, Candidate, by_other_verb, extract_values, label_covers
from bot.query import analyse, asks_apart, split_question, subject_of
from bot.verify import verify
from bot.whose import whose_conflict
from govqa.cells import is_row_line
from govqa.text import sentence_spans
from govqa.types import Answer, Backend, Citation, Hit, Query, ReportMeta, Value, doc_label
from vectorstore.filters import identity_names
from vectorstore.retriever import search
from vectorstore.store import Store

log = logging.getLogger(__name__)

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
    if "issuer" in query.fact and top.meta.issuer and top.meta.issuer in text:
        parts.append(top.meta.issuer)
        cits.append(_sentence_at(text, text.index(top.meta.issuer), doc_id, top.source, title))
    if "date" in query.fact and top.meta.published:
        y, m, d = (int(x) for x in top.meta.published.split("-"))
        for mt in _DATE_RE.finditer(text):
            if tuple(int(g) for g in mt.groups()) == (y, m, d):
                parts.append(mt.group(0))
                cits.append(_sentence_at(text, mt.start(), doc_id, top.source, title))
                break
    if "place" in query.fact and top.meta.region:
        region = top.meta.region
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


def names_report(text: str, subject: str) -> bool:
    """The report names the body: the whole name or its tail ("舒城经济开发区" for "安徽舒城经济开发区")."""
    return any(subject[i:] in text for i in range(max(1, len(subject) - 3)))


def name_terms(store: Store, question: str) -> list[str]:
    """The stored regions' and issuers' names the question uses: the filter handles them, so they are
    no evidence for a number."""
    return list(store.catalog().names(_names_of).found(question))


_names_of = identity_names  # one function gives the names of a report (vectorstore/filters.py)


def passages(hits: list[Hit], n: int = 3) -> list[Citation]:
    """Retrieved chunks as citations: the closest passages a refusal shows."""
    return [Citation(h.chunk.doc_id, h.chunk.start, h.chunk.end, h.chunk.text, h.source, doc_label(h.meta, h.source))
            for h in hits[:n]]


def _from_tables(store: Store, query: Query, doc_ids: list[str] | None, hits: list[Hit],
                 texts: dict[str, str]) -> tuple[list[Value], list[Citation]] | None:
    """Each asked value from a table cell of the question's reports (bot/cells.py), or None when the
    tables do not answer every ask (the prose extractor then tries)."""
    ids = doc_ids if doc_ids is not None and len(doc_ids) <= 5 else list(dict.fromkeys(h.chunk.doc_id for h in hits))
    source = {}
    for d in ids:
        if d not in texts:
            doc = store.document(d)
            texts[d] = doc.text if doc else ""
        meta = next((h.meta for h in hits if h.chunk.doc_id == d), ReportMeta())
        src = next((h.source for h in hits if h.chunk.doc_id == d), "")
        source[d] = (src, doc_label(meta, src))
    docs = {d: texts[d] for d in ids if "【表" in texts[d]}
    if not docs:
        return None
    asks = [a.clause for a in query.asks] or [query.text]
    # "本年新收…多少件？其中自然人多少件？": a later ask that names no row is about the previous ask's row.
    got = [cell_answer(q, docs, source) or (cell_answer(q, docs, source, row_text=asks[i - 1] + q) if i else None)
           for i, q in enumerate(asks)]
    if not all(got) or len(got) != max(1, query.n_values):
        return None
    cits: list[Citation] = []
    for _, c in got:
        if c not in cits:
            cits.append(c)
    return [v for v, _ in got], cits


def identity_certainty(query: Query, meta: ReportMeta, named: list[str]) -> float:
    """How sure the cited report is the one asked about: its year's and, when the question names a place
    or body, its region's or issuer's confidence (ingest/identity.py). 1 when the question constrains neither."""
    sure = [meta.confidence("year")] if query.years else []
    if named:
        sure.append(max(meta.confidence("region"), meta.confidence("issuer")))
    return min(sure, default=1.0)


def as_values(c: Candidate | None) -> list[Value]:
    """A candidate's numbers as values with their sentence: what a refusal shows as 可能相关."""
    return [Value(n.value, n.unit, n.text, n.approximate, c.citation) for n in c.numbers] if c else []


def meaning_lines(c: Candidate | None) -> list[str]:
    """What the meaning check read for each number of the answer: the asked head and the number's own label."""
    return [f"问：{r.asked} · 数字所指：{r.label}" for r in (c.readings or []) if r.asked] if c else []


CONFLICT_NOTE = "报告中两处说法不一致，请核对原文"
NO_NUMBER = "报告中没有明确对应该问题的数字"  # the refusal's reason when no number fits (a two-ask question then asks apart)
# "收到和办理的依申请公开数": the table's 本年新收 row (97) is not what a report's "全年共收到和办理依申请公开
# 102件" counts (新收 + 结转). When a sentence carries (nearly) all of the question's key phrase next to
# its number, in the asker's own words (not 受理 for 收到: bot/extract.py SAME_VERB), that sentence answers,
# not the row the question's words merely point to.
VERBATIM_SUPPORT = 0.9


def conflict_reason(said: str) -> str:
    """The refusal when a report states two values for what was asked ("1695件 与 1800件")."""
    return f"报告对此给出了两个不同的数字：{said}，无法判断哪个正确"


def answer_question(store: Store, question: str, k: int = 6, backend: Backend = Backend.auto,
                    doc_ids: list[str] | None = None, min_support: float | None = None,
                    on_token: Callable[[str], None] | None = None) -> Answer:
    """``backend``: 'extractive' (no LLM), 'llm' (the LLM answers everything), or 'auto' (numbers
    extractively; other fact questions through the LLM, falling back to the best sentence).
    ``doc_ids``: answer only from these documents (the user's explicit choice)."""
    t0 = time.perf_counter()
    if (derived := derived_answer(store, question, answer_question, backend=backend, doc_ids=doc_ids)) is not None:
        derived.latency_ms = (time.perf_counter() - t0) * 1000
        return derived  # 增加了多少 / 同比 / 占比 / 几倍: two cited values and their arithmetic (bot/arithmetic.py)
    values: list[Value] = []
    citations: list[Citation] = []
    fact_parts: list[str] = []
    closest: list[Citation] = []
    closest_note = ""
    texts: dict[str, str] = {}
    bases: list[Basis] = []  # one per numeric part answered (bot/confidence.py)
    maybe: list[Value] = []  # with a refusal: the closest candidate, shown as 可能相关
    meaning: list[str] = []  # each prose value's meaning check, shown as 问：… · 数字所指：…
    refused_why = ""
    used_llm = ""
    fallback = ""
    for part in split_question(question):
        names = name_terms(store, part)
        query = analyse(part, drop=names)
        hits, flt = search(store, query, k=k, doc_ids=doc_ids)
        if not hits or flt.fallback:  # the filter left nothing: the unfiltered passages are only the closest ones
            refused_why = flt.reason or ("没有符合问题中地区/年份的报告" if flt.doc_ids == [] else "没有相关段落")
            others = hits[:3] if flt.fallback else search(store, query, k=3, use_filter=False)[0]
            closest = passages(others)
            closest_note = "问题或筛选条件所指的报告中没有相关段落，以下来自其他报告" if closest else ""
            break
        for h in hits:
            if h.chunk.doc_id not in texts:
                texts[h.chunk.doc_id] = store.document(h.chunk.doc_id).text
        subject = subject_of(part)
        if subject and all(names_report(texts[d], subject) for d in {h.chunk.doc_id for h in hits}):
            # Every passage comes from a report that names the asked body: its name is no evidence for a number.
            query = analyse(part, drop=[*names, subject])
        if backend == Backend.llm or (backend == Backend.auto and query.fact == ["other"]):
            got, why = _try_llm(store, part, hits, texts, query.numeric, on_token=on_token)
            if got is not None and got.refused and backend == Backend.auto:
                why, got = f"大模型未给出可核实的答案（{got.reason or '拒答'}）", None
            if why:
                fallback = why
                log.warning("LLM path not used for %r: %s; answering extractively", part, why)
            if got is not None and got.values and query.numeric:
                _, cits, conflict, *_ = extract_values(query, hits, texts, min_support or MIN_SUPPORT)
                if conflict:  # the report contradicts itself: whichever value the model chose, refuse
                    refused_why, closest, closest_note = conflict_reason(conflict), cits, CONFLICT_NOTE
                    break
            if got is not None:
                if got.refused:
                    refused_why = got.reason or "模型未找到答案"
                    closest = passages(hits)
                    break
                used_llm = got.backend
                bases += [Basis("llm")] if got.values else []
                values += got.values
                fact_parts += [] if got.values else [got.answer]
                citations += [c for c in got.citations if c not in citations]
                continue
        if query.numeric:
            prose = extract_values(query, hits, texts, min_support or MIN_SUPPORT)
            if prose.values and any(is_row_line(c.quote) for c in prose.citations):
                prose = prose._replace(values=[])  # a table row answers only as a cell, by bot/cells.py's rules
            from_cells = _from_tables(store, query, flt.doc_ids, hits, texts)
            if (from_cells and prose.values and prose.support >= VERBATIM_SUPPORT
                    and not by_other_verb(query, prose.citations[0].quote)
                    and [v.value for v in prose.values] != [v.value for v in from_cells[0]]):
                from_cells = None  # a sentence that says just what was asked outranks a table row named otherwise
            vals, cits, conflict = (*from_cells, "") if from_cells else prose[:3]
            meta = next((h.meta for h in hits if cits and h.chunk.doc_id == cits[0].doc), ReportMeta())
            if vals and (whose := whose_conflict(subject, part, meta, texts.get(cits[0].doc, ""))):
                refused_why, closest, maybe = whose, cits, vals
                break
            sure = identity_certainty(query, meta, names)
            basis = (Basis("cell", identity=sure) if from_cells
                     else Basis("prose", prose.support, prose.margin, prose.rank, sure))
            if conflict:
                refused_why, closest, closest_note = conflict_reason(conflict), cits, CONFLICT_NOTE
                break
            if not vals and backend == Backend.auto and store.settings.llm_propose:
                vals, cits = _proposed(store, query, part, hits, texts)
                basis = Basis("llm", identity=sure)
            if not vals:
                closest = cits or passages(hits, 2)
                refused_why = NO_NUMBER
                maybe = as_values(prose.best)
                break
            if not sure_enough(conf := confidence(basis)):
                refused_why = withheld_reason(conf)
                closest, maybe = cits, vals
                break
            bases.append(basis)
            meaning += [] if from_cells else meaning_lines(prose.best)
            values += vals
            citations += [c for c in cits if c not in citations]
        else:
            parts, cits = _fact(query, hits, texts)
            if not parts:
                refused_why = "没有找到能回答该问题的原文"
                closest = passages(hits)
                break
            fact_parts += parts
            citations += [c for c in cits if c not in citations]
    if refused_why:
        ans = Answer.refusal(question, refused_why, closest=closest[:3], closest_note=closest_note, maybe=maybe[:3])
    else:
        text = "；".join([v.text for v in values] + fact_parts)
        ans = verify(Answer(question, text, False, values, citations, used_llm or "extractive"),
                     lambda d: texts.get(d) or (store.document(d).text if store.document(d) else None))
        if bases and not ans.refused:
            ans.confidence, ans.basis = min(confidence(b) for b in bases), bases
            ans.meaning = meaning
    if ans.reason == NO_NUMBER and (apart := _asked_apart(store, question, k, backend, doc_ids)) is not None:
        ans = apart
    ans.fallback = fallback
    ans.latency_ms = (time.perf_counter() - t0) * 1000
    return ans


def _asked_apart(store: Store, question: str, k: int, backend: Backend, doc_ids: list[str] | None) -> Answer | None:
    """"A多少件？其中B多少件？" whose values stand in no one passage (the table's total, a sentence's part): the
    first ask alone, then each other ask alone in the first one's report. Every ask must be answered, and by
    a value of its own: one number for two asks is no answer (None)."""
    asks = asks_apart(question)
    if not asks:
        return None
    first = answer_question(store, asks[0], k=k, backend=backend, doc_ids=doc_ids)
    if first.refused or not first.values:
        return None
    doc = first.values[0].citation.doc
    parts = [first, *[answer_question(store, a, k=k, backend=backend, doc_ids=[doc]) for a in asks[1:]]]
    if any(a.refused or len(a.values) != 1 for a in parts[1:]):
        return None
    values = [v for a in parts for v in a.values]
    if len({(v.value, v.citation.doc, v.citation.start) for v in values}) < len(values):
        return None
    citations: list[Citation] = []
    for c in (c for a in parts for c in a.citations):
        citations += [] if c in citations else [c]
    ans = Answer(question, "；".join(v.text for v in values), False, values, citations,
                 "+".join(sorted({a.backend for a in parts})))
    ans.basis = [b for a in parts for b in a.basis]
    ans.meaning = [m for a in parts for m in a.meaning]
    ans.confidence = min((a.confidence for a in parts if a.confidence is not None), default=None)
    return ans


def _proposed(store: Store, query: Query, question: str, hits: list[Hit],
              texts: dict[str, str]) -> tuple[list[Value], list[Citation]]:
    """The LLM proposes a span for a number question the extractor refused. It is kept only when the
    verifier accepts it and the number's label covers the question as the extractor requires."""
    got, _ = _try_llm(store, question, hits, texts, numeric=True)
    if got is None or got.refused or len(got.values) != max(1, query.n_values):
        return [], []
    checked = verify(got, lambda d: texts.get(d))
    if checked.refused or not all(label_covers(query, v.citation.quote, v.text) for v in checked.values):
        log.info("LLM proposal for %r not kept: %s", question, got.answer)
        return [], []
    return checked.values, checked.citations


def _try_llm(store: Store, question: str, hits: list[Hit], texts: dict[str, str], numeric: bool,
             on_token: Callable[[str], None] | None = None) -> tuple[Answer | None, str]:
    """(the LLM's answer, or None when the model could not be used; why not, or ""). A model that is
    down, crashed or timed out is never the user's problem: the caller answers by extraction and shows
    the notice."""
    from bot.llm import FALLBACK_NOTICE, LLMUnavailable
    from bot.llm_answer import llm_answer

    try:
        return llm_answer(store.settings, question, hits, texts, numeric, on_token=on_token), ""
    except LLMUnavailable as exc:
        why = str(exc) if str(exc).startswith(FALLBACK_NOTICE) else f"{FALLBACK_NOTICE}（{exc}）"
    except Exception as exc:  # a model or client error must never reach the user as a traceback
        log.exception("LLM call failed")
        why = f"{FALLBACK_NOTICE}（{type(exc).__name__}）"
    return None, why
