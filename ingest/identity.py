"""Who issued a report and which area it covers: an ordered table of evidence sources and one resolver.

A report names its body in a few places, each read by one small source below that returns what it
read as ``Reading`` (value, the line it came from, confidence):

* the joint notice of an area's party and government offices (both sign it),
* the line a plan is issued by ("X关于印发…", its signature above the date),
* the crawler's 标题 header and the title line ("<body><year>年度…报告", "<year>年<body>…"),
* a 发布机构/来源 header (who posted it: often the body's office),
* "由X编制" (who compiled it: often the government's office, for the government),
* the signature above the date at the end, and a body named in the opening sentence;

and, for a report that never names its body (ingest/self_named.py), how it speaks of itself:

* the contact line ("请与兴安盟生态环境局办公室联系"), the subject of the year's account ("2021年，县统计局…")
  and the speaker ("我区…" with one district named).

``SOURCES`` lists them in priority order with their confidence; ``CONFLICTS`` says, in one place, what a
lower source may still change about a higher one's reading. What no source reads stays empty: an
empty field is better than a guess, which would route questions to the wrong report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from govqa.names import (
    AREA_SELF,
    BODY,
    BODY_WINDOW,
    CJK,
    DEPT_SELF,
    DEPT_TAIL,
    GOV,
    GOV_OFFICE,
    HEAD_WINDOW,
    OFFICE_TAIL,
    OPENING_WINDOW,
    SIGNATURE_WINDOW,
    WHOLE_AREA,
    ZONE,
    ZONE_BODY,
    Parsed,
    anchored,
    clean,
    government_of,
    level_of,
    parents_of,
    parse_body,
    short_forms,
)
from govqa.types import FieldEvidence, Level

_HEADER = re.compile(r"^[\s•·\-*|\[【]*(标题|发布机构|发文机关|来源|信息来源|发布单位|索引号|主题分类)\s*[:：]\s*(.+?)\s*$", re.M)
_TABLE_HEADER = re.compile(r"(?:发布机构|发文机关|发布单位)\s*[\]】]?\s*[:：]?\s*[|｜]\s*([^|｜\n]{3,40}?)\s*[|｜]")
_INLINE_SOURCE = re.compile(rf"来源\s*[:：]\s*([{CJK}（）()]{{3,40}}?)(?=\s|$|日期|发布|浏览)")
_TITLE_TAIL = (r"(?:(?:政府信息公开|信息公开|政务公开)(?:工作)?(?:年度)?(?:报告|年报|工作要点|要点)|公开年度报告|"
               r"政府信息公开\s*工作)")  # the last two: "…高新区公开年度报告", a garbled "…政府信息公开 工作告年度报"
_TITLE = re.compile(rf"^(?P<pre>.*?)(?P<year>(?:19|20)\d{{2}})\s*年度?(?P<post>.*?){_TITLE_TAIL}")
_DATE_LINE = r"\s*\n+\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月"
_COMPILED = re.compile(rf"由({BODY.pattern})(?:负责)?(?:(?:综合|依据|根据|按照|在)[^。]{{0,100}}?)?(?:编制|制作)")
# Two bodies run as one and reporting together: "广州市黄埔区人民政府 广州开发区管委会".
_TWO_BODIES = re.compile(rf"^{GOV}\s*([{CJK}]{{2,12}}?{ZONE}{ZONE_BODY})$")
_WHOLE_COMPILED = re.compile(r"全[省市县区]各(?:部门|地区)|各地区、各部门|各部门[^。]{0,20}年度报告")
_NATIONAL = re.compile(r"国务院|党中央|全国")
_COMPILES = re.compile(rf"({BODY.pattern})(?:编制|制作)(?:了)?(?:本|20\d{{2}})")
_PARTY_OFFICE = rf"中共[{CJK}]{{2,20}}?委(?:员会)?办公(?:室|厅)"
_JOINT = re.compile(rf"^\s*({_PARTY_OFFICE})\s*\n+\s*([{CJK}]{{2,20}}?{GOV_OFFICE})\s*\n+\s*(?:19|20)\d{{2}}\s*年|"
                    rf"({_PARTY_OFFICE})\s*([{CJK}]{{2,20}}?{GOV_OFFICE})(?:关于)?印发", re.M)


@dataclass
class Identity:
    issuer: str | None = None
    region: str | None = None
    level: Level | None = None
    dept_level: Level | None = None
    parents: list[str] = field(default_factory=list)
    compiled_by: str | None = None  # "由X编制": often the government's office writing the government's report
    evidence: dict[str, FieldEvidence] = field(default_factory=dict)  # field -> the line, source and confidence

    def found(self) -> bool:
        return bool(self.issuer or self.region or self.level)

    def cite(self, line: str, confidence: float, source: str, fields: tuple[str, ...] = ("issuer", "region", "level")) -> None:
        for f in fields:
            if getattr(self, f):
                self.evidence[f] = FieldEvidence(line, confidence, source)


@dataclass
class Reading:
    """What one evidence source read: a body's name, the line it came from, how sure the source is."""

    value: str
    line: str
    confidence: float
    source: str = ""


