"""The meaning check: does this number answer what was asked, not merely stand in the cited sentence?

The verifier (bot/verify.py) proves that a value is in its citation. That is not enough: in
"主动公开规章6件、行政规范性文件215件" both numbers are in the sentence, and only 215 answers a question
about 行政规范性文件. So every candidate number is read with its **own label**, the phrase it closes
(back to the previous list delimiter or number) plus the noun it counts, and the question is read
as a **metric**: its head noun (what tells this number from its neighbours) and its qualifiers
(period, scope). A number answers only when its own label says the head and no qualifier conflicts.

The rules are data (the tables below), so that a reader can check them and a new kind of report
text is a new row, not a new branch of code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jieba

from bot.numbers import Number

# What closes a label: list and clause delimiters. A number's label runs back to the nearest one
# (or to the previous number): "…规章6件、行政规范性文件215件" -> 215's label is "行政规范性文件".
LABEL_DELIMITERS = re.compile(r"[，,；;：:、。]")
# An aside in brackets ("同意公开(包括属于已主动公开范围数)的1122件") is not part of the label.
_ASIDE = re.compile(r"[（(][^（()）]{0,40}[)）]")
# Words that say nothing about what is counted; a label made only of them borrows its clause's words.
EMPTY_LABEL = re.compile(r"^(?:其中|共计?|合计|总计|累计|全年|本年度?|当年|分别|各|为|达到?|计|有|是|约|近|超过|\s)*$")
# A head credited through its sub-words must have this share of its characters in the label
# ("政府信息公开申请" in "申请公开政府信息": 6 of 8); one shared sub-word (行政 of 行政诉讼 in 行政复议) is not enough.
MIN_HEAD_COVER = 0.75

# Periods shorter than the year: a number labelled with one answers only a question that asks it,
# and a question asking one is not answered by the year's figure.
PERIODS: list[tuple[str, re.Pattern[str]]] = [
    ("季度", re.compile(r"[一二三四1-4]季度|第[一二三四1-4]季度")),
    ("半年", re.compile(r"上半年|下半年")),
    ("月", re.compile(r"(?<![年\d])\d{1,2}月份?(?!\d*日)|[一二三四五六七八九十]+月份")),
]


# Qualifiers that come in closed families: a number labelled with one member of a family does not
# answer a question naming another ("通过政务微博发布200条" is no answer about 抖音). Members are
# written as patterns; a member's synonyms share its name (the first field).
FAMILIES: dict[str, list[tuple[str, str]]] = {
    "渠道": [("新媒体", r"新媒体"), ("门户网站", r"门户网站|政府网站|网站"), ("微信", r"微信|公众号"), ("微博", r"微博"),
           ("抖音", r"抖音"), ("头条", r"头条"), ("快手", r"快手"), ("视频号", r"视频号"),
           ("短视频", r"短视频"), ("客户端", r"客户端|APP|App|app"),
           ("公报", r"公报"), ("公开栏", r"公开栏|公示栏"), ("新闻发布会", r"新闻发布会|发布会"), ("热线", r"热线")],
    "办理结果": [("予以公开", r"予以公开|同意公开|全部公开"), ("部分公开", r"部分公开|区分处理"),
             ("不予公开", r"不予公开"), ("无法提供", r"无法提供"), ("不予处理", r"不予处理")],
    "申请人": [("自然人", r"自然人|个人|公民"),
            ("法人或其他组织", r"法人|其他组织|商业企业|科研机构|社会公益组织|法律服务机构")],
    "程序": [("行政复议", r"行政复议|复议"), ("行政诉讼", r"行政诉讼|诉讼|起诉")],
    "解读": [("专家解读", r"专家解读"), ("领导解读", r"领导解读"), ("图解", r"图解"), ("视频解读", r"视频解读")],
    # The tiers of bodies a city's plan assigns a task to ("县区不少于3人,市直各单位不少于1人").
    "层级": [("县区", r"县区|区县|县市区|县（市、区）|县\(市、区\)"), ("市直", r"市直|市级部门|市政府各部门"),
           ("乡镇", r"乡镇|镇街|街镇")],
}
_FAMILY_RES = {fam: [(name, re.compile(pat)) for name, pat in members] for fam, members in FAMILIES.items()}


def members_in(text: str) -> dict[str, set[str]]:
    """The family members a text names, per family."""
    out: dict[str, set[str]] = {}
    for fam, members in _FAMILY_RES.items():
        got = {name for name, pat in members if pat.search(text)}
        if got:
            out[fam] = got
    return out


_PREVIOUS_YEAR = re.compile(r"上年|去年|上一年")


def metric_text(metric: Metric) -> str:
    return metric.ask_text


@dataclass
class Metric:
    """What the question asks one number to be."""

    head: str | None  # the distinctive noun (bot.query.head_term), e.g. 行政规范性文件, 新浪微博, 本年新收
    period: str | None  # a period shorter than the year (季度/半年/月) the question names
    qualifiers: dict[str, set[str]]  # family members the ask names (渠道: {抖音})
    ask_text: str = ""  # the ask as written


@dataclass
class Reading:
    """One candidate number read against the metric: shown to the user as 问：… · 数字所指：…"""

    asked: str
    label: str  # the number's own label, with the number as written
    ok: bool
    why: str = ""  # when not ok: what conflicts


def period_of(text: str) -> str | None:
    return next((name for name, pat in PERIODS if pat.search(text)), None)


def metric_of(ask_text: str, head: str | None) -> Metric:
    return Metric(head, period_of(ask_text), members_in(ask_text), ask_text)


def _qualifier_conflict(metric: Metric, label: str, window: str) -> str:
    """Why a family member conflicts, or "": the number's own label names another member of a family
    the question names; or the question's member is nowhere in the passage while it names others."""
    own, around = members_in(label), members_in(window)
    for fam, wanted in metric.qualifiers.items():
        if fam in own and not own[fam] & wanted:
            return f"问的是{'、'.join(sorted(wanted))}，数字属于{'、'.join(sorted(own[fam]))}"
        if fam not in own and fam in around and not around[fam] & wanted:
            return f"问的是{'、'.join(sorted(wanted))}，原文只说了{'、'.join(sorted(around[fam]))}"
    return ""


