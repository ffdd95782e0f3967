"""Metadata read from the content, never from the file name.

Every rule looks for an explicit statement in the text (a title, an "由…编制" line, a
signature block, a statistics period). What no rule finds stays empty: a wrong region
or year would route questions to the wrong report, which is worse than no filter.
"""

from __future__ import annotations

import re
from collections import Counter

from govqa.names import (
    DATE_WINDOW,
    DEPT_TAIL,
    HEAD_WINDOW,
    OPENING_WINDOW,
    SIGNATURE_WINDOW,
    TITLE_WINDOW,
    YEAR_OPENING_WINDOW,
    complete_zone,
    full_form,
    migrate_names,
    parse_body,
)
from govqa.taint import taint_spans
from govqa.types import FieldEvidence, Kind, ReportMeta
from ingest.identity import named_in_text, read_named, title_body
from ingest.self_named import from_area_named, read_self

_YEAR_PATTERNS = [
    r"(20\d{2})年(?:度)?(?:政府信息公开|政务公开)(?:工作)?(?:年度)?报告",
    r"统计期限自(20\d{2})年1月1日",
    r"(20\d{2})年1月1日(?:起)?(?:至|到)(?:\1年)?12月31日",
    r"(20\d{2})年(?:度)?(?:政务公开|政府信息公开)工作(?:要点|计划|实施方案)",
    # The account of the year opens with it: "一、总体情况\n2025年，我局严格遵循…" (standard-format reports).
    r"^\s*(?:[一1][、.．]\s*总体情况\s*)?(20\d{2})年(?:度)?[,，]\s*(?:我|本|全|在)",
    # …or with the body by its kind as subject, right under the heading: "一、总体情况\n2022年,市生态环境局坚持…".
    r"[一1][、.．]\s*总体情况\s*\n\s*(20\d{2})年(?:度)?[,，]?\s*[市县区州盟旗镇乡][\u4e00-\u9fff]{1,12}?(?:局|委|办|厅|中心|署)",
]
_DATE = r"(20\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?"
_OPENING_TITLE = re.compile(r"(?:编制|公布|发布|现将)(?:了|并向社会公布)?[《“]?([\u4e00-\u9fff（）() ]{0,50}?(?:19|20)\d{2}年度?"
                            r"[\u4e00-\u9fff（）() ]{0,40}?(?:年度报告|年报|工作报告))")
# Words that make a document a plan: what it asks to be done this year, and by whom.
_PLAN_WORDS = r"工作要点|实施方案|工作计划|工作安排|分工方案|任务分工|工作任务|任务明细表|重点工作"


def _iso(m: re.Match) -> str:
    y, mo, d = m.groups()[-3:]
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"


