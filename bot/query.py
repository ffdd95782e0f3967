"""A question analysed once: the places and years it names (retrieval filters on them), how many
values it asks for, in which unit, about which key phrase (the answerers look for them); and how a
question about several reports splits into one sub-question per report."""

from __future__ import annotations

import re

from bot.numbers import UNITS, base_unit
from govqa.names import WHOLE_AREA, places_in
from govqa.types import Ask, Query
from vectorstore.tokenize import tokenize

_ASK = r"(?:多少|几)"
_UNIT_ALT = "|".join(map(re.escape, sorted(set(UNITS) | {"万元", "亿元", "万条", "万件"}, key=len, reverse=True)))
_RATE_WORDS = ("率", "比例", "比重", "占比", "百分之")
_MONEY_WORDS = ("支出", "金额", "经费", "费用", "收费", "资金", "预算", "投入")
_QUESTION_WORDS = set(
    "多少 几 是 是多少 有 有多少 多少件 什么 哪些 哪个 哪 如何 怎样 请问 分别 其中 共 共计 一共 总共 各 全年 同年 了 该 "
    "年度".split()
)
_FACT_PATTERNS = {
    "issuer": re.compile(r"(哪个|哪一?家|什么)(单位|部门|机关|机构)|由谁|谁(印发|发布|编制|制定)"),
    "date": re.compile(r"(日期|哪一?天|什么时候|何时|哪年哪月|几月几[日号])"),
    "place": re.compile(r"(哪个|哪些|什么)(地方|地区|城市|市|县|省|区)|哪里"),
}


def asked_unit(q: str) -> str | None:
    m = re.search(rf"{_ASK}\s*(?:万|亿)?({_UNIT_ALT})", q)
    if m:
        u = m.group(1)
        return base_unit(u)
    if any(w in q for w in _RATE_WORDS):
        return "%"
    if any(w in q for w in _MONEY_WORDS) or re.search(r"(万元|亿元|元)", q):
        return "元"
    m = re.search(rf"(?:从|由)[^，。？]*?\d+({_UNIT_ALT})", q)  # "数量从3337个减少至多少个"
    return m.group(1) if m else None


def count_values(q: str) -> int:
    n = len(re.findall(_ASK + r"(?!少数)", q))
    for m in _EACH.finditer(q):
        n += max(0, len(each_items(m.group(1))) - 1)
    return n


_EACH = re.compile(r"([^，。？；]*?)(?:分别|各)(?:是|为|有)?(" + _ASK + r"[^，。？；]*)")


def each_items(text: str) -> list[str]:
    """The items of "A和B各多少": split on 和/与/及 when the list uses them (财政预算、决算信息 stays one
    item), on 、 otherwise."""
    sep = r"[和与及]" if re.search(r"[和与及]", text) else r"、"
    return [i for i in re.split(sep, text) if i.strip()]


# The counting unit a statistic's noun implies, for questions that say "…数是多少".
_NOUN_UNIT = [("申请", "件"), ("案件", "件"), ("复议", "件"), ("诉讼", "件"), ("信息", "条"), ("发布会", "次"),
              ("培训", "次"), ("网站", "个"), ("新媒体", "个")]


def key_terms(question: str, drop: list[str]) -> list[str]:
    """Content words of the question: no question words, units, years, single characters, or
    words inside the names of regions/issuers (the document filter already covers those)."""
    terms: list[str] = []
    for t in tokenize(question):
        if (len(t) < 2 or t in _QUESTION_WORDS or t in UNITS or re.fullmatch(r"\d{4}", t) or re.fullmatch(_ASK + ".", t)
                or any(t in d for d in drop) or t.endswith(("是", "有")) or t in terms):
            continue
        terms.append(t)
    # Keep the longest form: "服务中心" makes "服务" and "中心" redundant.
    return [t for t in terms if not any(t != u and t in u for u in terms)]


def subject_of(question: str) -> str:
    """The body a question names before its year ("福田区集体经济发展服务署2021年…" -> the 服务署), or ""."""
    m = re.match(r"\s*([\u4e00-\u9fff（）()]{2,30}?)(?:在|于)?(?:19|20)\d{2}\s*年", question)
    return m.group(1) if m and not re.search(_ASK, m.group(1)) else ""


