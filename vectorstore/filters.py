"""Question -> the documents it is about, from the region(s) and year(s) it names.

A question that names a region and/or a year that match stored documents' metadata is
searched only in those documents, so "2017年山西省…" is never answered from 2019 or 抚顺.
A name matches by its full form (山西省) or its short form (山西); a year by "2017年"/"2017年度".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from govqa.places import WHOLE_AREA, short_name
from govqa.types import DocRecord, Query
from vectorstore.catalog import Catalog

T = TypeVar("T")


@dataclass
class DocFilter:
    regions: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    doc_ids: list[str] | None = None  # None: no restriction
    unknown_regions: list[str] = field(default_factory=list)  # places named that no stored report covers
    reason: str | None = None  # why nothing may answer (said in the refusal)

    def describe(self) -> str:
        parts = []
        if self.regions:
            parts.append("地区=" + "、".join(self.regions))
        if self.years:
            parts.append("年份=" + "、".join(map(str, self.years)))
        if self.unknown_regions:
            parts.append("未收录的地区=" + "、".join(self.unknown_regions))
        return "，".join(parts) if parts else "无"


_GOV_WORDS = re.compile(r"(?:人民政府|政府)(?:办公厅|办公室)?$|(?:管理委员会|管委会)(?:办公室)?$")


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
    """The names a question may use for a report's body or area: region (and its short form and last
    part), issuer (with and without 人民政府), and the body its title names."""
    m = d.meta
    names = []
    if m.get("region"):
        # The area's own name; its last part ("淮安市洪泽区" is also "洪泽区", "洪泽") comes with the aliases
        # ingest wrote, never its parents' names: "平阳县水头镇" is not a report about 平阳县.
        names += [m["region"], short_name(m["region"])]
    if m.get("issuer"):
        names += [m["issuer"], _GOV_WORDS.sub("", m["issuer"])]
    names += m.get("aliases") or []
    return [n for n in dict.fromkeys(names) if n and len(n) >= 2]


def _same_area(a: DocRecord, b: DocRecord) -> bool:
    """Two reports of one body: regions one the other's suffix (洪泽区, 淮安市洪泽区), both governments or
    both the same kind of department."""
    ra, rb = a.meta.get("region") or "", b.meta.get("region") or ""
    if not ra or not rb or not (ra.endswith(rb) or rb.endswith(ra)):
        return False
    ia, ib = _GOV_WORDS.sub("", a.meta.get("issuer") or ""), _GOV_WORDS.sub("", b.meta.get("issuer") or "")
    return ia.endswith(ib) or ib.endswith(ia) or (ia in (ra, "") and ib in (rb, ""))


def _opening_names(d: DocRecord) -> list[str]:
    """A report whose identity could not be read is named by the bodies and places its opening names
    (never one whose identity says it is about another area)."""
    return d.meta.get("names") or [] if not d.meta.get("region") or not d.meta.get("issuer") else []


def _issuer_only(d: DocRecord) -> list[str]:
    return [d.meta["issuer"]] if not d.meta.get("region") and d.meta.get("issuer") else []


def _area_parents(d: DocRecord) -> list[str]:
    """The larger areas a report's area lies in: its parents, and its region's leading parts."""
    region = d.meta.get("region") or ""
    return [*(region[:i] for i in range(1, len(region))), *(d.meta.get("parents") or [])]


def _unread_names(d: DocRecord) -> list[str]:
    return d.meta.get("names") or [] if not d.meta.get("region") else []


def _in_order(docs: list[DocRecord]) -> list[DocRecord]:
    """The store's list order (by source), which the filter's document ids keep."""
    return sorted(docs, key=lambda d: (d.source, d.doc_id))


def question_filter(query: Query, catalog: Catalog) -> DocFilter:
    """The documents an analysed question is about: resolved by the names it uses for a body or area
    (the most specific match wins: a department named in full beats its city), then by year.

    Refusals, each with its reason: a place no stored report is about; a whole-area question
    (全市/各级…) when only departments' reports match; a place whose stored reports are all about a
    part of it (a township of the county asked about, a district of the city)."""
    question = query.text
    years = query.years
    by_id = catalog.by_id
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
    named_docs = _in_order([by_id[i] for i, n in matched.items() if best and n == best])
    # The same area under a shorter name is the same area: 洪泽区 2023 beside 淮安市洪泽区 2024.
    named_docs += _in_order([by_id[i] for i, n in matched.items()
                             if 0 < n < best and any(_same_area(by_id[i], b) for b in named_docs)])
    f = DocFilter(regions=sorted({d.meta.get("region") or d.meta.get("issuer") or "" for d in named_docs} - {""}),
                  years=years)
    if named_docs:
        if WHOLE_AREA.search(question):
            # A government's general office reports the government's work: it is no department here.
            whole = [d for d in named_docs if d.meta.get("level") != "department"
                     or re.search(r"(?:人民政府|政府)(?:办公厅|办公室)$", d.meta.get("issuer") or "")]
            if not whole:
                dept = "、".join(sorted({d.meta.get("issuer") or d.source for d in named_docs}))
                f.doc_ids, f.reason = [], f"问题问的是整个地区，库中只有部门的报告（{dept}）"
                return f
            named_docs = whole
        in_year = [d for d in named_docs if not years or d.meta.get("year") in years]
        f.doc_ids = [d.doc_id for d in in_year]
        if not in_year:
            f.reason = f"没有{f.regions[0] if f.regions else ''}{'、'.join(map(str, years))}年的报告"
        return f
    # No report's own names: a place stated in the question is either a parent of stored reports
    # (only its parts are here) or unknown.
    for p in query.places:
        children = catalog.names(_area_parents).get(p)
        if children:
            kids = "、".join(sorted({d.meta.get("region") or "" for d in children})[:3])
            f.doc_ids, f.reason = [], f"库中只有{p}下属的{kids}的报告"
            f.unknown_regions = [p]
            return f
    f.unknown_regions = list(query.places)
    # Reports whose identity could not be read but which name the place asked may be about it.
    unread = {d.doc_id: d for p in query.places for d in catalog.names(_unread_names).get(p)
              if not years or d.meta.get("year") in years}
    if f.unknown_regions and unread and not WHOLE_AREA.search(question):  # a whole area needs its own report
        # Search those alone rather than refuse (the answer's citation shows which report it came from).
        f.doc_ids = [d.doc_id for d in _in_order(list(unread.values()))]
        return f
    if f.unknown_regions:
        f.doc_ids = []
        f.reason = "没有关于" + "、".join(f.unknown_regions) + "的报告"
        return f
    if years:
        f.doc_ids = [d.doc_id for d in catalog.in_years(years)]
        if not f.doc_ids:
            f.reason = f"没有{'、'.join(map(str, years))}年的报告"
    return f


def select_documents(documents: list[DocRecord], region: str = "", year: str | int = "", doc_id: str = "") -> list[str] | None:
    """The documents a user's explicit choice keeps (the app's 地区/年份/报告 pickers); None: no choice made."""
    if not (region or year or doc_id):
        return None
    return [d.doc_id for d in documents
            if (not region or d.meta.get("region") == region) and (not year or str(d.meta.get("year")) == str(year))
            and (not doc_id or d.doc_id == doc_id)]