def find_title(text: str) -> str | None:
    head = text[:TITLE_WINDOW]
    m = re.search(r"^\s*标题\s*[:：]\s*(.+?)\s*$", head, re.M)  # a crawler header
    if m and 6 <= len(m.group(1)) <= 80:
        return m.group(1).strip("《》")
    lines = [ln.strip() for ln in head.split("\n") if ln.strip()]
    # A page scraped into one line: the title is the start of the first line.
    m = re.match(r"\s*([^\s。，,；;《》]{0,30}?(?:19|20)\d{2}年度?\S{0,24}?(?:政府信息公开|政务公开|信息公开)(?:工作)?"
                 r"(?:年度报告|年报|工作要点实施方案|工作要点|要点))", head)
    if m and lines and len(lines[0]) > 80:
        return m.group(1).strip("《》")
    # A title split across lines: "高平市人民政府\n2016年政府信息公开年度报告",
    # "平阳县水头镇2008年政府信息公开工作\n年度报告". The join must read as a whole title.
    for a, b in zip(lines[:6], lines[1:7]):
        if re.match(r"\D+(?:19|20)\d{2}年", b):
            continue  # b names its body before its year: a title of its own (a is a heading above it)
        if len(a + b) <= 60 and not re.search(r"[。，,；;]", a + b) and re.search(
                r"(?:19|20)\d{2}年度?.*(?:年度报告|工作要点)$", a + b) and not re.search(r"(?:年度报告|工作要点)$", a):
            return (a + b).strip("《》")
    found = [line.strip("《》") for line in lines
             if not (">" in line or "》" in line.rstrip("》")[1:])  # a breadcrumb, or a sentence citing a title
             and 8 <= len(line) <= 60 and re.search(r"(年度报告|工作报告|信息公开年报|工作要点|实施方案|工作计划)$", line)]
    # A page's section label ("2020年信息公开年报") may stand above the real title, which names the body.
    if found:
        return next((t for t in found if title_body(t)), found[0])
    # No title line: the opening sentence may carry it ("…特编制高科技电子产业园2018年度政府信息公开工作年度报告",
    # "现公布贵港市2021年…", "编制并向社会公布《太平镇人民政府2025年…年度报告》", "现将X(以下简称管委会)2025年度…予以公开").
    m = _OPENING_TITLE.search(head)
    body = title_body(m.group(1)) if m else None
    if m and body and (parse_body(body).places or DEPT_TAIL.match(body)):  # not "编制我单位2021年…"
        return m.group(1)
    # A title line as printed, however garbled its end ("昌图县七家子镇2023年政府信息公开 工作告年度报").
    for line in lines[:8]:
        if len(line) <= 40 and not re.search(r"[。，,；;:：|>]", line) and re.match(
                r"\S{2,30}?(?:19|20)\d{2}年度?(?:政府信息公开|政务公开)", line) and title_body(line):
            return line
    return None


def find_year(text: str, title: str | None) -> int | None:
    for src in filter(None, (title, text)):
        for pat in _YEAR_PATTERNS:
            m = re.search(pat, src if not pat.startswith("^") else src[:YEAR_OPENING_WINDOW])
            if m:
                return int(m.group(1))
    # Fall back to the year the text itself talks about ("2017年,全市…"), only if it clearly dominates, or is
    # the only one it names (a date, "2019年3月26日", is when it was written, not what it is about).
    years = Counter(int(y) for y in re.findall(r"(20\d{2})\s*年(?!\s*\d{1,2}\s*月)", text))
    if years:
        (top, n), *rest = years.most_common(2) + [(None, 0)]
        if (n >= 3 and n >= 2 * rest[0][1]) or (len(years) == 1 and find_kind(text, title) == Kind.annual_report):
            return top
    return None


def issued_year(text: str) -> int | None:
    """A notice or plan is of the year it was issued: its document number (岳办发〔2017〕2号) or the date
    under its signature. Not for annual reports, which are of the year they report on, issued the next."""
    head = text[:HEAD_WINDOW]
    m = re.search(r"[\u4e00-\u9fff]{1,6}发\s*[〔\[［(（]\s*((?:19|20)\d{2})\s*[〕\]］)）]\s*\d+\s*号", head)
    dated = re.search(r"^\s*((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$", head, re.M)
    years = {int(x.group(1)) for x in (m, dated) if x}
    return years.pop() if len(years) == 1 else None  # both, when both given, must agree


def find_kind(text: str, title: str | None) -> Kind:
    head = (title or "") + text[:HEAD_WINDOW]
    if re.search(_PLAN_WORDS, title or "") or re.search(
        rf"(?:{_PLAN_WORDS})》?(?:已经[^。]{{0,10}}同意[,，]?)?[,，]?现?印发给你们|现将《[^》]*(?:{_PLAN_WORDS})》|"
        rf"^\s*[^《》。\n]{{0,30}}关于印发[^《》。\n]{{0,40}}(?:{_PLAN_WORDS})[^《》。\n]{{0,10}}的通\s*知\s*$", head, re.M):
        return Kind.work_plan
    if re.search(r"年度报告|信息公开年报|本(?:年度)?报告|本年报", text) and "信息公开" in text:
        return Kind.annual_report
    # The standard tables (国办公开办函〔2021〕30号 format) are only ever part of an annual report.
    if re.search(r"第二十条第[(（]一[)）]项", text) and re.search(r"依申请|政府信息公开", text):
        return Kind.annual_report
    # Untitled reports: an account of the year with its statistics (主动公开…条, 受理…件).
    stats = len(re.findall(r"\d+(?:\.\d+)?万?(?:条|件|次|篇|个|例|项)", text))
    topics = sum(k in text for k in ("主动公开", "依申请公开", "政务舆情", "政策解读", "行政复议", "政务公开"))
    # A page of one (page 2 of a long report, a fragment): fewer figures, still an account of the year's disclosure.
    if (stats >= 10 and topics >= 3) or (stats >= 3 and topics >= 2 and re.search(r"本年度|全年|(?:19|20)\d{2}年", text)):
        return Kind.annual_report
    return Kind.other


