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


# -- every other counted figure of the report's prose ---------------------------------------------------
# Beyond the rules above, a report states the figures its writer thought worth counting ("微信公众号发布
# 信息134条", "打通151个“一件事”网办"). A reader of a summary wants those too, labelled by the clause
# they stand in. Only Arabic digits (a Chinese numeral here is a phrase: 一件事, 两微一端, 四个季度).
COUNT_UNITS = frozenset("起 件 条 篇 场 次 期 个 项 份 家 人次 人 封 批 部 本 套 张 户 所 处 台 元 % 条次 件次 个次 栏目 名"
                        .split())
# Clauses about the report itself, or its references, not about the year's work.
_META = re.compile(r"本报告|本年度报告|年度报告(?:中|所列|的|由|包括|是)|报告(?:中|所列|由|包括)|部分组成|个部分|统计期限"
                   r"|统计时间|国务院令|〔|号\)|号）|联系电话|电话[:：]|邮编|地址|网址|http|www|传真")
# A count followed by one of these is a span of time or a part of a plan ("四个季度", "五个方面"), not a fact.
_NOT_A_COUNT_AFTER = re.compile(r"^(?:季度|月|年|周|日|天|方面|部分|环节|阶段|步|级|关|工作日|小时)")
_LEAD = re.compile(r"^(?:[一二三四五六七八九十]+是|其中[:：]?|此外|同时|另外|并且?|以及|及|和|与|共计|共|全年共?|累计"
                   r"|截至目前|目前|\d{4}年度?|今年|本年度?|已|均|通过|在)+")
_TRAIL = re.compile(r"(?:共计|总计|合计|累计|共|达到|达|约为|约|近|超过|为|计|有|了|量为)+$")
_SHARE = re.compile(r"^(?:约?占(?:比)?(?:为)?|比例为|占比为?)$")
# A clause ending in one of these puts its noun after the number ("召开46场新闻发布会").
_VERB_BEFORE = re.compile(r"(?:召开|举办|开展|组织|发布|公开|制作|印发|打通|梳理|公布|承接|新增|开设|设置|推送|办理|受理|收到"
                          r"|答复|处理|审理|完成|编制|清理|关停|整合|对|有|涉及|覆盖|培训)$")
# Where the words for a number begin: after the last list item ("…111项权责清单和22项赋权…").
_AFTER_LAST_ITEM = re.compile(r"[、）)]|\d+(?:\.\d+)?[余多]?[万亿]?(?:" + "|".join(sorted(COUNT_UNITS, key=len, reverse=True))
                              + ")?")
MAX_LABEL = 20  # characters of the clause kept as a figure's label
SHORT_LABEL = 4  # a label this short ("结果纠正", "其他") is a part of the sentence's first figure, and says so


@dataclass(frozen=True)
class Counted:
    label: str
    number: Number  # document offsets
    sentence: tuple[int, int]
    weight: int = 0  # how central: a scope word (全市, 共); less for a share


_TOTAL = re.compile(r"全省|全市|全县|全区|全年|全镇|全乡|共|累计|总|合计|我省|我市|我县|我区")


def rank(counted: list[Counted], shown: list[tuple[int, int]], limit: int) -> list[Counted]:
    """The ``limit`` most central counted figures, kept in reading order. A figure in (or right after,
    as its 其中 breakdown) a sentence already shown with another figure is read with it; a clause with
    a scope word (全市, 共, 累计) states a total; a share is less central."""
    def weight(c: Counted) -> int:
        return c.weight + 2 * any(s <= c.sentence[0] <= e + 2 for s, e in shown)

    best = sorted(counted, key=lambda c: (-weight(c), c.number.start))[:limit]
    return sorted(best, key=lambda c: c.number.start)


def _clean(text: str) -> str:
    return _TRAIL.sub("", _LEAD.sub("", text.strip(" 、（(“”\"'")))


