"""The name grammar of Chinese government bodies, in one place for ingest, vectorstore and bot.

A body's name is a chain of places followed by a tail that says what kind of body it is:
开阳县冯三镇 + 人民政府 (the government itself), 广州开发区 + 管委会 (a zone's government),
兴安盟 + 生态环境局 (a department), 洪泽区 + 人民政府办公室 (the government's general office).
Places come from one source, the national gazetteer (govqa/gazetteer.py, province to county);
townships and development zones, which it does not hold, are read by their suffix.

Here are the tails, the words a report uses for itself (我局, 全市…), the windows of text each kind
of evidence is looked for in, ``parse_body`` (name -> places + tail), the level a name implies, and
one name per area across years (``canonical_region``, ``region_aliases``): 洪泽区 and 淮安市洪泽区
are one region, 洪泽县 (its name before 2016) and 洪泽 are its aliases. ``report_names`` gives the
names a question may use for a stored report; ``places_in`` the places a question names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from govqa.gazetteer import gazetteer
from govqa.types import Level, ReportMeta

CJK = r"\u4e00-\u9fff"

# -- tails: what follows the places of a body's name ------------------------------------------------
GOV = r"(?:人民政府|政府)"  # the government itself
OFFICE = r"(?:办公厅|办公室)"
GOV_OFFICE = GOV + OFFICE  # the government's general office: the one definition of the (人民)政府(办公厅|办公室) tail
ZONE_BODY = r"(?:管理委员会|管委会|工管委)"  # a development zone's government (工管委: 党工委 + 管委会)
NOT_AFTER_GOV = r"(?!信息|网站|门户|公报|工作)"  # 政府信息, 政府网站…: 政府 there names no body
ZONE = (r"(?:经济技术开发区|高新技术产业开发区|高新技术开发区|经济开发区|技术开发区|高新区|开发区|综合实验区|"
        r"综合保税区|保税区|工业园区|产业园区|产业园|工业园|园区|新区|试验区|实验区)")
ZONE_SHORT_END = r"(?:经开区|综保区)"  # how questions shorten a zone (贵阳经开区); a report's name is written out
TOWN = r"(?:镇|乡|街道办事处|街道|办事处)"
DEPT_END = r"(?:厅|局|委员会|委|办公室|中心|署|室|院|站|所|队|馆|处|会|部)"
AREA_SUFFIX = r"(?:维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|省|市|县|区|旗|盟)"

GOV_TAIL = re.compile(rf"^{GOV}(?:机关)?$")  # 机关: the government and its office reporting as one
OFFICE_TAIL = re.compile(rf"^{GOV}?(?:{OFFICE}|办)$")  # 政府办: the office's short name
GOV_OFFICE_END = re.compile(rf"{GOV_OFFICE}$")
ZONE_TAIL = re.compile(rf"^[{CJK}]{{0,6}}?{ZONE_BODY}(?:办公室)?$|^$")  # 开发建设管理委员会
DEPT_TAIL = re.compile(rf"^[{CJK}（）()]{{1,24}}?{DEPT_END}$")
# The kind words of a government or zone body: what is left without them is its area (洪泽区人民政府 -> 洪泽区).
KIND_WORDS = re.compile(rf"{GOV}{OFFICE}?$|{ZONE_BODY}(?:办公室)?$")
# A body's name as reports write it: places, then a kind of body.
BODY = re.compile(rf"[{CJK}（）()]{{2,40}}?(?:{GOV_OFFICE}|人民政府|政府{NOT_AFTER_GOV}|"
                  rf"{ZONE_BODY}(?:办公室)?|办事处|街道|厅|局|委员会|办公室|中心|署)")
ZONE_SHORT = [("高新技术产业开发区", "高新区"), ("高新技术开发区", "高新区"), ("经济技术开发区", "经开区"),
              ("经济开发区", "经开区"), ("综合保税区", "综保区"), ("管理委员会", "管委会")]

# -- how a report speaks of its own body ------------------------------------------------------------
DEPT_SELF = re.compile(r"[我本](局|委|办|厅|署|中心|站|院)")  # "我局…": a department speaks
# One body counting only its own work: "以本机关名义处理…", "代表区政府处理…17件" (the office for its government,
# not the area's departments and towns).
BODY_OWN = re.compile(r"以本机关名义|代表(?:[省市区县州旗]|本级)(?:人民)?政府")
AREA_SELF = re.compile(r"(?:我|全)(市|县|区|旗|盟|州|镇|乡)")  # "我区…", "全市…": an area's government speaks
# A question or sentence about a whole area (全市, 各级…), not one body or part of it.
# A body's channel named as its owner in a question (泽州县人民政府门户网站): the body is what precedes it.
CHANNEL_TAIL = re.compile(r"(?:官方网站|门户网站|政府网站|网站|官网|政务微博|微博|微信公众号|公众号|政务新媒体)$")
# A department's long ending and the short one its abbreviations end in (发展和改革委员会 -> 发改委).
SHORT_END = [("委员会", "委"), ("办公室", "办")]
WHOLE_AREA = re.compile(r"全省|全市|全区|全县|全州|全盟|全旗|全镇|全乡|全街道|各级|全[省市县区]各")

# -- windows: how far into (or from the end of) a text each kind of evidence is looked for ------------
TITLE_WINDOW = 800  # the title line and the crawler's 标题 header
HEAD_WINDOW = 1500  # headers, an issuing line (X关于印发…), the opening's bodies
BODY_WINDOW = 3000  # 由…编制, the contact line, a joint notice's signatures
OPENING_WINDOW = 600  # a body mentioned in the opening sentence
SUBJECT_WINDOW = 2500  # the account of the year ("2021年，县统计局积极…")
SIGNATURE_WINDOW = 300  # the signature above the date at the end
DATE_WINDOW = 2000  # 发布时间/成文日期 near the top
YEAR_OPENING_WINDOW = 200  # "2025年，我局…" right at the start

# Words a mention may start with that are not part of a name ("结合开发区管委会…", "2019年高新区…").
_LEAD = re.compile(r"^(?:年度|年|月|日|结合|按照|根据|依据|依照|对照|对|在|为|由|经|和|及|与|全|各|本|我|该|"
                   r"向|将|把|是|以|其|同时|并|现|特|了)+")
# Generic words that look like a place but name none: a part of a name (…片区) is never a region.
FRAGMENT = re.compile(r"^(?:全|各|本|我|该|有关|相关|直属|所属|下属|上级|省级|市级|县级)|^(?:省市|市县|县区|县市|城市|地市|社区|"
                      r"新区|老区|小区|市区|城区|辖区|地区|园区|景区|开发区|省区|本区|全区|自治区|自治州|片区)$|片区$")


@dataclass
class Parsed:
    places: list[tuple[str, Level]]  # the place chain, outermost first
    tail: str  # what follows the places ("人民政府", "生态环境局", "")

    @property
    def chain(self) -> str:
        return "".join(n for n, _ in self.places)


def parse_body(name: str) -> Parsed:
    """Split a body's name into its place chain and tail: 开阳县冯三镇人民政府 -> [开阳县, 冯三镇] + 人民政府."""
    g = gazetteer()
    places: list[tuple[str, Level]] = []
    pos = 0
    name = re.sub(rf"^[^{CJK}]+", "", name)  # a stray site name or URL in front ("puroview.com沙头镇")
    while pos < len(name):
        found = g.match_at(name, pos)
        if found:
            places.append((found, g.lookup(found)[0].level))
            pos += len(found)
            continue
        rest = name[pos:]
        if places and re.match(rf"人民政府(?=[{CJK}]{{1,8}}?(?:镇|乡|街道))", rest):
            pos += len("人民政府")  # "桦甸市人民政府新华街道办事处": the street office under the city
            continue
        # A county the gazetteer no longer knows (凤翔县 became 凤翔区 in 2021): its government names it.
        m = re.match(rf"([{CJK}]{{2,3}}?(?:县|旗))(?=人民政府)", rest)
        if m and not re.search(r"[县委市区省]", m.group(1)[:-1]) and not places:
            places.append((m.group(1), Level.county))
            pos += len(m.group(1))
            continue
        m = re.match(rf"([{CJK}]{{1,12}}?{ZONE})", rest)
        if m and not re.match(rf"{ZONE_BODY}|{GOV}", rest) and not re.search(r"[各属等和及]", m.group(1)):
            places.append((m.group(1), Level.zone))
            pos += len(m.group(1))
            continue
        m = re.match(rf"([{CJK}]{{1,8}}?{TOWN})(?={GOV}|党|$|[{CJK}])", rest)
        if (m and not re.match(r"(?:办事处|街道)", rest) and len(m.group(1)) >= 3 and not re.match(r"[省市县区]", rest)
                and not re.search(r"[和及与]", m.group(1))  # 住房和城乡建设局: 城乡 is no township
                and (not places or places[-1][1] != Level.township)):
            places.append((re.sub(r"街道办事处$|办事处$", "街道", m.group(1)), Level.township))
            pos += len(m.group(1))
            continue
        break
    return Parsed(places, re.sub(r"[(（][^)）]*[)）]", "", name[pos:]))


