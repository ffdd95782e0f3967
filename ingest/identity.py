"""Who issued a report and which area it covers, read from its text by the grammar these reports share.

A report names its body in a few places: a crawler header (标题: / 发布机构: / 来源:), the title
("<body><year>年(度)政府信息公开工作年度报告", or "<year>年<body>…" with the year first, sometimes
split over lines), a "由X编制" sentence, the opening sentence ("X坚持…", "X编制2020年…") and the
signature at the end. The body's name is then parsed: a chain of places (the national gazetteer for
province/city/county; 镇/乡/街道 and development zones by their suffix) followed by a tail that says
what kind of body it is (人民政府 → the government itself; 管委会 → a zone; 局/厅/委/办/中心… → a
department). The region is the place chain, the level follows from the last place and the tail.
Nothing is guessed: what no rule reads stays empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from govqa.gazetteer import gazetteer
from govqa.types import Level

_CJK = r"\u4e00-\u9fff"
ZONE = (r"(?:经济技术开发区|高新技术产业开发区|高新技术开发区|经济开发区|技术开发区|高新区|开发区|综合实验区|"
        r"综合保税区|保税区|工业园区|产业园区|产业园|工业园|园区|新区|试验区|实验区)")
_TOWN = r"(?:镇|乡|街道办事处|街道|办事处)"
_GOV_TAIL = re.compile(r"^(?:人民政府|政府)(?:机关)?$")  # 机关: the government and its office reporting as one
_OFFICE_TAIL = re.compile(r"^(?:人民政府|政府)?(?:办公厅|办公室)$")
_ZONE_TAIL = re.compile(r"^(?:管理委员会|管委会)(?:办公室)?$|^$")
_DEPT_TAIL = re.compile(rf"^[{_CJK}（）()]{{1,24}}?(?:厅|局|委员会|委|办公室|办|中心|署|室|院|站|所|队|馆|处|会)$")
# A body's name as reports write it: places, then a kind of body.
_BODY = re.compile(rf"[{_CJK}（）()]{{2,40}}?(?:人民政府办公厅|人民政府办公室|人民政府|政府(?!信息|网站|门户|公报|工作)|"
                   rf"(?:管理委员会|管委会)(?:办公室)?|办事处|街道|厅|局|委员会|办公室|中心|署)")
# Words a mention may start with that are not part of a name ("结合开发区管委会…", "2019年高新区…").
_LEAD = re.compile(r"^(?:年度|年|月|日|结合|按照|根据|依据|依照|对照|对|在|为|由|经|和|及|与|全|各|本|我|该|"
                   r"向|将|把|是|以|其|同时|并|现|特|了)+")
_HEADER = re.compile(r"^[\s•·\-*|\[【]*(标题|发布机构|发文机关|来源|信息来源|发布单位|索引号|主题分类)\s*[:：]\s*(.+?)\s*$", re.M)
_TABLE_HEADER = re.compile(r"(?:发布机构|发文机关|发布单位)\s*[\]】]?\s*[:：]?\s*[|｜]\s*([^|｜\n]{3,40}?)\s*[|｜]")
_TITLE_TAIL = r"(?:政府信息公开|信息公开|政务公开)(?:工作)?(?:年度)?(?:报告|年报|工作要点|要点)"
_TITLE = re.compile(rf"^(?P<pre>.*?)(?P<year>(?:19|20)\d{{2}})\s*年度?(?P<post>.*?){_TITLE_TAIL}")


@dataclass
class Identity:
    issuer: str | None = None
    region: str | None = None
    level: str | None = None
    dept_level: str | None = None
    parents: list[str] = field(default_factory=list)
    compiled_by: str | None = None  # "由X编制": often the government's office writing the government's report
    short_names: list[str] = field(default_factory=list)  # the area's own last name and its short form
    evidence: dict[str, str] = field(default_factory=dict)  # field -> the line it was read from


@dataclass
class Parsed:
    places: list[tuple[str, Level]]  # the place chain, outermost first
    tail: str  # what follows the places ("人民政府", "生态环境局", "")


def parse_body(name: str) -> Parsed:
    """Split a body's name into its place chain and tail: 开阳县冯三镇人民政府 -> [开阳县, 冯三镇] + 人民政府."""
    g = gazetteer()
    places: list[tuple[str, Level]] = []
    pos = 0
    name = re.sub(r"^[^\u4e00-\u9fff]+", "", name)  # a stray site name or URL in front ("puroview.com沙头镇")
    while pos < len(name):
        found = g.match_at(name, pos)
        if found:
            divs = g.lookup(found)
            places.append((found, divs[0].level))
            pos += len(found)
            continue
        rest = name[pos:]
        if places and re.match(r"人民政府(?=[\u4e00-\u9fff]{1,8}?(?:镇|乡|街道))", rest):
            pos += len("人民政府")  # "桦甸市人民政府新华街道办事处": the street office under the city
            continue
        # A county the gazetteer no longer knows (凤翔县 became 凤翔区 in 2021): its government names it.
        m = re.match(r"([\u4e00-\u9fff]{2,3}?(?:县|旗))(?=人民政府|政府)", rest)
        if m and re.search(r"[县委市区省]", m.group(1)[:-1]):
            m = None
        if m and not places:
            places.append((m.group(1), Level.county))
            pos += len(m.group(1))
            continue
        m = re.match(rf"([{_CJK}]{{1,12}}?{ZONE})", rest)
        if m and not re.match(r"(?:管理委员会|管委会)", rest) and not re.search(r"[各属等和及]", m.group(1)):
            places.append((m.group(1), Level.zone))
            pos += len(m.group(1))
            continue
        m = re.match(rf"([{_CJK}]{{1,8}}?{_TOWN})(?=人民政府|政府|党|$|[{_CJK}])", rest)
        if (m and not re.match(r"(?:办事处|街道)", rest) and len(m.group(1)) >= 3 and not re.match(r"[省市县区]", rest)
                and (not places or places[-1][1] != Level.township)):
            town = re.sub(r"街道办事处$|办事处$", "街道", m.group(1))
            places.append((town, Level.township))
            pos += len(m.group(1))
            continue
        break
    return Parsed(places, re.sub(r"[(（][^)）]*[)）]", "", name[pos:]))