@dataclass
class Context:
    """One report as the sources see it: its text, title, kind, and the masked windows they share."""

    text: str
    title: str | None
    work_plan: bool

    @property
    def head(self) -> str:
        return self.text[:HEAD_WINDOW]


def masked(text: str) -> str:
    """The text with cited titles (《…》), contact offices and addresses blanked, same length: a body
    named there is another body (《福建省人民政府办公厅关于…》, 请与…办公室联系, 地址:…), not the issuer."""
    text = re.sub(r"《[^》]{0,80}》", lambda m: "　" * len(m.group(0)), text)
    text = re.sub(r"请与[^，。,；;\n]{0,50}?联系|请?联系[:：]?[^，。,；;\n(（]{2,50}", lambda m: "　" * len(m.group(0)), text)
    return re.sub(r"(?:地址|联系地址|通讯地址)\s*[:：][^,，。;；\n]{0,40}", lambda m: "　" * len(m.group(0)), text)


def title_body(title: str) -> str | None:
    """The body a title names, before or after its year."""
    m = _TITLE.match(title)
    if not m:
        return None
    body = re.sub(r"^\s*[(（][^)）]*[)）]", "", m.group("pre")) or m.group("post")  # "(发至县人民政府)2017年…"
    body = re.sub(r"(?:关于|的)$", "", clean(body))
    if body.endswith("人民") and title[m.end("post") :].startswith("政府"):  # "泾县人民|政府信息公开…"
        body += "政府"
    return body or None


# -- the sources: each reads one kind of evidence ---------------------------------------------------------
def issuing_line(ctx: Context) -> list[Reading]:
    """A plan is issued by the body that sends it out: "X关于印发…", or the notice's signature above its date."""
    if not ctx.work_plan:
        return []
    head = masked(ctx.head)  # a cited notice (《国务院办公厅关于印发…》) is another body's
    m = re.search(rf"({BODY.pattern})\s*关于印发", head) or re.search(rf"^\s*({BODY.pattern}){_DATE_LINE}", head, re.M)
    return [Reading(clean(m.group(1)), m.group(0).strip(), CONFIDENCE["issuing"])] if m else []


def header_title(ctx: Context) -> list[Reading]:
    """The crawler's "标题: …" header names the body the report is for."""
    out = []
    for m in _HEADER.finditer(ctx.head):
        if m.group(1) == "标题" and (body := title_body(m.group(2))):
            out.append(Reading(body, m.group(0).strip(), CONFIDENCE["header_title"]))
    return out


def title_line(ctx: Context) -> list[Reading]:
    body = title_body(ctx.title) if ctx.title else None
    return [Reading(body, ctx.title or "", CONFIDENCE["title"])] if body else []