def level_of(p: Parsed, for_government: bool) -> tuple[Level | None, Level | None]:
    """(level, dept_level) from the last place and the tail. ``for_government``: the government's office
    wrote it for the government (a plan it issues, a report "由…办公厅编制"), so it is the government's."""
    if not p.places:
        return None, None
    place_level = p.places[-1][1]
    if any(lv == Level.zone for _, lv in p.places) and (ZONE_TAIL.match(p.tail) or GOV_TAIL.match(p.tail)):
        return Level.zone, None
    if GOV_TAIL.match(p.tail) or (p.tail == "" and place_level != Level.zone):
        return place_level, None
    if OFFICE_TAIL.match(p.tail):  # the government's office: the government's own plan, or the office's report
        return (place_level, None) if for_government else (Level.department, place_level)
    if DEPT_TAIL.match(p.tail):
        return Level.department, (place_level if place_level != Level.zone else None)
    return None, None


def government_of(p: Parsed) -> str:
    """The government of a place chain: 洪泽区人民政府, 冯三镇人民政府, 广州开发区管委会."""
    if p.places[-1][1] == Level.zone:
        return p.chain + "管委会"
    return p.chain + "人民政府"


def clean(name: str) -> str:
    """A mention as caught (quotes, spaces, a verb in front) -> the body's name."""
    name = re.sub(r"[\s《》“”\"\]】|]|[(（](?:以下简称|下称|简称)[^)）]*[)）]", "", name)
    return from_place(_LEAD.sub("", re.sub(r"^(?:关于|中共)", "", name)))


