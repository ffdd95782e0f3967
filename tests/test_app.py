"""The browser app through its API (gradio_client): ask, uploads (bad, duplicate), metadata,
summaries, and the same app on a Chroma server. One demo report (Shanxi 2017) is embedded once
per session through the shared embedding cache."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from govqa import webapp_core as core
from govqa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHANXI = ROOT / "data" / "demo" / "000_e718e0343c84cd48.txt"  # 山西省2017年政府信息公开工作年度报告
QUESTION = "2017年山西省全省共受理政府信息公开申请多少件？"
SENTENCE = "2017年,全省共受理政府信息公开申请1695件,答复率为98.7%。"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Running:
    """build_app(settings) served on a free local port, with a gradio_client Client."""

    def __init__(self, settings: Settings) -> None:
        from gradio_client import Client

        import app

        self.settings = settings.model_copy(update={"app_port": free_port()})
        self.demo = app.build_app(self.settings)
        self.demo.queue().launch(prevent_thread_lock=True, quiet=True, **app.launch_kwargs(self.settings))
        self.client = Client(f"http://127.0.0.1:{self.settings.app_port}/", verbose=False)

    def upload(self, *paths: Path) -> tuple[str, list[list[str]]]:
        from gradio_client import handle_file

        message, table, _docs, _files = self.client.predict([handle_file(str(p)) for p in paths], api_name="/upload")
        return message, table["data"]

    def stats(self) -> dict:
        return self.client.predict(api_name="/stats")

    def stored_uploads(self) -> list[Path]:
        return sorted(p for p in (Path(self.settings.data_dir) / "uploads").rglob("*") if p.is_file())

    def close(self) -> None:
        self.demo.close()
        self.demo.govqa_worker.close()


@pytest.fixture(scope="module")
def running(tmp_path_factory, cache_dir):
    r = Running(Settings(data_dir=tmp_path_factory.mktemp("app") / "data", cache_dir=cache_dir))
    message, rows = r.upload(SHANXI)
    assert rows == [[SHANXI.name, "已导入", "山西省2017年政府信息公开工作年度报告，32 块"]], (message, rows)
    yield r
    r.close()


def test_named_endpoints(running):
    names = running.client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    for name in ("/ask", "/ask_json", "/upload", "/set_meta", "/remove", "/summary", "/summary_json", "/documents", "/stats",
                 "/citation", "/overview", "/summary_markdown", "/tables", "/audit", "/compare"):
        assert name in names


def test_ask_gives_the_cited_number(running):
    md = running.client.predict(QUESTION, "", "", "", "auto", api_name="/ask")
    assert "答：<b>1695件</b>" in md
    assert "全省共受理政府信息公开申请<mark>1695件</mark>,答复率为98.7%。" in md
    assert "山西省2017年政府信息公开工作年度报告 · 山西省 · 2017年" in md
    assert "<details" in md and "Traceback" not in md

    out = running.client.predict(question=QUESTION, api_name="/ask_json")
    assert not out["refused"] and [v["text"] for v in out["values"]] == ["1695件"]
    cit = out["values"][0]["citation"]
    assert cit["quote"] == SENTENCE
    text = SHANXI.read_text(encoding="utf-8")
    assert cit["before"].endswith(text[text.index(SENTENCE) - 20 : text.index(SENTENCE)])


def test_filters_and_refusal(running):
    out = running.client.predict(question=QUESTION, region="北京市", api_name="/ask_json")
    assert out["refused"] and out["answer"].startswith("报告中未找到") and out["reason"] == "筛选条件下没有报告"
    assert out["closest"], "a refusal shows the closest passages"
    md = running.client.predict(QUESTION, "", "2019", "", "auto", api_name="/ask")
    assert "报告中未找到" in md and "最接近的段落" in md
    md = running.client.predict(QUESTION, "山西省", "2017", "", "extractive", api_name="/ask")
    assert "1695件" in md


def test_bad_uploads_are_named_with_their_reason_and_change_nothing(running, tmp_path):
    before = running.stats()
    stored = running.stored_uploads()
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 not a report")
    (tmp_path / "tool.exe").write_bytes(b"MZ\x90\x00")
    (tmp_path / "english.txt").write_text("An English page with no Chinese at all. " * 20, encoding="utf-8")
    (tmp_path / "binary.htm").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    message, rows = running.upload(*(tmp_path / n for n in ("scan.pdf", "english.txt", "binary.htm", "empty.md", "tool.exe")))
    reasons = {name: (status, why) for name, status, why in rows}
    assert reasons["tool.exe"] == ("失败", "不支持的文件类型 .exe；支持 .docx、.htm、.html、.md、.pdf、.txt")
    assert reasons["scan.pdf"][0] == "失败" and "PDF" in reasons["scan.pdf"][1]
    assert reasons["english.txt"][0] == "失败" and "不是中文报告" in reasons["english.txt"][1]
    assert reasons["binary.htm"] == ("失败", "二进制文件，不是文本")
    assert reasons["empty.md"] == ("失败", "文件为空")
    assert "失败 5" in message and "**tool.exe**：不支持的文件类型 .exe" in message
    assert running.stats() == before
    assert running.stored_uploads() == stored, "failed uploads are not kept"


def test_duplicate_upload_is_recognised_not_stored_twice(running, tmp_path):
    before = running.stats()
    stored = running.stored_uploads()
    renamed = tmp_path / "山西2017年报-副本.txt"
    shutil.copy(SHANXI, renamed)
    message, rows = running.upload(SHANXI, renamed)
    assert rows[0] == [SHANXI.name, "已存在", "此文件已导入过，未重复存储"]
    assert rows[1][:2] == [renamed.name, "重复"] and SHANXI.name in rows[1][2]
    after = running.stats()
    assert after == before and after["vectors"] == after["chunks"] == 32
    assert running.stored_uploads() == stored and len(stored) == 1
    assert stored[0].name == SHANXI.name and stored[0].read_bytes() == SHANXI.read_bytes()


def test_metadata_correction(running):
    from gradio_client.exceptions import AppError

    doc_id = running.client.predict(api_name="/documents")[0]["doc_id"]
    with pytest.raises(AppError, match="年份应为四位数字"):
        running.client.predict(doc_id, "year", "二〇一七", api_name="/set_meta")
    saved = running.client.predict(doc_id, "issuer", "山西省政府办公厅", api_name="/set_meta")
    assert saved == "已保存：发布单位 = 山西省政府办公厅"
    assert running.client.predict(api_name="/documents")[0]["meta"]["issuer"] == "山西省政府办公厅"
    running.client.predict(doc_id, "issuer", "山西省人民政府办公厅", api_name="/set_meta")
    with pytest.raises(AppError, match="找不到文档"):
        running.client.predict("0000000000000000", "issuer", "x", api_name="/set_meta")


def test_summary_has_cited_key_figures(running):
    doc_id = running.client.predict(api_name="/documents")[0]["doc_id"]
    s = running.client.predict(doc_id, api_name="/summary_json")
    fig = next(k for k in s["key_figures"] if k["text"] == "1695件")
    assert fig["citation"]["quote"] == SENTENCE and fig["citation"]["before"]
    page = running.client.predict(doc_id, api_name="/summary")
    assert "<b>1695件</b>" in page and "<details class=\"govqa-cite\"><summary>〔" in page
    assert "全省共受理政府信息公开申请<mark>1695件</mark>" in page
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="找不到文档"):
        running.client.predict("0000000000000000", api_name="/summary_json")


def test_safe_names_and_rendering():
    from govqa.uploads import safe_name

    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\x\\年报 2017;rm -rf.TXT") == "年报_2017_rm_-rf.txt"
    assert safe_name(".bashrc") == "bashrc"
    out = {"question": "q", "answer": "报告中未找到（没有相关段落）", "refused": True, "reason": "没有相关段落",
           "values": [], "citations": [],
           "backend": "extractive", "latency_ms": 1.0,
           "closest": [{"doc": "d", "start": 0, "end": 5, "quote": "<b>a\n\nb", "source": "s.txt", "label": "L",
                        "before": "", "after": "x"}]}
    md = core.render_answer(out)
    assert "报告中未找到" in md and "原因：没有相关段落" in md and "&lt;b&gt;a<br>b" in md
    assert "\n\n" not in md.split("最接近")[1], "a blank line would end the HTML block in the chat's markdown"


def _chroma_server(path: Path, port: int) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("chroma run exited") from None
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("chroma run did not start")


def test_app_on_a_chroma_server(tmp_path, cache_dir, monkeypatch):
    from govqa.settings import get_settings

    port = free_port()
    server = _chroma_server(tmp_path / "chroma-server", port)
    try:
        monkeypatch.setenv("GOVQA_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("GOVQA_CACHE_DIR", str(cache_dir))
        monkeypatch.setenv("GOVQA_CHROMA_HOST", "127.0.0.1")
        monkeypatch.setenv("GOVQA_CHROMA_PORT", str(port))
        get_settings.cache_clear()
        settings = get_settings()
        assert settings.chroma_host == "127.0.0.1" and settings.chroma_port == port
        r = Running(settings)
        try:
            _, rows = r.upload(SHANXI)
            assert rows[0][1] == "已导入"
            assert r.stats() == {"documents": 1, "chunks": 32, "vectors": 32}
            assert not (tmp_path / "data" / "chroma").exists(), "vectors live on the server"
            out = r.client.predict(question=QUESTION, api_name="/ask_json")
            assert [v["text"] for v in out["values"]] == ["1695件"] and out["values"][0]["citation"]["quote"] == SENTENCE
            doc_id = out["values"][0]["citation"]["doc"]
            assert r.client.predict(doc_id, api_name="/remove") == "已删除：山西省2017年政府信息公开工作年度报告"
            assert r.stats() == {"documents": 0, "chunks": 0, "vectors": 0}
            assert r.stored_uploads() == []
        finally:
            r.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        get_settings.cache_clear()


def test_pdf_upload_tables_view_and_an_answer_from_a_cell(running):
    pdf = ROOT / "data" / "pdf" / "hongze_2024.pdf"  # 淮安市洪泽区 2024, read from the page images: 新收 95
    _, rows = running.upload(pdf)
    assert rows[0][:2] == [pdf.name, "已导入"], rows
    doc_id = next(d["doc_id"] for d in running.client.predict(api_name="/documents") if d["source"] == pdf.name)
    cells = running.client.predict(doc_id, api_name="/tables")
    new = next(c for c in cells if c["row"].startswith("一、本年新收") and c["col"] == "总计")
    assert (new["raw"], new["unit"]) == ("95", "件") and new["line"].startswith("【表2】一、本年新收")
    out = running.client.predict(question="淮安市洪泽区2024年本年新收政府信息公开申请多少件？", backend="extractive",
                                 api_name="/ask_json")
    assert [v["text"] for v in out["values"]] == ["95件"] and out["citations"][0]["quote"] == new["line"]
    cit, value = out["citations"][0], out["values"][0]
    assert cit["where"] == "第3页" and cit["boxes"][0][0] == 3 and value["span"] == [new["start"], new["end"]]
    # The chat shows the row as a table with the answered cell marked, and a link to its page.
    md = running.client.predict("淮安市洪泽区2024年本年新收政府信息公开申请多少件？", "", "", "", "extractive", api_name="/ask")
    assert "<td class=\"govqa-hit\"><mark>95</mark></td>" in md and "第3页 · 查看原文</a>" in md
    key = f"{doc_id}:{cit['start']}:{cit['end']}:{new['start']}:{new['end']}"
    view = running.client.predict(key, api_name="/citation")
    assert (view["where"], view["page"], view["has_page_image"], view["source"]) == ("第3页", 3, True, pdf.name)
    overview = running.client.predict(api_name="/overview")
    row = next(r for r in overview["reports"] if r["source"] == pdf.name)
    assert row["figures"]["新收"]["text"] == "95" and row["figures"]["新收"]["parts"][0]["where"] == "第3页"
    md_summary = running.client.predict(doc_id, api_name="/summary_markdown")
    assert md_summary.startswith("# 淮安市洪泽区人民政府2024年政府信息公开工作年度报告") and "第" in md_summary
    running.client.predict(doc_id, api_name="/remove")
