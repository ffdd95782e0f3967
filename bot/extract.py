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
from typing import NamedTuple

import jieba

from bot.meaning import EMPTY_LABEL, Metric, Reading, metric_of, own_label, read
from bot.numbers import Number, base_unit, parse_numbers
from bot.query import APPLICATION_VERBS, CUMULATIVE, head_term
from govqa.names import BODY_OWN, DEPT_SELF, WHOLE_AREA
from govqa.taint import tainted
from govqa.text import citable, sentence_spans
from govqa.types import Ask, Citation, Hit, Query, Value, doc_label

_CLAUSE = re.compile(r"[，,；;：:]")
_DATE_UNITS = {"年", "月", "日", "天", "小时", "分钟", "工作日"}
MIN_SUPPORT = 0.5  # share of the key phrase's weight that must stand next to the number
# A number whose own label the question writes out ("…收录区政府办文件多少件" and "…、区政府办文件54件、…") is
# the one asked, over a whole or a sibling that shares more of the question's other words. It ranks; it
# never hides a contradiction (``rival`` compares support without it).
OWN_LABEL_BONUS = 0.3
OWN_LABEL_MIN = 4  # characters of an own label, said verbatim, that count (shorter ones are too common)
CONFLICT_MARGIN = 0.05  # support gap under which two different values in one report are a contradiction


@dataclass
class Candidate:
    numbers: list[Number]
    support: float
    citation: Citation
    rank: int
    readings: list[Reading] | None = None  # each number's own label read against the ask (bot/meaning.py)
    bonus: float = 0.0  # part of ``support`` from OWN_LABEL_BONUS: it ranks siblings, it hides no contradiction


def query_metric(query: Query) -> Metric:
    """The metric of a one-value question; a question for several values in one run (各多少) checks
    only its period here, its labels being checked per ask."""
    if query.n_values == 1:
        return metric_of(re.sub(r"[（(][^）)]*[）)]", "", query.text), query.head)
    return Metric(None, metric_of(query.text, None).period, {})


def _weight(term: str) -> float:
    return min(len(term), 4) if not term.isdigit() else 3.0


# Verbs the reports use for one act: "共收到申请…件" and "共受理申请…件" count the same thing.
SAME_VERB = [frozenset(APPLICATION_VERBS)]
# A verb of the same act ties a number to the question, but is not the asker's own word: short of a whole
# term, so a sentence matched through it never counts as saying verbatim what was asked (a template cell,
# bot/answer.py VERBATIM_SUPPORT, keeps precedence over it).
SAME_VERB_CREDIT = 0.8


def _same_act(term: str, text: str) -> bool:
    """The text says another verb of the term's act (收到 -> 受理)."""
    return any(term in g and any(v in text for v in g) for g in SAME_VERB)


def by_other_verb(query: Query, text: str) -> bool:
    """Some word of the question stands in ``text`` only as another verb of its act (收到 as 受理): the
    text fits the question without saying it in the asker's words."""
    return any(t not in text and _same_act(t, text) for t in query.terms)


def _credit(term: str, text: str) -> float:
    """1 for the whole term, SAME_VERB_CREDIT for a verb of the same act, else the share of its characters
    covered by its sub-words found in text."""
    if term in text:
        return 1.0
    if _same_act(term, text):
        return SAME_VERB_CREDIT
    subs = [w for w in jieba.cut_for_search(term) if len(w) >= 2 and w != term and w in text]
    return 0.8 * min(1.0, sum(len(w) for w in subs) / len(term))