def from_place(name: str) -> str:
    """A mention caught with a verb in front ("公布开阳县冯三镇人民政府") starts at its first gazetteer place."""
    g = gazetteer()
    if g.match_at(name, 0):
        return name
    for i in range(1, min(5, len(name))):
        if g.match_at(name, i) and name[i - 1] not in "(（":  # "高新区(新市区)": the district in brackets is a gloss
            return name[i:]
    return name


def anchored(p: Parsed) -> bool:
    """A mention names a real body: a gazetteer place, a town's government (唐村镇政府), or a zone's
    管委会 under a short proper name (番禺经济技术开发区管委会)."""
    if any(lv in (Level.province, Level.city, Level.county) for _, lv in p.places):
        return True
    if not p.places:
        return False
    name, level = p.places[-1]
    if level == Level.township:
        return bool(GOV_TAIL.match(p.tail))
    short = re.sub(ZONE + "$", "", name)
    return level == Level.zone and bool(re.match(ZONE_BODY, p.tail)) and 2 <= len(short) <= 4


def stem(name: str) -> str:
    """山西省 -> 山西, 洪泽区 -> 洪泽; a name whose stem would be one character keeps its suffix (南区)."""
    short = re.sub(AREA_SUFFIX + "$", "", name)
    return short if len(short) >= 2 else name


def is_region(name: str) -> bool:
    """A name that can be a region: a place chain, never a fragment (…片区, 自治区 alone, 全市)."""
    return bool(name) and not FRAGMENT.search(name) and bool(parse_body(name).places)