_RESPECTIVE = re.compile(r"分别")
_SENTENCE_END = re.compile(r"[。；;]")
_COMMA = re.compile(r"[，,]")
_CLAUSE_END = re.compile(r"[，,；;。]")
_RUN_JOIN = re.compile(r"\s*[、,，和及与]\s*")
_ITEM_SPLIT = re.compile(r"[、和及与]|以及")


def respective_label(window: str, every: list[Number], i: int) -> str | None:
    """"通过微信公众号、政务微博分别发布信息584条、267条": the k-th number of the run after 分别 takes
    the k-th item of the list before it. None when number i is not in such a run, or the counts differ."""
    n = every[i]
    sentence_start = max([m.end() for m in _SENTENCE_END.finditer(window, 0, n.start)] or [0])
    found = list(_RESPECTIVE.finditer(window, sentence_start, n.start))
    if not found:
        return None
    m = found[-1]
    # The run: the numbers after 分别, each joined to the previous one by a list delimiter only.
    contiguous: list[int] = []
    for j, x in enumerate(every):
        if x.start <= m.end():
            continue
        if contiguous and not _RUN_JOIN.fullmatch(window[every[contiguous[-1]].end : x.start]):
            break
        contiguous.append(j)
    if i not in contiguous:
        return None
    clause = max([c.end() for c in _COMMA.finditer(window, sentence_start, m.start())] or [sentence_start])
    items = [t for t in _ITEM_SPLIT.split(window[clause : m.start()]) if t.strip()]
    if len(items) != len(contiguous):
        return None
    return items[contiguous.index(i)].strip()


@dataclass
class Label:
    """A number's own label: the phrase it closes, the noun it counts, and, for a bare 其中6件 or 共计…,
    the clause before it (context only: it says what the whole is, not which part this number is)."""

    before: str
    after: str
    context: str = ""

    @property
    def own(self) -> str:
        return self.before + self.after

    def for_head(self) -> str:
        """Where the asked head must stand: the number's own words, or its clause when it has none."""
        return self.own if self.own.strip() else self.context


# The words between the old and the new value of a change ("由25%提高到100%", "从3件降至1件").
_CHANGE_TO = re.compile(r"^(?:提高|增加|上升|下降|减少|增长|降低|提升|升|降|增)(?:到|至|为)$")


def own_label(window: str, every: list[Number], i: int) -> Label:
    """The phrase number i closes (back to the previous number or delimiter), the noun after it, and,
    when the phrase is empty of content (其中6件, 共计…), its clause as context. In a 分别 construction
    the phrase is the number's own item of the list."""
    n = every[i]
    # An aside's 、 and ， delimit nothing; but the aside the number stands in is its own text, and its
    # label starts inside it ("专职人员…(县区不少于3人,市直各单位不少于1人)": 3's label is 县区不少于, 1's
    # 市直各单位不少于; what precedes the bracket is the context of both). A bracket holding only the number
    # ("基础信息公开(26条)") is labelled from outside, as before.
    inside = next((m for m in _ASIDE.finditer(window) if m.start() < n.start < m.end()
                   and not EMPTY_LABEL.match(window[m.start() + 1 : n.start])), None)  # not "基础信息公开(26条)"
    window = _ASIDE.sub(lambda m: m.group(0) if inside and m.start() == inside.start() else " " * len(m.group(0)),
                        window)
    end = every[i + 1].start if i + 1 < len(every) else len(window)
    after = LABEL_DELIMITERS.split(window[n.end : end], maxsplit=1)[0].strip()
    respective = respective_label(window, every, i)
    if respective:
        return Label(respective, after)
    start = max(every[i - 1].end if i else 0, inside.start() + 1 if inside else 0)
    cut = max([m.end() for m in LABEL_DELIMITERS.finditer(window, start, n.start)] or [start])
    while "等" in window[cut : n.start] and cut > start and window[cut - 1] == "、":
        # "推送政策解读、工作动态等信息936条": a list of kinds closed by 等 is one label
        cut = max([m.end() for m in LABEL_DELIMITERS.finditer(window, start, cut - 1)] or [start])
    label = window[cut : n.start].replace(" ", "")
    if i and _CHANGE_TO.match(label):  # "答复率由25%提高到100%": the new value is labelled like the old
        return own_label(window, every, i - 1)
    if not EMPTY_LABEL.match(label):
        return Label(label.strip(), after)
    clause = max([m.end() for m in _CLAUSE_END.finditer(window, 0, max(0, cut - 1))] or [0])
    return Label("", after, window[max(clause, start) : n.start].strip())


