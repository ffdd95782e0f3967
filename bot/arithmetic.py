"""Differences and ratios computed from two cited values: "洪泽区2024年新收申请比2023年增加了多少件？"
is answered 74件 with its arithmetic (95 − 21 = 74) and the citation of each operand, labelled by the
report (issuer and year) each came from.

No report states such a result, so the result is never a quote: the question is split into one
question per operand ("洪泽区2024年新收申请多少件？", "洪泽区2023年新收申请多少件？"), each answered and
verified like any other, and only then is the arithmetic done. When either operand is missing, or both
come from the same place in one report, nothing is computed and the question goes the ordinary way.

Questions a report often answers in its own words (同比, 比上年, 占比: "同比增长12%", "占52.6%") are tried
the ordinary way first; a stated figure of the asked kind wins over a computed one.

Called from one hook at the top of bot.answer.answer_question; the rules are the table ``RULES``.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.numbers import unit_scale
from govqa.names import places_in
from govqa.types import Answer, Derived, ReportMeta, Value, issuer_key, report_tag

_ASK = r"(?:多少|几)"
_UP = "增加|增长|上升|提高|提升|增多|多"
_DOWN = "减少|下降|降低|下滑|少"
_BI = r"(?<![对相无同])(?:比|较)(?![例重率较])"  # 比 / 较, not 比例, 比重, 对比, 相比, 比较, 同比
_PREVIOUS = re.compile(r"^(?:上年|去年|上一年|上一年度|上年度|前一年|上年同期|去年同期)$")
_RATE = re.compile(r"百分之几|百分比|百分点|增长率|增幅|降幅|幅度|[%％]")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
PERCENT_DIGITS = 1  # 352.4%
TIMES_DIGITS = 2  # 32.83倍

_guard: contextvars.ContextVar[bool] = contextvars.ContextVar("govqa_arithmetic", default=False)


@dataclass
class Rule:
    """A question form: its pattern (groups a = first operand's phrase, b = what the second differs by,
    verb), what is computed, and whether a report's own stated figure is tried first."""

    name: str
    pattern: re.Pattern[str]
    kind: str  # difference | times | share (a difference asked in 百分之几 becomes change_rate)
    stated_first: bool = False


RULES = [
    Rule("比…增加/减少/多/少", re.compile(rf"^(?P<a>.+?){_BI}(?P<b>.*?)(?P<verb>{_UP}|{_DOWN})了?(?P<tail>.*)$"),
         "difference"),
    Rule("与…相比增加/减少", re.compile(rf"^(?P<a>.+?)(?:与|和|同)(?P<b>.+?)相比[，,]?(?P<verb>{_UP}|{_DOWN})了?(?P<tail>.*)$"),
         "difference"),
    Rule("同比", re.compile(rf"^(?P<a>.+?)同比(?P<verb>{_UP}|{_DOWN})了?(?P<tail>.*)$"), "difference", stated_first=True),
    Rule("是…的几倍", re.compile(rf"^(?P<a>.+?)是(?P<b>.+?)的{_ASK}倍(?P<tail>.*)$"), "times"),
    Rule("占…的比例", re.compile(rf"^(?P<a>.+?)占(?P<b>.+?)的?(?:比例|比重|百分比|百分之几|{_ASK})(?P<tail>.*)$"),
         "share", stated_first=True),
]


@dataclass
class Operation:
    kind: str  # difference | change_rate | times | share
    left: str  # the question for the first operand
    right: str  # ... and for the second
    down: bool  # asked as 减少/下降/少: the second minus the first is what was asked
    word: str  # the asked verb family as answers say it: 增加 / 多
    stated_first: bool