def short_forms(name: str) -> list[str]:
    """Short forms people write for a zone or body: 重庆黔江高新技术产业开发区 -> 黔江高新区, 重庆黔江高新区;
    长兴岛经济技术开发区 -> 长兴岛经开区. The leading province/city name is optional."""
    out = {name}
    for long, short in ZONE_SHORT:
        out |= {n.replace(long, short) for n in out}
    if not re.search(ZONE, name):
        return sorted(out)  # a department without its place ("生态环境局") or a government is no name
    g = gazetteer()
    for n in list(out):
        lead = g.match_at(n, 0)
        lead_stem = re.sub(r"(?:省|市|自治区)$", "", lead) if lead else ""
        if lead and len(n) > len(lead) + 2:
            out.add(n[len(lead) :])
        elif lead_stem and n.startswith(lead_stem) and len(n) > len(lead_stem) + 2:  # 重庆黔江… (重庆 without 市)
            out.add(n[len(lead_stem) :])
        elif len(n) > 4 and g.match_at(n[:2] + "市", 0):
            out.add(n[2:])
        province = next((stem(p) for p, _ in _provinces() if n.startswith(stem(p)) and len(n) > len(stem(p)) + 4), "")
        if province:  # 安徽舒城经济开发区 is also 舒城经济开发区
            out |= {n[len(province) :]}
    generic = re.compile(r"^(?:高新|经济|经开|综合|综保|国家|工业|产业|开发|管委|管理|保税)")
    return sorted(o for o in out if len(o) >= 3 and not generic.match(o))


def complete_zone(name: str, text: str) -> str:
    """A zone named by its kind alone (高新区(新市区)) written out as the page writes it with its city in front
    (乌鲁木齐国家高新区(新市区)); unchanged when the page never does."""
    p = parse_body(name)
    if len(p.places) != 1 or p.places[0][1] != Level.zone or not re.fullmatch(ZONE, p.places[0][0]):
        return name
    g = gazetteer()
    written = re.escape(name[name.index(p.places[0][0]) :])
    for m in re.finditer(rf"([{CJK}]{{2,10}}){written}", text):
        prefix = m.group(1)
        for i in range(len(prefix) - 1):
            lead = prefix[i:]
            if g.match_at(lead, 0) or any(g.lookup(lead[:k] + "市") for k in (2, 3, 4)):
                return lead + m.group(0)[len(prefix) :]
    return name


def full_form(name: str, text: str) -> str:
    """The name written out in full when the text also writes it so: a report that says 重庆高新区 in its
    source line and 重庆高新技术产业开发区管理委员会 in its title is filed under the full name."""
    forms = {name}
    for long, short in ZONE_SHORT:
        forms |= {f.replace(short, long) for f in forms if short in f}
    for f in list(forms):  # 湘潭高新技术产业开发区 is 湘潭国家高新技术产业开发区 on its own site
        if (m := re.search(r"(?<!国家)(?:高新|经济技术)", f)) and m.start() >= 2:
            forms.add(f[: m.start()] + "国家" + f[m.start() :])
    present = [f for f in forms if f != name and f in text]
    return max(present, key=len) if present else name


# -- one name per area across years --------------------------------------------------------------------
def parents_of(p: Parsed, hints: tuple[str, ...] = ()) -> list[str]:
    """The divisions above the chain's first gazetteer place, outermost first. A name several divisions
    share (南山区) takes the one whose parent the text names (``hints``), else none."""
    g = gazetteer()
    first = next((n for n, lv in p.places if lv in (Level.province, Level.city, Level.county)), None)
    divs = g.lookup(first) if first else []
    if len(divs) > 1:
        divs = [d for d in divs if any(par.name in hints for par in g.parents(d))]
    return [d.name for d in g.parents(divs[0])] if len(divs) == 1 else []


def canonical_region(region: str, hints: tuple[str, ...] = ()) -> str:
    """One name per area: its own gazetteer name when that name is unique in the country (洪泽区 and
    淮安市洪泽区 are 洪泽区; 江苏省淮安市 is 淮安市), with what lies below it (平阳县水头镇); a name several
    divisions share is written after its prefecture when the name or ``hints`` say which (深圳市南山区).
    A name the gazetteer cannot place, or places twice over with nothing to choose, is kept as written."""
    p = parse_body(region)
    if not p.places or p.tail:
        return region
    levels = [lv for _, lv in p.places]
    top = Level.county if Level.county in levels else Level.city if Level.city in levels else None
    if top is None:
        return p.chain
    idx = levels.index(top)
    name = p.places[idx][0]
    below = "".join(n for n, _ in p.places[idx + 1 :])
    divs = gazetteer().lookup(name)
    if len(divs) == 1:
        return name + below
    parents = parents_of(Parsed(p.places[idx:], ""), (*hints, *(n for n, _ in p.places[:idx])))
    return parents[-1] + name + below if parents else p.chain


def canonical_body(name: str, hints: tuple[str, ...] = ()) -> str:
    """A body's name with its area written canonically: 洪泽区人民政府 -> 淮安市洪泽区人民政府."""
    p = parse_body(name)
    if not p.places:
        return name
    return canonical_region(p.chain, hints) + name[len(p.chain) :] if name.startswith(p.chain) else name


