"""Numbers as these reports write them, parsed to (value, base unit) so they compare by value.

Forms: 1695, 1,695, 1 695 (a space left by extraction), 107.4万, 660.91万元, 1.2亿, 98.7%,
一千六百九十五, 两万, 3千多, 800余条 / 约4900人次 (approximate), full-width digits (normalized
before this). Units are reduced to a base: 万元 -> 元 x 10,000, 万条 -> 条 x 10,000, so
"660.91万元" equals 6609100 元 and "107.4万条" equals 1074000 条.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

from govqa.cells import cells_in_text, is_row_line

# Longest first so "人次" wins over "人", "万元" is split into multiplier + 元.
UNITS = sorted(
    ("件 条次 条 次 篇 个 家 人次 人 项 元 期 场 份 部 名 台 户 所 处 批次 批 例 起 大项 小项 类 本 套 张 封 门 栏目 个次 件次 "
     "天 小时 分钟 工作日 倍 年 月 日 %").split(),
    key=len, reverse=True,
)
_MULT = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
_APPROX_BEFORE = re.compile(r"(约|近|大约|将近|超过|逾|达到近|约为|左右)$")
_APPROX_AFTER = re.compile(r"^(余|多|左右|以上|上下)")

_UNIT_RE = "|".join(map(re.escape, UNITS))
# Thousands separated by commas, or by single spaces when a unit follows ("1 695件"): a bare
# "12 345" is more likely two table columns than one number.
_ARABIC = rf"(?<![\d.])(\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?: \d{{3}})+(?=\s?(?:千|万|亿)?(?:{_UNIT_RE}))|\d+)(?:\.(\d+))?"
_NUMBER = re.compile(
    rf"(?:{_ARABIC}|(?<![{_CN_NUM}])([{_CN_NUM}]{{2,}}|[一二两三四五六七八九十]))"
    rf"\s?(余|多)?\s?(千|万|亿|万亿)?\s?(余|多)?\s?({_UNIT_RE})?"
)


@dataclass(frozen=True)
class Number:
    value: float
    unit: str  # base unit ('' when none)
    text: str  # as written in the source
    start: int
    end: int
    approximate: bool

    def same(self, value: float, unit: str) -> bool:
        return same_value(self.value, self.unit, value, unit)


def same_value(v1: float, u1: str, v2: float, u2: str) -> bool:
    """Equal as amounts: 353.4 万次 is 3,534,000 次 (a multiplier may sit in the unit or in the value)."""
    a, b = v1 * unit_scale(u1), v2 * unit_scale(u2)
    return base_unit(u1) == base_unit(u2) and abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


_SAME_UNIT = {"名": "人"}  # 培训学员18875人 answers 多少名学员


def base_unit(unit: str) -> str:
    """'万元' -> '元', '万条' -> '条': multipliers belong to the value."""
    u = unit or ""
    while u[:1] in ("万", "亿", "千") and len(u) > 1:
        u = u[1:]
    return _SAME_UNIT.get(u, u)


def unit_scale(unit: str) -> float:
    scale = 1.0
    for ch in unit or "":
        if ch in ("万", "亿", "千"):
            scale *= _MULT[ch]
        else:
            break
    return scale


def chinese_to_int(s: str) -> int | None:
    """一千六百九十五 -> 1695, 两万 -> 20000, 十二 -> 12, 三 -> 3 (cn2an; a malformed numeral is None)."""
    if not s or any(ch not in _CN_NUM for ch in s):
        return None
    try:
        value = cn2an.cn2an(s, "normal")
    except (ValueError, KeyError, IndexError):
        return None
    return int(value) if float(value).is_integer() else None


# A figure printed in brackets before its unit ("共有(232818)人次浏览", "政务动态信息(1335)条"): the brackets
# hold the number only, so they are read as spaces. Not an article's number (第(1)条).
_BRACKETED = re.compile(rf"(?<!第)[（(](\d[\d,]*(?:\.\d+)?)[)）](?=\s?(?:千|万|亿)?(?:{_UNIT_RE}))")


def _unbracket(text: str) -> str:
    """``text`` with the brackets around a bracketed figure blanked (offsets unchanged)."""
    return _BRACKETED.sub(lambda m: " " + m.group(1) + " ", text) if "(" in text or "（" in text else text


def parse_numbers(text: str) -> list[Number]:
    out: list[Number] = []
    source, text = text, _unbracket(text)
    for m in _NUMBER.finditer(text):
        whole, frac, cn, approx1, mult, approx2, unit = m.groups()
        if whole is not None:
            value = float(re.sub("[, ]", "", whole) + ("." + frac if frac else ""))
        else:
            # A lone Chinese numeral counts only with a unit ("三项", not the 一 of "统一").
            if not unit or unit in ("年", "月", "日"):
                continue
            iv = chinese_to_int(cn)
            if iv is None:
                continue
            value = float(iv)
        if mult:
            value *= unit_scale(mult)
        unit = unit or ""
        if unit == "%" and mult:
            continue
        approximate = bool(approx1 or approx2) or bool(_APPROX_BEFORE.search(text[max(0, m.start() - 4) : m.start()]))
        end = m.end()
        if not unit and mult is None and approx1 is None:
            end = m.end(2) if frac else m.end(1) if whole is not None else m.end(3)
        approximate = approximate or bool(_APPROX_AFTER.match(text[end : end + 2]))
        written = source[m.start() : end]
        out.append(Number(value, unit, written if written == text[m.start() : end] else text[m.start() : end].replace(" ", ""),
                          m.start(), end, approximate))
    return out


def present_in(value: float, unit: str, quote: str) -> bool:
    """Is (value, unit) stated in ``quote``, in any of its written forms? The verifier's core test.
    A table row (【表N】…｜列=值) states its values in the unit its template gives the column."""
    if any(n.same(value, unit) for n in parse_numbers(quote)):
        return True
    if is_row_line(quote):
        return any(c.value is not None and same_value(*c.base(), value, unit) for c in cells_in_text(quote))
    return False
