"""The body of a report that never names itself in its title, headers or signature, read from how it
speaks of itself.

Many reports open straight with "一、总体情况" and call their body only by its kind: "2021年，县乡村振兴局…",
"市城市管理局按照…", "经开区将…", "我局…", "结合我区实际". Three kinds of evidence complete the name:

* the contact line ("请与兴安盟生态环境局办公室联系"): the body's own office or section, so the body is the
  contact less its section, when the text speaks as a body of that kind (我局 ↔ …局);
* the subject of the year's account ("2025年中仓街道积极推动…", "2021年，县统计局积极…");
* a generic self-name (县卫生局) completed by the one place of its level the text names (临邑县), or by the
  full name written elsewhere (《泰安市城市管理局政府信息主动公开基本目录》).

Used only where ingest/identity.py found nothing; what these rules cannot settle stays empty.
"""

from __future__ import annotations

import re
from collections import Counter

import jieba
import jieba.posseg

from govqa.gazetteer import gazetteer
from govqa.names import (
    AREA_SELF,
    BODY_WINDOW,
    CJK,
    DEPT_SELF,
    DEPT_TAIL,
    GOV,
    GOV_TAIL,
    NOT_AFTER_GOV,
    OFFICE_TAIL,
    SUBJECT_WINDOW,
    ZONE,
    ZONE_BODY,
    ZONE_TAIL,
    gazetteer_places,
    parents_of,
    parse_body,
    stem,
)
from govqa.types import Level
from ingest.identity import Identity

# How sure each way of reading a self-speaking report is (after the named sources of ingest/identity.py).
CONFIDENCE = {"contact": 0.7, "subject": 0.6, "speaker": 0.5, "area": 0.4}

# "请与兴安盟生态环境局办公室联系", "如有疑问请与来凤县政务服务和大数据管理局(地址:…)".
_CONTACT = re.compile(rf"(?:请与|请?联系[:：]?)\s*([{CJK}（）()]{{3,50}}?)\s*(?:联系|[(（，,。；;])")
# The section of the body that answers: its office, a 科 or 股 ("…领导小组办公室综合科", "…开发区综合办公室").
_SECTION = re.compile(rf"(?:(?<=[局委厅署心区园会])(?:综合|政务公开|信息公开)?办公室|(?<=[室局委厅署心])[{CJK}]{{1,4}}[科股]|"
                      rf"(?<=政府办)[{CJK}]{{1,4}}[科股]|"
                      rf"(?<=政府)党政(?:综合)?办公室)$")
# The office that compiles an area's report (政务公开办公室, 政府信息公开领导小组办公室) answers for the government.
_DISCLOSURE_OFFICE = re.compile(r"(?:信息公开|政务公开)[\u4e00-\u9fff]{0,6}办公室$")
# A report on the whole area's government, not one office: it sums up the levels below it.
_WHOLE_GOVERNMENT = re.compile(r"全[省市县区州盟旗][^。，,]{0,6}?(?:各级|政府系统|行政机关)|"
                               r"各(?:县市区|县区|县市|县|区|乡镇|街道|部门)[^。]{0,60}?年度报告|全[省市县区州盟旗](?:共|累计)(?:主动)?公开")
# A body named by its kind, with the level of its area in front: 县卫生局, 市重点办, 区管委会办公室.
_GENERIC = re.compile(rf"(市|县|区|旗|盟|州)({ZONE_BODY}(?:办公室)?|"
                      rf"(?!委|政府)[{CJK}]{{1,12}}?(?:局|委员会|委|办公室|办|中心|署))")
# An area followed by a department's name is that department ("2021年，高新区财政局…"), not the area.
_DEPT_AFTER = re.compile(rf"[{CJK}]{{1,8}}?(?:局|委员会|署|中心|所)(?![{CJK}]{{0,1}}(?:领导|部署|要求|统一|指导))")
_ZONE_GENERIC = re.compile(rf"(?:经开区|高新区|开发区|综保区|园区){ZONE_BODY}?(?:办公室)?")
class _GazetteerPlace:
    """A gazetteer place at the start of a text, as a pattern's ``match`` ("徐水区坚持…" -> 徐水区)."""

    @staticmethod
    def match(text: str) -> re.Match | None:
        name = gazetteer().match_at(text, 0)
        return re.match(re.escape(name), text) if name and len(name) >= 3 else None