def former_names(name: str) -> list[str]:
    """The county name a district or county-level city had before it changed (洪泽县 became 洪泽区 in 2016,
    凤翔县 凤翔区 in 2021): its stem with 县, when no current division has that name."""
    g = gazetteer()
    divs = g.lookup(name)
    if not divs or divs[0].level != Level.county:
        return []
    s = stem(name)
    former = s + "县"  # a 县 becomes a 区 or a 市, never the other way
    return [former] if name.endswith(("区", "市")) and s != name and not g.lookup(former) else []


def region_aliases(region: str) -> list[str]:
    """Every name of one area a report or a question may use: the canonical chain, each tail of it
    (淮安市洪泽区 -> 洪泽区), the last place's short form (洪泽) and former names (洪泽县)."""
    if not region:
        return []
    p = parse_body(region)
    out = [region]
    names = [n for n, _ in p.places]
    for i in range(1, len(names)):
        out.append("".join(names[i:]))
    if names:
        last = names[-1]
        out += former_names(last)
        if p.places[-1][1] != Level.zone and len(stem(last)) >= 2 and stem(last) != last:
            out.append(stem(last))
        out += short_forms(last) if p.places[-1][1] == Level.zone else []
    return [a for a in dict.fromkeys(out) if len(a) >= 2]


def places_in(question: str) -> list[str]:
    """Place names a question states, from the gazetteer (provinces also by their short form: 山西), and
    townships and zones by their suffix right after a place, the year or the start ("2025年中仓街道…",
    "贵阳经开区2023年…"). A fragment (…片区, 全市) is none."""
    g = gazetteer()
    found: list[str] = []
    pos = 0
    while pos < len(question):
        name = g.match_at(question, pos)
        if name and not FRAGMENT.search(name):
            found.append(name)
        pos += len(name) if name else 1
    for name, _ in _provinces():
        if stem(name) in question and name not in found:
            found.append(name)
    for m in re.finditer(rf"(?:^|\d{{4}}\s*年度?|[省市县区旗])([{CJK}]{{2,6}}?(?:{ZONE}|{ZONE_SHORT_END}|镇|乡|街道))", question):
        name = m.group(1)
        if not FRAGMENT.search(name) and name not in found and not g.lookup(name):
            found.append(name)
    return found


@lru_cache(maxsize=1)
def _provinces() -> list[tuple[str, str]]:
    return [(d.name, d.code) for d in gazetteer().by_code.values() if d.level == Level.province]


def gazetteer_places(text: str, level: Level | None = None) -> list[str]:
    """The gazetteer places a text names, in order, each as often as it is named (of one ``level`` if given)."""
    g = gazetteer()
    out: list[str] = []
    pos = 0
    while pos < len(text):
        name = g.match_at(text, pos)
        if name and (level is None or any(d.level == level for d in g.lookup(name))):
            out.append(name)
        pos += len(name) if name else 1
    return out


def migrate_names(meta: ReportMeta) -> ReportMeta:
    """A report's region and issuer under their canonical names, every name it was known by kept among its
    aliases: what ingest stores, and what a record of an older store is rewritten to (vectorstore/registry.py)."""
    hints = tuple(meta.parents)
    written = [n for n in (meta.region, meta.issuer, *meta.aliases) if n]
    if meta.region and is_region(meta.region):
        meta.region = canonical_region(meta.region, hints)
        # The canonical name may drop the places written before it (淮安市洪泽区 -> 洪泽区): the divisions above
        # it come from the gazetteer for the canonical name, so one area has one list of parents across years.
        meta.parents = parents_of(parse_body(meta.region), hints) or meta.parents
    if meta.issuer:
        meta.issuer = canonical_body(meta.issuer, hints)
    names = [*region_aliases(meta.region or ""), *written]
    for n in [meta.issuer, *written]:
        names += short_forms(n) if n else []
    meta.aliases = sorted(set(names) - {meta.region, meta.issuer, ""})
    return meta


def short_name(region: str) -> str:
    """The short form of an area's own (last) name: 山西省 -> 山西, 淮安市洪泽区 -> 洪泽."""
    p = parse_body(region)
    return stem(p.places[-1][0] if p.places and not p.tail else region)
