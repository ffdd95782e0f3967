"""The number parser, on every form the reports use. Expected values written by hand."""

from __future__ import annotations

import pytest

from bot.numbers import chinese_to_int, parse_numbers, present_in, same_value
from govqa.text import normalize_text


@pytest.mark.parametrize("text,value,unit,approx", [
    ("全省共受理政府信息公开申请1695件", 1695, "件", False),
    ("共受理申请1,695件", 1695, "件", False),
    ("主动公开政府信息107.4万条", 1_074_000, "条", False),
    ("支出660.91万元", 6_609_100, "元", False),
    ("总投资1.2亿元", 120_000_000, "元", False),
    ("答复率为98.7%", 98.7, "%", False),
    ("共受理一千六百九十五件", 1695, "件", False),
    ("培训两万人", 20_000, "人", False),
    ("办理3千多件", 3000, "件", True),
    ("发布信息800余条", 800, "条", True),
    ("服务群众约4900人次", 4900, "人次", True),
    ("采购金额1238.24 万元", 12_382_400, "元", False),  # space left by PDF extraction
    ("共受理申请1 695件", 1695, "件", False),  # space as thousands separator
    ("十二项", 12, "项", False),
])
def test_forms(text, value, unit, approx):
    n = parse_numbers(text)[-1]
    assert (n.value, n.unit, n.approximate) == (value, unit, approx)


def test_fullwidth_digits_after_normalization():
    n = parse_numbers(normalize_text("受理申请１６９５件"))[0]
    assert (n.value, n.unit) == (1695, "件")


def test_two_numbers_in_order():
    assert [n.value for n in parse_numbers("由年初的1159家精简至508家")] == [1159, 508]


def test_table_columns_are_not_glued():
    assert [n.value for n in parse_numbers("12 345 678")] == [12, 345, 678]


def test_chinese_numerals():
    assert chinese_to_int("一千六百九十五") == 1695
    assert chinese_to_int("两万") == 20000
    assert chinese_to_int("十") == 10
    assert chinese_to_int("三百零五") == 305
    assert parse_numbers("统一平台") == []  # the 一 of 统一 is no number


def test_unit_scaling_compares_by_value():
    assert same_value(660.91 * 10_000, "元", 6_609_100, "元")
    assert same_value(353.4, "万次", 3_534_000, "次")  # the multiplier in the unit, as a gold may write it
    assert not same_value(353.4, "万次", 353.4, "次")
    assert present_in(6_609_100, "元", "支出660.91万元。")
    assert present_in(1_074_000, "条", "主动公开政府信息107.4万条")
    assert not present_in(1_074_000, "件", "主动公开政府信息107.4万条")
    assert not present_in(99999, "件", "全省共受理政府信息公开申请1695件")
