"""评估 (bot/assess.py): each report checked against the rules in force when it was due, one report per era.

Every expectation was read by a person from the source, never from the tool's output:
- 高平市 2016 (data/demo/001, 2008 rules): the page header says “发布时间: 2017-12-29”, nine months after the
  2017-03-31 of 第三十一条 (the late one); headings 二、主动公开政府信息情况 … 八、存在的主要问题和改进措施, none for
  其他需要报告的事项; problem 四 names “人社等部门”.
- 山西省 2017 (data/demo/000, 2008 rules): signed “2018年3月26日” on its last line; 七、存在问题和改进措施; “在‘不予公开’
  的43件申请中…‘申请信息不存在’的120件” (a part larger than its whole).
- 上海市人民政府办公厅 2019 (data/pdf/shanghai_2019.html, 2019 format): the six headings 一 … 六 and the three
  tables; 本年新收 × 科研机构 and × 社会公益组织 are &nbsp; in the markup (blank), 自然人 is 821; no date anywhere.
- 洪泽区 2023 (data/pdf/hongze_2023.pdf, 2021 format; pages read with pdftoppm -r 70): the six headings; 行政复议
  10 + 1 + 0 + 0 but 总计 0 (page 4); （六）其他处理 one row with no sub-rows (page 4); no date line; its
  （五）监督保障 paragraph has no 考核/评议/追究 (the part 第五十条第（四）项 requires of a government: the missing part);
  五 has no 上年度问题整改情况. 洪泽区 2024 (page 2): “将政府网站平台信息公开工作纳入全区高质量发展考核内容”.
- 福田区集体经济发展服务署 2021 (data/real/pages/p_0baa2c34.txt): signed “2022年1月11日” (a department: 1月31日);
  二、三、四 are headings with nothing under them (the page's tables were not kept).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import assess_rules as R
from bot.assess import Assessment, assess_document, excerpt, ranked
from govqa.types import Document
from ingest.reader import read_document
from tests.conftest import DEMO, ROOT

PDF = ROOT / "data" / "pdf"
REAL = ROOT / "data" / "real"


def read(path: Path) -> Document:
    return read_document(path, 50_000_000)


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    files = {"gaoping": DEMO / "001_8828d0bea7d12cc7.txt", "shanxi": DEMO / "000_e718e0343c84cd48.txt",
             "shanghai": PDF / "shanghai_2019.html", "hz23": PDF / "hongze_2023.pdf", "hz24": PDF / "hongze_2024.pdf",
             "futian": REAL / "pages" / "p_0baa2c34.txt", "xiaogan": REAL / "external" / "x_611c67d396f4.txt"}
    return {k: read(p) for k, p in files.items()}


def status(a: Assessment) -> dict[str, str]:
    return {c.key: c.status for c in a.checks}


def cited_spans_are_exact(a: Assessment, docs: dict[str, Document]) -> None:
    texts = {d.doc_id: d.text for d in docs.values()}
    for c in a.checks:
        for e in c.evidence:
            for x in e.cites:
                assert texts[x.doc or a.doc][x.start : x.end] == x.quote, (c.key, e.note)


def test_the_rules_in_force_when_the_report_was_due():
    # The report on 2018 was due by 2019-03-31, before the revision took effect on 2019-05-15.
    assert [R.rules_for(y).key if R.rules_for(y) else None for y in (2007, 2008, 2018, 2019, 2020, 2021, 2024)] == \
        [None, "2008", "2008", "2019", "2019", "2021", "2021"]
    assert R.rules_for(2017).deadline.cite.endswith("第三十一条") and "3月31日" in R.rules_for(2017).deadline.text
    rules = R.rules_for(2023)
    assert R.deadline_for(rules, "department").when == (1, 31) and R.deadline_for(rules, "county").when == (3, 31)
    assert R.deadline_for(rules, "township").when is None  # 第四十九条 names 县级以上 only
    assert sum(c.weight for c in R.CHECKS) == 100


def test_2008_rules_a_late_report(docs):
    a = assess_document(docs["gaoping"])
    assert a.rules == "2008" and a.year == 2016
    on_time = a.check("on_time")
    assert on_time.status == "FAIL"
    assert on_time.message.startswith("2017-12-29 公布，晚于时限 2017-03-31 273 天")
    assert on_time.evidence[0].cites[0].quote == "发布时间: 2017-12-29"
    assert on_time.rule.endswith("第三十一条")
    sections = a.check("sections")
    found = {e.cites[0].quote for e in sections.evidence if e.cites}
    assert {"二、主动公开政府信息情况", "四、依申请公开政府信息情况", "六、行政复议和行政诉讼情况",
            "七、政府信息公开支出和收费情况", "八、存在的主要问题和改进措施"} <= found
    # 第三十二条第（六）项 missing: there may have been nothing else to report, so not a FAIL.
    assert sections.status == "UNCERTAIN" and sections.message.endswith("未找到：其他需要报告的事项")
    assert status(a)["tables"] == status(a)["blanks"] == status(a)["rectified"] == "NA"
    specific = a.check("specific")
    assert specific.status == "PASS" and any("人社等部门" in x.quote for e in specific.evidence for x in e.cites)
    cited_spans_are_exact(a, docs)


def test_2008_rules_on_time_by_the_signature_and_the_audit(docs):
    a = assess_document(docs["shanxi"])
    assert a.rules == "2008" and "第三十二条" in a.check("sections").rule
    assert a.check("on_time").status == "PASS"
    assert a.check("on_time").evidence[0].cites[0].quote == "2018年3月26日"
    assert "2018-03-31" in a.check("on_time").message
    assert [e.cites[0].quote for e in a.check("sections").evidence if "存在的主要问题" in e.note] == ["七、存在问题和改进措施"]
    consistent = a.check("consistent")
    assert consistent.status == "FAIL" and consistent.evidence[0].note.startswith("文字/部分与总数：部分 120件 大于其总数 43件")
    cited_spans_are_exact(a, docs)


def test_2019_format_tables_present_and_blank_cells_listed(docs):
    a = assess_document(docs["shanghai"])
    assert a.rules == "2019" and "国办公开办函〔2019〕60号" in a.check("tables").rule
    assert a.check("sections").status == "PASS" and a.check("sections").message == "6 项必备内容都在"
    assert a.check("tables").status == "PASS" and a.check("tables").message == "四张统计表在 4 张，行列齐全"
    blanks = a.check("blanks")
    notes = [e.note for e in blanks.evidence]
    assert blanks.status == "FAIL"
    assert "表2 一、本年新收政府信息公开申请数量 × 法人或其他组织/科研机构：空白" in notes
    assert "表2 一、本年新收政府信息公开申请数量 × 法人或其他组织/社会公益组织：空白" in notes
    assert not any("× 自然人" in n and "本年新收" in n for n in notes)
    assert not any("采购总金额" in n for n in notes)  # “251000元” is a number with its unit, not a blank
    assert a.check("on_time").status == "UNCERTAIN"  # no date on the page: never a guess
    assert a.check("rectified").status == "NA"
    cited_spans_are_exact(a, docs)


def test_2021_format_hongze_2023(docs):
    a = assess_document(docs["hz23"])
    assert a.rules == "2021"
    consistent = a.check("consistent")
    assert consistent.status == "FAIL"
    review = next(e for e in consistent.evidence if e.note.startswith("行政复议/合计"))
    assert "10 + 1 + 0 + 0 = 11；表中总计 0" in review.note
    assert review.cites[0].quote.startswith("【表3】行政复议｜行政复议/结果维持=10｜行政复议/结果纠正=1")
    sections = a.check("sections")
    headings = [e.cites[0].quote for e in sections.evidence if e.note.endswith("：标题")]
    assert headings == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    # The missing part: 第五十条第（四）项's 工作考核、社会评议和责任追究结果 in a government's report.
    assert sections.status == "FAIL" and sections.message.endswith("缺：工作考核、社会评议和责任追究结果情况")
    tables = a.check("tables")
    assert tables.message.startswith("四张统计表在 4 张") and tables.status == "FAIL"
    request = next(e for e in tables.evidence if e.note.startswith("收到和处理政府信息公开申请情况"))
    assert "只填了合并行 （六）其他处理" in request.note and "缺 3 行" in request.note
    assert a.check("on_time").status == "UNCERTAIN" and a.check("on_time").message == "未找到发布日期，无法判断是否按时公布"
    assert a.check("rectified").status == "FAIL"
    assert a.check("specific").status == "FAIL"  # “有待提高、有待提升、有待加强”
    assert a.check("not_copied").status == "UNCERTAIN"  # no 2022 report to compare with
    cited_spans_are_exact(a, docs)


def test_2021_format_with_the_previous_year(docs):
    a = assess_document(docs["hz24"], previous=docs["hz23"])
    sections = a.check("sections")
    assert sections.status == "PASS"
    review = next(e for e in sections.evidence if e.note.startswith("工作考核"))
    assert "纳入全区高质量发展考核内容" in review.cites[0].quote
    assert a.check("not_copied").status == "PASS"  # the problems are new; the repeated sentence is a measure
    # One more check with the previous report: 2023 结转下年度 0 = 2024 上年结转 0 (pages 4 and 3), which holds.
    alone = assess_document(docs["hz24"]).check("consistent").message
    assert alone.startswith("41 项核查：相符 40") and a.check("consistent").message.startswith("42 项核查：相符 41")
    assert a.check("rectified").status == "FAIL"
    cited_spans_are_exact(a, docs)


def test_rectification_answers_the_previous_problems_one_by_one(docs):
    """洪泽区 2023's three problems (read on page 4) against a 整改 paragraph written for this test into the 2024
    text: it answers 依申请公开规范性 and 队伍建设, not 内容的深度和广度."""
    hz24 = docs["hz24"]
    at = hz24.text.index("五、存在的主要问题及改进情况\n") + len("五、存在的主要问题及改进情况\n")
    answer = ("（一）上年度问题整改情况。针对上年度报告指出的依申请公开工作规范性不足的问题，我区梳理依申请公开办理流程、"
              "规范答复文书；针对政务公开队伍建设问题，组织业务培训3次。\n")
    text = hz24.text[:at] + answer + hz24.text[at:]
    a = assess_document(Document("test", "hongze_2024_rect", text, hz24.meta), previous=docs["hz23"])
    rect = a.check("rectified")
    assert rect.status == "UNCERTAIN" and rect.message == "上一年度报告列出 3 个问题，整改情况回应了 2 个"
    unanswered = [x.quote for e in rect.evidence[1:] for x in e.cites]
    assert unanswered == ["政务公开内容的深度和广度还有待提升"]
    assert rect.evidence[1].cites[0].doc == docs["hz23"].doc_id


def test_a_whole_short_report_and_an_excerpt(docs):
    a = assess_document(docs["futian"])
    assert excerpt(docs["futian"].text) == ""  # it ends with its signature's date
    assert a.check("on_time").status == "PASS" and "2022-01-31" in a.check("on_time").message
    assert a.check("on_time").evidence[0].cites[0].quote == "2022年1月11日"
    tables = a.check("tables")
    assert tables.status == "UNCERTAIN" and "该部分标题下没有文字" in tables.evidence[0].note
    b = assess_document(docs["xiaogan"])  # the opening of a page: what is not there is unknown, not missing
    assert excerpt(docs["xiaogan"].text).startswith("原文只有")
    assert "FAIL" not in status(b).values()
    assert ranked([b, a])[0] is a  # the excerpt decides too little to rank above a whole report


def test_library_cli_and_xlsx(tmp_path, cache_dir, monkeypatch):
    """Library.assess and `govqa assess` over a real store (Chroma on disk, the real embeddings)."""
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from govqa.cli import app
    from govqa.library import Library, LibraryError
    from govqa.settings import Settings, get_settings

    settings = Settings(data_dir=tmp_path / "data", cache_dir=cache_dir)
    lib = Library(settings)
    assert not lib.add([PDF / "hongze_2023.pdf", PDF / "hongze_2024.pdf", DEMO / "000_e718e0343c84cd48.txt",
                        DEMO / "002_8bd63bc0f1252708.txt"]).failed
    a = lib.assess("hongze_2024.pdf")
    assert a.check("not_copied").status == "PASS"  # the library found 2023 as the previous report
    with pytest.raises(LibraryError, match="不是政府信息公开工作年度报告"):
        lib.assess("002_8bd63bc0f1252708.txt")  # the 2018 work plan
    assert [x.source for x in lib.assessments(region="淮安市")] == ["hongze_2024.pdf", "hongze_2023.pdf"]
    assert [x.source for x in lib.assessments(year=2017)] == ["000_e718e0343c84cd48.txt"]

    monkeypatch.setenv("GOVQA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("GOVQA_CACHE_DIR", str(settings.cache_path))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        out = runner.invoke(app, ["assess", "hongze_2023.pdf"])
        assert out.exit_code == 0, out.output
        assert "[不通过] 一致｜勾稽关系" in out.output and "10 + 1 + 0 + 0 = 11；表中总计 0" in out.output
        assert "[不确定] 及时｜按时公布" in out.output
        out = runner.invoke(app, ["assess", "000_e718e0343c84cd48.txt", "--json"])
        card = json.loads(out.output)
        assert card["rules"] == "2008" and card["checks"][0]["rule"].endswith("第三十一条")
        xlsx = tmp_path / "out" / "评估.xlsx"
        out = runner.invoke(app, ["assess", "--all", "--xlsx", str(xlsx)])
        assert out.exit_code == 0, out.output
        wb = load_workbook(xlsx)
        ranking = [[c.value for c in row] for row in wb["排名"].iter_rows(min_row=2)]
        assert sorted(r[2] for r in ranking) == ["000_e718e0343c84cd48.txt", "hongze_2023.pdf", "hongze_2024.pdf"]
        details = [[c.value for c in row] for row in wb["检查明细"].iter_rows(min_row=2)]
        assert any(r[1] == "hongze_2023.pdf" and r[4] == "勾稽关系" and r[5] == "不通过" and "结果维持=10" in (r[9] or "")
                   for r in details)
        out = runner.invoke(app, ["assess"])
        assert out.exit_code == 2 and "请给出一个文档，或使用 --all" in out.output
        out = runner.invoke(app, ["assess", "--all", "--level", "village"])
        assert out.exit_code == 2 and "--level 只能是" in out.output
    finally:
        get_settings.cache_clear()


def test_app_endpoints(tmp_path, cache_dir):
    """The 评估 tab's named endpoints (gradio_client): the ranking and one scorecard, as the tab reads them."""
    from gradio_client.exceptions import AppError

    from govqa.settings import Settings
    from tests.test_app import SHANXI, Running

    r = Running(Settings(data_dir=tmp_path / "data", cache_dir=cache_dir))
    try:
        r.upload(SHANXI, PDF / "hongze_2023.pdf")
        ranking = r.client.predict(api_name="/assess_ranking")
        assert sorted((a["source"], a["rules"]) for a in ranking) == [(SHANXI.name, "2008"), ("hongze_2023.pdf", "2021")]
        only = r.client.predict("", "", "2017", api_name="/assess_ranking")
        assert [a["source"] for a in only] == [SHANXI.name]
        card = r.client.predict(only[0]["doc"], api_name="/assess")
        on_time = next(c for c in card["checks"] if c["key"] == "on_time")
        assert on_time["status"] == "PASS" and on_time["evidence"][0]["cites"][0]["quote"] == "2018年3月26日"
        with pytest.raises(AppError, match="请选择一份年度报告"):
            r.client.predict("", api_name="/assess")
    finally:
        r.close()
