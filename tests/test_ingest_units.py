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
        assert meta[key] == expected, (name, key, meta)


def test_missing_metadata_stays_empty():
    # The Fushun report names no issuer and carries no title: nothing may be invented.
    meta = extract_metadata(normalize_text(load(DEMO / "003_24be5d677ff59441.txt", 10**8)))
    assert meta["issuer"] is None and meta["title"] is None


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
    assert meta["region"] == "新乡市" and meta["year"] == 2019 and meta["issuer"] == "新乡市人民政府"
    assert meta["compiled_by"] == "新乡市人民政府办公室" and meta["level"] == "city"


@pytest.mark.parametrize("city", ["保定市", "通化市", "襄阳市"])  # jieba tags these n / j, or splits 襄阳/市
def test_region_without_an_issuer_line_comes_from_the_government_named_in_the_text(city):
    text = normalize_text(f"2017年政府信息公开工作年度报告\n2017年,全市各级政府主动公开政府信息6万条。"
                          f"{city}人民政府门户网站发布信息1200条。{city}人民政府常务会议研究政务公开工作。")
    assert extract_metadata(text)["region"] == city


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
    "p_0baa2c34.txt": {"region": "深圳市福田区", "issuer": "深圳市福田区集体经济发展服务署", "level": "department",
                       "dept_level": "county", "year": 2021},
    # split title: "平阳县水头镇2008年政府信息公开工作\n年度报告"; parents from the gazetteer
    "p_df89bf16.txt": {"region": "平阳县水头镇", "level": "township", "year": 2008,
                       "title": "平阳县水头镇2008年政府信息公开工作年度报告", "parents": ["浙江省", "温州市"]},
}


@pytest.mark.parametrize("name", sorted(REAL_IDENTITIES))
def test_identity_of_real_reports_of_each_issuer_kind(name):
    path = DEMO.parent / "real" / "pages" / name
    meta = extract_metadata(normalize_text(load(path, 10**8)))
    for key, expected in REAL_IDENTITIES[name].items():
        assert meta[key] == expected, (name, key, meta)
    assert meta["evidence"].get("region"), "the line the region was read from is kept"
