"""Whose number: a value answers a question about one body or one area only when it comes from that
body's (that area's) own report.

Retrieval's filter narrows the reports by the names a question states, but a report of a similarly named
body (四川省气象局 for 四川省地震局, 自然资源部 for 生态环境部) or of a part of the asked area (a zone's
管委会 for 全区) can still hold the best-supported sentence. The number is then true to its sentence and
wrong for the question. So, once values are chosen, the cited report is checked against the body the
question names, read with the one grammar of names (govqa/names.py):

- the asked body's own place (its last) is the report's: its region, an alias, its issuer or its text. A
  parent place the report does not state (甘州区 of 北街街道) is not held against it, unless the gazetteer
  knows the place's name in several parents (新华区: 石家庄市, 沧州市, 平顶山市) and so cannot tell which;
- a department (水利厅, 地震局, 发改委 = 发展和改革委员会) is the report's issuer, or, where the issuer read is
  only a government or nothing, named at the head of the report;
- a whole-area question (全区, 全市, 各级…) is answered only from a government's report, or one whose
  level was not read but that speaks as the area (全市…, 我区…) and not as a department or a zone.
"""

from __future__ import annotations

import re

from govqa.gazetteer import gazetteer
from govqa.names import (
    AREA_SELF,
    CHANNEL_TAIL,
    DEPT_SELF,
    DEPT_TAIL,
    GOV,
    GOV_TAIL,
    HEAD_WINDOW,
    OFFICE_TAIL,
    OPENING_WINDOW,
    SHORT_END,
    SUBJECT_WINDOW,
    WHOLE_AREA,
    ZONE_BODY,
    parse_body,
    stem,
)
from govqa.types import Level, ReportMeta

GOVERNMENT_LEVELS = {Level.province, Level.city, Level.county, Level.township}


def _core(tail: str) -> str:
    """A department's own words, long endings shortened: 人民政府办公室 -> 办, 政府国资委 -> 国资委,
    发展和改革委员会 -> 发展和改革委."""
    core = re.sub(rf"^{GOV}", "", re.sub(r"[(（][^)）]*[)）]", "", tail))
    for long, short in SHORT_END:
        core = re.sub(f"{long}$", short, core)
    return core


def same_department(asked: str, issued: str) -> bool:
    """住建局 and 住房和城乡建设局 are one department (the short form's characters stand in order in the long
    one, ending alike); 地震局 and 气象局 are not."""
    a, b = sorted((_core(asked), _core(issued)), key=len)
    if not a or not b or a[-1] != b[-1]:
        return False
    it = iter(b)
    return all(ch in it for ch in a)


def _names_of(meta: ReportMeta) -> str:
    return " ".join([meta.region or "", meta.issuer or "", meta.title or "", *meta.aliases, *meta.parents])


def _who(meta: ReportMeta) -> str:
    return meta.issuer or meta.region or "未能识别的机关"


def _says(place: str, said: str, text: str) -> bool:
    return any(form in said or form in text for form in {place, stem(place)} if form)


def place_conflict(subject: str, places: list[tuple[str, Level]], meta: ReportMeta, text: str) -> str:
    """Why the report is not of the asked places, or ""."""
    said = _names_of(meta)
    *parents, (own, _) = places
    if not _says(own, said, text):
        return f"问题问的是{subject}，所引报告是{_who(meta)}的，不是同一地区"
    ambiguous = len(gazetteer().lookup(own)) > 1
    for parent, _ in parents:
        if ambiguous and not _says(parent, said, text):
            return f"问题问的是{subject}，所引报告未写明属于{parent}（同名地区不止一个）"
    return ""


def department_conflict(subject: str, tail: str, meta: ReportMeta, text: str) -> str:
    """Why the report is not the asked department's, or ""."""
    issued = parse_body(meta.issuer).tail if meta.issuer else ""
    if issued and not GOV_TAIL.match(issued) and not OFFICE_TAIL.match(issued):
        return "" if same_department(tail, issued) else f"问题问的是{subject}，所引报告是{_who(meta)}的，不是同一机关"
    head = text[:HEAD_WINDOW]
    if tail in head or _core(tail) in head:
        return ""
    return f"问题问的是{subject}，所引报告未写明该机关"


def speaks_for_area(text: str) -> bool:
    """A report whose level was not read speaks for its whole area when its account says 全市/我区 and
    no department (我局) or zone body (管委会) speaks in it."""
    return (bool(AREA_SELF.search(text[:SUBJECT_WINDOW])) and not DEPT_SELF.search(text[:SUBJECT_WINDOW])
            and not re.search(ZONE_BODY, text[:OPENING_WINDOW]))


def area_conflict(zone: bool, meta: ReportMeta, text: str) -> str:
    """Why the report cannot give a whole area's number, or ""."""
    office = bool(meta.issuer and OFFICE_TAIL.match(parse_body(meta.issuer).tail))  # compiles its government's
    if office or meta.level in GOVERNMENT_LEVELS | ({Level.zone} if zone else set()):
        return ""
    if meta.level is None and speaks_for_area(text):
        return ""
    what = "未能识别发布机关的层级" if meta.level is None else f"所引报告是{_who(meta)}的"
    return f"问题问的是全地区的数字，{what}，不能代表全地区"


def whose_conflict(subject: str, question: str, meta: ReportMeta, text: str) -> str:
    """Why the report with ``meta`` and ``text`` cannot answer for the body ``subject`` the question names
    (bot/query.py ``subject_of``), or "" when it can. ``question`` decides whether a whole area is asked."""
    subject = CHANNEL_TAIL.sub("", subject)  # 泽州县人民政府门户网站: the government's number
    parsed = parse_body(subject) if subject else None
    if parsed and parsed.places and (why := place_conflict(subject, parsed.places, meta, text)):
        # 乌鲁木齐高新区（新市区）: one body under two names; either, said by the report, is enough
        other = [parse_body(a) for a in re.findall(r"[(（]([^)）]+)[)）]", subject)]
        if not any(o.places and not place_conflict(subject, o.places, meta, text) for o in other):
            return why
    if (parsed and parsed.tail and DEPT_TAIL.match(parsed.tail) and not OFFICE_TAIL.match(parsed.tail)
            and not re.match(ZONE_BODY, parsed.tail)):  # a zone's 管委会 is its place, checked above
        return department_conflict(subject, parsed.tail, meta, text)
    if WHOLE_AREA.search(question):
        zone = bool(parsed and parsed.places and parsed.places[-1][1] == Level.zone)
        return area_conflict(zone, meta, text)
    return ""
