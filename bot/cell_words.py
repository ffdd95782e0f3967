"""What people call the national tables' rows and columns: a closed vocabulary, kept as data.

The 2019 and 2021 templates (ingest/tables.py) fix every row and column, so a question names a cell in
a small set of ways: 新收 / 收到 / 受理 / 接收 the 本年新收 row, 个人 / 公民 the 自然人 column, 同意公开
the 予以公开 row, and so on. Each phrase below names one row or one column (a few name both: 收费金额
is the 行政事业性收费 row and its one column). ``mentions`` reads a question by longest match, so
"复议后起诉" is the litigation block and not 行政复议, "不予公开" is not 予以公开, and "个人隐私" (a stop
phrase) is not the 自然人 column.

Rows are written as the template's row path without enumerators or notes ("本年度办理结果/部分公开");
columns as one segment of the template's column path ("自然人", "商业企业", "复议后起诉", "结果维持",
"本年制发件数"). A row that is a parent ("本年度办理结果", "本年度办理结果/不予公开") only narrows: a
question that names nothing below it means its 总计 row where the template has one, and otherwise no cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REQUEST = "申请"
ACTIVE = "主动公开"
REVIEW = "复议诉讼"

_R3 = "本年度办理结果"
_WITHHELD = f"{_R3}/不予公开"
_UNABLE = f"{_R3}/无法提供"
_NOT_PROCESSED = f"{_R3}/不予处理"
_OTHER = f"{_R3}/其他处理"

# (table, row path) -> the phrases that name it.
ROW_WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    (REQUEST, "本年新收政府信息公开申请数量"): ("本年新收", "新收", "收到", "受理", "接收", "接到", "新接收", "新受理",
                                                  "办理"),
    (REQUEST, "上年结转政府信息公开申请数量"): ("上年结转", "上年度结转", "上一年结转", "上一年度结转", "去年结转",
                                                "结转上年", "从上年结转", "上年转入", "结转"),
    (REQUEST, _R3): ("办理结果", "办结", "已办结", "办理完毕", "答复", "办理"),
    (REQUEST, f"{_R3}/予以公开"): ("予以公开", "同意公开", "全部公开", "准予公开", "决定公开"),
    (REQUEST, f"{_R3}/部分公开"): ("部分公开", "区分处理"),
    (REQUEST, _WITHHELD): ("不予公开", "不予以公开", "不公开"),
    (REQUEST, f"{_WITHHELD}/属于国家秘密"): ("国家秘密", "涉密"),
    (REQUEST, f"{_WITHHELD}/其他法律行政法规禁止公开"): ("法律行政法规禁止公开", "法律法规禁止公开", "禁止公开"),
    (REQUEST, f"{_WITHHELD}/危及“三安全一稳定”"): ("三安全一稳定", "危及三安全"),
    (REQUEST, f"{_WITHHELD}/保护第三方合法权益"): ("第三方合法权益", "第三方权益", "保护第三方"),
    (REQUEST, f"{_WITHHELD}/属于三类内部事务信息"): ("三类内部事务", "内部事务信息", "内部事务"),
    (REQUEST, f"{_WITHHELD}/属于四类过程性信息"): ("四类过程性信息", "过程性信息"),
    (REQUEST, f"{_WITHHELD}/属于行政执法案卷"): ("行政执法案卷", "执法案卷"),
    (REQUEST, f"{_WITHHELD}/属于行政查询事项"): ("行政查询事项", "查询事项"),
    (REQUEST, _UNABLE): ("无法提供",),
    (REQUEST, f"{_UNABLE}/本机关不掌握相关政府信息"): ("本机关不掌握", "不掌握", "信息不存在"),
    (REQUEST, f"{_UNABLE}/没有现成信息需要另行制作"): ("另行制作", "没有现成信息"),
    (REQUEST, f"{_UNABLE}/补正后申请内容仍不明确"): ("补正后申请内容仍不明确", "内容仍不明确", "申请内容不明确"),
    (REQUEST, _NOT_PROCESSED): ("不予处理",),
    (REQUEST, f"{_NOT_PROCESSED}/信访举报投诉类申请"): ("信访举报投诉", "举报投诉", "信访"),
    (REQUEST, f"{_NOT_PROCESSED}/重复申请"): ("重复申请",),
    (REQUEST, f"{_NOT_PROCESSED}/要求提供公开出版物"): ("公开出版物",),
    (REQUEST, f"{_NOT_PROCESSED}/无正当理由大量反复申请"): ("大量反复申请", "大量反复"),
    (REQUEST, f"{_NOT_PROCESSED}/要求行政机关确认或重新出具已获取信息"): ("重新出具", "已获取信息"),
    (REQUEST, _OTHER): ("其他处理",),
    (REQUEST, f"{_OTHER}/申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"): ("逾期不补正",),
    (REQUEST, f"{_OTHER}/申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"): (
        "未按收费通知", "缴纳费用", "逾期未缴费", "逾期未缴纳"),
    (REQUEST, f"{_R3}/总计"): ("办理结果总计", "办理结果合计"),
    (REQUEST, "结转下年度继续办理"): ("结转下年度继续办理", "结转下一年度继续办理", "结转至下年度继续办理", "结转下年度",
                                      "结转下年", "结转至下年", "结转到下年", "结转下一年", "结转至下一年", "结转到下一年",
                                      "转到下一年", "转入下年", "转入下一年", "下年度继续办理", "下一年度继续办理",
                                      "下年度办理", "下一年度办理", "继续办理", "结转"),
    (REVIEW, "行政复议"): ("行政复议", "复议"),
    (REVIEW, "行政诉讼"): ("行政诉讼", "诉讼", "起诉"),
    (ACTIVE, "规章"): ("规章", "政府规章"),
    (ACTIVE, "规范性文件"): ("行政规范性文件", "规范性文件"),
    (ACTIVE, "行政许可"): ("行政许可", "许可"),
    (ACTIVE, "其他对外管理服务事项"): ("其他对外管理服务事项", "对外管理服务事项", "对外管理服务"),
    (ACTIVE, "行政处罚"): ("行政处罚", "处罚"),
    (ACTIVE, "行政强制"): ("行政强制", "强制"),
    (ACTIVE, "行政事业性收费"): ("行政事业性收费", "事业性收费", "收费金额", "收费"),
    (ACTIVE, "政府集中采购"): ("政府集中采购", "集中采购", "采购项目", "采购总金额", "采购金额", "采购"),
}

# Phrases that name a row only when the question names no other ("法律服务机构提出的申请" is 本年新收, while in
# "予以公开的申请中自然人提出的" the row is 予以公开).
WEAK_ROW_WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    (REQUEST, "本年新收政府信息公开申请数量"): ("提出", "提交", "递交"),
}

# (table, column segment) -> the phrases that name it. 总计 is what a question that names no column means.
COL_WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    (REQUEST, "自然人"): ("自然人", "个人", "公民", "群众"),
    (REQUEST, "法人或其他组织"): ("法人或其他组织", "法人和其他组织", "法人或者其他组织", "法人"),
    (REQUEST, "商业企业"): ("商业企业", "企业"),
    (REQUEST, "科研机构"): ("科研机构", "科研单位", "科研"),
    (REQUEST, "社会公益组织"): ("社会公益组织", "公益组织"),
    (REQUEST, "法律服务机构"): ("法律服务机构", "律师事务所", "律师", "律所"),
    (REQUEST, "其他"): ("其他组织", "其他法人"),
    (REQUEST, "总计"): ("总计", "合计", "共计", "一共", "总共", "总数", "共"),
    (REVIEW, "未经复议直接起诉"): ("未经复议直接起诉", "未经复议", "直接起诉", "直接提起"),
    (REVIEW, "复议后起诉"): ("复议后起诉", "经复议后", "复议后", "经复议"),
    (REVIEW, "结果维持"): ("结果维持", "维持"),
    (REVIEW, "结果纠正"): ("结果纠正", "纠正"),
    (REVIEW, "其他结果"): ("其他结果",),
    (REVIEW, "尚未审结"): ("尚未审结", "未审结", "正在审理", "审理中", "未结"),
    (REVIEW, "总计"): ("总计", "合计", "共计", "一共", "总共", "总数", "共"),
    (ACTIVE, "本年制发件数"): ("本年制发", "制发", "印发", "出台"),
    (ACTIVE, "本年废止件数"): ("本年废止", "废止"),
    (ACTIVE, "现行有效件数"): ("现行有效", "有效"),
    (ACTIVE, "本年处理决定数量"): ("处理决定", "决定"),
    (ACTIVE, "本年收费金额（单位：万元）"): ("收费金额", "金额"),
    (ACTIVE, "本年新制作数量"): ("本年新制作", "新制作", "制作"),
    (ACTIVE, "本年新公开数量"): ("本年新公开", "新公开"),
    (ACTIVE, "对外公开总数量"): ("对外公开总数量", "对外公开总数", "对外公开"),
    (ACTIVE, "上一年项目数量"): ("上一年项目数量", "上一年项目", "上年项目"),
    (ACTIVE, "本年增/减"): ("本年增/减", "增/减", "增减"),
    (ACTIVE, "处理决定数量"): ("处理决定", "决定"),
    (ACTIVE, "采购项目数量"): ("采购项目",),
    (ACTIVE, "采购总金额"): ("采购总金额", "采购金额", "总金额", "金额"),
}

# Phrases that contain a word above and mean something else; matched first, they name nothing.
STOP_PHRASES = ("个人信息", "个人隐私", "规章制度", "公共", "共同", "中共", "共享", "有效期", "有效性", "决定书",
                "许可证", "处罚款", "行政复议、行政诉讼", "行政复议和行政诉讼", "复议诉讼")

# Words left in a question after its cell words that the table cannot answer: a channel, a part of the
# year, a change or a share, another year, or a whole area where a report's table is its own body's.
QUALIFIERS = re.compile(
    r"网上|网络|在线|信函|当面|现场|传真|电子邮件|邮件|电话|来信|来访|窗口"
    r"|季度|上半年|下半年|\d+\s*[-—至到]\s*\d+\s*月|前[一二三四五六七八九十\d]+个?月"
    r"|同比|环比|增长|增加|减少|下降|上升|增幅|降幅|比上年|较上年|比去年|较去年"
    r"|率|比例|占比|百分|平均|人均"
    r"|去年|上年|上一年|前年|累计|历年|以来"
    r"|全省|全市|全州|全盟|全县|全区|全旗|全镇|全乡|各级|各部门|所属|下属|系统"
)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    rows: tuple[tuple[str, str], ...]  # (table, row path) named
    cols: tuple[tuple[str, str], ...]  # (table, column segment) named
    weak: bool = False  # names its row only when nothing else names one (WEAK_ROW_WORDS)


def _lexicon() -> list[tuple[str, Mention]]:
    rows: dict[str, list[tuple[str, str]]] = {}
    cols: dict[str, list[tuple[str, str]]] = {}
    for target, phrases in ROW_WORDS.items():
        for p in phrases:
            rows.setdefault(p, []).append(target)
    for target, phrases in COL_WORDS.items():
        for p in phrases:
            cols.setdefault(p, []).append(target)
    weak: dict[str, list[tuple[str, str]]] = {}
    for target, phrases in WEAK_ROW_WORDS.items():
        for p in phrases:
            weak.setdefault(p, []).append(target)
    words = set(rows) | set(cols) | set(weak) | set(STOP_PHRASES)
    return sorted(((w, Mention(0, 0, tuple(rows.get(w, weak.get(w, ()))), tuple(cols.get(w, ())), w in weak))
                   for w in words), key=lambda x: -len(x[0]))


_LEXICON = _lexicon()


def mentions(text: str) -> list[Mention]:
    """The table words in ``text``, in reading order. Longest first: a word inside a longer one is part
    of it ("下年度继续办理" holds no 办理), while two that overlap are both read ("结转到下一年" +
    "下一年度办理")."""
    taken = [False] * len(text)
    out: list[Mention] = []
    for word, m in _LEXICON:
        for hit in re.finditer(re.escape(word), text):
            a, b = hit.span()
            if all(taken[a:b]):
                continue
            taken[a:b] = [True] * (b - a)
            if m.rows or m.cols:
                out.append(Mention(a, b, m.rows, m.cols, m.weak))
    return sorted(out, key=lambda m: m.start)


def leftover(text: str, found: list[Mention]) -> str:
    """``text`` without its table words: what a qualifier check reads."""
    chars = list(text)
    for m in found:
        chars[m.start : m.end] = [" "] * (m.end - m.start)
    return "".join(chars)