_GAZETTEER_PLACE = _GazetteerPlace()
# The account of the year, its subject first: "2021年，县乡村振兴局严格…", "2025年中仓街道积极…".
_SUBJECT = re.compile(r"(?:^|\n|。|总体情况)\s*(?:19|20)\d{2}年度?(?:以来)?[,，]?\s*(?:以来[,，]?)?")


def _kind(tail: str) -> str | None:
    """The kind a body speaks as: 生态环境局 → 局, 重点建设项目领导小组办公室 → 办."""
    for end, kind in (("委员会", "委"), ("办公室", "办"), ("中心", "中心")):
        if tail.endswith(end):
            return kind
    return tail[-1] if tail and tail[-1] in "局委办厅署" else None


def _places_in(text: str, suffix: str) -> list[str]:
    """The distinct gazetteer places of the text whose name ends in ``suffix`` (县, 市, 区…), first seen first."""
    g = gazetteer()
    out: list[str] = []
    pos = 0
    while pos < len(text):
        found = g.match_at(text, pos)
        if found and len(found) >= 3 and found.endswith(suffix) and found not in out:
            out.append(found)
        pos += len(found) if found else 1
    return out


_MODIFIER = {"国家", "省级", "经济", "高新技术", "高新", "技术", "产业", "电子", "现代", "农业", "综合", "新材料", "科技"}


def _zone_name(prefix: str, suffix: str) -> str | None:
    """The zone's own name from the words before its suffix: jieba splits "全年依托长兴岛" into words,
    the last one (with modifiers like 国家 and a place in front) is the zone's stem."""
    g = gazetteer()
    words = jieba.lcut(prefix)
    stem: list[str] = []
    while words:
        w = words.pop()
        if len(w) < 2 and not stem:
            return None
        if stem and not (w in _MODIFIER or stem[0] in _MODIFIER or g.match_at(w, 0) == w or g.lookup(w + "市")):
            break
        stem.insert(0, w)
        if w not in _MODIFIER and not (words and (g.match_at(words[-1], 0) == words[-1] or g.lookup(words[-1] + "市"))):
            break
    head = next((w for w in stem if w not in _MODIFIER), None)
    if head is None or not _proper(head):
        return None  # "完成开发区…", "法治园区": a common word before the suffix is no zone's name
    return "".join(stem) + suffix


def _proper(word: str) -> bool:
    """A word that can be a name: unknown to jieba's dictionary, tagged a name (ns/nr/nz/j), or a place."""
    tag = jieba.posseg.dt.word_tag_tab.get(word)
    return word not in jieba.dt.FREQ or tag in ("ns", "nr", "nz", "nt", "j", "nrt", "nrfg") or bool(
        gazetteer().match_at(word, 0) == word or gazetteer().lookup(word + "市"))


def _zones_in(text: str) -> list[str]:
    """The distinct proper zone names of the text (长兴岛经济技术开发区), not the generic 开发区/园区."""
    out: list[str] = []
    for m in re.finditer(rf"([{CJK}]{{2,10}}?)({ZONE})", text):
        name = _zone_name(m.group(1), m.group(2))
        if name and name not in out:
            out.append(name)
    return out


def _ident(issuer: str | None, region: str | None, level: Level | None, line: str, dept_level: Level | None = None,
           source: str = "contact") -> Identity:
    ident = Identity(issuer=issuer, region=region, level=level, dept_level=dept_level)
    if region:
        ident.parents = parents_of(parse_body(region))
    ident.cite(line, CONFIDENCE[source], source)
    return ident


def _zone_body(zone: str, text: str, tail: str = "") -> str | None:
    """A zone's body is its 管委会: named so when the text speaks of a 管委会 and of no other zone's
    (a park's report posted by the 管委会 of the zone that runs it names that one)."""
    if tail:
        return zone + tail
    others = [z for z in _zones_in(text) if z != zone and re.search(re.escape(z) + ZONE_BODY, text)]
    return zone + "管委会" if re.search(ZONE_BODY, text) and not others else None