def _support(query: Query, parts: tuple[str, str, str, str], following: str = "") -> float:
    """How strongly the question's words tie to a number. ``parts`` are the number's own clause,
    the earlier part of its sentence, the rest of the sentence and the previous sentence, worth
    1, 0.7, 0.4 and 0.3 of a term. The asked clause ("…，予以公开的有多少件") counts 0.6, the
    whole question 0.4. A word the question puts after its 多少/几 ("在几个社区设立…公开栏") counts in
    full when it follows the number in its clause ("在4个社区设立…公开栏"): there the noun comes after."""
    after = set(_after_ask(query))

    def credit(t: str) -> float:
        best = max(w * _credit(t, text) for w, text in zip((1.0, 0.7, 0.4, 0.3), parts))
        return max(best, _credit(t, following)) if t in after and following else best

    def share(terms: list[str]) -> float:
        total = sum(_weight(t) for t in terms) or 1.0
        return sum(_weight(t) * credit(t) for t in terms) / total

    return 0.6 * share(query.focus) + 0.4 * share(query.terms)


def _following(text: str, every: list[Number], i: int) -> str:
    """What follows number i up to the next number or clause end: its noun in "在4个社区设立…公开栏"."""
    end = every[i + 1].start if i + 1 < len(every) else len(text)
    return _CLAUSE.split(text[every[i].end : end], maxsplit=1)[0]


def _after_ask(query: Query) -> list[str]:
    """The question's terms written after its (first) 多少/几, in the same clause."""
    m = re.search(r"多少|几", query.text)
    if not m:
        return []
    tail = re.split(r"[，,；;。？?！!]", query.text[m.end():], maxsplit=1)[0]
    return [t for t in query.terms if t in tail]


_LABEL_CUT = re.compile(r"[，,；;：:、]")
_AFTER_NUMBER_OK = re.compile(r"^(?:其中|左右|以上|以内|之多|余|多|[的和及与、])")


def scope_conflict(query: Query, label: str, before: str) -> bool:
    """本年 vs 累计: a running total answers only a question that asks one, and the reverse. And a
    number whose own phrase names another year ("2010年度主动公开政府信息54条") is that year's."""
    years = {str(y) for y in query.years}
    named = re.findall(r"(20\d{2})年", label)
    if years and named and not set(named) & years:
        return True
    cumulative = bool(CUMULATIVE.search(label))
    if "其中" in before:  # a part (其中…) has the scope of its whole: "截至…累计…10220条，其中…5403条"
        cumulative = cumulative or bool(CUMULATIVE.search(before[: before.index("其中")]))
    if query.scope == "cumulative":
        return not (cumulative or CUMULATIVE.search(before))
    # "疫情防控新闻发布会累计举行151场" in a year's report is the year's total: 累计 makes a running
    # total only with a starting point or a date it runs to (截至…, …以来, 历年, 至今).
    return cumulative and bool(_RUNNING.search(before + label))


_RUNNING = re.compile(r"截至|截止|历年|至今|以来")


_WHOLE_LEVEL = re.compile(r"全([省市区县州盟旗镇乡])")


def subject_conflict(query: Query, sentence: str) -> bool:
    """A question about a whole area (全市, 各级…) is not answered by a department speaking of itself
    ("我局收到…1件") or a body counting its own work ("代表区政府处理…17件"), nor by another level's whole
    ("全县累计发布…" for 全市: the county's report)."""
    if not WHOLE_AREA.search(query.text):
        return False
    asked, said = set(_WHOLE_LEVEL.findall(query.text)), set(_WHOLE_LEVEL.findall(sentence))
    if asked and said and not asked & said:
        return True
    return bool(DEPT_SELF.search(sentence) or BODY_OWN.search(sentence)) and not WHOLE_AREA.search(sentence)


def counts_something_else(query: Query, after: str) -> bool:
    """"四条途径", "6个专栏": a number whose unit runs straight into a noun counts that noun; it answers
    only a question that names it."""
    m = re.match(r"[\u4e00-\u9fff]{1,4}", after)
    if not m or _AFTER_NUMBER_OK.match(after):
        return False
    noun = m.group(0)
    return not any(t in noun or noun[:2] in t for t in query.terms)


def label_of(window: str, nums: list[Number], i: int) -> str:
    """The phrase a number belongs to: back to the previous number or the clause boundary before it
    ("其中门户网站公开818条、微信发布1468条" -> 1468's label is "微信发布")."""
    n = nums[i]
    start = nums[i - 1].end if i else 0
    cut = max([m.end() for m in _LABEL_CUT.finditer(window, start, n.start)] or [start])
    return window[cut : n.start]