def parse(question: str) -> Operation | None:
    """The operation a question asks for, with one question per operand; None when it asks for no
    computed figure, or for more than one value ("多少条？比2017年提升了多少？": the report states it)."""
    q = question.strip().rstrip("？?。")
    if len(re.findall(_ASK, q)) != 1:
        return None
    for rule in RULES:
        m = rule.pattern.match(q)
        tail = m.group("tail") if m else ""
        if not m or (rule.kind == "difference" and not re.search(_ASK + "|" + _RATE.pattern, tail)):
            continue
        a = m.group("a").strip("，, ")
        b = (m.groupdict().get("b") or "上年").strip("，, 的")
        right = _second(a, b, rule.kind)
        if not a or right is None:
            return None
        verb = m.groupdict().get("verb") or ""
        kind = "change_rate" if rule.kind == "difference" and _RATE.search(tail) else rule.kind
        stated = rule.stated_first or bool(_PREVIOUS.match(b))
        word = "多" if verb in ("多", "少") else "增加"
        ask = _ask_of(tail if kind == "difference" else "")
        return Operation(kind, a.rstrip("的") + ask, right.rstrip("的") + ask, verb in _DOWN.split("|"), word, stated)
    return None


def _ask_of(tail: str) -> str:
    """What the operand questions ask, from the words after the verb: "多受理多少件申请" asks
    "受理多少件申请", "增加了多少件" asks "多少件"; a rate, share or multiple asks "有多少"."""
    tail = tail.lstrip("了")
    if not re.search(_ASK, tail) or _RATE.search(tail):
        return "有多少？"
    return tail.replace("几", "多少", 1) + "？"


def _second(a: str, b: str, kind: str) -> str | None:
    """The second operand's phrase: the first's with its year or place replaced by what ``b`` names
    (比2023年, 比洪泽区, 比上年), or for a share (占新收申请的比例) the first's report with b's measure."""
    year = _YEAR.search(a)
    years = [int(y) for y in _YEAR.findall(b)]
    if _PREVIOUS.match(b) and year:
        years = [int(year.group(1)) - 1]
    places = [p for p in places_in(b) if p in b]
    out = a
    if years:
        if not year:
            return None
        out = out[: year.start(1)] + str(years[0]) + out[year.end(1) :]
    if places:
        own = [p for p in places_in(a) if p in a]
        if not own:
            return None
        out = out.replace(own[0], places[0], 1)
    if years or places:
        return out if out != a else None
    if kind == "difference" and not year:
        return None
    head = a[: year.end()] if year else ""  # the report the first operand names: "洪泽区2024年"
    return head + b if b else None


def _fmt(x: float, digits: int = 2) -> str:
    r = round(x, digits)
    return str(int(round(r))) if abs(r - round(r)) < 1e-9 else f"{r:.{digits}f}".rstrip("0").rstrip(".")


def _shown(v: Value, scale: float) -> float:
    return v.value / scale


def _compute(op: Operation, a: Value, b: Value) -> tuple[float, str, str, str]:
    """(result, unit, result as shown, arithmetic) from the two operands as printed (万元 stays 万元)."""
    big = "万" if "万" in a.text and "万" in b.text else ""
    scale = unit_scale(big + a.unit) if big else 1.0
    x, y = _shown(a, scale), _shown(b, scale)
    unit = big + a.unit
    if op.kind == "difference":
        d = y - x if op.down else x - y
        first, second = (y, x) if op.down else (x, y)
        return d, unit, f"{_fmt(abs(d))}{unit}", f"{_fmt(first)} − {_fmt(second)} = {_fmt(d)}"
    if op.kind == "change_rate":
        r = (x - y) / y * 100
        sums = f"({_fmt(x)} − {_fmt(y)}) ÷ {_fmt(y)} × 100% = {_fmt(r, PERCENT_DIGITS)}%"
        return r, "%", f"{_fmt(abs(r), PERCENT_DIGITS)}%", sums
    if op.kind == "times":
        r = x / y
        return r, "倍", f"{_fmt(r, TIMES_DIGITS)}倍", f"{_fmt(x)} ÷ {_fmt(y)} = {_fmt(r, TIMES_DIGITS)}"
    r = x / y * 100
    return r, "%", f"{_fmt(r, PERCENT_DIGITS)}%", f"{_fmt(x)} ÷ {_fmt(y)} × 100% = {_fmt(r, PERCENT_DIGITS)}%"