def publisher(ctx: Context) -> list[Reading]:
    """A 发布机构/来源 header (as a line or a table row) names who posted the report: the body, or its office."""
    out: list[Reading] = []
    for m in _HEADER.finditer(ctx.head):
        if m.group(1) in ("发布机构", "发文机关", "来源", "信息来源", "发布单位"):
            v = clean(re.split(r"\s|来源|日期|发布时间|浏览", m.group(2))[0])
            if BODY.fullmatch(v):
                out.append(Reading(v, m.group(0).strip(), CONFIDENCE["publisher"]))
    for m in _TABLE_HEADER.finditer(ctx.head):  # "| [ 发布机构 ] | X |"
        v = clean(m.group(1))
        if BODY.fullmatch(v) and all(v != r.value for r in out):
            out.append(Reading(v, m.group(0).strip(), CONFIDENCE["publisher"]))
    inline = _INLINE_SOURCE.search(ctx.head)
    if inline and BODY.fullmatch(clean(inline.group(1))) and all(clean(inline.group(1)) != r.value for r in out):
        out.append(Reading(clean(inline.group(1)), inline.group(0), CONFIDENCE["publisher"]))
    return out


def compiled_line(ctx: Context) -> list[Reading]:
    """"由X编制" or "X编制本报告": who compiled the report."""
    window = masked(ctx.text[:BODY_WINDOW])
    out = []
    for pat in (_COMPILED, _COMPILES):
        m = pat.search(window)
        if m:
            out.append(Reading(clean(m.group(1)), m.group(0), CONFIDENCE["compiled"]))
    return out


def signature(ctx: Context) -> list[Reading]:
    """The body signed above the date at the end."""
    m = re.search(rf"^\s*({BODY.pattern}){_DATE_LINE}", ctx.text[-SIGNATURE_WINDOW:], re.M)
    return [Reading(clean(m.group(1)), m.group(0).strip(), CONFIDENCE["signature"])] if m else []


def opening_mention(ctx: Context) -> list[Reading]:
    """The first body the opening names that is a real one (a gazetteer place, a town's government): the
    weakest named evidence. A body in a list, before 《…》, or as the owner of a portal is another one."""
    window = masked(ctx.text[:OPENING_WINDOW])
    speaks_below = _speaks_as_township(ctx.text)
    for m in BODY.finditer(window):
        name = clean(m.group(0))
        start, end = m.end() - len(name), m.end()
        if (more := _MORE_OF_NAME.match(window, end)) and re.search(rf"{GOV}$", name):
            name, end = name + more.group(0).strip(), more.end()  # 西藏自治区政府国资委, 黄埔区人民政府 广州开发区管委会
        before, after = window[max(0, start - 1) : start], window[end : end + 3]
        if re.search(r"[和及与、或]$", before) or after[:1] in ("《", "　", "、", "和", "及", "与"):
            continue  # one of a list, or the body before a cited title: another body
        if re.search(rf"{GOV}$", name) and re.match(r"[”\"]?(?:网|官网|门户|网站)", after):
            continue  # "重庆市人民政府网": a portal its departments' reports mention too (a department's own site names it)
        if after.startswith("关于印发") and not ctx.work_plan:
            continue  # "X关于印发…": X's notice, cited
        p = parse_body(name)
        if len(p.places) == 1 and len(p.places[0][0]) == 2 and not p.tail.startswith("人民政府"):
            continue  # "其中区政府…": a two-character place (中区) caught inside a word
        if speaks_below and p.places and p.places[-1][1] != Level.township:
            continue  # a town's report (我镇…) under its county's site banner: the banner is not the issuer
        if anchored(p) and len(name) >= 4:
            line = ctx.text[max(0, start - 10) : end + 10].replace("\n", " ")
            return [Reading(name, line, CONFIDENCE["opening"])]
    return []


# What may continue a government's name into a body of its own: a department (国资委, 国有资产监督管理委员会)
# or a zone's 管委会 run together with it.
_MORE_OF_NAME = re.compile(rf"\s?(?:[{CJK}]{{0,10}}?(?:国资委|委员会|局)(?![{CJK}]{{0,1}}(?:的|和|及|提交|审议))|"
                           rf"[{CJK}]{{2,12}}?{ZONE}{ZONE_BODY})")