def _level_of(p: Parsed, for_government: bool) -> tuple[str | None, str | None]:
    """(level, dept_level) from the last place and the tail. ``for_government``: the government's office
    wrote it for the government (a work plan it issues, a report "由…办公厅编制"), so it is the government's."""
    if not p.places:
        return None, None
    place_level = p.places[-1][1]
    if any(lv == Level.zone for _, lv in p.places) and (_ZONE_TAIL.match(p.tail) or _GOV_TAIL.match(p.tail)):
        return Level.zone, None
    if _GOV_TAIL.match(p.tail) or (p.tail == "" and place_level != Level.zone):
        return place_level, None
    if _OFFICE_TAIL.match(p.tail):  # the government's office: the government's own plan, or the office's report
        return (place_level, None) if for_government else (Level.department, place_level)
    if _DEPT_TAIL.match(p.tail):
        return Level.department, (place_level if place_level != Level.zone else None)
    return None, None


def _clean(name: str) -> str:
    name = re.sub(r"[\s《》“”\"\]】|]", "", name)
    return _from_place(_LEAD.sub("", re.sub(r"^(?:关于|中共)", "", name)))


def _from_place(name: str) -> str:
    """A mention caught with a verb in front ("公布开阳县冯三镇人民政府") starts at its first gazetteer place."""
    g = gazetteer()
    if g.match_at(name, 0):
        return name
    for i in range(1, min(5, len(name))):
        if g.match_at(name, i):
            return name[i:]
    return name


def _masked(text: str) -> str:
    """The text with cited titles (《…》), contact offices and addresses blanked, same length: a body
    named there is another body (《福建省人民政府办公厅关于…》, 请与…办公室联系, 地址:…), not the issuer."""
    text = re.sub(r"《[^》]{0,80}》", lambda m: "　" * len(m.group(0)), text)
    text = re.sub(r"请与[^，。,；;\n]{0,50}?联系", lambda m: "　" * len(m.group(0)), text)  # the contact office
    return re.sub(r"(?:地址|联系地址|通讯地址)\s*[:：][^,，。;；\n]{0,40}", lambda m: "　" * len(m.group(0)), text)