_NEGATED = "不未非无"


def says(term: str, text: str) -> bool:
    """The text says the term: whole (not negated: 不同意公开 does not say 同意公开), or in sub-words
    covering MIN_HEAD_COVER of it."""
    if not term:
        return False
    text = _ASIDE.sub("", text)
    if term in text:
        return any(i == 0 or text[i - 1] not in _NEGATED for i in _positions(term, text))
    subs = {w for w in jieba.cut_for_search(term) if len(w) >= 2 and w != term and w in text}
    covered = set()
    for w in subs:
        i = term.find(w)
        covered.update(range(i, i + len(w)))
    return len(covered) >= MIN_HEAD_COVER * len(term)


def _positions(term: str, text: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(term), text)]


_FULL_STOP = re.compile(r"[。！？!?\n]")


def _sentence_of(window: str, pos: int) -> tuple[int, int]:
    start = max([m.end() for m in _FULL_STOP.finditer(window, 0, pos)] or [0])
    end = _FULL_STOP.search(window, pos)
    return start, end.end() if end else len(window)


def whole_of(window: str, every: list[Number], i: int) -> str:
    """For a part listed after 其中 ("主动公开政府信息53393条,其中…各县(市、区)政府门户网站14541条"), the
    label of its whole: what the whole counts, every part counts too."""
    s, _ = _sentence_of(window, every[i].start)
    k = window.rfind("其中", s, every[i].start)
    return window[s:k] if k >= 0 else ""


def head_said(head: str, window: str, every: list[Number], i: int, before: str = "") -> bool:
    """The head is this number's: its own label says it; or no number of its sentence counting the same
    unit has a label that says it, and the sentence says it before the number or in the noun after it
    ("通过政府网站公开…等信息47619条", "“52345”热线…共接件3178件", "“省长信箱”受理…1501件，…办结率76.48%")."""
    if says(head, own_label(window, every, i).for_head()) or says(head, whole_of(window, every, i)):
        return True
    s, e = _sentence_of(window, every[i].start)
    siblings = [j for j, x in enumerate(every) if j != i and s <= x.start < e and x.unit == every[i].unit]
    if any(says(head, own_label(window, every, j).for_head()) for j in siblings):
        return False
    # The sentence before counts only when it states no count of this unit itself ("2件结转下年办理。"
    # is no context for the 9件 of the next sentence).
    context = before if not re.search(r"\d\s*" + re.escape(every[i].unit or "#"), before) else ""
    return says(head, context + window[s : every[i].start] + own_label(window, every, i).after)


_WHOLE_YEAR = re.compile(r"全年|本年|年度|全年度")


def opening_period(window: str, every: list[Number], i: int, label: str) -> str | None:
    """A period that opens the number's sentence as a clause of its own ("第四季度，市政府门户网站发布…120条"):
    it scopes the sentence's numbers, unless the number's own label says the whole year."""
    s, _ = _sentence_of(window, every[i].start)
    comma = re.search(r"[，,]", window[s : every[i].start])
    if not comma or _WHOLE_YEAR.search(label):
        return None
    opening = window[s : s + comma.start()]
    return None if any(s <= n.start < s + comma.start() for n in every) else period_of(opening)


def read(metric: Metric, asked: str, window: str, every: list[Number], i: int, before: str = "") -> Reading:
    """Whether number i of ``window`` answers the metric, and why not. ``before``: the sentence before
    the window, where a name the number's sentence goes on about may stand ("“52345”热线…；运行以来…")."""
    lab = own_label(window, every, i)
    shown = f"{lab.before or lab.context}{every[i].text}{lab.after}"[-60:]
    if metric.head and not head_said(metric.head, window, every, i, before):
        return Reading(asked, shown, False, f"数字所指“{lab.for_head() or every[i].text}”不是“{metric.head}”")
    conflict = _qualifier_conflict(metric, lab.own, window)
    if conflict:
        return Reading(asked, shown, False, conflict)
    if _PREVIOUS_YEAR.search(lab.own) and not _PREVIOUS_YEAR.search(metric_text(metric)):
        return Reading(asked, shown, False, "数字是上一年度的，问的是本年度")
    own_period = period_of(lab.before or lab.context) or opening_period(window, every, i, lab.own)
    if own_period != metric.period and (own_period or (metric.period and not period_of(window[: every[i].start]))):
        want = metric.period or "全年"
        return Reading(asked, shown, False, f"期间不符：问的是{want}，数字是{own_period or '全年'}的")
    return Reading(asked, shown, True)