# An office named in the opening as the sender of the report (a dated line, a notice publishing it), not as
# the subject of the year's account ("2021年宝坻区人民政府办公室认真贯彻…": then the report is the office's own).
_OFFICE_AS_SENDER = re.compile(rf"{GOV_OFFICE}\s*(?:(?:19|20)\d{{2}}\s*年\s*\d{{1,2}}\s*月|关于(?:公布|发布|印发))")


def _speaks_as_township(text: str) -> bool:
    """The report speaks as a township or street (我镇, 我乡, 我街道, 本镇)."""
    return bool(re.search(r"[我本](?:镇|乡|街道)", text))


# Priority order and confidence of each named source (the self-speaking ones follow in ingest/self_named.py).
CONFIDENCE = {"joint": 0.95, "issuing": 0.9, "header_title": 0.95, "title": 0.95, "publisher": 0.8, "compiled": 0.85,
              "signature": 0.85, "opening": 0.6}
SOURCES: list[tuple[str, Callable[[Context], list[Reading]]]] = [
    ("issuing", issuing_line),
    ("header_title", header_title),
    ("title", title_line),
    ("publisher", publisher),
    ("compiled", compiled_line),
    ("signature", signature),
    ("opening", opening_mention),
]
# What a lower source may change about the reading of a higher one, in one place:
CONFLICTS = """
- first: the first reading (in SOURCES order) that names a place decides the body; a name without places
  (区集体经济发展服务署) is taken only when no reading names one.
- two_bodies: "X区人民政府 Y开发区管委会" is both bodies as one issuer, X区 the region.
- publisher_of_area: a title naming only a zone or township (高科技电子产业园…) posted under another body's
  发布机构 (郯城经济开发区管委会, which runs the park): that body is the issuer, the area the region.
- compiling_office: a government's general office read from 由…编制, 发布机构, the signature or an
  opening line that sends the report (dated, 关于公布…) of a report on the whole area is the compiler; the
  issuer is the government (its level the area's), unless the text speaks as the office (我办) or the
  title names the office. So is a department that compiled it from 全区各部门's reports.
- zone_government: a title or header naming only a zone means its 管委会 when the text names one.
- plan_office: a plan issued by the government's office is the government's plan (the area's level).
- self_speaking: the contact line, the subject and the speaker are read only when no named source gave a body.
"""


def _readings(ctx: Context) -> list[Reading]:
    out: list[Reading] = []
    for name, source in SOURCES:
        out += [Reading(r.value, r.line, r.confidence, name) for r in source(ctx)]
    return out


def joint_issuers(text: str) -> Identity | None:
    """Both offices as the issuer ("中共X市委办公室 X市人民政府办公室"); the level is the area's, since they
    issue for the committee and the government together, not as one department."""
    m = _JOINT.search(text[:BODY_WINDOW])
    if not m:
        return None
    party, gov = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    p = parse_body(gov)
    if not p.places or not OFFICE_TAIL.match(p.tail) or p.places[-1][0] not in party:
        return None
    ident = Identity(issuer=f"{party} {gov}", region=p.chain, level=p.places[-1][1], parents=parents_of(p))
    ident.cite(m.group(0).strip(), CONFIDENCE["joint"], "joint")
    return ident


def _publisher_of_area(p: Parsed, best: Reading, readings: list[Reading]) -> Reading | None:
    """CONFLICTS publisher_of_area."""
    if p.tail or best.source != "title" or p.places[-1][1] not in (Level.zone, Level.township):
        return None
    for r in readings:
        if r.source != "publisher" or not re.search(r"发布机构|发文机关|发布单位", r.line):
            continue
        q = parse_body(r.value)
        if q.places and q.tail and p.chain not in q.chain and q.chain not in p.chain:
            return r
    return None


def _speaks_as_office(text: str) -> bool:
    return bool(re.search(r"[我本]办(?!法|理|事|结|件|公)", text))


def _whole_area(text: str) -> bool:
    """The report speaks for the whole area (全市…, 我区…, 各地区、各部门, 县政府…): a government's report."""
    return bool(WHOLE_AREA.search(text) or AREA_SELF.search(text)
                or re.search(r"各地区|各部门|各县|各乡镇|政府系统|(?<![一-龥])[省市县区]政府|[，,。\n][省市县区]政府", text))