def _label(before: str, after: str, previous: str) -> str:
    """The clause's words for its number: what stands before it ("微信公众号发布信息"), or, when the
    number comes first ("召开46场新闻发布会"), the verb before and the noun after it."""
    # A list that ends in 等 ("政策解读、领导讲话等400余条") is named as a whole.
    head = _clean(before) if before.rstrip().endswith("等") else _clean(_AFTER_LAST_ITEM.split(before)[-1]) or _clean(before)
    if _SHARE.match(before.strip()) and previous:
        return previous + "占比"
    if len(head) < 2 and not after.strip() and previous:  # "…发布信息28大项、79小项，共计6657条"
        return previous + "合计"
    noun = re.match(r"[^\d，,；;。：:（(、]{2,16}", after.strip())
    if noun and (len(head) < 4 or _VERB_BEFORE.search(head)):
        return _tail(head + noun.group(0))
    return _tail(head)


def _tail(label: str) -> str:
    """The label's last MAX_LABEL characters (the words next to the number), marked when cut."""
    return label if len(label) <= MAX_LABEL else "…" + label[-MAX_LABEL:]


# How a body names itself in its own report ("我局主动公开…"): not a subordinate agency.
_OWN = re.compile(r"[我本](?:局|厅|委|办|中心|部|署|院|会)")


_AGENCY_FIRST = re.compile(r"^(?:\d{4}年(?:度|以来)?|全年|今年|同时|此外|另外)?[，,]?"
                           r"(?!通过|在|经|由|依托|利用|包括|对|向|按|据|与|和|及)"
                           r"([\u4e00-\u9fff]{2,10}?(?:局|(?<!大)厅|委员会|(?<![省市县区党管])委|署|中心|法院|检察院|公司|集团|银行))"
                           r"(?!网|官网|门户|公众号|微信|微博|政务)")


def _agency_not_issuer(sentence: str, issuer: str) -> bool:
    """The sentence's subject is an agency (省国税局在门户网站…) that is neither the issuer nor the whole
    region: its counts are that agency's own, not the report's. An agency named as a platform ("厅官方
    网站", "通过…管委会门户网站") is not the subject."""
    m = _AGENCY_FIRST.match(sentence)
    if not m or _SCOPE.search(m.group(1)) or _OWN.search(m.group(1)):
        return False
    return m.group(1)[-4:] not in issuer


def counted_figures(text: str, spans: list[tuple[int, int]], taken: set[tuple[int, int]],
                    issuer: str = "") -> list[Counted]:
    """Every counted figure in the sentences ``spans`` (document offsets), in reading order, but those
    already ``taken`` (the number's span), those about the report itself, and a subordinate agency's own
    (an agency named before the number that is not ``issuer``)."""
    out: list[Counted] = []
    for s, e in spans:
        sentence = text[s:e]
        previous = first = ""
        agency = _agency_not_issuer(sentence, issuer)
        for m in _CLAUSE.finditer(sentence):
            clause = m.group(0)
            if _META.search(clause):
                continue
            words = _clean(re.split(r"\d", clause)[0])
            previous = words if len(words) >= 2 else previous
            for n in parse_numbers(clause):
                start = s + m.start() + n.start
                if not n.text[:1].isdigit() or base_unit(n.unit) not in COUNT_UNITS and n.unit not in COUNT_UNITS:
                    continue
                if _NOT_A_COUNT_AFTER.match(clause[n.end :]):
                    continue
                label = _label(clause[: n.start], clause[n.end :], previous)
                if len(label) < 2:
                    continue
                if len(label) <= SHORT_LABEL and first and first != label:  # "结果纠正10件" of "行政复议66件，其中…"
                    label = _tail(f"{first}：{label}")
                first = first or label
                if (start, start + len(n.text)) in taken:
                    continue
                if agency:
                    continue
                weight = bool(_TOTAL.search(clause[: n.start])) - (n.unit == "%")
                out.append(Counted(label, Number(n.value, n.unit, n.text, start, start + len(n.text), n.approximate),
                                   (s, e), weight))
    return out