def label_covers(query: Query, sentence: str, value_text: str, min_support: float = MIN_SUPPORT) -> bool:
    """Whether the number written ``value_text`` in ``sentence`` is tied to the question by its label as
    the extractor would require: the check an LLM's proposed number must pass before it is shown."""
    every = [n for n in parse_numbers(sentence) if n.unit not in _DATE_UNITS]
    for i, n in enumerate(every):
        if n.text != value_text:
            continue
        label = label_of(sentence, every, i)
        clause_start = max([m.end() for m in _CLAUSE.finditer(sentence, 0, n.start)] or [0])
        parts = (sentence[clause_start : n.start], sentence[:clause_start], sentence[n.end :], "")
        if (not scope_conflict(query, label, sentence[: n.start]) and not subject_conflict(query, sentence)
                and _support(query, parts, _following(sentence, every, i)) >= min_support):
            return True
    return False


def _year_conflict(query_years: set[str], text_before: str) -> bool:
    """'由2016年的25%提高到100%': a number tied to another year than the one asked."""
    m = re.search(r"(20\d{2})年(?:的|底|末|初)?[^，。；]{0,4}$", text_before)
    return bool(m and query_years and m.group(1) not in query_years)


def candidates(query: Query, hits: list[Hit], doc_texts: dict[str, str],
               rejected: list[Candidate] | None = None) -> list[Candidate]:
    """Every number that may answer, scored by support. A number whose own label does not say what was
    asked (bot/meaning.py) is left out, and kept in ``rejected`` (the closest candidates a refusal shows)."""
    years = set(re.findall(r"(20\d{2})\s*年", query.text))
    metric = query_metric(query)
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
            if not citable(sentence) or tainted(text, c0 + s, c0 + e):  # issue 26: planted text
                continue
            previous = hit.chunk.text[prev[0] : prev[1]] if prev else ""
            every = [n for n in parse_numbers(sentence) if n.unit not in _DATE_UNITS]
            nums = [n for n in every if (n.unit or query.unit is None)
                    and (query.unit is None or base_unit(n.unit) == query.unit)]
            for i, n in enumerate(nums):
                group = nums[i : i + max(1, query.n_values)]
                if len(group) < query.n_values or _year_conflict(years, sentence[: n.start]):
                    continue
                label = label_of(sentence, every, every.index(n))
                if (scope_conflict(query, label, sentence[: n.start]) or counts_something_else(query, sentence[n.end :])
                        or subject_conflict(query, sentence)):
                    continue
                last = group[-1]
                clause_start = max([m.end() for m in _CLAUSE.finditer(sentence, 0, n.start)] or [0])
                own = sentence[clause_start : n.start] if len(group) == 1 else sentence[: last.start]
                parts = (own, sentence[:clause_start], sentence[last.end :], previous)
                support = _support(query, parts, _following(sentence, every, every.index(last)))
                bonus = OWN_LABEL_BONUS if len(group) == 1 and _label_asked(
                    query.text, own_label(sentence, every, every.index(n)).before) else 0.0
                cit = Citation(hit.chunk.doc_id, c0 + s, c0 + e, text[c0 + s : c0 + e], hit.source,
                               doc_label(hit.meta, hit.source))
                context = "" if query.head_implied else previous
                readings = [read(metric, query.head or "", sentence, every, every.index(x), context) for x in group]
                cand = Candidate(group, support + bonus - 0.01 * rank, cit, rank, readings, bonus)
                if all(r.ok for r in readings):
                    out.append(cand)
                elif rejected is not None:
                    rejected.append(cand)
    out.sort(key=lambda c: -c.support)
    return out


def _label_asked(question: str, label: str) -> bool:
    """The question writes out the number's own label (less a leading 其中/共): it names this number."""
    label = re.sub(r"^(?:其中|共计?|合计|分别)", "", label.strip())
    return len(label) >= OWN_LABEL_MIN and not EMPTY_LABEL.match(label) and label in question