def read_named(text: str, title: str | None, work_plan: bool = False) -> Identity:
    """The identity from the named sources (SOURCES), resolved by CONFLICTS; empty where none names a body."""
    joint = joint_issuers(text)
    if joint:
        return joint
    ctx = Context(text, title, work_plan)
    readings = _readings(ctx)
    ident = Identity()
    best = next(((r, p) for r in readings if (p := parse_body(r.value)).places), None)  # first
    compiled = next((r for r in readings if r.source == "compiled" and r.line.startswith("由")), None)
    if compiled:
        ident.compiled_by = compiled.value
    if best is None:
        # A title without places ("2021年区集体经济发展服务署…") still names the body.
        for r in readings:
            if DEPT_TAIL.match(r.value):
                ident.issuer = r.value
                if re.search(rf"区{ZONE_BODY}(?:办公室)?$", r.value):  # only a zone is run by a 管委会
                    ident.level = Level.zone
                elif re.search(r"部$", r.value) and _NATIONAL.search(text):  # a ministry: a national department
                    ident.region, ident.level = "全国", Level.department
                ident.cite(r.line, r.confidence, r.source)
                break
        return ident
    r, p = best
    issuer, source = r, r
    if (two := _TWO_BODIES.match(p.tail)) is not None:  # two_bodies: both are the issuer, the place the region
        ident.issuer, ident.region, ident.parents = f"{p.chain}人民政府 {two.group(1)}", p.chain, parents_of(p)
        ident.level = p.places[-1][1]
        ident.cite(r.line, r.confidence, r.source)
        return ident
    if (publisher_reading := _publisher_of_area(p, r, readings)) is not None:
        issuer = publisher_reading
    ident.region = p.chain
    ident.parents = parents_of(p)
    office = bool(OFFICE_TAIL.match(p.tail))
    # compiling_office: the office compiled a whole-area report; the government issued it.
    compiling = not work_plan and (
        (office and (r.source in ("compiled", "publisher", "signature") or _OFFICE_AS_SENDER.search(r.line))
         and not _speaks_as_office(text) and _whole_area(text))
        or (r.source == "compiled" and bool(_WHOLE_COMPILED.search(r.line))))
    ident.level, ident.dept_level = level_of(p, work_plan or compiling)
    if compiling and p.places[-1][1] == Level.zone:
        ident.level, ident.dept_level = Level.zone, None
    ident.issuer = government_of(p) if compiling else issuer.value
    if compiling and not ident.compiled_by:
        ident.compiled_by = r.value
    # zone_government: a zone named alone stands for its 管委会, when the text speaks of one.
    if p.places[-1][1] == Level.zone and not p.tail and issuer is r and re.search(ZONE_BODY, text):
        ident.issuer = government_of(p)
    ident.cite(source.line, source.confidence, source.source, ("region", "level"))
    ident.cite(issuer.line, issuer.confidence, issuer.source, ("issuer",))
    return ident


def named_in_text(text: str) -> list[str]:
    """Every gazetteer place the report names, and the bodies named in its opening and its contact
    line ("请与兴安盟生态环境局办公室联系"): what a question may call a report whose title and headers
    name nothing. Weak evidence, used only for reports whose identity could not be read."""
    from govqa.names import gazetteer_places

    names = gazetteer_places(text)
    contact = " ".join(re.findall(r"请与([^，。,；;\n]{2,50}?)联系", text))
    for m in BODY.finditer(text[:HEAD_WINDOW] + "\n" + contact):
        p = parse_body(clean(m.group(0)))
        if p.places:
            names += [p.chain, *(n for n, _ in p.places), *short_forms(clean(m.group(0)))]
    return list(dict.fromkeys(n for n in names if len(n) >= 2))


def speaks_as_department(text: str) -> bool:
    """"我局…", "本委…": the report speaks as a department."""
    return bool(DEPT_SELF.search(text))