def title_body(title: str) -> str | None:
    m = _TITLE.match(title)
    if not m:
        return None
    body = m.group("pre") or m.group("post")
    body = re.sub(r"(?:关于|的)$", "", _clean(body))
    return body or None


def _anchored(p: Parsed) -> bool:
    """A mention names a real body: a gazetteer place, a town's government (唐村镇政府), or a zone's
    管委会 under a short proper name (番禺经济技术开发区管委会)."""
    if any(lv in (Level.province, Level.city, Level.county) for _, lv in p.places):
        return True
    if not p.places:
        return False
    name, level = p.places[-1]
    if level == Level.township:
        return bool(_GOV_TAIL.match(p.tail))
    short = re.sub(ZONE + "$", "", name)
    return level == Level.zone and bool(re.match(r"^(?:管理委员会|管委会)", p.tail)) and 2 <= len(short) <= 4


def candidates(text: str, title: str | None, work_plan: bool = False) -> list[tuple[str, str]]:
    """(body name, the line it came from), best source first."""
    out: list[tuple[str, str]] = []
    head = text[:1500]
    # A plan is issued by the body that sends it out: "X关于印发…", or the notice's signature above its date.
    issued = re.search(rf"({_BODY.pattern})关于印发", head) or re.search(
        rf"^\s*({_BODY.pattern})\s*\n+\s*(?:19|20)\d{{2}}\s*年\s*\d{{1,2}}\s*月", head, re.M)
    if work_plan and issued:
        out.append((_clean(issued.group(1)), issued.group(0).strip()))
    # The title names the body the report is for; a 来源/发布机构 header names who posted it (often
    # the office of the body: 重庆高新区管委会办公室 posting the 管委会's report), so the title comes first.
    sources: list[tuple[str, str]] = []
    for m in _HEADER.finditer(head):
        key, value = m.group(1), m.group(2)
        if key in ("发布机构", "发文机关", "来源", "信息来源", "发布单位"):
            v = re.split(r"\s|来源|日期|发布时间|浏览", value)[0]
            if _BODY.fullmatch(_clean(v)):
                sources.append((_clean(v), m.group(0).strip()))
        elif key == "标题" and title_body(value):
            out.append((title_body(value) or "", m.group(0).strip()))
    if title and title_body(title):
        out.append((title_body(title) or "", title))
    for m in _TABLE_HEADER.finditer(head):  # the same header as a table row: "| [ 发布机构 ] | X |"
        v = _clean(m.group(1))
        if _BODY.fullmatch(v) and all(v != n for n, _ in sources):
            sources.append((v, m.group(0).strip()))
    out += sources
    inline = re.search(r"来源\s*[:：]\s*([\u4e00-\u9fff（）()]{3,40}?)(?=\s|$|日期|发布|浏览)", head)
    if inline and _BODY.fullmatch(_clean(inline.group(1))):
        out.append((_clean(inline.group(1)), inline.group(0)))
    for pat in (rf"由({_BODY.pattern})(?:负责)?(?:编制|制作)",
                rf"({_BODY.pattern})(?:编制|制作)(?:了)?(?:本|20\d{{2}})"):
        m = re.search(pat, _masked(text[:3000]))
        if m:
            out.append((_clean(m.group(1)), m.group(0)))
    tail = text[-300:]
    m = re.search(rf"^\s*({_BODY.pattern})\s*\n+\s*(?:19|20)\d{{2}}\s*年\s*\d{{1,2}}\s*月", tail, re.M)
    if m:
        out.append((_clean(m.group(1)), m.group(0).strip()))
    masked = _masked(text[:600])
    for m in _BODY.finditer(masked):
        name = _clean(m.group(0))
        before, after = masked[max(0, m.start() - 2) : m.start()], masked[m.end() : m.end() + 1]
        # A body named in a list or right before 《…》 is another one (the superior whose rules it follows).
        if re.search(r"[和及与、或]$", before) or after in ("《", "　", "、", "和", "及", "与"):
            continue
        # A government's name followed by 网/官网/门户 names its portal (a site banner "重庆市人民政府网", "在开州区
        # 人民政府官网公示"), which its departments' reports mention too; a department's own site names it.
        if re.search(r"(?:人民政府|政府)$", name) and re.match(r"(?:网|官网|门户)", masked[m.end() : m.end() + 3]):
            continue
        # A mention in running text is the weakest evidence: it must name a gazetteer place
        # (free text also says "第一时间完成开发区管委会…").
        if _anchored(parse_body(name)) and len(name) >= 4:
            out.append((name, text[max(0, m.start() - 10) : m.end() + 10].replace("\n", " ")))
            break
    return out