def locate_published(text: str) -> tuple[str, int, int, str] | None:
    """The publication date with where it stands: (ISO date, start, end, how it was read), ``how`` being
    发布日期 (a labelled date in the page header) or 落款日期 (a date alone on a line after the signature).
    The assessment (bot/assess.py) cites the span; metadata keeps the date."""
    m = re.search(r"(?:发布时间|发布日期|成文日期|印发日期)[:：]?\s*" + _DATE, text[:DATE_WINDOW])
    if m:
        return _iso(m), m.start(), m.start() + len(m.group(0).rstrip()), "发布日期"
    # A date alone on a line after the issuer's signature, at the top (通知) or the end (报告).
    for offset in (0, max(0, len(text) - SIGNATURE_WINDOW)):
        block = text[:OPENING_WINDOW] if offset == 0 else text[offset:]
        m = re.search(r"^\s*" + _DATE + r"\s*$", block, re.M)
        if m:
            start = offset + m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            return _iso(m), start, offset + m.start() + len(m.group(0).rstrip()), "落款日期"
    return None


def find_published(text: str) -> str | None:
    found = locate_published(text)
    return found[0] if found else None


def extract_metadata(text: str) -> ReportMeta:
    """Every field with the line it was read from and how sure that is (``evidence``), so a user can see
    why a report was filed where it is. The body (issuer, region, level, parents) comes from the evidence
    table of ingest/identity.py, then from how the report speaks of itself (ingest/self_named.py); its
    names are then made canonical (govqa/names.py), the names as written kept as aliases."""
    title = find_title(text)
    kind = find_kind(text, title)
    ident = read_named(text, title, work_plan=kind == Kind.work_plan)
    if not (ident.issuer or ident.region):  # nothing names the body: how the report speaks of itself
        ident = read_self(text) or ident
    if ident.region is None:  # no body named anywhere: the place the report calls itself (全市…抚顺市…)
        area = from_area_named(text)
        if area:
            ident.region, ident.parents = area.region, area.parents
            ident.evidence["region"] = area.evidence["region"]
            if ident.level is None and area.level:
                ident.level, ident.evidence["level"] = area.level, area.evidence["region"]
    written = [n for n in (ident.region, ident.issuer) if n]
    region = full_form(complete_zone(ident.region, text), text) if ident.region else None
    issuer = full_form(complete_zone(ident.issuer, text), text) if ident.issuer else None
    year = find_year(text, title) or (issued_year(text) if kind != Kind.annual_report else None)
    evidence = dict(ident.evidence)
    if year:
        evidence["year"] = FieldEvidence(*_year_evidence(text, title, year))
    if title:
        evidence["title"] = FieldEvidence(title, 0.9, "title")
    meta = ReportMeta(region=region, level=ident.level, dept_level=ident.dept_level, issuer=issuer,
                      compiled_by=ident.compiled_by, year=year, kind=kind, title=title, published=find_published(text),
                      aliases=written, names=named_in_text(text) if not (region and issuer) else [],
                      parents=ident.parents, planted=[[t.start, t.end] for t in taint_spans(text)],
                      evidence=evidence)
    return migrate_names(meta)


def _year_evidence(text: str, title: str | None, year: int) -> tuple[str, float, str]:
    """The line the year was read from: the title, a statistics period, or the year the text talks about."""
    if title and str(year) in title:
        return title, 0.95, "title"
    m = re.search(rf"[^\n。]{{0,20}}{year}\s*年[^\n。]{{0,30}}", text)
    return (m.group(0).strip() if m else str(year)), 0.8, "text"