def _coverage(terms: list[str], text: str) -> float:
    total = sum(_weight(t) for t in terms) or 1.0
    return sum(_weight(t) * _credit(t, text) for t in terms) / total


def ask_metric(ask: Ask) -> Metric:
    return metric_of(re.sub(r"[（(][^）)]*[）)]", "", ask.clause), head_term(ask.clause, ask.terms))


def _ask_score(ask: Ask, window: str, every: list[Number], i: int, prev: int | None, split: int) -> float:
    """How well number i answers one ask: its label must say the ask's terms; a whole (共…) stands
    before 其中, a part after it; an ask with no words of its own (占比多少) is the number right after
    the previous ask's."""
    n = every[i]
    if ask.unit is not None and base_unit(n.unit) != ask.unit or (ask.unit is None and not n.unit):
        return 0.0
    if not ask.terms:  # only a share has no words of its own: the % right after the count it belongs to
        return 1.0 if ask.unit == "%" and prev is not None and i == prev + 1 else 0.0
    if not read(ask_metric(ask), "", window, every, i).ok:
        return 0.0
    label = label_of(window, every, i)
    # Words the ask puts after its 多少 ("共举办多少场市政府新闻发布活动") follow the number in the source.
    after = [t for t in ask.terms if t in re.split(r"多少|几", ask.clause, maxsplit=1)[-1]]
    own = _coverage(ask.terms, label + (_following(window, every, i) if after else ""))
    if ask.part and own < 0.5:
        return 0.0  # the part's label must name it: 微博 is not 微信
    score = 0.7 * own + 0.3 * _coverage(ask.terms, window[: n.start])
    if split >= 0 and (ask.whole or ask.part):
        before = n.start < split
        score += 0.3 if before == ask.whole else -1.0
    return score


def ask_candidates(query: Query, hits: list[Hit], doc_texts: dict[str, str]) -> list[Candidate]:
    """Each ask answered by its own number in one window (a sentence, or two for 共…。其中…): the best
    number per ask, in order, never the same number twice."""
    out: list[Candidate] = []
    years = set(re.findall(r"(20\d{2})\s*年", query.text))
    for rank, hit in enumerate(hits):
        text, c0 = doc_texts[hit.chunk.doc_id], hit.chunk.start
        spans = sentence_spans(hit.chunk.text)
        # A whole and its parts may run over several sentences: "共新增…750条。其中,…9条;政策文件类信息429条;…"
        windows = [(spans[i][0], spans[j][1]) for i in range(len(spans)) for j in range(i, min(i + 5, len(spans)))
                   if spans[j][1] - spans[i][0] <= 400]
        for s, e in windows:
            window = hit.chunk.text[s:e]
            if not citable(window) or tainted(text, c0 + s, c0 + e):  # issue 26: planted text
                continue
            every = [n for n in parse_numbers(window) if n.unit not in _DATE_UNITS
                     and not _year_conflict(years, window[: n.start])]
            split = window.find("其中")
            chosen: list[int] = []
            scores: list[float] = []
            for ask in query.asks:
                prev = chosen[-1] if chosen else None
                best = max(((j, _ask_score(ask, window, every, j, prev, split)) for j in range(len(every))
                            if j not in chosen and (prev is None or j > prev)), key=lambda x: x[1], default=None)
                if best is None or best[1] < 0.5:
                    break
                chosen.append(best[0])
                scores.append(best[1])
            if len(chosen) < len(query.asks):
                continue
            nums = [every[j] for j in chosen]
            if subject_conflict(query, window) or any(
                    scope_conflict(query, label_of(window, every, j), window[: every[j].start]) for j in chosen):
                continue
            support = 0.5 * min(scores) + 0.5 * _support(query, (window, "", "", ""))
            cit = Citation(hit.chunk.doc_id, c0 + s, c0 + e, text[c0 + s : c0 + e], hit.source,
                           doc_label(hit.meta, hit.source))
            out.append(Candidate(nums, support - 0.01 * rank - 0.02 * (window.count("。") > 1), cit, rank))
    out.sort(key=lambda c: -c.support)
    return out