_ZONE_SHORT = [("高新技术产业开发区", "高新区"), ("高新技术开发区", "高新区"), ("经济技术开发区", "经开区"),
               ("经济开发区", "经开区"), ("综合保税区", "综保区"), ("管理委员会", "管委会")]


def full_form(name: str, text: str) -> str:
    """The name written out in full when the text also writes it so: a report that says 重庆高新区 in its
    source line and 重庆高新技术产业开发区管理委员会 in its title is filed under the full name."""
    forms = {name}
    for long, short in _ZONE_SHORT:
        forms |= {f.replace(short, long) for f in forms if short in f}
    present = [f for f in forms if f != name and f in text]
    return max(present, key=len) if present else name


def aliases(name: str) -> list[str]:
    """Short forms people write for a body or area: 重庆黔江高新技术产业开发区 -> 黔江高新区, 重庆黔江高新区;
    长兴岛经济技术开发区 -> 长兴岛经开区. The leading province/city name is optional."""
    out = {name}
    for long, short in _ZONE_SHORT:
        out |= {n.replace(long, short) for n in out}
    if not re.search(ZONE, name):
        return sorted(out)  # a department without its place ("生态环境局") or a government is no name
    g = gazetteer()
    for n in list(out):
        lead = g.match_at(n, 0)
        stem = re.sub(r"(?:省|市|自治区)$", "", lead) if lead else ""
        if lead and len(n) > len(lead) + 2:
            out.add(n[len(lead) :])
        elif stem and n.startswith(stem) and len(n) > len(stem) + 2:  # 重庆黔江… (重庆 without 市)
            out.add(n[len(stem) :])
        elif len(n) > 4 and g.match_at(n[:2] + "市", 0):
            out.add(n[2:])
    generic = re.compile(r"^(?:高新|经济|经开|综合|综保|国家|工业|产业|开发|管委|管理|保税)")
    return sorted(o for o in out if len(o) >= 3 and not generic.match(o))


def named_in_text(text: str) -> list[str]:
    """Every gazetteer place the report names, and the bodies named in its opening and its contact
    line ("请与兴安盟生态环境局办公室联系"): what a question may call a report whose title and headers
    name nothing. Weak evidence, used only for reports whose identity could not be read."""
    g = gazetteer()
    names: list[str] = []
    pos = 0
    while pos < len(text):
        found = g.match_at(text, pos)
        if found:
            names.append(found)
        pos += len(found) if found else 1
    contact = " ".join(re.findall(r"请与([^，。,；;\n]{2,50}?)联系", text))
    for m in _BODY.finditer(text[:1500] + "\n" + contact):
        p = parse_body(_clean(m.group(0)))
        if p.places:
            chain = "".join(n for n, _ in p.places)
            names += [chain, *(n for n, _ in p.places), *aliases(_clean(m.group(0)))]
    return list(dict.fromkeys(n for n in names if len(n) >= 2))


_PARTY_OFFICE = rf"中共[{_CJK}]{{2,20}}?委(?:员会)?办公(?:室|厅)"
_GOV_OFFICE = rf"[{_CJK}]{{2,20}}?人民政府办公(?:室|厅)"
# A document of the area's party committee and government, sent out by both their offices: signed one
# above the other over the date, or named together before 印发 in its title.
_JOINT = re.compile(rf"^\s*({_PARTY_OFFICE})\s*\n+\s*({_GOV_OFFICE})\s*\n+\s*(?:19|20)\d{{2}}\s*年|"
                    rf"({_PARTY_OFFICE})\s*({_GOV_OFFICE})(?:关于)?印发", re.M)


