"""Question -> the documents it is about, from the region(s) and year(s) it names.

A question that names a region and/or a year that match stored documents' metadata is
searched only in those documents, so "2017年山西省…" is never answered from 2019 or 抚顺.
A name matches by its full form (山西省) or its short form (山西); a year by "2017年"/"2017年度".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|省|市|县|区|旗|盟)$")


def short_name(region: str) -> str:
    # "淮安市洪泽区" is matched by its last part too ("洪泽区", "洪泽").
    last = re.split(r"(?<=[省市])", region)[-1] or region
    short = _SUFFIX.sub("", last)
    return short if len(short) >= 2 else last


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


def places_in(question: str) -> list[str]:
    """Place names a question states: provinces by full or short name, and words jieba tags as
    places with an administrative suffix (北京市, 保定市)."""
    import jieba.posseg

    from ingest.metadata import _NOT_PLACE, _PLACE, _PROVINCES, _quiet_jieba

    found = [p for p in _PROVINCES if p in question or short_name(p) in question]
    # jieba misses many city names (保定市, 高平市): also a place written first or right after the year.
    for m in re.finditer(r"(?:^|\d{4}\s*年度?)([\u4e00-\u9fff]{2,5}?(?:自治区|自治州|省|市|县|区|州|盟|旗))", question):
        if not _NOT_PLACE.match(m.group(1)) and m.group(1) not in found:
            found.append(m.group(1))
    _quiet_jieba()
    for w in jieba.posseg.cut(question):
        if w.flag == "ns" and re.fullmatch(_PLACE, w.word) and not _NOT_PLACE.match(w.word) and w.word not in found:
            found.append(w.word)
    return found


def question_filter(question: str, documents: list[dict[str, Any]]) -> DocFilter:
    regions = sorted({d["meta"].get("region") for d in documents if d["meta"].get("region")}, key=len, reverse=True)
    named: list[str] = []
    for r in regions:
        if r in question or short_name(r) in question:
            named.append(r)
    years_known = {d["meta"].get("year") for d in documents if d["meta"].get("year")}
    years = sorted({int(y) for y in re.findall(r"(?<!\d)(20\d{2}|19\d{2})\s*年", question)})
    f = DocFilter(regions=named, years=years)
    if not named:
        # "2017年北京市…" with no 北京市 report: answering from another region's report would give
        # a number about the wrong place, so nothing may answer.
        f.unknown_regions = [p for p in places_in(question) if not any(p in r or r in p for r in regions)]
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
        d["doc_id"]
        for d in documents
        if (not named or d["meta"].get("region") in named) and (not years or d["meta"].get("year") in years)
    ]
    return f