def analyse(question: str, drop: list[str] | None = None) -> Query:
    """``drop``: the names of stored regions and issuers. The filter handles them, so they are no
    evidence for a number and are left out of the terms."""
    q = question.strip()
    facts = [name for name, pat in _FACT_PATTERNS.items() if pat.search(q)]
    n = count_values(q)
    if not n and re.search(r"是多少|有多大|多高", q):
        n = 1
    if n == 0 and not facts:
        facts = ["other"]
    unit = asked_unit(q) if n else None
    if n and unit is None:
        unit = next((u for noun, u in _NOUN_UNIT if noun in q), None)
    terms = key_terms(q, drop or [])
    ask_clause = next((c for c in re.split(r"[，,。？?；;]", q) if re.search(_ASK, c)), q)
    focus = [t for t in terms if t in ask_clause] if n == 1 else []
    years = sorted({int(y) for y in re.findall(r"(?<!\d)(20\d{2}|19\d{2})\s*年", q)})
    head = head_term(q, terms) if n == 1 else None
    implied = False
    if n == 1 and not head:
        head, implied = object_head(q, terms, unit)
    return Query(q, places_in(q), years, n, unit, terms, focus or terms, fact=facts,
                 head=head, head_implied=implied, asks=split_asks(q, terms, n, unit), scope=scope_of(q))


_WHOLE = re.compile(r"共计|合计|总计|一共|总共|共")
CUMULATIVE = re.compile(r"累计|截至|截止|历年|至今|以来")  # a running total, not the year's figure
_THIS_YEAR = re.compile(r"当年|本年|新增|全年")


def scope_of(q: str) -> str | None:
    """Whether the question asks a running total (累计, 截至…) or this year's figure (当年, 新增)."""
    if CUMULATIVE.search(q):
        return "cumulative"
    if re.search(r"当年|本年|新增", q):
        return "this_year"
    return None


def split_asks(q: str, terms: list[str], n: int, unit: str | None) -> list[Ask]:
    """One Ask per 多少/几 when each stands in its own clause and there are as many as values asked
    ("共…多少条？其中…多少条？", "…多少条？占比多少？"); [] otherwise (the values are then taken in order)."""
    marks = list(re.finditer(_ASK + r"(?!少数)", q))
    each = _EACH.search(q)
    if each and len(marks) == 1 and n >= 2 and len(each_items(each.group(1))) == n:
        # "同意公开和不予公开各有几件": one ask per item, each with the shared tail ("有几件")
        return [Ask(item + each.group(2), asked_unit(each.group(2)) or unit, [t for t in terms if t in item])
                for item in each_items(each.group(1))]
    if len(marks) < 2 or len(marks) != n:
        return []
    asks: list[Ask] = []
    start = 0
    for k, m in enumerate(marks):
        # The ask's clause runs to the end of its phrase: "发布了多少篇政策解读稿件？" names its noun after.
        limit = marks[k + 1].start() if k + 1 < len(marks) else len(q)
        stop = re.search(r"[？?，,；;。]", q[m.end() : limit])
        if stop:
            end = m.end() + stop.start()
        else:  # two asks in one phrase ("由年初的多少家精简至多少家"): each ends at its unit
            tail = re.match(rf"\s*(?:万|亿)?(?:{_UNIT_ALT})?", q[m.end() :])
            end = m.end() + (tail.end() if tail else 0)
        clause = q[start:end]
        own_unit = asked_unit(clause) if re.search(_ASK, clause) else None
        if own_unit is None and not any(w in clause for w in _RATE_WORDS):
            own_unit = unit if not asks else asks[-1].unit
        own_terms = [t for t in terms if t in clause]
        asks.append(Ask(clause, own_unit, own_terms, whole=bool(_WHOLE.search(clause)) and "其中" not in clause,
                        part="其中" in clause))
        start = end
    if any(a.part for a in asks) and not any(a.whole for a in asks):
        asks[0].whole = True  # "…多少条？其中…多少条？": the first is the whole
    return asks


# Nouns every statistic of these reports shares: they never tell one number from another.
_GENERIC_HEADS = set(
    "申请 信息 政府 政府信息 公开 全省 全市 全县 各级 各类 案件 数量 总数 金额 总金额 总额 件数 次数 人数 条数 情况 数据 "
    "数字 合计 总计 共计 累计 不少 至少 最少 最多 "
    "年报 年度报告 本年 全年 今年 当年 本年度 低于 不低于 少于 不少于 超过 达到 以上 以下".split()
)
# A quoted name followed by one of these is the name of a channel or account ("“桃江县人民政府门户网”微信
# 公众号"): it says whose channel, and the noun after it is what is counted.
_NAMED_CHANNEL = re.compile(r"^(?:微信|公众号|微博|抖音|头条|快手|视频号|客户端|APP|网站|门户网站|热线|信箱|平台)")


# A head that is only half of its phrase ("予以" of 予以公开): the phrase it opens in the question.
BOUND_HEADS = {"予以": "予以公开", "同意": "同意公开", "不予": "不予公开", "部分": "部分公开", "主动": "主动公开",
               "无法": "无法提供", "结果": "结果纠正"}


