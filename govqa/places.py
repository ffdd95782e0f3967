"""Place names: the provinces, the shape of an administrative name, and the names a question states.

Shared by ingest (a report's region) and bot (the places a question names), so that both read
places one way. jieba's place tags (ns) find names the province list does not hold.
"""

from __future__ import annotations

import logging
import re

import jieba
import jieba.posseg

jieba.setLogLevel(logging.WARNING)

PROVINCES = (
    "北京市 天津市 上海市 重庆市 河北省 山西省 辽宁省 吉林省 黑龙江省 江苏省 浙江省 安徽省 福建省 江西省 山东省 "
    "河南省 湖北省 湖南省 广东省 海南省 四川省 贵州省 云南省 陕西省 甘肃省 青海省 台湾省 内蒙古自治区 "
    "广西壮族自治区 西藏自治区 宁夏回族自治区 新疆维吾尔自治区 香港特别行政区 澳门特别行政区"
).split()
# A name ending in an administrative suffix (lazy: the shortest name that ends in one).
PLACE = r"[\u4e00-\u9fff]{2,12}?(?:自治区|自治州|省|市|县|区|旗|盟|州)"
SUFFIXES = ("自治区", "自治州", "省", "市", "县", "区", "旗", "盟", "州")
# Generic words that look like places. Matched as whole words or by a pronoun-like prefix only, so
# real names that start with 新/老/小/城 (新乡市, 老河口市, 小店区) are kept.
_GENERIC_PLACES = set(
    "省市 市县 县区 县市 城市 地市 社区 新区 老区 小区 市区 城区 辖区 地区 园区 景区 开发区 省区 本区 全区".split()
)
NOT_PLACE = re.compile(r"^(全|各|本|我|该|有关|相关|直属|所属|下属|上级|省级|市级|县级)|^(?:" +
                       "|".join(sorted(_GENERIC_PLACES, key=len, reverse=True)) + r")$")
# Words that make a question about a whole area (全市, 各级…), not one body or part of it.
WHOLE_AREA = re.compile(r"全省|全市|全区|全县|全州|全盟|全旗|全镇|全乡|全街道|各级|全[省市县区]各")
_NAME_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|省|市|县|区|旗|盟)$")


def is_place(name: str) -> bool:
    return bool(re.fullmatch(PLACE, name)) and not NOT_PLACE.match(name)


def short_name(region: str) -> str:
    """山西省 -> 山西; "淮安市洪泽区" is matched by its last part too (洪泽区 -> 洪泽)."""
    last = re.split(r"(?<=[省市])", region)[-1] or region
    short = _NAME_SUFFIX.sub("", last)
    return short if len(short) >= 2 else last


def places_in(question: str) -> list[str]:
    """Place names a question states: provinces by full or short name, a name written first or
    right after the year (jieba misses many city names: 保定市, 高平市), and words jieba tags as
    places with an administrative suffix (北京市)."""
    found = [p for p in PROVINCES if p in question or short_name(p) in question]
    for m in re.finditer(r"(?:^|\d{4}\s*年度?)([\u4e00-\u9fff]{2,5}?(?:自治区|自治州|省|市|县|区|州|盟|旗))", question):
        if not NOT_PLACE.match(m.group(1)) and m.group(1) not in found:
            found.append(m.group(1))
    for w in jieba.posseg.cut(question):
        if w.flag == "ns" and is_place(w.word) and w.word not in found:
            found.append(w.word)
    return found
