"""Pure ingest pieces: normalization, decoding, metadata, chunking."""

from __future__ import annotations

import pytest

from govqa.text import normalize_text, squash
from ingest.chunking import chunk_document
from ingest.errors import IngestError
from ingest.loaders import load
from ingest.metadata import extract_metadata
from tests.conftest import DEMO


def test_fullwidth_digits_and_spaces_are_normalized():
    assert normalize_text("共受理申请１６９５件，答复率为９８．７％") == "共受理申请1695件，答复率为98.7%"
    assert normalize_text("采购总金额\u00a01238.24 万元，减少至 1937 个") == "采购总金额1238.24万元，减少至1937个"
    assert normalize_text("２０１９\u3000年") == "2019年"


def test_digit_groups_stay_apart_but_match_whitespace_insensitively():
    text = normalize_text("邮编 230 000023 号")
    assert "230 000023" in text  # table columns in extracted text are never glued together
    assert squash("230000023") in squash(text)


# Values below were read by a person from each demo document.
DEMO_META = {
    "000_e718e0343c84cd48.txt": {"region": "山西省", "year": 2017, "kind": "annual_report", "issuer": "山西省人民政府办公厅"},
    # The title names the body (高平市人民政府); "由高平市人民政府办公室负责编制" names who compiled it.
    "001_8828d0bea7d12cc7.txt": {"region": "高平市", "year": 2016, "kind": "annual_report", "issuer": "高平市人民政府",
                                 "compiled_by": "高平市人民政府办公室", "level": "county"},
    "002_8bd63bc0f1252708.txt": {"region": "山西省", "year": 2018, "kind": "work_plan", "issuer": "山西省人民政府办公厅",
                                 "published": "2018-07-24"},
    "003_24be5d677ff59441.txt": {"region": "抚顺市", "year": 2017, "kind": "annual_report"},
    "004_310afe22019c54a7.txt": {"region": "山西省", "year": 2019, "kind": "annual_report", "issuer": "山西省人民政府办公厅"},
}


@pytest.mark.parametrize("name", sorted(DEMO_META))
def test_metadata_of_demo_documents(name):
    meta = extract_metadata(normalize_text(load(DEMO / name, 10**8)))
    for key, expected in DEMO_META[name].items():
        assert getattr(meta, key) == expected, (name, key, meta)


def test_missing_metadata_stays_empty():
    # The Fushun report names no issuer and carries no title: nothing may be invented.
    meta = extract_metadata(normalize_text(load(DEMO / "003_24be5d677ff59441.txt", 10**8)))
    assert meta.issuer is None and meta.title is None


def test_chunks_quote_the_document_exactly_and_stay_small():
    text = normalize_text(load(DEMO / "000_e718e0343c84cd48.txt", 10**8))
    chunks = chunk_document("d", text, 320, 64, 500)
    assert len(chunks) > 5
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert max(len(c.text) for c in chunks) <= 500
    # The headline sentence is whole inside one chunk.
    assert any("全省共受理政府信息公开申请1695件" in c.text for c in chunks)


def test_one_giant_sentence_is_cut_under_the_cap():
    text = "，".join(["各级各部门主动公开政府信息若干条"] * 200) + "。"
    chunks = chunk_document("d", text, 320, 64, 500)
    assert len(chunks) > 1 and max(len(c.text) for c in chunks) <= 500
    assert "".join(c.text for c in chunks) == text


def test_gbk_file_is_decoded(tmp_path):
    p = tmp_path / "report.txt"
    p.write_bytes("2017年，全市共受理政府信息公开申请35件。".encode("gbk"))
    assert "受理政府信息公开申请35件" in load(p, 10**6)


def test_html_tags_are_stripped(tmp_path):
    p = tmp_path / "r.html"
    p.write_text("<html><head><title>某市2020年政府信息公开工作年度报告</title><style>p{}</style></head>"
                 "<body><p>全市主动公开政府信息<b>1,234</b>条。</p><script>var x=1</script></body></html>", encoding="utf-8")
    text = load(p, 10**6)
    assert "全市主动公开政府信息1,234条。" in text and "var x" not in text and "p{}" not in text