def from_contact(text: str) -> Identity | None:
    """The body behind the contact line, when the text speaks as a body of its kind."""
    m = _CONTACT.search(text[:BODY_WINDOW])
    if not m:
        return None
    name = _SECTION.sub("", re.sub(r"[（(][^)）]*[)）]?$", "", m.group(1)))
    p = parse_body(name)
    if not p.places:
        return None
    line, depts = m.group(0), set(DEPT_SELF.findall(text))
    chain, last_level = "".join(n for n, _ in p.places), p.places[-1][1]
    if last_level == Level.zone and not p.tail:
        if "区" in AREA_SELF.findall(text) or re.search(ZONE_BODY, text):
            return _ident(_zone_body(chain, text), chain, Level.zone, line)
        return None
    if last_level == Level.zone:  # the zone's own government (工管委, 开发建设管理委员会) answers, or nothing is said
        return _ident(name, chain, Level.zone, line) if ZONE_TAIL.match(p.tail) else None
    if GOV_TAIL.match(p.tail):  # the government itself (or its own 党政办公室) answers
        return _ident(chain + "人民政府", chain, last_level, line)
    if OFFICE_TAIL.match(p.tail) or _DISCLOSURE_OFFICE.search(p.tail):
        # The government's report is written and answered for by its office, and so is the office's own
        # report, which also speaks of 全区/本区: only a report that sums up the levels below is the government's.
        if _WHOLE_GOVERNMENT.search(text):
            return _ident(chain + "人民政府", chain, last_level, line)
        if OFFICE_TAIL.match(p.tail) and "办" in depts:  # the office reports on itself ("我办")
            return _ident(name, chain, Level.department, line, last_level)
        return _ident(None, chain, None, line)
    kind = _kind(p.tail)
    if kind and DEPT_TAIL.match(p.tail) and (kind in depts or _speaks_as(text, p.tail)):
        return _ident(name, chain, Level.department, line, last_level if last_level != Level.zone else None)
    return None


def _speaks_as(text: str, tail: str) -> bool:
    """The text calls the body by its short name: "市重点办" for 重点建设项目领导小组办公室. A Chinese short
    name keeps characters of the full one in order, so another body (按照市财政局要求) does not count."""
    return any(_kind(m.group(2)) == _kind(tail) and _abbreviates(m.group(2), tail)
               for m in _GENERIC.finditer(text[:BODY_WINDOW]))


def _abbreviates(short: str, full: str) -> bool:
    """``short`` is ``full`` with characters left out (重点办 ⊂ 重点建设项目领导小组办公室)."""
    it = iter(full)
    return all(ch in it for ch in short)


def _subject(text: str) -> tuple[str, str] | None:
    """The subject of the year's account ("2021年，县统计局积极…"), with the line it is in."""
    head = text[:SUBJECT_WINDOW]
    for m in _SUBJECT.finditer(head):
        rest = head[m.end() : m.end() + 40]
        for pat in (_GENERIC, _ZONE_GENERIC, re.compile(rf"[{CJK}]{{2,12}}?(?:{ZONE}|街道|镇|乡)"), _GAZETTEER_PLACE):
            s = pat.match(rest)
            after = rest[s.end() :] if s else ""
            if s and re.match(rf"[{CJK}]", after) and after[0] not in "的和与及、" and not (
                    pat is not _GENERIC and _DEPT_AFTER.match(after)):
                return s.group(0), head[m.start() : m.end() + s.end() + 6].strip()
    return None