def _summary(op: Operation, result: float, shown: str, tags: tuple[str, str], same_issuer: str) -> str:
    """The result labelled by its reports: "淮安市洪泽区人民政府：2024年比2023年增加74件"."""
    head = f"{same_issuer}：" if same_issuer else ""
    a, b = tags
    if op.kind in ("difference", "change_rate"):
        up = (result >= 0) != (op.down and op.kind == "difference")
        word = (op.word if up else {"增加": "减少", "多": "少"}[op.word]) if op.kind == "difference" else \
            ("增长" if result >= 0 else "下降")
        return f"{head}{a}比{b}{word}{shown}"
    if op.kind == "times":
        return f"{head}{a}是{b}的{shown}"
    return f"{head}{a}占{b}的{shown}"


def _fits(op: Operation, ans: Answer) -> bool:
    """A stated answer of the asked kind (a % for a rate or share, any number for a difference)."""
    if ans.refused or not ans.values:
        return False
    return op.kind == "difference" or all(v.unit in ("%", "倍") for v in ans.values)


AnswerFn = Callable[..., Answer]


def derived_answer(store, question: str, answer: AnswerFn, **kw) -> Answer | None:
    """The computed answer to a 增加了多少 / 同比 / 占比 / 几倍 question, or None (not such a question, or
    an operand not found: the ordinary path answers or refuses). ``answer``: bot.answer.answer_question,
    ``kw``: its options (backend, doc_ids)."""
    if _guard.get():
        return None
    op = parse(question)
    if op is None:
        return None
    token = _guard.set(True)
    stated = None
    try:
        if op.stated_first and _fits(op, stated := answer(store, question, **kw)):
            return stated
        left, right = answer(store, op.left, **kw), answer(store, op.right, **kw)
    finally:
        _guard.reset(token)
    # Nothing to compute: the ordinary answer already made (a refusal, or a figure of another kind) stands.
    return _combine(store, question, op, left, right) or stated


def _combine(store, question: str, op: Operation, left: Answer, right: Answer) -> Answer | None:
    if left.refused or right.refused or len(left.values) != 1 or len(right.values) != 1:
        return None
    a, b = left.values[0], right.values[0]
    same_place = a.citation.doc == b.citation.doc and (a.span or a.citation.start) == (b.span or b.citation.start)
    if same_place or a.unit != b.unit or (op.kind != "difference" and b.value == 0) or \
            (op.kind == "change_rate" and b.value == 0):
        return None
    records = [store.record(v.citation.doc) for v in (a, b)]
    metas = [r.meta if r else ReportMeta() for r in records]
    if not all(_year_as_asked(q, m) for q, m in ((op.left, metas[0]), (op.right, metas[1]))):
        return None
    who = [issuer_key(m) for m in metas]
    same = who[0] is not None and who[0] == who[1]
    tags = (report_tag(metas[0], issuer=not same), report_tag(metas[1], issuer=not same))
    result, unit, shown, arithmetic = _compute(op, a, b)
    issuer = (metas[0].issuer or metas[0].region or "") if same else ""
    derived = Derived(op.kind, round(result, 6), unit, shown, arithmetic, _summary(op, result, shown, tags, issuer),
                      list(tags))
    citations = [*left.citations, *[c for c in right.citations if c not in left.citations]]
    return Answer(question, shown, False, [a, b], citations, backend=left.backend, derived=derived)


def _year_as_asked(q: str, meta: ReportMeta) -> bool:
    """An operand asked for a year must come from that year's report."""
    m = _YEAR.search(q)
    return not m or meta.year == int(m.group(1))