@pytest.mark.parametrize("content,reason", [(b"", "为空"), (b"\x00\x01\x02PK\x03\x04" * 100, "二进制")])
def test_bad_files_name_the_reason(tmp_path, content, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(IngestError) as err:
        load(p, 10**6)
    assert reason in err.value.reason and err.value.path == str(p)


def test_real_names_that_start_like_generic_words_are_kept():
    text = normalize_text("新乡市人民政府2019年政府信息公开工作年度报告\n本报告由新乡市人民政府办公室编制。全市共受理申请35件。")
    meta = extract_metadata(text)
    assert meta.region == "新乡市" and meta.year == 2019 and meta.issuer == "新乡市人民政府"
    assert meta.compiled_by == "新乡市人民政府办公室" and meta.level == "city"


@pytest.mark.parametrize("city", ["保定市", "通化市", "襄阳市"])  # jieba tags these n / j, or splits 襄阳/市
def test_region_without_an_issuer_line_comes_from_the_government_named_in_the_text(city):
    text = normalize_text(f"2017年政府信息公开工作年度报告\n2017年,全市各级政府主动公开政府信息6万条。"
                          f"{city}人民政府门户网站发布信息1200条。{city}人民政府常务会议研究政务公开工作。")
    assert extract_metadata(text).region == city


# Identities read by a person from real published pages (data/real/pages), one per kind of issuer.
REAL_IDENTITIES = {
    # township: "冯三镇人民政府2020年政府信息公开工作年度报告", "现公布开阳县冯三镇人民政府…"
    "p_63b46918.txt": {"region": "开阳县冯三镇", "level": "township", "year": 2020},
    # department of a province, title "江苏省交通运输厅2023年政府信息公开工作年度报告"
    "p_b01d61df.txt": {"region": "江苏省", "issuer": "江苏省交通运输厅", "level": "department",
                       "dept_level": "province", "year": 2023},
    # development zone, title "重庆黔江高新技术产业开发区管理委员会2025年政府信息公开工作年度报告"
    "p_56496471.txt": {"region": "重庆黔江高新技术产业开发区", "issuer": "重庆黔江高新技术产业开发区管理委员会",
                       "level": "zone", "year": 2025},
    # crawler header block: "标题: 2008年高青县畜牧局政府信息公开工作年度报告" (year before the body)
    "p_39b1190e.txt": {"region": "高青县", "issuer": "高青县畜牧局", "level": "department", "dept_level": "county",
                       "year": 2008},
    # "来源 : 深圳市福田区集体经济发展服务署" under a title that names only "区集体经济发展服务署"
    # (福田区 is one district in the gazetteer: its canonical name; 深圳市福田区 as written stays an alias)
    "p_0baa2c34.txt": {"region": "福田区", "issuer": "福田区集体经济发展服务署", "level": "department",
                       "dept_level": "county", "year": 2021},
    # split title: "平阳县水头镇2008年政府信息公开工作\n年度报告"; parents from the gazetteer
    "p_df89bf16.txt": {"region": "平阳县水头镇", "level": "township", "year": 2008,
                       "title": "平阳县水头镇2008年政府信息公开工作年度报告", "parents": ["浙江省", "温州市"]},
    # no title: "如对本年报有疑问,请与兴安盟生态环境局办公室联系" and "我局…"
    "p_43819e49.txt": {"region": "兴安盟", "issuer": "兴安盟生态环境局", "level": "department", "year": 2022},
    # no title: "2010年,县卫生局政府信息公开工作…" with 临邑县 the one county named
    "p_4a91329b.txt": {"region": "临邑县", "issuer": "临邑县卫生局", "level": "department", "dept_level": "county"},
    # a zone's office by its kind ("2025年,区管委会办公室坚持…"), the zone named by its portal
    "p_e0092f2e.txt": {"region": "长兴岛经济技术开发区", "issuer": "长兴岛经济技术开发区管委会办公室", "level": "zone"},
}


@pytest.mark.parametrize("name", sorted(REAL_IDENTITIES))
def test_identity_of_real_reports_of_each_issuer_kind(name):
    path = DEMO.parent / "real" / "pages" / name
    meta = extract_metadata(normalize_text(load(path, 10**8)))
    for key, expected in REAL_IDENTITIES[name].items():
        assert getattr(meta, key) == expected, (name, key, meta)
    assert meta.why("region"), "the line the region was read from is kept"


# Reports whose opening never names the body (ingest/self_named.py): synthetic texts of each kind.
_STATS = "\n二、主动公开政府信息情况\n第二十条第(一)项\n"


@pytest.mark.parametrize("text, expected", [
    # the contact is the body's own office, and the text speaks as a 局
    ("如对本年报有疑问,请与兴安盟生态环境局办公室联系(电话:0482-1)。\n一、总体情况\n2022年度,我局门户网站主动公开信息579条。",
     {"issuer": "兴安盟生态环境局", "region": "兴安盟", "level": "department"}),
    # the government's office as contact, the text speaking for the whole city: the government
    ("本报告由概述等组成。如对本报告有疑问,请与潍坊市人民政府办公室联系(地址:潍坊市胜利东街99号)。\n全市政府系统公开信息。",
     {"issuer": "潍坊市人民政府", "region": "潍坊市", "level": "city"}),
    # a generic self-name completed by the one county the text names
    ("一、总体情况\n2021年,县统计局积极加强网站建设。按《平武县人民政府办公室关于…的通知》要求。我局公开信息73条。",
     {"issuer": "平武县统计局", "region": "平武县", "level": "department", "year": 2021}),
    # …but two counties named: which one is not said, only the kind of body
    ("一、总体情况\n2021年,县统计局积极加强网站建设。学习平武县、梓潼县的做法。我局公开信息73条。",
     {"issuer": None, "region": None, "level": "department"}),
    # a zone by its generic name only: a zone, its name unknown
    ("一、总体情况\n2021年,经开区坚持做好依申请公开工作,第一时间完成开发区管委会各部门简介更新。",
     {"issuer": None, "region": None, "level": "zone"}),
    # a zone's office by its kind, the zone named once (its portal)
    ("一、总体情况\n2025年,区管委会办公室坚持公开为常态。全年依托长兴岛经济技术开发区门户网站发布信息1287条。",
     {"issuer": "长兴岛经济技术开发区管委会办公室", "region": "长兴岛经济技术开发区", "level": "zone"}),
    # a street as the subject of the year, its 办事处 named in the text
    ("一、总体情况\n2025年中仓街道积极推动政府信息公开工作。公示了中仓街道办事处2024年度部门决算。",
     {"issuer": "中仓街道办事处", "region": "中仓街道", "level": "township"}),
    # a district government speaking as 我区
    ("一、情况概述\n现将2013年我区政府信息公开工作开展情况公布如下:我区领导高度重视。区政府成立了中站区人民政府信息中心。",
     {"issuer": "中站区人民政府", "region": "中站区", "level": "county"}),
    # a zone's department is not the zone: its name is not given, so nothing is said
    ("一、总体情况\n2021年,高新区财政局坚持公开为常态。我局公开信息12条。",
     {"issuer": None, "region": None, "level": None}),
    # a department that says 我局 is no government, though it says 我区
    ("现将2013年我区卫生工作报告如下:我局领导高度重视。区政府成立了中站区人民政府信息中心。",
     {"issuer": None, "region": None}),
])
def test_body_read_from_how_the_report_speaks_of_itself(text, expected):
    meta = extract_metadata(text + _STATS)
    for key, value in expected.items():
        assert getattr(meta, key) == value, (key, getattr(meta, key), meta.evidence)


def test_joint_notice_of_party_and_government_offices_is_the_areas():
    text = ("中共岳阳市委办公室岳阳市人民政府办公室印发《关于全面推进政务公开工作的实施意见》的通知\n"
            "各县市区:\n现印发给你们。\n中共岳阳市委办公室\n\n岳阳市人民政府办公室\n\n2017年1月10日\n")
    meta = extract_metadata(text)
    assert (meta.issuer, meta.region, meta.level) == ("中共岳阳市委办公室 岳阳市人民政府办公室", "岳阳市", "city")
    assert meta.year == 2017  # a notice is of the year it was issued (its signature date)


def test_an_annual_report_is_not_dated_by_the_day_it_was_issued():
    meta = extract_metadata("本年度报告说明政府信息公开工作情况。\n贺州市人民政府\n2010年3月31日\n全市主动公开信息100条。")
    assert meta.year is None


def test_a_park_reported_on_by_the_zone_that_runs_it():
    text = ("[ 索 引 号 ] | x/2019-1 | [ 发布机构 ] | 郯城县郯城经济开发区管委会 | |\n"
            "根据《条例》规定,特编制高科技电子产业园2018年度政府信息公开工作年度报告,并向社会公布。\n")
    meta = extract_metadata(text)
    assert (meta.region, meta.issuer, meta.level) == ("高科技电子产业园", "郯城县郯城经济开发区管委会", "zone")


@pytest.mark.parametrize("words, zones", [
    ("全年依托长兴岛经济技术开发区门户网站", ["长兴岛经济技术开发区"]),
    ("服务宁波国家高新区企业", ["宁波国家高新区"]),
    ("第一时间完成开发区管委会各部门简介,建设法治园区", []),
])
def test_zone_names_are_proper_names_not_the_words_before_a_suffix(words, zones):
    from ingest.self_named import _zones_in

    assert _zones_in(words) == zones


def test_a_short_zone_name_is_written_out_when_the_text_writes_it_in_full():
    from govqa.names import full_form

    text = "来源:重庆高新区管委会办公室\n重庆高新技术产业开发区管理委员会办公室2023年…"
    assert full_form("重庆高新区管委会办公室", text) == "重庆高新技术产业开发区管理委员会办公室"
    assert full_form("重庆高新区", text) == "重庆高新技术产业开发区"
    assert full_form("黔江高新区", "黔江高新区管委会") == "黔江高新区"  # never invented