# Verbs that govern a whole list of counts ("汇总自治区14个地州市、41个部门"): they say what was done to
# every number of the sentence, so none of them tells the asked number from its neighbours.
GOVERNING_VERBS = set(
    "汇总 推送 发布 公布 公开 受理 收到 接收 组织 开展 处理 办理 制发 印发 通过 涉及 回复 答复 编制 梳理 设立 举办 召开 "
    "完成 组建 设置 形成 审议 发送 报送 更新 录入 转办 共有 包括 组成 主要 相关".split()
)


# A body's name at the start of a question, up to its last kind word: what is left is no part of a name.
_BODY_NAME = re.compile(r"^[\u4e00-\u9fff]*(?:人民政府|"
                        r"政府|管理委员会|管委会|委员会|办公室|办公厅|局|厅|委|部|街道|镇|乡|县|区|市|省|州|旗|盟)")
_MEASURE_SUFFIX = "[率量]"  # 答复率, 阅读量: a rate or volume of the verb before it

_BODY_TAIL = r"(?:局|厅|委员会|委|办公室|办|署|中心|管委会|政府|街道|镇|乡|区|县|市|州|省|旗)"


def _is_noun(term: str, question: str = "") -> bool:
    """A head candidate: not a governing verb, not tokenizer debris (县共), and not part of a body's or
    place's name (自然资源 of 自然资源局, 徐水 of 徐水区): those name the report, not the number."""
    if term in GOVERNING_VERBS or term.endswith("共") or re.search(_BODY_TAIL + "$", term):
        return False
    if re.search(rf"[、和及与]{re.escape(term)}|{re.escape(term)}[、和及与]", question):
        return False  # one of a list the question sums ("门户网站、微信、微博共发布…")
    return not re.search(re.escape(term) + r"[\u4e00-\u9fff]{0,3}?" + _BODY_TAIL + r"(?![\u4e00-\u9fff]{0,2}(?:信息|公开))",
                         question)


def _last_head(text: str, terms: list[str], question: str = "") -> str | None:
    """The specific noun written last in ``text``, grown over the terms right beside it: the
    tokenizer cuts 行政规范性文件 into 行政 / 规范性 / 文件, and the head is the whole compound."""
    spans: list[tuple[int, int]] = []
    for t in terms:
        # A verb with a measure suffix is a noun: 答复率, 发布量 name what is counted.
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(t) + _MEASURE_SUFFIX, text)]
        if t in _GENERIC_HEADS or (t not in BOUND_HEADS and not _is_noun(t, question)):
            continue
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(t), text)]
    if not spans:
        return None
    a, b = max(spans, key=lambda sp: (sp[1], sp[1] - sp[0]))
    grown = True
    while grown:
        grown = False
        for s, e in spans:
            if e == a or s == b or (s < a < e) or (s < b < e):
                a, b, grown = min(a, s), max(b, e), grown or (s < a or e > b)
    best = text[a:b]
    if best in BOUND_HEADS:
        return BOUND_HEADS[best] if BOUND_HEADS[best] in text else None
    return best


# The object every application count shares: a question with no more specific head that counts
# applications ("全区共办理政府信息公开申请多少件") is answered only by a number that counts them, not by a
# neighbouring 行政许可 or 行政处罚 count of the same unit.
APPLICATION = "申请"
# Verbs whose object, when the question names none ("全省受理了多少件"), is the report's own subject: an
# application for government information. The report's other counts of the same verb name their own
# object (受理…行政复议案件, 受理…行政诉讼案), so the implied head tells them apart.
APPLICATION_VERBS = ("受理", "收到", "接收", "新收")  # one act: the reports use them for the same count
IMPLIED_OBJECT = dict.fromkeys(APPLICATION_VERBS, APPLICATION)
# The counted unit of an application; a question in another unit asks something else.
APPLICATION_UNIT = "件"


def object_head(q: str, terms: list[str], unit: str | None) -> tuple[str | None, bool]:
    """The head of a question that names no specific noun: the application it counts, named
    ("…办理政府信息公开申请多少件") or implied by a bare verb ("本年共收到多少件"); and whether it is implied.
    None when the ask has a specific word the head reader did not take ("结转下年办理的…申请"): the
    application is then not what tells its number apart."""
    m = re.search(_ASK, q)
    if not m or unit not in (APPLICATION_UNIT, None):
        return None, False
    clause = re.split(r"[，,。？?；;]", q[: m.start()])[-1]
    if any(t in clause and not _shared_word(t) for t in terms):
        return None, False
    if APPLICATION in clause:
        return APPLICATION, False
    verb = next((v for v in IMPLIED_OBJECT if v in clause), None)
    return (IMPLIED_OBJECT[verb], True) if verb else (None, False)


