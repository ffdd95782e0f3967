"""评估: one annual report checked against the rules in force when it was due (bot/assess_rules.py).

Each check says PASS, FAIL, UNCERTAIN or NA with the article it applies, and its evidence: the exact
spans of the report (or of the issuer's previous report) it rests on, or, for something not found, what
was searched for. Nothing is guessed: a date that is not in the text makes 按时公布 UNCERTAIN, and a text
that stops mid-sentence (an excerpt) makes a missing part UNCERTAIN rather than FAIL.

The parts come from the other stages: the tables' cells (govqa/cells.py), the headings and problem
sentences (bot/sections.py), the consistency audit (bot/audit.py), year-on-year reuse (bot/reuse.py)
and the publication date's line (ingest/metadata.py).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from bot import assess_rules as R
from bot.assess_rules import FAIL, NA, PASS, UNCERTAIN, Item, Rules
from bot.audit import Finding, audit_document, year_to_year
from bot.reuse import text_reuse
from bot.sections import TOP, Section, problems_and_measures, sections
from govqa.cells import Cell, cells_in_text, is_row_line
from govqa.text import sentence_spans
from govqa.types import Document, Level, ReportMeta, doc_label
from ingest.metadata import locate_published
from ingest.tables import ACTIVE_SECTIONS, LITIGATION_COLS, REQUEST_COLS, REQUEST_ROWS, REVIEW_COLS, parse_value

GOVERNMENT_LEVELS = (Level.province, Level.city, Level.county, Level.township)  # a government's report, not a department's
PROBLEM_PART = re.compile(r"问题|不足")  # a heading of the part that must state the problems (art. 50/32)
QUOTE_CHARS = 160  # longest quote kept for a found part (a sentence is cut at its end, never mid-span)


@dataclass
class Cite:
    """An exact span: ``text[start:end] == quote`` of this report, or of ``doc`` when that is set."""

    quote: str
    start: int
    end: int
    doc: str = ""  # another report's id (the previous year's); "" for the report assessed
    source: str = ""


@dataclass
class Evidence:
    note: str  # Chinese: what the quotes show, or what was searched for and not found
    cites: list[Cite] = field(default_factory=list)


@dataclass
class Check:
    key: str
    group: str
    name: str
    status: str
    message: str
    rule: str  # where the obligation is: 《条例》…第四十九条
    article: str  # its words
    weight: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Assessment:
    doc: str
    source: str
    label: str
    region: str
    level: str
    parents: list[str]
    issuer: str
    year: int | None
    rules: str  # assess_rules.Rules.key, "" when none could be chosen
    rules_name: str
    rules_why: str
    checks: list[Check] = field(default_factory=list)

    def _score(self, uncertain: float) -> float | None:
        credit = {PASS: 1.0, FAIL: 0.0, UNCERTAIN: uncertain}
        applicable = [c for c in self.checks if c.status != NA]
        total = sum(c.weight for c in applicable)
        return round(100 * sum(c.weight * credit[c.status] for c in applicable) / total, 1) if total else None

    @property
    def score(self) -> float | None:
        return self._score(R.UNCERTAIN_CREDIT)

    @property
    def score_range(self) -> tuple[float | None, float | None]:
        """Every UNCERTAIN counted as FAIL, and as PASS: how far the unknowns could move the score."""
        return self._score(0.0), self._score(1.0)

    @property
    def decided(self) -> float | None:
        """Share of the applicable weight that PASS or FAIL settled (the rest is UNCERTAIN)."""
        applicable = [c for c in self.checks if c.status != NA]
        total = sum(c.weight for c in applicable)
        return round(sum(c.weight for c in applicable if c.status != UNCERTAIN) / total, 3) if total else None

    def counts(self) -> dict[str, int]:
        return {s: sum(c.status == s for c in self.checks) for s in (PASS, FAIL, UNCERTAIN, NA)}

    def group_status(self, group: str) -> str:
        """The worst status of a group's applicable checks (FAIL > UNCERTAIN > PASS), NA when none apply."""
        got = {c.status for c in self.checks if c.group == group and c.status != NA}
        return next((s for s in (FAIL, UNCERTAIN, PASS) if s in got), NA)

    def check(self, key: str) -> Check:
        return next(c for c in self.checks if c.key == key)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        low, high = self.score_range
        out.update(score=self.score, score_low=low, score_high=high, decided=self.decided, counts=self.counts(),
                   groups={g: self.group_status(g) for g in R.GROUPS})
        return out