def _overlap(a: Citation, b: Citation) -> bool:
    return a.doc == b.doc and a.start < b.end and b.start < a.end


def rival(query: Query, best: Candidate, cands: list[Candidate], margin: float = CONFLICT_MARGIN) -> Candidate | None:
    """Another statement in the same report that fits the question as well as the best one (support
    within ``margin``) but gives a different value: "共受理申请1695件" and, further on, "经核实…共受理申请
    1800件". Picking one silently would hide the report's own contradiction, so the caller refuses and
    shows both. The same value stated twice (an overview and its section) is no rival, nor is another
    number of the same sentence or window (a list: 微信1468条、微博1576条)."""
    values, units = [n.value for n in best.numbers], [n.unit for n in best.numbers]
    for c in sorted(cands[1:], key=lambda c: -(c.support - c.bonus)):
        if c.support - c.bonus < best.support - best.bonus - margin:
            break
        if (c.citation.doc == best.citation.doc and [n.value for n in c.numbers] != values
                and [n.unit for n in c.numbers] == units and not _overlap(c.citation, best.citation)
                and not _negated(query, c) and not _negated(query, best)):
            return c
    return None


_NEGATION = "不未非无"


def _negated(query: Query, c: Candidate) -> bool:
    """A label that negates the asked phrase ("不同意公开" against "同意公开"): another fact, not a rival."""
    terms = [t for t in query.terms + [t for a in query.asks for t in a.terms] if len(t) > 1]
    quote = c.citation.quote
    label = quote[max(0, c.numbers[0].start - 40) : c.numbers[-1].start]
    return any(re.search(f"[{_NEGATION}]{re.escape(t)}", label) for t in terms)


class Extraction(NamedTuple):
    values: list[Value]  # [] when refused
    citations: list[Citation]  # the answer's, or the closest (both, for a conflict)
    conflict: str  # "1695件 与 1800件" when the report states two values for it (see ``rival``), else ""
    support: float  # the best candidate's support (0 when there is none)
    margin: float = 0.0  # the best's support over the next candidate that gives another value (bot/confidence.py)
    rank: int = 0  # the retrieval rank of the passage the best candidate stands in
    best: Candidate | None = None  # the answer's candidate; with a refusal the closest one, shown as 可能相关


def _margin(best: Candidate, cands: list[Candidate]) -> float:
    """How far the best candidate stands above the first one that would answer differently; with no
    such rival, its whole support."""
    values = [n.value for n in best.numbers]
    other = next((c for c in cands[1:] if [n.value for n in c.numbers] != values), None)
    return best.support - (other.support if other else 0.0)


def extract_values(query: Query, hits: list[Hit], doc_texts: dict[str, str],
                   min_support: float = MIN_SUPPORT) -> Extraction:
    """Values for a numeric question, or no values with the closest citations when support is too thin,
    or with both citations and the two values when the report states two values for it."""
    rejected: list[Candidate] = []
    cands = ask_candidates(query, hits, doc_texts) if query.asks else candidates(query, hits, doc_texts, rejected)
    support = cands[0].support if cands else 0.0
    if not cands or support < min_support or len(cands[0].numbers) < query.n_values:
        near = [c for c in cands if len(c.numbers) >= query.n_values] or sorted(rejected, key=lambda c: -c.support)
        return Extraction([], [c.citation for c in cands[:3]], "", support, best=near[0] if near else None)
    best = cands[0]
    other = rival(query, best, cands)
    if other is not None:
        said = " 与 ".join("、".join(n.text for n in c.numbers) for c in (best, other))
        return Extraction([], [best.citation, other.citation], said, support)
    values = [Value(n.value, n.unit, n.text, n.approximate, best.citation) for n in best.numbers]
    return Extraction(values, [best.citation], "", support, _margin(best, cands), best.rank, best)
