"""Question -> the documents it is about, from the region(s) and year(s) it names.

A question that names a region and/or a year that match stored documents' metadata is
searched only in those documents, so "2017年山西省…" is never answered from 2019 or 抚顺.
A name matches by its full form (山西省) or its short form (山西); a year by "2017年"/"2017年度".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govqa.places import short_name
from govqa.types import DocRecord, Query


@dataclass
class DocFilter:
    regions: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    doc_ids: list[str] | None = None  # None: no restriction
    unknown_regions: list[str] = field(default_factory=list)  # places named that no stored report covers

    def describe(self) -> str:
        parts = []
        if self.regions:
            parts.append("地区=" + "、".join(self.regions))
        if self.years:
            parts.append("年份=" + "、".join(map(str, self.years)))
        if self.unknown_regions:
            parts.append("未收录的地区=" + "、".join(self.unknown_regions))
        return "，".join(parts) if parts else "无"


def question_filter(query: Query, documents: list[DocRecord]) -> DocFilter:
    """The documents an analysed question is about, from the places and years it states."""
    question = query.text
    regions = sorted({d.meta.get("region") for d in documents if d.meta.get("region")}, key=len, reverse=True)
    named: list[str] = []
    for r in regions:
        if r in question or short_name(r) in question:
            named.append(r)
    years_known = {d.meta.get("year") for d in documents if d.meta.get("year")}
    years = query.years
    f = DocFilter(regions=named, years=years)
    if not named:
        # "2017年北京市…" with no 北京市 report: answering from another region's report would give
        # a number about the wrong place, so nothing may answer.
        f.unknown_regions = [p for p in query.places if not any(p in r or r in p for r in regions)]
        if f.unknown_regions:
            f.doc_ids = []
            return f
    if not named and not years:
        return f
    if years and not (set(years) & years_known) and not named:
        # A year no document covers: nothing can answer it.
        f.doc_ids = []
        return f
    f.doc_ids = [
        d.doc_id
        for d in documents
        if (not named or d.meta.get("region") in named) and (not years or d.meta.get("year") in years)
    ]
    return f


def select_documents(documents: list[DocRecord], region: str = "", year: str | int = "", doc_id: str = "") -> list[str] | None:
    """The documents a user's explicit choice keeps (the app's 地区/年份/报告 pickers); None: no choice made."""
    if not (region or year or doc_id):
        return None
    return [d.doc_id for d in documents
            if (not region or d.meta.get("region") == region) and (not year or str(d.meta.get("year")) == str(year))
            and (not doc_id or d.doc_id == doc_id)]
