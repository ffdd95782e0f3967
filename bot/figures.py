"""Key figures of an annual report, read clause by clause with one rule per figure.

Why not ask the answerer a generic question per figure? Because a generic question ("门户网站
发布信息多少条？") happily takes a subordinate agency's number ("省国税局通过门户网站…发布…800余条")
as the report's own. A key figure is shown without the reader's question around it, so the bar is
higher: the number must stand in the same clause as the rule's anchor words, next to them, with an
allowed unit, and a clause about a subordinate agency is not read as the report's total unless it
says so (全省/全市/我市 …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.numbers import Number, base_unit, parse_numbers
from govqa.text import sentence_spans


@dataclass(frozen=True)
class Rule:
    label: str
    anchors: tuple[str, ...]  # regexes: every one must match the clause
    units: tuple[str, ...]  # base units accepted
    exclude: str = ""  # regex: a clause matching it is not this figure
    context: str = ""  # regex the sentence up to the clause must match ("答复率" of applications, not of a hotline)
    gap: int = 20  # most characters between the last anchor and the number


def _r(label: str, anchors: str, units: str, exclude: str = "", context: str = "", gap: int = 20) -> Rule:
    return Rule(label, tuple(anchors.split()), tuple(units.split()), exclude, context, gap)


# Order is the order shown. Anchors are written for the wording these reports use across years and
# levels (2008 and 2019 formats, province to county).
RULES = [
    _r("主动公开政府信息", "主动公开", "条", r"累计|其中"),
    _r("累计主动公开政府信息", "累计 主动公开", "条"),
    _r("受理信息公开申请", r"受理|收到|接到|接收|办理 公开申请|申请公开|信息申请", "件 项 条 人次",
       r"复议|诉讼|热线|信箱|来信|提案|建议|其中|结转|自然人|法人"),
    _r("申请答复率", r"答复率|办结率|按时答复", "%", context=r"申请"),
    _r("同意公开", r"(?<!部分)(?<!不)(?:同意公开|予以公开)", "件 项"),
    _r("部分公开", r"部分公开", "件 项", r"区分处理"),
    _r("不予公开", r"不予公开", "件 项"),
    _r("信息不存在或不掌握", r"不存在|不掌握|无法提供", "件 项"),
    _r("行政复议", r"行政复议|复议案", "件 起"),
    _r("行政诉讼", r"行政诉讼|诉讼案", "件 起", r"费用"),
    _r("支出与费用", r"支出|费用|经费|收费", "元"),
    _r("政府集中采购金额", r"采购", "元"),
    _r("政府网站发布信息", r"门户网站|政府网站 发布|公开|公布|刊载", "条 篇", r"解读稿|访谈|微博|微信", gap=80),
    _r("政府网站数量", r"网站", "家", r"栏目|窗口"),
    _r("政策解读", r"解读", "篇 条 次 期"),
    _r("在线访谈", r"访谈", "期 次 场"),
    _r("新闻发布会", r"发布会", "次 场", r"参加|出席"),
    _r("回应舆情与关切", r"回应 舆情|关切|热点", "次 条 件"),
    _r("政府公报", r"公报", "期 条 份"),
    _r("政务微博微信", r"微博|微信|新媒体|政务号|客户端", "条 篇 个", r"解读"),
    _r("培训", r"培训", "次 期 场 班"),
    _r("培训人次", r"培训", "人次"),
    _r("建议提案办理", r"建议(?!类)|提案", "件", r"热线"),
    _r("群众来信与诉求", r"来信|信箱|诉求|信访", "件 封 条", r"热线"),
    _r("热线办理", r"热线", "件 个 次"),
    _r("政府常务会议", r"常务会|办公会", "次"),
    _r("政务服务窗口", r"窗口", "个"),
]

_CLAUSE = re.compile(r"[^，,；;。：:！？!?\n\t]+")
# A clause with one of these speaks for the whole region or the issuing government.
_SCOPE = re.compile(r"全省|全市|全县|全区|全州|全旗|全盟|我省|我市|我县|我区|本机关|本级|(?:省|市|县|区)政府|人民政府")
# A subject like "省国税局" / "市发改委": a subordinate agency's own figure, not the report's.
_SUBORDINATE = re.compile(r"[\u4e00-\u9fff]{1,8}(?:局|(?<!大)厅|委员会|(?<![省市县区党])委|署|中心|法院|检察院|公司|集团|银行)")


@dataclass(frozen=True)
class Figure:
    label: str
    number: Number  # offsets are document offsets
    sentence: tuple[int, int]  # the cited sentence, document offsets
    scoped: bool
    rival: Figure | None = None  # the same statement elsewhere with another value (see _statement)


def _pick(rule: Rule, clause: str, numbers: list[Number]) -> Number | None:
    """The number tied to the rule's anchors: the first allowed one after the last anchor, or one
    written right before an anchor ("召开46场新闻发布会")."""
    ends, starts = [], []
    for pattern in rule.anchors:
        # An anchor that is one item of a list ("政策解读、领导讲话等400余条") does not own the number.
        m = [a for a in re.finditer(pattern, clause) if clause[a.end() : a.end() + 1] != "、"]
        if not m:
            return None
        ends.append(m[-1].end())
        starts.append(m[0].start())
    nums = [n for n in numbers if base_unit(n.unit) in rule.units and n.unit not in ("年", "月", "日")]
    after = [n for n in nums if 0 <= n.start - max(ends) <= rule.gap]
    if after:
        return after[0]
    before = [n for n in nums if 0 <= min(starts) - n.end <= 3]
    return before[-1] if before else None


def key_figures(text: str, rules: list[Rule] = RULES) -> list[Figure]:
    """One figure per rule at most: the earliest clause that speaks for the whole report wins over
    an earlier clause that may be about a part of it."""
    clauses: list[tuple[int, str, tuple[int, int], str, list[Number]]] = []
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        for m in _CLAUSE.finditer(sentence):
            clauses.append((s + m.start(), m.group(0), (s, e), sentence[: m.end()], parse_numbers(m.group(0))))
    out: list[Figure] = []
    used: set[tuple[int, int]] = set()
    for rule in rules:
        best: Figure | None = None
        for offset, clause, sent, upto, numbers in clauses:
            if rule.exclude and re.search(rule.exclude, clause):
                continue
            if rule.context and not re.search(rule.context, upto):
                continue
            n = _pick(rule, clause, numbers)
            if n is None:
                continue
            span = (offset + n.start, offset + n.end)
            if span in used:
                continue
            scoped = bool(_SCOPE.search(upto))
            if not scoped and _SUBORDINATE.search(upto[: len(upto) - len(clause) + n.start]):
                continue
            fig = Figure(rule.label, Number(n.value, n.unit, n.text, span[0], span[1], n.approximate), sent, scoped)
            if best is None or (scoped and not best.scoped):
                best = fig
            if scoped:
                break
        if best:
            used.add((best.number.start, best.number.end))
            out.append(replace(best, rival=_rival(rule, best, clauses)))
    return out


def _statement(clause_before_number: str) -> str:
    """What a clause says of its number, without years, digits and punctuation: "2017年,全省共受理政府信息
    公开申请" and "2017年全省共受理政府信息公开申请" are one statement; "市政府及其部门主动公开" and
    "全市各级政府及其部门主动公开" are two (two scopes)."""
    return re.sub(r"[^\u4e00-\u9fff]", "", re.sub(r"\d{4}\s*年(?:度)?", "", clause_before_number))


def _rival(rule: Rule, fig: Figure, clauses: list) -> Figure | None:
    """The figure's own statement made again in the report with a different value in the same unit: a
    contradiction the report contains ("共受理申请1695件" … "经核实…共受理申请1800件")."""
    key = None
    for offset, clause, _sent, _upto, _numbers in clauses:
        if offset <= fig.number.start < offset + len(clause):
            key = _statement(clause[: fig.number.start - offset])
    if not key:
        return None
    for offset, clause, sent, _upto, numbers in clauses:
        n = _pick(rule, clause, numbers)
        if (n is None or offset + n.start == fig.number.start or n.value == fig.number.value
                or base_unit(n.unit) != base_unit(fig.number.unit) or _statement(clause[: n.start]) != key):
            continue
        return Figure(rule.label, Number(n.value, n.unit, n.text, offset + n.start, offset + n.end, n.approximate), sent,
                      fig.scoped)
    return None
