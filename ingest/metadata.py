"""Metadata read from the content, never from the file name.

Every rule looks for an explicit statement in the text (a title, an "由…编制" line, a
signature block, a statistics period). What no rule finds stays empty: a wrong region
or year would route questions to the wrong report, which is worse than no filter.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import jieba.posseg

from govqa.places import NOT_PLACE, PLACE, PROVINCES, SUFFIXES
from govqa.taint import taint_spans
from ingest.identity import aliases, full_form, named_in_text, parse_body, read_identity, title_body
from ingest.self_named import read_self

_GOV_SUFFIX = r"(?:人民政府办公厅|人民政府办公室|人民政府|政府办公室|政府办公厅)"
_DEPT = r"[\u4e00-\u9fff]{2,20}?(?:厅|局|委员会|委|办公室|中心)"

_YEAR_PATTERNS = [
    r"(20\d{2})年(?:度)?(?:政府信息公开|政务公开)(?:工作)?(?:年度)?报告",
    r"统计期限自(20\d{2})年1月1日",
    r"(20\d{2})年1月1日(?:起)?至(?:\1年)?12月31日",
    r"(20\d{2})年(?:度)?(?:政务公开|政府信息公开)工作(?:要点|计划|实施方案)",
    # The account of the year opens with it: "一、总体情况\n2025年，我局严格遵循…" (standard-format reports).
    r"^\s*(?:[一1][、.．]\s*总体情况\s*)?(20\d{2})年(?:度)?[,，]\s*(?:我|本|全|在)",
    # …or with the body by its kind as subject, right under the heading: "一、总体情况\n2022年,市生态环境局坚持…".
    r"[一1][、.．]\s*总体情况\s*\n\s*(20\d{2})年(?:度)?[,，]?\s*[市县区州盟旗镇乡][\u4e00-\u9fff]{1,12}?(?:局|委|办|厅|中心|署)",
]
_DATE = r"(20\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?"


def _iso(m: re.Match) -> str:
    y, mo, d = m.groups()[-3:]
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"


def find_title(text: str) -> str | None:
    head = text[:800]
    m = re.search(r"^\s*标题\s*[:：]\s*(.+?)\s*$", head, re.M)  # a crawler header
    if m and 6 <= len(m.group(1)) <= 80:
        return m.group(1).strip("《》")
    lines = [ln.strip() for ln in head.split("\n") if ln.strip()]
    # A page scraped into one line: the title is the start of the first line.
    m = re.match(r"\s*(\S{0,30}?(?:19|20)\d{2}年度?\S{0,24}?(?:政府信息公开|政务公开|信息公开)(?:工作)?"
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
    # No title line: the opening sentence may carry it ("…要求,特编制高科技电子产业园2018年度政府信息公开工作年度报告").
    m = re.search(r"编制(?:了)?([\u4e00-\u9fff（）()]{2,30}?(?:19|20)\d{2}年度?(?:政府信息公开|政务公开)(?:工作)?年度报告)", head)
    body = title_body(m.group(1)) if m else None
    return m.group(1) if m and body and parse_body(body).places else None  # not "编制我单位2021年…"


def find_issuer(text: str) -> str | None:
    pats = [
        rf"由({PLACE}{_GOV_SUFFIX}|{PLACE}{_DEPT})(?:负责)?(?:编制|制作|发布|印发)",
        rf"^({PLACE}{_GOV_SUFFIX})\s*\n\s*(?:20\d{{2}}年)?\S*(?:年度报告|工作要点)",
        rf"^({PLACE}{_GOV_SUFFIX}|{PLACE}{_DEPT})\s*\n\s*{_DATE}\s*$",
    ]
    for pat in pats:
        m = re.search(pat, text, re.M)
        if m:
            return m.group(1)
    return None


_GOV_WORDS = {"人民政府", "政府", "人民政府办公室", "人民政府办公厅", "政府办公室"}


def _place_counts(text: str) -> Counter:
    """Place names as jieba reads them, so "政务公开市" style regex artefacts never count: words it
    tags as places (ns), a place split from its suffix ("襄阳/市"), and a name of any tag that is
    followed by 人民政府/政府 ("保定市 人民政府": jieba tags 保定市 n, 通化市 j)."""
    words = list(jieba.posseg.cut(text))
    counts: Counter = Counter()
    for i, w in enumerate(words):
        nxt = words[i + 1].word if i + 1 < len(words) else ""
        name = None
        if w.flag == "ns" and w.word.endswith(SUFFIXES):
            name = w.word
        elif w.flag == "ns" and nxt in SUFFIXES:
            name = w.word + nxt
        elif w.word.endswith(SUFFIXES) and len(w.word) >= 3 and nxt in _GOV_WORDS:
            name = w.word
        if name and re.fullmatch(PLACE, name) and not NOT_PLACE.match(name):
            counts[name] += 1
    return counts


def find_region(text: str, issuer: str | None, title: str | None) -> str | None:
    for src in (issuer, title):
        if src:
            m = re.match(rf"({PLACE})(?:{_GOV_SUFFIX}|{_DEPT}|20\d{{2}})", src)
            if m and not NOT_PLACE.match(m.group(1)):
                return m.group(1)
    # No explicit issuer: the place the report calls itself ("全市…", "我市…") is the most
    # mentioned place of the matching level.
    counts = _place_counts(text)
    self_level = "省" if text.count("全省") > text.count("全市") else "市" if "全市" in text or "我市" in text else None
    if "全县" in text or "我县" in text:
        self_level = "县"
    best = [name for name, n in counts.most_common() if n >= 2 and (self_level is None or name.endswith(self_level))]
    province_hit = [p for p in PROVINCES if p in text]
    if best:
        return best[0]
    if self_level == "省" and len(province_hit) == 1:
        return province_hit[0]
    return None


def find_level(region: str | None, issuer: str | None, text: str) -> str | None:
    if issuer and not re.search(_GOV_SUFFIX + "$", issuer) and re.search(r"(厅|局|委员会|委)$", issuer):
        return "department"
    if not region:
        return None
    if region in PROVINCES or region.endswith("自治区"):
        return "province"
    if region.endswith(("县", "旗")) or re.search(r"市.+区$", region):
        return "county"
    if region.endswith("区"):
        return "county"
    if region.endswith(("市", "州", "盟")):
        # County-level cities (高平市) report on 乡镇 but have no 县/区 below them.
        has_counties = re.search(r"各县(?:\(市、?区\)|（市、?区）|区|市区)|县区", text)
        has_towns = re.search(r"各乡镇|乡\(镇\)|乡（镇）", text)
        return "county" if has_towns and not has_counties else "city"
    return None


def find_year(text: str, title: str | None) -> int | None:
    for src in filter(None, (title, text)):
        for pat in _YEAR_PATTERNS:
            m = re.search(pat, src if not pat.startswith("^") else src[:200])
            if m:
                return int(m.group(1))
    # Fall back to the year the text itself talks about ("2017年,全市…"), only if it clearly dominates.
    years = Counter(int(y) for y in re.findall(r"(20\d{2})年", text))
    if years:
        (top, n), *rest = years.most_common(2) + [(None, 0)]
        if n >= 3 and n >= 2 * rest[0][1]:
            return top
    return None


def issued_year(text: str) -> int | None:
    """A notice or plan is of the year it was issued: its document number (岳办发〔2017〕2号) or the date
    under its signature. Not for annual reports, which are of the year they report on, issued the next."""
    head = text[:1500]
    m = re.search(r"[\u4e00-\u9fff]{1,6}发\s*[〔\[［(（]\s*((?:19|20)\d{2})\s*[〕\]］)）]\s*\d+\s*号", head)
    dated = re.search(r"^\s*((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$", head, re.M)
    years = {int(x.group(1)) for x in (m, dated) if x}
    return years.pop() if len(years) == 1 else None  # both, when both given, must agree


def find_kind(text: str, title: str | None) -> str:
    head = (title or "") + text[:1500]
    if re.search(r"工作要点|实施方案|工作计划|工作安排", title or "") or re.search(
        r"(工作要点|实施方案)》?印发给你们|现将《[^》]*(?:工作要点|实施方案|工作计划)》", head
    ):
        return "work_plan"
    if re.search(r"年度报告|信息公开年报|本(?:年度)?报告|本年报", head) and "信息公开" in head:
        return "annual_report"
    # The standard tables (国办公开办函〔2021〕30号 format) are only ever part of an annual report.
    if re.search(r"第二十条第[(（]一[)）]项", text) and re.search(r"依申请|政府信息公开", text):
        return "annual_report"
    # Untitled reports: an account of the year with its statistics (主动公开…条, 受理…件).
    stats = len(re.findall(r"\d+(?:\.\d+)?万?(?:条|件|次|篇|个)", text))
    topics = sum(k in text for k in ("主动公开", "依申请公开", "政务舆情", "政策解读", "行政复议"))
    if stats >= 10 and topics >= 3:
        return "annual_report"
    return "other"


def find_published(text: str) -> str | None:
    m = re.search(r"(?:发布时间|发布日期|成文日期|印发日期)[:：]?\s*" + _DATE, text[:2000])
    if m:
        return _iso(m)
    # A date alone on a line after the issuer's signature, at the top (通知) or the end (报告).
    for block in (text[:600], text[-300:]):
        m = re.search(r"^\s*" + _DATE + r"\s*$", block, re.M)
        if m:
            return _iso(m)
    return None


def extract_metadata(text: str) -> dict[str, Any]:
    """Every field with the line it was read from (``evidence``), so a user can see why a report was
    filed where it is. The body (issuer, region, level, parents) comes from ingest/identity.py."""
    title = find_title(text)
    kind = find_kind(text, title)
    ident = read_identity(text, title, work_plan=kind == "work_plan")
    if not (ident.issuer or ident.region):  # nothing names the body: how the report speaks of itself
        ident = read_self(text) or ident
    ident.region = full_form(ident.region, text) if ident.region else None
    ident.issuer = full_form(ident.issuer, text) if ident.issuer else None
    year = find_year(text, title) or (issued_year(text) if kind != "annual_report" else None)
    evidence = dict(ident.evidence)
    if ident.region is None:  # no body named anywhere: the place the report calls itself (全市…抚顺市…)
        ident.region = find_region(text, None, None)
        if ident.region:
            evidence["region"] = "正文中最常提到的本级地名"
    if title:
        evidence["title"] = title
    return {
        "planted": [[t.start, t.end] for t in taint_spans(text)],  # text addressing a reader or a model: never cited
        "region": ident.region,
        "level": ident.level,
        "dept_level": ident.dept_level,
        "issuer": ident.issuer,
        "compiled_by": ident.compiled_by,
        "aliases": sorted({a for n in (ident.region, ident.issuer) if n for a in aliases(n)} | set(ident.short_names)),
        "names": named_in_text(text) if not (ident.region and ident.issuer) else [],
        "parents": ident.parents,
        "year": year,
        "kind": kind,
        "title": title,
        "published": find_published(text),
        "evidence": evidence,
    }
