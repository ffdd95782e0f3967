"""Question -> the documents it is about, from the body or area and the year(s) it names. Soft: the
filter ranks, it never throws the right report away.

A question that names an area and/or a year is searched first in the reports that match both. A name
matches by any name of the area (govqa/names.py: the canonical 淮安市洪泽区, 洪泽区, 洪泽, the former
洪泽县) or of the body (its issuer, a zone's short form); a year by "2017年"/"2017年度". Then:

* a report with an unknown field (its year or region was not read) stays a candidate, ranked after the
  reports that match (``DocFilter.preferred`` first);
* a fragment of a name (…片区, 自治区 alone) is never a region (``places_in`` drops it);
* when the filter leaves nothing, the search runs unfiltered (``fallback``) and says why (``reason``);
* the filter's effect is kept: which reports it kept and why the others were left out (``describe``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from govqa.names import FRAGMENT, GOV_OFFICE_END, KIND_WORDS, WHOLE_AREA, short_name
from govqa.types import DocRecord, Level, Query
from vectorstore.catalog import Catalog

T = TypeVar("T")
SHOWN_LEFT_OUT = 5  # how many left-out reports ``describe`` names (the count is always given)


@dataclass
class DocFilter:
    regions: list[str] = field(default_factory=list)  # the canonical regions (or issuers) of the reports named
    years: list[int] = field(default_factory=list)
    doc_ids: list[str] | None = None  # what retrieval searches; None: every report
    preferred: list[str] | None = None  # the reports matching all the question names: ranked before the rest
    unknown_regions: list[str] = field(default_factory=list)  # places named that no stored report covers
    reason: str | None = None  # why no report matches (said in the refusal, and in the search's note)
    fallback: bool = False  # the filter left nothing, so the search ran over every report
    left_out: dict[str, str] = field(default_factory=dict)  # a report's label -> why it was left out

    def tier(self, doc_id: str) -> int:
        """0 for a report that matches every field the question names, 1 for one kept with an unknown field."""
        return 0 if self.preferred is None or doc_id in self.preferred else 1

    def describe(self) -> str:
        parts = []
        if self.regions:
            parts.append("地区=" + "、".join(self.regions))
        if self.years:
            parts.append("年份=" + "、".join(map(str, self.years)))
        if self.unknown_regions:
            parts.append("未收录的地区=" + "、".join(self.unknown_regions))
        if self.doc_ids is not None:
            unsure = len(self.doc_ids) - len(self.preferred or [])
            note = f"（其中 {unsure} 份有未识别的字段，排在后面）" if unsure > 0 else ""
            parts.append(f"保留 {len(self.doc_ids)} 份报告{note}")
        if self.left_out:
            shown = "、".join(f"{label}（{why}）" for label, why in list(self.left_out.items())[:SHOWN_LEFT_OUT])
            more = f" 等 {len(self.left_out)} 份" if len(self.left_out) > SHOWN_LEFT_OUT else ""
            parts.append(f"排除：{shown}{more}")
        if self.fallback:
            parts.append(f"筛选后没有报告（{self.reason or '无匹配'}），已在全部报告中检索")
        return "，".join(parts) if parts else "无"


def per_record(fn: Callable[[DocRecord], T]) -> Callable[[DocRecord], T]:
    """``fn`` computed once per stored record. Every question looks at every report's names, and at
    10,000 reports recomputing them took a good part of each answer. The store hands out the same
    record objects until a write replaces one (a correction makes a new record), so the cache is
    keyed by the object itself; it is emptied when it outgrows any library."""
    cache: dict[int, tuple[DocRecord, T]] = {}

    @functools.wraps(fn)
    def wrapper(d: DocRecord) -> T:
        hit = cache.get(id(d))
        if hit is not None and hit[0] is d:
            return hit[1]
        if len(cache) > 200_000:
            cache.clear()
        value = fn(d)
        cache[id(d)] = (d, value)
        return value

    return wrapper


@per_record
def identity_names(d: DocRecord) -> list[str]:
    """The names a question may use for a report's body or area (the one function for the names of a report):
    the canonical region and its short form, every alias ingest kept (the area's other names, the body's
    short forms), the issuer with and without its kind words. Never a fragment, never a parent's name:
    "温州市平阳县水头镇" is not a report about 温州市."""
    m = d.meta
    names: list[str] = []
    if m.region:
        names += [m.region, short_name(m.region)]
    if m.issuer:
        names += [m.issuer, KIND_WORDS.sub("", m.issuer)]
    names += [a for a in m.aliases if not FRAGMENT.search(a)]
    return [n for n in dict.fromkeys(names) if n and len(n) >= 2]


def _same_area(a: DocRecord, b: DocRecord) -> bool:
    """Two reports of one body: one area (canonical regions, or one the other's suffix), both governments
    or the same kind of department."""
    ra, rb = a.meta.region or "", b.meta.region or ""
    if not ra or not rb or not (ra.endswith(rb) or rb.endswith(ra)):
        return False
    ia, ib = KIND_WORDS.sub("", a.meta.issuer or ""), KIND_WORDS.sub("", b.meta.issuer or "")
    return ia.endswith(ib) or ib.endswith(ia) or (ia in (ra, "") and ib in (rb, ""))


def _opening_names(d: DocRecord) -> list[str]:
    """A report whose identity could not be read is named by the bodies and places its opening names
    (never one whose identity says it is about another area)."""
    return d.meta.names if not d.meta.region or not d.meta.issuer else []


def _issuer_only(d: DocRecord) -> list[str]:
    return [d.meta.issuer] if not d.meta.region and d.meta.issuer else []


def _area_parents(d: DocRecord) -> list[str]:
    """The larger areas a report's area lies in: its parents, and its region's leading parts."""
    region = d.meta.region or ""
    return [*(region[:i] for i in range(1, len(region))), *d.meta.parents]


def _unread_names(d: DocRecord) -> list[str]:
    return d.meta.names if not d.meta.region else []


def _in_order(docs: list[DocRecord]) -> list[DocRecord]:
    """The store's list order (by source), which the filter's document ids keep."""
    return sorted(docs, key=lambda d: (d.source, d.doc_id))


def _government(d: DocRecord) -> bool:
    """A report of an area's government (or its general office, which reports the government's work)."""
    return (d.meta.level not in (None, Level.department)) or bool(GOV_OFFICE_END.search(d.meta.issuer or ""))


def _by_year(docs: list[DocRecord], years: list[int], f: DocFilter) -> tuple[list[DocRecord], list[DocRecord]]:
    """(the reports of the years asked, the reports whose year is unknown); the others are left out, noted in ``f``."""
    if not years:
        return docs, []
    match = [d for d in docs if d.meta.year in years]
    unknown = [d for d in docs if d.meta.year is None]
    for d in docs:
        if d.meta.year is not None and d.meta.year not in years:
            f.left_out[d.label] = f"年份为{d.meta.year}"
    return match, unknown


def _keep(f: DocFilter, match: list[DocRecord], unsure: list[DocRecord], reason: str) -> DocFilter:
    """Search the matching reports first, then the unsure ones; if there are none, search everything."""
    if match or unsure:
        f.doc_ids = [d.doc_id for d in _in_order(match)] + [d.doc_id for d in _in_order(unsure)]
        f.preferred = [d.doc_id for d in match] if unsure else None
        return f
    f.reason, f.fallback, f.doc_ids = reason, True, None
    return f


def question_filter(query: Query, catalog: Catalog) -> DocFilter:
    """The documents an analysed question is about, resolved by the names it uses for a body or area (the
    most specific match wins: a department named in full beats its city), then by year.

    What no report matches falls back to every report, with the reason: a place no stored report is
    about; a whole-area question (全市/各级…) when only departments' reports match; a place whose stored
    reports are all about a part of it (a township of the county asked about); a year not stored."""
    question, years, by_id = query.text, query.years, catalog.by_id
    matched = catalog.names(identity_names).longest(question)
    best = max(matched.values(), default=0)
    if not best and not WHOLE_AREA.search(question):  # a whole area (全市, 各级) needs its own report, read as such
        matched = catalog.names(_opening_names).longest(question)
        for issuer, docs in catalog.names(_issuer_only).items():
            # a short name inside an unread report's only name ("东疆综保区" in its issuer)
            inside = [len(p) for p in query.places if len(p) >= 4 and p in issuer]
            for d in docs if inside else []:
                matched[d.doc_id] = max([matched.get(d.doc_id, 0), *inside])
        best = max(matched.values(), default=0)
    named = _in_order([by_id[i] for i, n in matched.items() if best and n == best])
    # The same area under a shorter name is the same area: 洪泽区 2023 beside 淮安市洪泽区 2024.
    named += _in_order([by_id[i] for i, n in matched.items() if 0 < n < best and any(_same_area(by_id[i], b) for b in named)])
    f = DocFilter(regions=sorted({d.meta.region or d.meta.issuer or "" for d in named} - {""}), years=years)
    if named:
        unsure: list[DocRecord] = []
        if WHOLE_AREA.search(question):
            # Whole-area questions never go to a department's report; one whose level is unknown only if no
            # government's report is named.
            whole = [d for d in named if _government(d)]
            unread = [d for d in named if d.meta.level is None and not d.meta.issuer]
            for d in named:
                if d.meta.level == Level.department and not _government(d):
                    f.left_out[d.label] = "部门的报告，问题问的是整个地区"
            if not whole and not unread:
                dept = "、".join(sorted({d.meta.issuer or d.source for d in named}))
                return _keep(f, [], [], f"问题问的是整个地区，库中只有部门的报告（{dept}）")
            named, unsure = (whole, []) if whole else ([], unread)
        match, unknown_year = _by_year(named, years, f)
        later_unsure = _by_year(unsure, years, f)
        return _keep(f, match, [*unknown_year, *later_unsure[0], *later_unsure[1]],
                     f"没有{f.regions[0] if f.regions else ''}{'、'.join(map(str, years))}年的报告")
    # No report's own names: a place stated in the question is either a parent of stored reports
    # (only its parts are here) or unknown.
    for p in query.places:
        children = catalog.names(_area_parents).get(p)
        if children:
            kids = "、".join(sorted({d.meta.region or "" for d in children})[:3])
            f.unknown_regions = [p]
            return _keep(f, [], [], f"库中只有{p}下属的{kids}的报告")
    f.unknown_regions = list(query.places)
    if f.unknown_regions:
        # Reports whose identity could not be read but which name the place asked may be about it.
        unread = {d.doc_id: d for p in query.places for d in catalog.names(_unread_names).get(p)}
        match, unknown_year = _by_year(list(unread.values()), years, f)
        if WHOLE_AREA.search(question):  # a whole area needs its own report, read as such
            match, unknown_year = [], []
        return _keep(f, match, unknown_year, "没有关于" + "、".join(f.unknown_regions) + "的报告")
    if years:
        match = catalog.in_years(years)
        unknown_year = [d for d in catalog.documents if d.meta.year is None]
        return _keep(f, match, unknown_year, f"没有{'、'.join(map(str, years))}年的报告")
    return f


def select_documents(documents: list[DocRecord], region: str = "", year: str | int = "", doc_id: str = "") -> list[str] | None:
    """The documents a user's explicit choice keeps (the app's 地区/年份/报告 pickers); None: no choice made.
    A region is chosen by any name of the area (the picker lists the canonical ones)."""
    if not (region or year or doc_id):
        return None
    return [d.doc_id for d in documents
            if (not region or d.meta.region == region or region in d.meta.aliases)
            and (not year or str(d.meta.year) == str(year)) and (not doc_id or d.doc_id == doc_id)]