# -- the era -----------------------------------------------------------------------------------------
def choose_rules(doc: Document, cells: list[Cell]) -> tuple[Rules | None, str]:
    """The rules for the report's year; without a year, the ones the report itself shows it follows."""
    year = doc.meta.year
    if year:
        rules = R.rules_for(int(year))
        if rules is None:
            return None, f"统计年度 {year} 早于《条例》施行（2008年5月1日），不评估"
        return rules, f"统计年度 {year}，应于 {int(year) + 1} 年公布"
    if any(c.col.startswith("本年制发件数") or "其他处理/1." in c.row for c in cells):
        return R.RULES[2], "统计年度未识别；统计表为2021年格式，按其评估"
    if cells or "国令第711号" in doc.text:
        return R.RULES[1], "统计年度未识别；报告引用修订后的《条例》或附统一格式的统计表，按2019年格式评估"
    if "国令第492号" in doc.text:
        return R.RULES[0], "统计年度未识别；报告引用2008年《条例》，按其评估"
    return None, "统计年度未识别，也无法从报告所引条例或统计表推定适用的规则"


def excerpt(text: str) -> str:
    """Why the stored text may be only part of the report (too short, or it stops mid-sentence), else "".
    A part not found in an excerpt is UNCERTAIN, never FAIL."""
    body = text.strip()
    signed = re.fullmatch(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", body.splitlines()[-1].strip()) if body else None
    if len(body) < R.MIN_FULL_CHARS and not signed:  # a short text that ends with its signature's date is whole
        return f"原文只有 {len(body)} 字，短于完整的年度报告（{R.MIN_FULL_CHARS} 字以上），可能只是摘录：未找到的内容无法判断"
    first = next((m for m in (TOP.match(x.strip()) for x in body.splitlines()) if m and len(m.group(0)) <= 40), None)
    if first and first.group(1) != "一":
        return f"原文的第一个部分标题是“{first.group(0)}”，前面的部分可能缺失（摘录）：未找到的内容无法判断"
    lines = [x.strip() for x in body.splitlines() if x.strip()]
    last = lines[-1] if lines else ""
    if not last or len(last) <= 25 or is_row_line(last) or re.search(r"[。！？!?；;：:）)”」…]$", last):
        return ""
    return f"原文在末尾中断（末句不完整：“…{last[-30:]}”），其后的内容无法判断"


# -- 及时 ----------------------------------------------------------------------------------------------
def check_on_time(doc: Document, rules: Rules, year: int | None) -> Check:
    spec = R.CHECK_BY_KEY["on_time"]
    level = doc.meta.level
    dl = R.deadline_for(rules, level)
    when_text = f"{dl.when[0]}月{dl.when[1]}日前" if dl.when else "未规定"

    def done(status: str, message: str, evidence: list[Evidence]) -> Check:
        return Check(spec.key, spec.group, spec.name, status, message, rules.deadline.cite, rules.deadline.text,
                     spec.weight, evidence)

    if not year:
        return done(UNCERTAIN, "统计年度未识别，无法确定公布时限", [])
    found = locate_published(doc.text)
    meta_date = doc.meta.published
    evidence: list[Evidence] = []
    if found and (not meta_date or meta_date == found[0]):
        iso, s, e, how = found
        note = ("页首的发布日期" if how == "发布日期"
                else "落款日期（报告签发之日；网上公布不早于此日）")
        evidence.append(Evidence(note, [Cite(doc.text[s:e], s, e)]))
    elif meta_date:
        iso = meta_date
        evidence.append(Evidence(f"发布日期 {iso} 取自元数据（人工填写）"
                                 + (f"；原文中的日期为 {found[0]}" if found else "；原文中没有发布日期")))
    else:
        return done(UNCERTAIN, "未找到发布日期，无法判断是否按时公布",
                    [Evidence("查找了页首的“发布时间/发布日期/成文日期/印发日期”和落款处单独成行的日期，均未找到")])
    published = date.fromisoformat(iso)
    if published < date(year + 1, 1, 1):
        return done(UNCERTAIN, f"找到的日期 {iso} 早于统计年度结束，不是本报告的发布日期", evidence)
    who = f"（{dl.who}：{when_text}）"
    if dl.when:
        deadline = R.due(year, dl.when)
        late = (published - deadline).days
        if late <= 0:
            return done(PASS, f"{iso} 公布，不晚于时限 {deadline.isoformat()}{who}", evidence)
        return done(FAIL, f"{iso} 公布，晚于时限 {deadline.isoformat()} {late} 天{who}", evidence)
    early, latest = R.due(year, R.EARLIEST), R.due(year, R.LATEST)
    if published <= early:
        return done(PASS, f"{iso} 公布，早于第四十九条的两个时限（{early.isoformat()}、{latest.isoformat()}）{who}", evidence)
    if published > latest and level not in ("township", "zone"):
        return done(FAIL, f"{iso} 公布，晚于第四十九条的两个时限（最晚 {latest.isoformat()}）{who}", evidence)
    return done(UNCERTAIN, f"{iso} 公布；时限取决于发布机关{who}", evidence)


# -- 完整 ----------------------------------------------------------------------------------------------
def _heading_cite(text: str, sec: Section) -> Cite:
    i = text.rfind(sec.heading, 0, sec.start)
    line_start = text.rfind("\n", 0, i) + 1
    s = line_start + len(text[line_start:i]) - len(text[line_start:i].lstrip())
    return Cite(text[s : i + len(sec.heading)], s, i + len(sec.heading))


def _sentence_cite(text: str, s: int, e: int) -> Cite:
    e = min(e, s + QUOTE_CHARS)
    return Cite(text[s:e], s, e)


def _find_item(text: str, item: Item, heads: list[Section], spans: list[tuple[int, int]], cells: list[Cell]) -> Evidence | None:
    """Where a required part is: its heading (top level first), a table row of its kind, or a sentence."""
    for level in (1, None):
        for sec in heads:
            if (level is None or sec.level == level) and re.search(item.heading, sec.heading):
                return Evidence(f"{item.name}：标题", [_heading_cite(text, sec)])
    if item.table:
        row = next((c for c in cells if c.kind == item.table), None)
        if row:
            return Evidence(f"{item.name}：统计表", [Cite(row.line, row.row_start, row.row_end)])
    if item.content:
        for s, e in spans:
            if text[s:e].startswith("【表") or re.search(R.CONTENTS_LIST, text[s:e]):
                continue
            if re.search(item.content, text[s:e]):
                return Evidence(f"{item.name}：按内容认定（无对应标题）", [_sentence_cite(text, s, e)])
    return None


def _plain(pattern: str) -> str:
    """A search pattern as a reader reads it: its alternatives, 、-separated, a gap as …."""
    s = re.sub(r"\[\^[^\]]*\]\{\d+,\d+\}", "…", pattern)
    s = re.sub(r"\(\?[:<!=]+|[()?*+\\]|\{\d+(?:,\d+)?\}", "", s)
    return "、".join(dict.fromkeys(x for x in s.split("|") if x))


def _is_government(meta: ReportMeta) -> bool:
    return meta.level in GOVERNMENT_LEVELS


def check_sections(doc: Document, rules: Rules, cells: list[Cell], heads: list[Section], cut: str) -> Check:
    spec = R.CHECK_BY_KEY["sections"]
    text, spans = doc.text, sentence_spans(doc.text)
    evidence: list[Evidence] = []
    missing: list[tuple[Item, str]] = []
    for item in rules.items:
        if item.governments_only and not _is_government(doc.meta):
            continue
        found = _find_item(text, item, heads, spans, cells)
        if found:
            evidence.append(found)
            continue
        status = UNCERTAIN if cut else item.absent
        searched = f"标题含“{_plain(item.heading)}”" + (f"、正文含“{_plain(item.content)}”" if item.content else "")
        searched += f"、{item.table}统计表" if item.table else ""
        why = cut if cut else ("可能没有需要报告的事项" if item.absent == UNCERTAIN else "")
        evidence.append(Evidence(f"{item.name}（{item.source}）：未找到（查找了{searched}）" + (f"；{why}" if why else "")))
        missing.append((item, status))
    status = FAIL if any(s == FAIL for _, s in missing) else UNCERTAIN if missing else PASS
    message = f"{len(evidence)} 项必备内容都在" if not missing else (
        f"{len(evidence)} 项必备内容中 {len(evidence) - len(missing)} 项在，"
        + ("未找到" if status == UNCERTAIN else "缺") + "：" + "、".join(i.name for i, _ in missing))
    article = rules.content.text + (f"\n{rules.template_note.cite}：{rules.template_note.text}" if rules.template_note else "")
    return Check(spec.key, spec.group, spec.name, status, message, _rule_cite(rules), article, spec.weight, evidence)


def _rule_cite(rules: Rules) -> str:
    return rules.content.cite + (f"；{rules.template_note.cite}" if rules.template_note else "")


@dataclass(frozen=True)
class _Table:
    name: str
    rows: dict[str, list[str]]  # required row key -> required columns
    parents: frozenset[str]  # rows of the template that only group others (no values of their own)
    known: frozenset[str]  # every row key either template uses: a present row outside ``rows`` but in here is the other format's

    def has(self, c: Cell) -> bool:
        if self.name == "主动公开政府信息情况":
            return c.kind == "主动公开"
        if self.name == "收到和处理政府信息公开申请情况":
            return c.kind == "申请"
        return c.row == self.name


def _request_rows(template: str) -> tuple[list[str], set[str]]:
    paths = REQUEST_ROWS[template]
    parents = {"/".join(p[:i]) for p in paths for i in range(1, len(p))}
    return ["/".join(p) for p in paths if "/".join(p) not in parents], parents


def required_tables(template: str) -> list[_Table]:
    """The national format's four tables (主动公开; 收到和处理申请; 行政复议; 行政诉讼) with their rows and columns,
    from ingest/tables.py, the one place the template is written down."""
    active = {f"{sec}/{row}": cols for sec, (rows, cols) in ACTIVE_SECTIONS[template].items() for row in rows}
    active_known = {f"{sec}/{row}" for t in ACTIVE_SECTIONS.values() for sec, (rows, _) in t.items() for row in rows}
    leaves, parents = _request_rows(template)
    request_known = {"/".join(p[:i]) for t in REQUEST_ROWS.values() for p in t for i in range(1, len(p) + 1)}
    return [
        _Table("主动公开政府信息情况", active, frozenset(), frozenset(active_known)),
        _Table("收到和处理政府信息公开申请情况", dict.fromkeys(leaves, REQUEST_COLS), frozenset(parents),
               frozenset(request_known)),
        _Table("行政复议", {"行政复议": REVIEW_COLS}, frozenset(), frozenset({"行政复议"})),
        _Table("行政诉讼", {"行政诉讼": LITIGATION_COLS}, frozenset(), frozenset({"行政诉讼"})),
    ]


_TABLE_PART = {"主动公开政府信息情况": r"主动公开", "收到和处理政府信息公开申请情况": r"申请",
               "行政复议": r"复议", "行政诉讼": r"诉讼"}
_TABLE_WORDS = {"主动公开政府信息情况": r"第二十条第|本年制发件数|本年新制作数量|处理决定数量",
                "收到和处理政府信息公开申请情况": r"本年新收|上年结转|自然人|商业企业",
                "行政复议": r"结果维持|结果纠正|尚未审结", "行政诉讼": r"未经复议直接起诉|复议后起诉"}


def _empty_part(table: _Table, heads: list[Section], text: str) -> Section | None:
    """The table's part (二、三 or 四) when its heading stands over no text: the table was there and got lost
    (an image, or a web page's table the text copy dropped)."""
    part = _TABLE_PART[table.name]
    return next((h for h in heads if h.level == 1 and re.search(part, h.heading) and len(text[h.start : h.end].strip()) < 10),
                None)


def _table_status(table: _Table, cells: list[Cell], text: str, heads: list[Section], cut: str) -> tuple[str, Evidence]:
    mine = [c for c in cells if table.has(c)]
    if not mine:
        unread = re.search(_TABLE_WORDS[table.name], text) or "【无法拆分】" in text
        empty = _empty_part(table, heads, text)
        if cut or unread or empty:
            why = cut or ("原文有该表的文字，但表格未能读出（如纯文本中被压平的表格），请人工核对" if unread
                          else "该部分标题下没有文字，统计表可能未随文本保存（图片或网页表格），请人工核对")
            cites = [_heading_cite(text, empty)] if empty and not cut else []
            return UNCERTAIN, Evidence(f"{table.name}：未读出统计表；{why}", cites)
        return FAIL, Evidence(f"{table.name}：未找到统计表（查找了各统计表的行）")
    rows: dict[str, list[Cell]] = {}
    for c in mine:
        rows.setdefault(c.row, []).append(c)
    first = mine[0]
    cite = [Cite(first.line, first.row_start, first.row_end)]
    missing = [r for r in table.rows if r not in rows]
    gaps = {r: [col for col in cols if col not in {c.col for c in rows[r]}] for r, cols in table.rows.items() if r in rows}
    gaps = {r: cols for r, cols in gaps.items() if cols}
    other = [r for r in rows if r not in table.rows and r in table.known and r not in table.parents]
    merged = [r for r in rows if r in table.parents and any(m.startswith(r + "/") for m in missing)]
    unknown = [r for r in rows if r not in table.known]
    if not missing and not gaps:
        return PASS, Evidence(f"{table.name}：表在，{len(table.rows)} 行、各列齐全", cite)
    parts = []
    if merged:
        parts.append("只填了合并行 " + "、".join(r.split("/")[-1] for r in merged) + "，未按格式分列其下各行")
    if other:
        parts.append("有另一版格式的行：" + "、".join(r.split("/")[-1] for r in other[:4]))
    if missing:
        shown = "、".join(r.split("/")[-1] for r in missing[:6])
        parts.append(f"缺 {len(missing)} 行：{shown}" + ("等" if len(missing) > 6 else ""))
    if gaps:
        parts.append("缺列：" + "；".join(f"{r.split('/')[-1]} 缺 {'、'.join(cols)}" for r, cols in list(gaps.items())[:3]))
    if unknown:
        parts.append("有格式以外的行（可能是读表时未认出的行）：" + "、".join(r[:20] for r in unknown[:3]))
    status = UNCERTAIN if cut or (unknown and not merged and not other) else FAIL
    if cut:
        parts.append(cut)
    return status, Evidence(f"{table.name}：表在，但" + "；".join(parts), cite)


def check_tables(rules: Rules, cells: list[Cell], text: str, heads: list[Section], cut: str) -> Check:
    spec = R.CHECK_BY_KEY["tables"]
    if rules.template is None:
        return Check(spec.key, spec.group, spec.name, NA, "2008年《条例》未规定统一格式的统计表", rules.content.cite,
                     rules.content.text, spec.weight)
    results = [_table_status(t, cells, text, heads, cut) for t in required_tables(rules.template)]
    statuses = [s for s, _ in results]
    status = FAIL if FAIL in statuses else UNCERTAIN if UNCERTAIN in statuses else PASS
    present = sum(any(t.has(c) for c in cells) for t in required_tables(rules.template))
    message = f"四张统计表在 {present} 张" + ("，行列齐全" if status == PASS else "")
    note = rules.template_note
    assert note is not None
    return Check(spec.key, spec.group, spec.name, status, message, note.cite, note.text, spec.weight, [e for _, e in results])


def check_blanks(rules: Rules, cells: list[Cell]) -> Check:
    spec = R.CHECK_BY_KEY["blanks"]
    if rules.template is None:
        return Check(spec.key, spec.group, spec.name, NA, "2008年《条例》未规定统一格式的统计表", rules.content.cite,
                     rules.content.text, spec.weight)
    note = rules.template_note
    assert note is not None
    tables = required_tables(rules.template)
    mine = [c for c in cells if any(t.has(c) for t in tables)]
    if not mine:
        return Check(spec.key, spec.group, spec.name, UNCERTAIN, "没有读出统计表，无法检查空白单元格", note.cite, note.text,
                     spec.weight)
    blank = [c for c in mine if parse_value(c.raw) is None]  # "251000元" is filled: a number with its unit
    if not blank:
        return Check(spec.key, spec.group, spec.name, PASS, f"{len(mine)} 个单元格都填了数字", note.cite, note.text, spec.weight)
    evidence = [Evidence(f"表{c.table} {c.row.split('/')[-1]} × {c.col}：" + (f"“{c.raw}”（不是数字）" if c.raw else "空白"),
                         [Cite(c.line, c.row_start, c.row_end)]) for c in blank]
    return Check(spec.key, spec.group, spec.name, FAIL, f"{len(blank)} 个单元格空白或不是数字（空白不是 0）", note.cite,
                 note.text, spec.weight, evidence)


# -- 一致 ----------------------------------------------------------------------------------------------
def _finding_evidence(f: Finding, doc: Document, others: dict[str, Document]) -> Evidence:
    cites, seen = [], set()
    for i, c in enumerate(f.cited):
        owner = doc.doc_id
        if f.check == "跨年/结转":  # the earlier report's 结转下年度, then the later one's 上年结转
            later = next((d for d in others.values() if d.doc_id != f.doc), None)
            owner = f.doc if i == 0 else (later.doc_id if later else f.doc)
        if (owner, c.start, c.end) in seen:
            continue
        seen.add((owner, c.start, c.end))
        other = others.get(owner) if owner != doc.doc_id else None
        cites.append(Cite(c.quote, c.start, c.end, "" if other is None else owner, "" if other is None else other.source))
    return Evidence(f"{f.check}：{f.message}" + (f"（{f.arithmetic}）" if f.arithmetic else ""), cites)


def check_consistent(doc: Document, rules: Rules, previous: Document | None, following: Document | None) -> Check:
    spec = R.CHECK_BY_KEY["consistent"]
    findings = audit_document(doc)
    others = {d.doc_id: d for d in (previous, following) if d is not None}
    for d in others.values():
        pair = sorted([doc, d], key=lambda x: x.meta.year or 0)
        findings += year_to_year(pair)
    fails = [f for f in findings if f.status == FAIL]
    unsure = [f for f in findings if f.status == UNCERTAIN]
    passed = len(findings) - len(fails) - len(unsure)
    status = FAIL if fails else UNCERTAIN if unsure or not findings else PASS
    message = (f"{len(findings)} 项核查：相符 {passed}，不符 {len(fails)}，无法核对 {len(unsure)}" if findings
               else "没有可核对的统计表或数字关系")
    evidence = [_finding_evidence(f, doc, {**others, doc.doc_id: doc}) for f in fails + unsure]
    article = rules.accurate.text + ("\n" + R.TABLE_SUMS if rules.template else "")
    rule = rules.accurate.cite + (f"；{rules.template_note.cite}" if rules.template_note else "")
    return Check(spec.key, spec.group, spec.name, status, message, rule, article, spec.weight, evidence)


# -- 坦诚 ----------------------------------------------------------------------------------------------
def problem_sections(heads: list[Section]) -> list[Section]:
    """The 存在的主要问题（及改进情况） part: a top-level heading if there is one, else any level."""
    top = [s for s in heads if s.level == 1 and PROBLEM_PART.search(s.heading)]
    return top or [s for s in heads if PROBLEM_PART.search(s.heading)][:1]


def rectification(text: str, heads: list[Section]) -> tuple[int, int] | None:
    """The span answering the previous report's problems (2021 format): a heading's section, or the paragraph."""
    for m in re.finditer(R.RECTIFY, text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        if text[line_start:line_end].startswith("【表"):
            continue
        sec = next((s for s in heads if text.rfind(s.heading, 0, s.start) >= line_start and s.start <= line_end + 1
                    and len(text[line_start:line_end]) <= 40), None)
        if sec is not None and sec.end > sec.start:
            return line_start, sec.end
        return line_start, line_end
    return None


def _problem_spans(doc: Document, heads: list[Section], skip: tuple[int, int] | None) -> list[tuple[int, int]]:
    secs = problem_sections(heads)
    problems, _ = problems_and_measures(doc, secs)
    return [(s, e) for s, e in problems
            if not (skip and skip[0] <= s < skip[1]) and not re.search(R.MEASURE_LEAD, doc.text[s:e])]


def _candid_cite(rules: Rules) -> tuple[str, str]:
    return f"{rules.content.cite}{rules.problems}", rules.content.text


def check_specific(doc: Document, rules: Rules, heads: list[Section], problems: list[tuple[int, int]], cut: str) -> Check:
    spec = R.CHECK_BY_KEY["specific"]
    rule, article = _candid_cite(rules)
    text = doc.text

    def done(status: str, message: str, evidence: list[Evidence]) -> Check:
        return Check(spec.key, spec.group, spec.name, status, message, rule, article, spec.weight, evidence)

    if not problems:
        has_part = bool(problem_sections(heads))
        if cut and not has_part:
            return done(UNCERTAIN, "未找到“存在的主要问题”部分", [Evidence(cut)])
        what = "“存在的主要问题”部分没有写出问题" if has_part else "未找到“存在的主要问题”部分或写出问题的句子"
        if cut:
            return done(UNCERTAIN, what, [Evidence(cut)])
        return done(FAIL, what, [Evidence(f"查找了标题含“问题、不足”的部分，及其中含“{_plain(R.PROBLEM_WORDS)}”的句子")])
    specific = []
    for s, e in problems:
        marks = [m.group(0) for p in R.SPECIFIC for m in re.finditer(p, text[s:e])]
        if marks:
            specific.append((s, e, marks))
    if specific:
        evidence = [Evidence("具体之处：" + "、".join(dict.fromkeys(marks))[:60], [_sentence_cite(text, s, e)])
                    for s, e, marks in specific[:3]]
        return done(PASS, f"{len(problems)} 句写问题，其中 {len(specific)} 句具体（有数字、文件、单位或具体情形）", evidence)
    generic = [(s, e, [m.group(0) for p in R.GENERIC for m in re.finditer(p, text[s:e])]) for s, e in problems]
    evidence = [Evidence("只有笼统的说法" + (f"：{'、'.join(dict.fromkeys(g))}" if g else ""), [_sentence_cite(text, s, e)])
                for s, e, g in generic[:4]]
    if cut:
        return done(UNCERTAIN, f"{len(problems)} 句写问题，都只是笼统的说法；{cut}", evidence)
    return done(FAIL, f"{len(problems)} 句写问题，都没有可核实的具体问题（数字、文件、单位或具体情形）", evidence)


def check_not_copied(doc: Document, rules: Rules, problems: list[tuple[int, int]], previous: Document | None) -> Check:
    spec = R.CHECK_BY_KEY["not_copied"]
    rule, article = _candid_cite(rules)

    def done(status: str, message: str, evidence: list[Evidence]) -> Check:
        return Check(spec.key, spec.group, spec.name, status, message, rule, article, spec.weight, evidence)

    year = doc.meta.year
    if previous is None:
        return done(UNCERTAIN, f"库中没有同一单位{f'{year - 1}年' if year else '上一年度'}的报告，无法比较", [])
    if not problems:
        return done(UNCERTAIN, "没有找到写问题的句子，无法比较", [])
    repeats = [r for r in text_reuse(doc, previous).repeats
               if r.kind == "句子" and any(s < r.end and r.start < e for s, e in problems)]
    copied = {(s, e) for s, e in problems for r in repeats if s < r.end and r.start < e}
    share = len(copied) / len(problems)
    evidence = [Evidence(("逐字照搬" if r.similarity == 1.0 else f"几乎相同（相似度 {r.similarity:.2f}）")
                         + f"：上一年度 {doc_label(previous.meta, previous.source)}",
                         [Cite(r.quote, r.start, r.end),
                          Cite(r.prev_quote, r.prev_start, r.prev_end, previous.doc_id, previous.source)])
                for r in repeats]
    label = doc_label(previous.meta, previous.source)
    message = f"{len(problems)} 句写问题，{len(copied)} 句与 {label} 相同或几乎相同（{share:.0%}）"
    return done(FAIL if share >= R.COPIED_SHARE else PASS, message, evidence)


def problem_items(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One problem per span: a sentence cut at ；, 一是/二是, (一)… and, in a list (A、B、C), at 、."""
    items = []
    for s, e in spans:
        marks = re.finditer(r"[；;]|[一二三四五六七八九十]是|（[一二三四五六七八九十]）", text[s:e])
        cuts = [s] + [s + m.start() for m in marks] + [e]
        for a, b in zip(cuts, cuts[1:]):
            parts = [(a + m.start(), a + m.end()) for m in re.finditer(r"[^、]+", text[a:b])]
            listed = len(parts) >= 2 and all(re.search(R.PROBLEM_WORDS, text[x:y]) for x, y in parts)
            for x, y in parts if listed else [(a, b)]:
                piece = text[x:y]
                if re.search(R.PROBLEM_WORDS, piece) and not re.search(R.LEAD_IN, piece) and len(_key_grams(piece)) >= 2:
                    items.append((x, y))
    return items


def _key_grams(s: str) -> set[str]:
    for w in R.COMMON_WORDS:
        s = s.replace(w, "|")
    s = re.sub(r"[^\u4e00-\u9fff]+", "|", s)
    return {p[i : i + 2] for p in s.split("|") for i in range(len(p) - 1)}


def check_rectified(doc: Document, rules: Rules, heads: list[Section], previous: Document | None, cut: str) -> Check:
    spec = R.CHECK_BY_KEY["rectified"]
    note = rules.template_note

    def done(status: str, message: str, evidence: list[Evidence]) -> Check:
        return Check(spec.key, spec.group, spec.name, status, message, note.cite if note else rules.content.cite,
                     note.text if note else rules.content.text, spec.weight, evidence)

    if not rules.rectify:
        return done(NA, "2021年格式之前不要求报告上年度问题整改情况", [])
    text = doc.text
    span = rectification(text, heads)
    if span is None:
        why = "查找了“上年度问题整改”“上一年度…问题…整改”“整改…上年度…问题”等说法"
        return done(UNCERTAIN if cut else FAIL, "未找到上年度问题整改情况", [Evidence(why + (f"；{cut}" if cut else ""))])
    s, e = span
    found = Evidence("上年度问题整改情况", [_sentence_cite(text, s, e)])
    if previous is None:
        return done(UNCERTAIN, "写了上年度问题整改情况；库中没有上一年度的报告，无法逐条对照", [found])
    prev_heads = sections(previous.text)
    items = problem_items(previous.text, _problem_spans(previous, prev_heads, rectification(previous.text, prev_heads)))
    if not items:
        return done(UNCERTAIN, "写了上年度问题整改情况；上一年度报告中没有读出具体问题，无法逐条对照", [found])
    answer = _key_grams(text[s:e])
    unanswered = []
    for a, b in items:
        grams = _key_grams(previous.text[a:b])
        if len(grams & answer) / len(grams) < R.ANSWERED_SHARE:
            unanswered.append((a, b))
    evidence = [found] + [Evidence("上一年度的问题，整改情况中未见回应",
                                   [Cite(previous.text[a:b], a, b, previous.doc_id, previous.source)]) for a, b in unanswered]
    answered = len(items) - len(unanswered)
    message = f"上一年度报告列出 {len(items)} 个问题，整改情况回应了 {answered} 个"
    status = PASS if not unanswered else FAIL if answered == 0 else UNCERTAIN
    return done(status, message, evidence)


# -- the whole ---------------------------------------------------------------------------------------
def assess_document(doc: Document, previous: Document | None = None, following: Document | None = None) -> Assessment:
    """Every check of one annual report. ``previous``/``following``: the same issuer's reports on the
    years before and after, when the library has them (reuse, rectification, carry-over)."""
    m = doc.meta
    cells = cells_in_text(doc.text)
    rules, why = choose_rules(doc, cells)
    out = Assessment(doc.doc_id, doc.source, doc_label(m, doc.source), m.region or "", m.level or "",
                     list(m.parents), m.issuer or "", m.year, rules.key if rules else "",
                     rules.name if rules else "", why)
    if rules is None:
        return out
    heads = sections(doc.text)
    cut = excerpt(doc.text)
    year = m.year
    rect = rectification(doc.text, heads) if rules.rectify else None
    problems = _problem_spans(doc, heads, rect)
    out.checks = [
        check_on_time(doc, rules, int(year) if year else None),
        check_sections(doc, rules, cells, heads, cut),
        check_tables(rules, cells, doc.text, heads, cut),
        check_blanks(rules, cells),
        check_consistent(doc, rules, previous, following),
        check_specific(doc, rules, heads, problems, cut),
        check_not_copied(doc, rules, problems, previous),
        check_rectified(doc, rules, heads, previous, cut),
    ]
    return out


# -- the library -------------------------------------------------------------------------------------
def matches(a: Assessment, region: str = "", level: str = "", year: str | int = "") -> bool:
    """The ranking's filters: a region matches the report's own or one it lies in (淮安市 takes 洪泽区 and
    淮安市洪泽区; 洪泽区 takes 淮安市洪泽区)."""
    if region and not (region in (a.region, *a.parents) or a.region.startswith(region) or a.region.endswith(region)):
        return False
    if level and level != a.level:
        return False
    return not (year and str(year) != str(a.year or ""))


def ranked(assessments: list[Assessment]) -> list[Assessment]:
    """Best score first among the reports whose checks decided enough (MIN_DECIDED), then the rest (证据不足),
    then those that could not be assessed."""
    return sorted(assessments, key=lambda a: (a.score is None, (a.decided or 0) < R.MIN_DECIDED, -(a.score or 0), a.label))
