"""The rules an annual report is assessed against, and the scorecard's weights: data only, in one place.

A report on year Y is due early in Y+1, so it is held to the rules in force then (``rules_for``):

- 《中华人民共和国政府信息公开条例》（国令第492号，2008年5月1日起施行）: reports on 2008–2018 (the report on
  2018 was due by 2019-03-31, before the revision took effect). 第三十一条 sets the date, 第三十二条 the
  content. There was no national format: the content items are looked for by heading or by content.
- The revision (国令第711号，2019年5月15日起施行): reports on 2019 onward. 第四十九条 sets two dates (a
  department's report by 1月31日, a government's by 3月31日), 第五十条 the content, and lets the national
  office fix one format:
  - 《中华人民共和国政府信息公开工作年度报告格式（试行）》 (国办公开办函〔2019〕60号): reports on 2019 and 2020;
  - its revision (国办公开办函〔2021〕30号, 2021年9月26日): reports on 2021 onward. It splits 其他处理 into
    three rows, redraws the 主动公开 table, asks for 上年度问题整改情况 under 五 and for the 信息处理费
    collected under 六.

The articles are quoted as the 条例 words them (国务院令 texts); the formats' requirements are summarised
(``TEMPLATE_NOTES``), not quoted. Table rows and columns are not repeated here: they are the national
template's, kept once in ingest/tables.py.

Statuses: PASS (通过), FAIL (不通过), UNCERTAIN (不确定: the evidence is missing or cannot decide, never a
guess), NA (不适用: the rule in force did not ask for it). Score: each applicable check's weight times its
credit (PASS 1, UNCERTAIN ``UNCERTAIN_CREDIT``, FAIL 0), over the applicable weight, out of 100; the range
beside it counts every UNCERTAIN as 0 and as 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

PASS, FAIL, UNCERTAIN, NA = "PASS", "FAIL", "UNCERTAIN", "NA"
STATUS_ZH = {PASS: "通过", FAIL: "不通过", UNCERTAIN: "不确定", NA: "不适用"}


@dataclass(frozen=True)
class Article:
    """One provision: where it is and what it says (quoted)."""

    cite: str  # 《条例》（国令第711号）第四十九条
    text: str


LAW_2008 = "《中华人民共和国政府信息公开条例》（2007年国令第492号）"
LAW_2019 = "《中华人民共和国政府信息公开条例》（2019年修订，国令第711号）"
TEMPLATE_2019 = "《中华人民共和国政府信息公开工作年度报告格式（试行）》（国办公开办函〔2019〕60号）"
TEMPLATE_2021 = "《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）"

# Both texts open 第六条 with the same sentence; the national format adds the tables' own sums (勾稽关系).
ART_6_2008 = Article(f"{LAW_2008}第六条", "行政机关应当及时、准确地公开政府信息。")
ART_6_2019 = Article(f"{LAW_2019}第六条", "行政机关应当及时、准确地公开政府信息。")
ART_31_2008 = Article(f"{LAW_2008}第三十一条", "各级行政机关应当在每年3月31日前公布本行政机关的政府信息公开工作年度报告。")
ART_32_2008 = Article(
    f"{LAW_2008}第三十二条",
    "政府信息公开工作年度报告应当包括下列内容：（一）行政机关主动公开政府信息的情况；（二）行政机关依申请公开政府信息和"
    "不予公开政府信息的情况；（三）政府信息公开的收费及减免情况；（四）因政府信息公开申请行政复议、提起行政诉讼的情况；"
    "（五）政府信息公开工作存在的主要问题及改进情况；（六）其他需要报告的事项。")
ART_49_2019 = Article(
    f"{LAW_2019}第四十九条",
    "县级以上人民政府部门应当在每年1月31日前向本级政府信息公开工作主管部门提交本行政机关上一年度政府信息公开工作年度报告"
    "并向社会公布。县级以上地方人民政府的政府信息公开工作主管部门应当在每年3月31日前向社会公布本级政府上一年度政府信息"
    "公开工作年度报告。")
ART_50_2019 = Article(
    f"{LAW_2019}第五十条",
    "政府信息公开工作年度报告应当包括下列内容：（一）行政机关主动公开政府信息的情况；（二）行政机关收到和处理政府信息公开"
    "申请的情况；（三）因政府信息公开工作被申请行政复议、提起行政诉讼的情况；（四）政府信息公开工作存在的主要问题及改进情况，"
    "各级人民政府的政府信息公开工作年度报告还应当包括工作考核、社会评议和责任追究结果情况；（五）其他需要报告的事项。"
    "全国政府信息公开工作主管部门应当公布政府信息公开工作年度报告统一格式，并适时更新。")

# What the national formats require beyond the 条例's words (summaries, not quotations).
TEMPLATE_NOTES = {
    "2019": Article(TEMPLATE_2019, "（概述）年度报告分六部分：一、总体情况；二、主动公开政府信息情况；三、收到和处理政府信息公开"
                                   "申请情况；四、政府信息公开行政复议、行政诉讼情况；五、存在的主要问题及改进情况；六、其他需要报告的"
                                   "事项。二、三、四各附统一格式的统计表，逐行逐列填报。"),
    "2021": Article(TEMPLATE_2021, "（概述）仍为六部分；主动公开统计表改为第二十条第（一）（五）（六）（八）项，“其他处理”分列"
                                   "三行；五须写明上年度问题整改情况；六须报告依据《政府信息公开信息处理费管理办法》收取信息处理费的"
                                   "情况；第五十条第（四）项所列工作考核、社会评议和责任追究结果情况写入一、总体情况的监督保障部分。"),
}


@dataclass(frozen=True)
class Item:
    """A required part of the report, found by a heading that matches ``heading`` or, failing that, by a
    sentence that matches ``content`` (or by a statistical table of kind ``table``)."""

    name: str
    source: str  # where it is required: 第五十条第（一）项, 格式 二 …
    heading: str  # regex on a heading's text
    content: str = ""  # regex on a sentence ("" = a heading is required)
    table: str = ""  # govqa.cells kind whose rows also show the part is there
    absent: str = FAIL  # status when not found
    governments_only: bool = False  # 第五十条第（四）项's 考核、评议、追究: governments' reports only


_PROBLEMS = Item("存在的主要问题及改进情况", "", r"问题|不足|改进|整改",
                 r"存在的?(?:主要)?问题|存在(?:一些|一定的?)?(?:问题|不足|差距)|不足之处|问题和不足")
# 2008 items by content: a sentence about the item itself, not one that merely shares a word with it
# (行政事业性收费 is not the fee for disclosure; 薄弱学校 is not a problem of the report's).
_REQUESTS = (r"(?:依申请|申请公开|公开申请)[^。；]{0,40}\d+\s*(?:件|份|人次)|\d+\s*(?:件|份)[^。；]{0,20}(?:依申请|公开申请)|"
             r"(?:未|没有)(?:收到|受理|发生)[^。；]{0,20}申请")
_FEES = (r"(?:信息公开|依申请|申请人)[^。；]{0,30}(?:收费|收取|费用|减免)|"
         r"(?:收费|收取|费用|减免)[^。；]{0,30}(?:信息公开|依申请)|检索费|复制费|邮寄费")
_OTHER = r"其他需要报告|其他事项|其他需报告"
# The opening's list of the report's parts ("全文包括概述、…等七个方面") names every part without being any of them.
CONTENTS_LIST = r"(?:包括|包含|分为|由)[^。]{0,120}?(?:等)?[一二三四五六七八九十\d]+个?(?:部分|方面)"
ITEMS_2008 = (
    Item("主动公开政府信息的情况", "第三十二条第（一）项", r"主动公开", r"主动公开"),
    Item("依申请公开和不予公开政府信息的情况", "第三十二条第（二）项", r"依申请|申请公开|公开申请", _REQUESTS),
    Item("政府信息公开的收费及减免情况", "第三十二条第（三）项", r"收费|减免|费用", _FEES),
    Item("因政府信息公开申请行政复议、提起行政诉讼的情况", "第三十二条第（四）项", r"复议|诉讼", r"复议|诉讼"),
    Item(_PROBLEMS.name, "第三十二条第（五）项", _PROBLEMS.heading, _PROBLEMS.content),
    # Nothing else may have been worth reporting: its absence is not proof of a gap.
    Item("其他需要报告的事项", "第三十二条第（六）项", _OTHER, r"其他需要报告", absent=UNCERTAIN),
)
ITEMS_2019 = (
    Item("一、总体情况", "格式 一；第五十条", r"总体情况|总体概况|基本情况|工作概况|概述|总体工作"),
    Item("二、主动公开政府信息情况", "格式 二；第五十条第（一）项", r"主动公开", r"主动公开", table="主动公开"),
    Item("三、收到和处理政府信息公开申请情况", "格式 三；第五十条第（二）项", r"收到和处理|依申请|申请情况|处理政府信息公开申请",
         r"(?:收到|受理|新收|办理)[^。；]{0,20}申请", table="申请"),
    Item("四、政府信息公开行政复议、行政诉讼情况", "格式 四；第五十条第（三）项", r"复议|诉讼", r"行政复议|行政诉讼",
         table="复议诉讼"),
    Item("五、存在的主要问题及改进情况", "格式 五；第五十条第（四）项", _PROBLEMS.heading, _PROBLEMS.content),
    Item("六、其他需要报告的事项", "格式 六；第五十条第（五）项", _OTHER, r"其他需要报告"),
    Item("工作考核、社会评议和责任追究结果情况", "第五十条第（四）项（各级人民政府）", r"考核|评议|责任追究",
         r"工作考核|绩效考核|考核评估|考核评价|纳入[^。；]{0,12}考核|社会评议|群众评议|评议|责任追究|追究责任",
         governments_only=True),
)
ITEMS_2021 = (*ITEMS_2019, Item("收取信息处理费情况", "格式（2021）六", r"信息处理费", r"信息处理费|处理费"))


@dataclass(frozen=True)
class Rules:
    """The obligations of one era: the deadline article, the content article, the format (if any)."""

    key: str  # 2008 | 2019 | 2021
    name: str  # as users read it
    first_year: int  # the first report year held to these rules
    deadline: Article
    content: Article
    items: tuple[Item, ...]
    template: str | None  # ingest/tables.py's template key, None before there was a national format
    accurate: Article  # 第六条: disclosed information is accurate (the audit's checks)
    problems: str  # the content article's item on 存在的主要问题及改进情况
    template_note: Article | None = None
    rectify: bool = False  # 五 must answer the previous report's problems (2021 format)


RULES = (
    Rules("2008", "2008年《条例》（国令第492号）", 2008, ART_31_2008, ART_32_2008, ITEMS_2008, None, ART_6_2008, "第（五）项"),
    Rules("2019", "2019年修订《条例》（国令第711号）＋2019年年度报告格式", 2019, ART_49_2019, ART_50_2019, ITEMS_2019, "2019",
          ART_6_2019, "第（四）项", TEMPLATE_NOTES["2019"]),
    Rules("2021", "2019年修订《条例》（国令第711号）＋2021年年度报告格式", 2021, ART_49_2019, ART_50_2019, ITEMS_2021, "2021",
          ART_6_2019, "第（四）项", TEMPLATE_NOTES["2021"], rectify=True),
)
# The format's request table states its own sum in its header (勾稽关系); the audit checks it and the others.
TABLE_SUMS = ("统计表：“本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和”；各项之和等于总计；"
              "正文中的数字与表格一致（govqa audit 的核查规则）")
FIRST_YEAR = RULES[0].first_year  # the 条例 took effect on 2008-05-01: reports on 2008 were the first


def rules_for(year: int) -> Rules | None:
    """The rules in force when the report on ``year`` was due; None before the 条例."""
    fitting = [r for r in RULES if r.first_year <= year]
    return fitting[-1] if fitting else None


# Deadlines: (month, day) of year Y+1, by era and by who publishes. Under 第四十九条 a township's or a
# zone's report has no date of its own (the article names 县级以上 departments and governments only).
@dataclass(frozen=True)
class Deadline:
    when: tuple[int, int] | None  # (month, day) in the year after the report year; None: the article sets none
    who: str  # the issuer kind the article names, as users read it


def deadline_for(rules: Rules, level: str | None) -> Deadline:
    """The deadline for an issuer of ``level`` (govqa.types.Level values), or when=None with the reason."""
    if rules.key == "2008":
        return Deadline((3, 31), "各级行政机关")
    if level == "department":
        return Deadline((1, 31), "县级以上人民政府部门")
    if level in ("province", "city", "county"):
        return Deadline((3, 31), "县级以上地方人民政府（由其政府信息公开工作主管部门公布）")
    if level in ("township", "zone"):
        return Deadline(None, "乡镇（街道）或开发区：第四十九条未规定其公布时限")
    return Deadline(None, "发布机关的级别未识别")


EARLIEST, LATEST = (1, 31), (3, 31)  # the two dates of 第四十九条: bounds when the issuer's kind is unknown


def due(year: int, when: tuple[int, int]) -> date:
    return date(year + 1, *when)


# A stored text shorter than this is read as an excerpt (a page's opening, a quoted passage): the shortest
# complete reports in the corpora run to some 2,000 characters, and the national format's four tables alone
# render to more than this.
MIN_FULL_CHARS = 1500

# -- candour ---------------------------------------------------------------------------------------
# A problem is specific when it names something a reader could check: a count, a document, a named unit
# or a concrete failure. Phrases that fit any report ("有待提高", "还有差距") are not.
SPECIFIC = (
    r"\d+(?:\.\d+)?\s*(?:个|件|条|家|项|次|篇|人|天|%|个百分点)",
    r"《(?!(?:中华人民共和国)?政府信息公开条例》|条例》)[^》]{2,40}》",  # a document named, other than the 条例 itself
    r"[\u4e00-\u9fff]{1,6}(?:局|厅|委员会|办公室|署)(?:在|的|等|存在|对|未)|[\u4e00-\u9fff]{1,4}等(?:部门|单位)",
    r"(?:未|没有|未能)(?:及时|按时|按期)?(?:更新|公开|答复|回复|发布|回应|整改|办理|公布)",
    r"逾期|超期|超过法定期限|错误|错别字|空白栏目|不良链接|链接失效|僵尸|被(?:纠正|撤销|确认违法)|败诉|投诉|举报",
    r"更新过慢|更新不及时|职能重叠|不愿公开|重复(?:发布|建设)",
)
GENERIC = (
    r"有待(?:进一步)?(?:提高|提升|加强|完善|改进|深化|规范|增强)",
    r"(?:存在|还有|仍有|仍存在)(?:一定|一些)?(?:的)?差距",
    r"不够(?:全面|深入|及时|规范|完善|到位|丰富|主动|高|强)",
    r"(?:还|仍|尚)需(?:进一步)?(?:加强|提高|提升|完善)",
)
PROBLEM_WORDS = r"问题|不足|薄弱|差距|有待|不够|不高|不强|滞后|不到位|不平衡|欠缺|还需|仍需|尚需|亟待|不及时|不规范|不完善"
# A sentence that announces what will be done is a measure, not a problem, whatever it mentions.
MEASURE_LEAD = r"^(?:针对|下一步|今后|\d{4}年[，,]?(?:我们|我市|我区|我县|我省|我局)?将)|(?:抓好|做好)以下(?:几项)?工作"
# The sentence that opens the part by praising the year ("取得一定成效，但…仍存在一定差距") names no problem.
LEAD_IN = r"取得[^。；]{0,12}(?:成效|成绩|进展)"
COPIED_SHARE = 0.5  # share of the problem sentences repeated from the previous report at which they count as copied
RECTIFY = (r"(?:上|上一|前一)年度?[^。；\n]{0,16}问题[^。；\n]{0,12}整改|"
           r"整改[^。；\n]{0,16}(?:上|上一|前一)年度?[^。；\n]{0,12}问题|"
           r"\d{4}年度?(?:年报|年度报告)?[^。；\n]{0,12}(?:指出|存在|提出)的?问题[^。；\n]{0,12}整改")
ANSWERED_SHARE = 0.4  # share of a previous problem's own words the rectification must repeat to answer it
# Words every problem uses; they say nothing about which problem is meant.
COMMON_WORDS = ("政府信息公开", "政务公开", "信息公开", "政府信息", "工作", "进一步", "存在", "问题", "有待", "提高", "提升",
                "加强", "不够", "还需", "仍需", "方面", "水平", "能力", "情况", "一定", "差距", "需要", "不足")

# -- scorecard ---------------------------------------------------------------------------------------
UNCERTAIN_CREDIT = 0.5
# The ranking puts first the reports whose checks decided at least this share of their weight; an excerpt
# whose every check is UNCERTAIN scores 50 on nothing proven and is ranked after them, as 证据不足.
MIN_DECIDED = 0.5


@dataclass(frozen=True)
class CheckSpec:
    key: str
    group: str  # 及时 | 完整 | 一致 | 坦诚
    name: str
    weight: float
    what: str = field(default="")  # one line: what it asks


CHECKS = (
    CheckSpec("on_time", "及时", "按时公布", 20, "原文的发布日期不晚于适用条例规定的时限"),
    CheckSpec("sections", "完整", "必备内容", 20, "条例（及年度报告格式）要求的各部分都在，按标题或内容认定"),
    CheckSpec("tables", "完整", "统计表", 10, "格式规定的四张统计表都在，且行、列齐全（2019年起）"),
    CheckSpec("blanks", "完整", "空白单元格", 5, "统计表没有空白或非数字的单元格（空白不是0）"),
    CheckSpec("consistent", "一致", "勾稽关系", 20, "核查（govqa audit）的结果：不符为不通过，无法核对为不确定"),
    CheckSpec("specific", "坦诚", "问题具体", 10, "“存在的主要问题”写出可核实的具体问题，而不只是套话"),
    CheckSpec("not_copied", "坦诚", "问题非照搬", 10, "“存在的主要问题”不是照抄同一单位上一年度的报告"),
    CheckSpec("rectified", "坦诚", "上年度问题整改", 5, "逐条回应上一年度报告所列问题的整改情况（2021年格式起）"),
)
CHECK_BY_KEY = {c.key: c for c in CHECKS}
GROUPS = ("及时", "完整", "一致", "坦诚")
