"""Year-on-year text reuse: how much of a report repeats its issuer's previous report, and where.

Analysts read a high share of repeated sentences as a report written by copy and paste. The unit is
a sentence (prose) or a rendered table row. A prose sentence counts as repeated when it is the same
after whitespace is removed (verbatim), or when difflib's similarity ratio is at least ``near``
(nearly: a changed year or a changed count in an otherwise identical sentence). A table row counts
only when it is identical, figures included: every year's table has the same row labels, so a row is
"reused" only when its numbers are the previous year's too; a repeated row whose figures are all 0 or
blank is counted apart (``rows_zero``), since an empty row repeats for honest reasons. Headings
(一、… （四）…), lines without sentence punctuation (titles), and short lines (fewer than ``MIN_CJK``
Chinese characters) are the template's, not the writer's, and are not counted either way.

Candidates are pre-selected by shared character bigrams, so each sentence is compared with a few
earlier sentences rather than with all of them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import Any

from govqa.cells import is_row_line
from govqa.text import cjk_count, sentence_spans, squash
from govqa.types import Document, doc_label

MIN_CJK = 10
NEAR = 0.9
_HEADING = re.compile(r"[（(]?[一二三四五六七八九十\d]{1,3}[、）).．]")
_SENTENCE_END = re.compile(r"[。！？；;!?]$")
_ZERO_ROW = re.compile(r"【表\d+】[^｜]*(｜[^｜=]*=(0|—|-|－|／|/|无)?)+")
_MIN_SHARED = 0.5  # share of a sentence's bigrams a candidate must share before difflib is asked


@dataclass
class Unit:
    kind: str  # 句子 | 表格行
    start: int
    end: int
    quote: str
    key: str  # the whitespace-free form that is compared


@dataclass
class Repeat:
    """One repeated passage: where it is in this report and where it was in the previous one."""

    kind: str
    similarity: float  # 1.0 verbatim
    start: int
    end: int
    quote: str
    prev_start: int
    prev_end: int
    prev_quote: str


@dataclass
class Reuse:
    doc: str
    label: str
    previous: str
    previous_label: str
    sentences: int
    sentences_verbatim: int
    sentences_near: int
    rows: int
    rows_repeated: int
    rows_zero: int  # of rows_repeated: every figure 0 or blank
    repeats: list[Repeat] = field(default_factory=list)

    @property
    def sentence_share(self) -> float:
        return (self.sentences_verbatim + self.sentences_near) / self.sentences if self.sentences else 0.0

    @property
    def row_share(self) -> float:
        return self.rows_repeated / self.rows if self.rows else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["sentence_share"] = round(self.sentence_share, 4)
        out["row_share"] = round(self.row_share, 4)
        return out


def units(text: str) -> list[Unit]:
    """The report's countable sentences and table rows, in order."""
    out = []
    for s, e in sentence_spans(text):
        quote = text[s:e]
        row = is_row_line(quote)
        if not row and (cjk_count(quote) < MIN_CJK or not _SENTENCE_END.search(quote)
                        or (_HEADING.match(quote) and cjk_count(quote) < 3 * MIN_CJK)):
            continue
        out.append(Unit("表格行" if row else "句子", s, e, quote, squash(quote)))
    return out


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)}


class _Previous:
    """The previous report's units, indexed for verbatim lookup and bigram candidates."""

    def __init__(self, prev: list[Unit]) -> None:
        self.units = prev
        self.exact = {u.key: u for u in reversed(prev)}  # the first occurrence wins
        self.grams = [_bigrams(u.key) for u in prev]
        self.index: dict[str, list[int]] = defaultdict(list)
        for i, (u, grams) in enumerate(zip(prev, self.grams)):
            if u.kind == "句子":
                for g in grams:
                    self.index[g].append(i)

    def best(self, u: Unit, near: float) -> tuple[Unit, float] | None:
        if u.key in self.exact and self.exact[u.key].kind == u.kind:
            return self.exact[u.key], 1.0
        if u.kind != "句子":
            return None
        grams = _bigrams(u.key)
        shared = Counter(i for g in grams for i in self.index.get(g, ()))
        best: tuple[Unit, float] | None = None
        for i, n in shared.most_common(20):
            if n < _MIN_SHARED * len(grams):
                break
            ratio = SequenceMatcher(None, u.key, self.units[i].key, autojunk=False).ratio()
            if ratio >= near and (best is None or ratio > best[1]):
                best = (self.units[i], ratio)
        return best


def text_reuse(doc: Document, previous: Document, near: float = NEAR) -> Reuse:
    """The sentences and table rows of ``doc`` repeated from ``previous``, each with both places."""
    prev = _Previous(units(previous.text))
    result = Reuse(doc.doc_id, doc_label(doc.meta, doc.source), previous.doc_id,
                   doc_label(previous.meta, previous.source), 0, 0, 0, 0, 0, 0)
    for u in units(doc.text):
        if u.kind == "句子":
            result.sentences += 1
        else:
            result.rows += 1
        match = prev.best(u, near)
        if match is None:
            continue
        p, ratio = match
        if u.kind == "表格行":
            result.rows_repeated += 1
            result.rows_zero += bool(_ZERO_ROW.fullmatch(u.key))
        elif ratio == 1.0:
            result.sentences_verbatim += 1
        else:
            result.sentences_near += 1
        result.repeats.append(Repeat(u.kind, round(ratio, 3), u.start, u.end, u.quote, p.start, p.end, p.quote))
    return result