def _shared_word(term: str) -> bool:
    """A word every statistic of its kind shares: generic nouns, governing verbs, application words, a whole area."""
    return (term in _GENERIC_HEADS or term in GOVERNING_VERBS or term in IMPLIED_OBJECT
            or any(term in w for w in ("政府信息公开申请", "依申请公开")) or bool(WHOLE_AREA.fullmatch(term)))


def head_term(q: str, terms: list[str]) -> str | None:
    """The noun that tells the asked number from its neighbours: the counted noun after the ask
    ("汇总了多少个自治区人民政府部门" -> 部门 … when it is specific), else the specific noun written last
    before the ask in its clause ("行政诉讼案件中败诉多少件" -> 败诉, "通过政府公报公开的政府信息有多少条" ->
    公报). Verbs (汇总, 推送) and words every statistic shares (申请, 信息) are no heads."""
    m = re.search(_ASK, q)
    if not m:
        return None
    quoted = [x for x in re.finditer(r"[“\"「]([^”\"」]{2,20})[”\"」]", q[: m.start()])
              if not _NAMED_CHANNEL.match(q[x.end() :])]
    if quoted:  # the asker's own exact label ("因“申请信息不存在”而无法提供的…") says it best
        return quoted[-1].group(1)
    q = re.sub(r"[（(][^）)]*[）)]", lambda p: " " * len(p.group(0)), q)  # an aside "（主要为…）" names no head
    clause_start = max([c.end() for c in re.finditer(r"[，,。？?；;]", q[: m.start()])] or [0])
    clause_end = next((c.start() for c in re.finditer(r"[，,。？?；;]", q[m.end() :])), len(q) - m.end()) + m.end()
    counted = re.match(rf"{_ASK}\s*(?:万|亿)?(?:{_UNIT_ALT})?(.*)", q[m.start() : clause_end])
    after = _last_head(counted.group(1), terms, q) if counted else None
    if after:
        return after
    # "通州区中仓街道2025年依申请公开有几次": the body named before the year names the report, not the
    # number; what follows the body there is the asked channel ("…镇人民政府微信公众号2025年公开了…").
    year = re.search(r"(?:19|20)\d{2}\s*年度?", q[clause_start : m.start()])
    if not year:
        return _last_head(q[clause_start : m.start()], terms, q)
    after_year = _last_head(q[clause_start + year.end() : m.start()], terms, q)
    before_year = _BODY_NAME.sub("", q[clause_start : clause_start + year.start()])
    return after_year or _last_head(before_year, terms, q)


def asks_apart(question: str) -> list[str]:
    """"A多少件？其中B多少件？" as its asks, each a question of its own ("其中" dropped: the report is the
    first ask's), or [] when it is not such a question. For a question whose values do not stand in one
    passage (a table's total and a sentence's part)."""
    parts = [p.strip("，, ") for p in re.split(r"[？?]", question) if p.strip("，, ")]
    if len(parts) < 2 or not all(re.search(_ASK, p) for p in parts):
        return []
    return [parts[0] + "？", *[re.sub(r"^其中[，,：:]?", "", p) + "？" for p in parts[1:]]]


def split_question(question: str) -> list[str]:
    """'A多少条？B多少条？' or 'A，和B，分别是多少？' -> one sub-question per report.
    A part without a year takes the previous one ('同年'); a part without the ask takes the tail."""
    q = question.strip()
    pair = re.search(r"(20\d{2})\s*年(?:度)?(?:和|与|及|、)(20\d{2})\s*年(?:度)?", q)
    if pair and re.search("分别|各", q):  # "2023年和2024年收到的申请数量分别是多少" -> one question per year
        rest = re.sub(r"[，,]?(?:分别|各)(?:是|为|有)?", "", q[: pair.start()] + "{year}年" + q[pair.end() :])
        return [rest.format(year=y) for y in pair.groups()]
    parts = [p for p in re.split(r"[？?；;]|，(?:和|以及|与)", q) if p.strip()]
    # Only a question about another year ("2019年…", "同年…") is about another report;
    # "…共多少件？其中…各多少件？" stays one question about one report.
    # A year that is where something goes ("结转到2023年办理", "截至2022年底") is no report's year.
    if len(parts) < 2 or not all(re.search(r"(?<![到至转入])20\d{2}\s*年|同年", p) for p in parts[1:]):
        return [q]
    tail = "是多少" if "分别" in q else ""
    out, last_year = [], None
    for p in parts:
        p = p.strip("，, ")
        p = re.sub(r"[，,]?(分别)?是?多少$", "", p) if tail else p
        if not p:
            continue
        year = re.search(r"(20\d{2})年", p)
        if year:
            last_year = year.group(1)
        elif last_year:
            p = f"{last_year}年" + p.replace("同年", "")
        if not re.search(_ASK, p) and tail:
            p += tail
        out.append(p)
    return out if len(out) >= 2 and all(re.search(_ASK, p) for p in out) else [q]