def joint_issuers(text: str) -> Identity | None:
    """Both offices as the issuer ("中共X市委办公室 X市人民政府办公室"); the level is the area's, since they
    issue for the committee and the government together, not as one department."""
    m = _JOINT.search(text[:3000])
    if not m:
        return None
    party, gov = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    p = parse_body(gov)
    if not p.places or not _OFFICE_TAIL.match(p.tail) or p.places[-1][0] not in party:
        return None
    ident = Identity(issuer=f"{party} {gov}", region="".join(n for n, _ in p.places), level=p.places[-1][1])
    ident.evidence = {"issuer": m.group(0).strip(), "region": m.group(0).strip(), "level": m.group(0).strip()}
    ident.parents = parents_of(p, ident.region or "")
    return ident


def _publisher_of_area(p: Parsed, line: str, title: str | None, cands: list[tuple[str, str]]) -> tuple[str, str] | None:
    """A title naming only an area (高科技电子产业园…年度报告) published by another body, one that is not the
    area's own (郯城县郯城经济开发区管委会, which runs the park): that body is the issuer, the area the region."""
    if p.tail or line != title or p.places[-1][1] not in (Level.zone, Level.township):
        return None
    chain = "".join(n for n, _ in p.places)
    for name, src in cands:
        if not re.search(r"发布机构|发文机关|发布单位", src):
            continue
        q = parse_body(name)
        other = "".join(n for n, _ in q.places)
        if q.places and q.tail and chain not in other and other not in chain:
            return name, src
    return None


def read_identity(text: str, title: str | None, work_plan: bool = False) -> Identity:
    """The issuer, region, level and parents of a report; empty where nothing is explicit."""
    joint = joint_issuers(text)
    if joint:
        return joint
    ident = Identity()
    cands = candidates(text, title, work_plan)
    best: tuple[str, str, Parsed] | None = None
    for name, line in cands:
        p = parse_body(name)
        if not p.places:
            continue
        if best is None or (len(p.places) > len(best[2].places) and best[0] in name):
            best = (name, line, p)
        if best and best[0] == name:
            break
    if best is None:
        # A title without places ("2021年区集体经济发展服务署…") still names the body; a header may add the place.
        for name, line in cands:
            if _DEPT_TAIL.match(name):
                ident.issuer, ident.evidence["issuer"] = name, line
                if re.search(r"区(?:管理委员会|管委会)(?:办公室)?$", name):  # only a zone is run by a 管委会
                    ident.level, ident.evidence["level"] = Level.zone, line
                break
        return ident
    name, line, p = best
    ident.issuer, ident.evidence["issuer"] = name, line
    publisher = _publisher_of_area(p, line, title, cands)
    if publisher:
        ident.issuer, ident.evidence["issuer"] = publisher
    compiled = re.search(rf"由({_BODY.pattern})(?:负责)?(?:编制|制作)", _masked(text[:3000]))
    if compiled:
        ident.compiled_by = _clean(compiled.group(1))
    ident.region = "".join(n for n, _ in p.places)
    ident.evidence["region"] = line
    last = p.places[-1][0]  # "重庆市开州区" is also "开州区" (never its parent's name alone)
    ident.short_names = [last, *([re.sub(r"(?:自治区|自治州|省|市|县|区|旗|盟)$", "", last)] if len(last) > 3 else [])]
    ident.level, ident.dept_level = _level_of(p, work_plan or line.startswith("由"))
    if ident.level:
        ident.evidence["level"] = line
    ident.parents = parents_of(p, ident.region)
    return ident


def parents_of(p: Parsed, region: str) -> list[str]:
    """The divisions above the chain's first gazetteer place, when its name is unique (南山区 is not)."""
    g = gazetteer()
    first = next((n for n, lv in p.places if lv in (Level.province, Level.city, Level.county)), None)
    divs = g.lookup(first) if first else []
    return [d.name for d in g.parents(divs[0]) if d.name not in region] if len(divs) == 1 else []