def from_subject(text: str) -> Identity | None:
    """The body the account of the year is about: a proper name, or a generic one completed from the text."""
    found = _subject(text)
    if not found:
        return None
    name, line = found
    generic = _GENERIC.fullmatch(name)
    if generic:
        return _complete(generic.group(1), generic.group(2), text, line)
    if _ZONE_GENERIC.fullmatch(name):
        zones = _zones_in(text)
        if len(zones) == 1:
            tail = re.sub(r"^(?:经开区|高新区|开发区|综保区|园区)", "", name)
            return _ident(_zone_body(zones[0], text, tail), zones[0], Level.zone, line, source="subject")
        return _ident(None, None, Level.zone, line, source="subject")
    p = parse_body(name)
    if not p.places or p.tail:
        return None
    chain, level = "".join(n for n, _ in p.places), p.places[-1][1]
    issuer = None
    if level == Level.zone:
        issuer = _zone_body(chain, text)
    elif level == Level.township:
        own = re.search(re.escape(chain) + rf"(?:办事处|{GOV}{NOT_AFTER_GOV})", text)
        issuer = own.group(0) if own else None
    elif not DEPT_SELF.search(text):  # an area as the subject of its own account: its government's report
        issuer = chain + "人民政府"
    else:
        return None  # a department speaking (我局) of its area's year: the department is not named
    return _ident(issuer, chain, level, line, source="subject")


def _complete(area: str, tail: str, text: str, line: str) -> Identity:
    """A generic self-name (县卫生局, 区管委会办公室) with the one place or zone the text gives it."""
    is_zone = bool(re.match(ZONE_BODY, tail))
    level = Level.zone if is_zone else Level.department
    full = {m.group(1) for m in re.finditer(rf"([{CJK}]{{2,12}}?{area}){re.escape(tail)}", text)
            if parse_body(m.group(1)).places}
    if len(full) == 1:
        place = full.pop()
    else:
        names = _zones_in(text) if is_zone else _places_in(text, area)
        if len(names) != 1:
            return _ident(None, None, level, line, source="subject")
        place = names[0]
    p = parse_body(place)
    if not p.places or p.tail:
        return _ident(None, None, level, line, source="subject")
    chain = "".join(n for n, _ in p.places)
    dept_level = None if is_zone else p.places[-1][1]
    return _ident(chain + tail, chain, level, line, dept_level, source="subject")


def from_speaker(text: str) -> Identity | None:
    """A government speaking as its area (我区…区政府…) with one place of that level named: that place's government."""
    if DEPT_SELF.search(text):
        return None
    said = AREA_SELF.findall(text)
    areas = set(said)
    if len(areas) != 1:  # one kind of area
        return None
    suffix = areas.pop()
    governs = len(re.findall(rf"{suffix}(?:人民)?政府", text))
    if not governs or len(said) + governs < 3:  # said, or its government named, more than once
        return None
    names = _places_in(text, suffix)
    if len(names) != 1:
        return None
    level = parse_body(names[0]).places[-1][1]
    return _ident(names[0] + "人民政府", names[0], level, f"我{suffix}…{names[0]}", source="speaker")



def from_area_named(text: str) -> Identity | None:
    """The area a report speaks for (全市…, 我县…) when one place of that kind is named more than any other,
    in full or by its short form (抚顺市, 抚顺): the region only, the weakest evidence. Places in addresses
    are other areas' (西安市莲湖区沣惠北路123号)."""
    body = re.sub(r"(?:地址|联系地址|通讯地址)\s*[:：][^,，。;；\n]{0,40}", "", text)
    kinds = Counter(AREA_SELF.findall(body)) + Counter({"省": body.count("全省")})
    kinds += Counter(k[-2] for k in re.findall(r"(?:省|市|县|自治区)直", body))  # 省直, 自治区直属机关 (区)
    if not kinds:
        return None
    suffix = kinds.most_common(1)[0][0]
    full = Counter(p for p in gazetteer_places(body) if len(p) >= 3 and p.endswith(suffix))
    score = Counter({p: n + body.count(stem(p)) - n for p, n in full.items()})  # stem(p) also counts the full names
    top = score.most_common(2)
    if top and top[0][1] >= 2 and (len(top) == 1 or top[0][1] > top[1][1]):
        name, n = top[0]
        # The area's level too, unless a department speaks (我局): then only where it works is known.
        level = None if DEPT_SELF.search(body) else parse_body(name).places[-1][1]
        return _ident(None, name, level, f"正文中最常提到的本级地名：{name}（含简称 {n} 次）", source="area")
    return None


def read_self(text: str) -> Identity | None:
    """The body from how the report speaks of itself; None where nothing settles it."""
    for rule in (from_contact, from_subject, from_speaker):
        ident = rule(text)
        if ident and ident.found():
            return ident
    return None
