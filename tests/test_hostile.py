"""Issue 26: hostile files and oversized fields, each rebuilt from a small generator (tests/hostile_files.py)
at the size the probe used, run through the real `govqa` CLI on a store holding the Shanxi 2017 report.

For every file: the CLI ends well within its limit, its peak memory (the CLI and the worker it starts,
measured by the kernel: RUSAGE_CHILDREN of a wrapper process) stays under 1.5 GB, it names the file with a
Chinese reason, and the store is unchanged: the registry file (documents, chunks, FTS5 index) byte for
byte, the sources journal byte for byte, and the vectors (ids, texts, metadata, embeddings) as read back
from Chroma (Chroma rewrites its own bookkeeping bytes whenever it is opened, even by `govqa docs`). Then
the same files are uploaded into the app's LibraryWorker while a question is asked again and again: each
answer comes within 5 s, and is 1695件."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from govqa.library import Library, LibraryError
from govqa.settings import Settings
from govqa.text import normalize_text
from tests import hostile_files as make
from tests.conftest import DEMO

GOVQA = [sys.executable, "-m", "govqa.cli"]
SHANXI = DEMO / "000_e718e0343c84cd48.txt"
QUESTION = "2017年山西省全省共受理政府信息公开申请多少件？"
MAX_RSS_MB = 1500
ANSWER_WITHIN_S = 5.0

# (file name, generator, what the reason says). Sizes are the probe's: a 1 MB DOCX inflating to 1 GiB, a
# DOCX of 17.5 M characters, a 19 MB page of 190,000 table rows, a 16.5 MB page of 1.5 M nested <div>s;
# and, under the character limit, pages whose element count is what gives them away.
FILES = {
    "bomb.docx": (make.docx_bomb, "DOCX 解压后过大（1,074 MB，上限 100 MB"),
    "17m_chars.docx": (make.docx_text, "提取出的文字过长（超过 1,000,000 字"),
    "190k_rows.html": (make.html_table, "网页过大（14,695,316 个字符，上限 10,000,000"),
    "60k_rows.html": (lambda p: make.html_table(p, rows=60_000), "网页元素过多（约 300,006 个，上限 200,000"),
    "1.5m_divs.html": (make.html_nested, "网页过大（16,500,061 个字符，上限 10,000,000"),
    "400k_divs.html": (lambda p: make.html_nested(p, depth=400_000), "网页元素过多（约 400,002 个，上限 200,000"),
    "encrypted.pdf": (make.encrypted_pdf, "文件已加密，需要密码"),
    "column_index.html": (make.index_page, "不是报告（栏目或索引页：31 条标题链接"),
}
# Files that pass every size check and hit the worker's limits, with the settings that make them do so.
SLOW = ("30k_rows.html", lambda p: make.html_table(p, rows=30_000), {"GOVQA_INGEST_TIMEOUT_S": "2"}, "读取超时（超过 2 秒")
HUNGRY = ("30m_chars.docx", lambda p: make.docx_text(p, chars=30_000_000), {"GOVQA_INGEST_MEMORY_MB": "250"},
          "读取时内存超过上限（250 MB")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, (generate, _) in FILES.items():
        generate(folder / name)
    for name, generate, _, _ in (SLOW, HUNGRY):
        generate(folder / name)
    return folder


@pytest.fixture(scope="module")
def shanxi(tmp_path_factory, cache_dir) -> Settings:
    """A store holding the Shanxi 2017 report (real Chroma, real embeddings)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("store") / "data", cache_dir=cache_dir)
    assert not Library(settings).add([SHANXI]).failed
    return settings


def fingerprint(data_dir: Path) -> str:
    """Registry (documents, chunks and the FTS5 index, one SQLite file) and the sources journal byte for
    byte; the vectors as Chroma gives them back, read by a client opened afresh."""
    from chromadb import PersistentClient
    from chromadb.api.shared_system_client import SharedSystemClient

    h = hashlib.sha256()
    for name in ("registry.sqlite", "sources.jsonl"):
        h.update((data_dir / name).read_bytes())
    SharedSystemClient.clear_system_cache()
    client = PersistentClient(path=str(data_dir / "chroma"))
    for col in sorted(client.list_collections(), key=lambda c: c.name):
        got = col.get(include=["embeddings", "metadatas", "documents"])
        for i in sorted(range(len(got["ids"])), key=lambda i: got["ids"][i]):
            h.update(json.dumps([got["ids"][i], got["documents"][i], got["metadatas"][i],
                                 [float(x) for x in got["embeddings"][i]]], sort_keys=True, ensure_ascii=False).encode())
    SharedSystemClient.clear_system_cache()
    return h.hexdigest()


_MEASURE = textwrap.dedent("""
    import json, resource, subprocess, sys, time
    t = time.monotonic()
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    print(json.dumps({"rc": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
                      "seconds": time.monotonic() - t,
                      "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
""")


def run_measured(settings: Settings, *args: str, env: dict[str, str] | None = None) -> dict:
    """`govqa ARGS` in its own process: exit code, output, wall seconds, and the peak RSS of the largest
    process it ran (the CLI itself or its ingest worker), as the kernel counted it."""
    full_env = {**os.environ, "GOVQA_DATA_DIR": str(settings.data_dir), "GOVQA_CACHE_DIR": str(settings.cache_path),
                **(env or {})}
    out = subprocess.run([sys.executable, "-c", _MEASURE, *GOVQA, *args], capture_output=True, text=True, env=full_env,
                         cwd=Path(__file__).resolve().parent.parent, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_hostile_file_is_refused_fast_small_and_named(shanxi, hostile, name):
    before = fingerprint(shanxi.data_dir)
    got = run_measured(shanxi, "ingest", str(hostile / name))
    reason = FILES[name][1]
    assert got["rc"] == 1
    line = next(x for x in got["stderr"].splitlines() if x.startswith("[失败]"))
    assert str(hostile / name) in line and reason in line, line
    assert got["seconds"] < shanxi.ingest_timeout_s, got["seconds"]
    assert got["peak_mb"] <= MAX_RSS_MB, got["peak_mb"]
    assert fingerprint(shanxi.data_dir) == before
    print(f"{name}: {got['seconds']:.1f} s, peak {got['peak_mb']:.0f} MB: {line}")


@pytest.mark.parametrize("case", [SLOW, HUNGRY], ids=["time limit", "memory limit"])
def test_a_file_past_the_workers_limits_is_stopped_there(shanxi, hostile, case):
    """A file that passes the size checks but reads too long, or needs too much memory, is stopped by its
    worker's limit. The time: measured against the same command on a file refused at once (the CLI's own
    start and the worker's start are in both)."""
    name, _, env, reason = case
    before = fingerprint(shanxi.data_dir)
    baseline = run_measured(shanxi, "ingest", str(hostile / "encrypted.pdf"), env=env)
    got = run_measured(shanxi, "ingest", str(hostile / name), env=env)
    line = next(x for x in got["stderr"].splitlines() if x.startswith("[失败]"))
    assert got["rc"] == 1 and str(hostile / name) in line and reason in line, line
    if "GOVQA_INGEST_TIMEOUT_S" in env:
        assert got["seconds"] - baseline["seconds"] < float(env["GOVQA_INGEST_TIMEOUT_S"]) + 3, (got, baseline)
    assert got["peak_mb"] <= MAX_RSS_MB
    assert fingerprint(shanxi.data_dir) == before
    print(f"{name}: {got['seconds']:.1f} s (a file refused at once: {baseline['seconds']:.1f} s), "
          f"peak {got['peak_mb']:.0f} MB: {line}")


def test_the_app_answers_while_hostile_files_are_uploaded(shanxi, hostile):
    """Every hostile file (the slow one included, under a 3 s limit) uploaded one after another through
    the app's LibraryWorker, on another thread, while the question is asked again and again: each answer
    is 1695件 and comes within 5 s; each upload fails with its reason; nothing is stored or kept."""
    from govqa.webapp_core import LibraryWorker, ask

    settings = shanxi.model_copy(update={"ingest_timeout_s": 3.0})
    before = fingerprint(settings.data_dir)
    worker = LibraryWorker(settings)
    names = [*sorted(FILES), SLOW[0]]
    outcomes: list = []
    try:
        worker.run(lambda lib: lib.documents())
        uploading = threading.Thread(target=lambda: outcomes.extend(worker.upload(hostile / n, n) for n in names))
        uploading.start()
        latencies = []
        while uploading.is_alive():
            t0 = time.monotonic()
            out = worker.run(ask, QUESTION, backend="extractive")
            latencies.append(time.monotonic() - t0)
            assert [v["text"] for v in out["values"]] == ["1695件"]
        uploading.join()
    finally:
        worker.close()
    assert len(latencies) >= 3, latencies
    assert max(latencies) < ANSWER_WITHIN_S, latencies
    assert [o.status for o in outcomes] == ["failed"] * len(names)
    reasons = dict(zip(names, (o.message for o in outcomes)))
    for name, (_, reason) in FILES.items():
        assert reason in reasons[name], reasons[name]
    # Bounded either way: on a busy machine the 30,000-row page runs past the 3 s limit; on a quiet one it is
    # read in time and refused for its length. Both name the file's reason and store nothing.
    assert "读取超时（超过 3 秒" in reasons[SLOW[0]] or "提取出的文字过长" in reasons[SLOW[0]], reasons[SLOW[0]]
    assert not (Path(settings.data_dir) / "uploads").exists() or not any((Path(settings.data_dir) / "uploads").iterdir())
    assert fingerprint(settings.data_dir) == before
    print(f"{len(latencies)} answers while uploading, slowest {max(latencies):.2f} s")


# -- oversized fields ------------------------------------------------------------------------------
def test_an_oversized_metadata_value_is_refused_with_one_message(shanxi):
    """/set_meta once stored a 100,000-character region, and every question touching that report then
    re-tokenized it. The service refuses it; the CLI says the same; nothing changes."""
    before = fingerprint(shanxi.data_dir)
    library = Library(shanxi)
    doc = library.documents()[0].doc_id
    t0 = time.monotonic()
    with pytest.raises(LibraryError) as refused:
        library.set_meta(doc, {"region": "山" * 100_000})
    assert time.monotonic() - t0 < 1.0
    assert str(refused.value) == "地区过长（100000 字，上限 200 字）"
    got = run_measured(shanxi, "docs", "set", doc, "issuer=" + "<b>" * 20_000)
    assert got["rc"] == 2 and "错误：发布单位过长（60000 字，上限 200 字）" in got["stderr"]
    with pytest.raises(LibraryError, match=r"^地区筛选过长（5000 字，上限 200 字）$"):
        library.ask(QUESTION, region="山" * 5000)
    with pytest.raises(LibraryError, match=r"^报告过长（300 字，上限 200 字）$"):
        library.resolve("x" * 300)
    with pytest.raises(LibraryError) as refused:  # what was typed is quoted, but only its start
        library.set_meta(doc, {"year": "<img src=x onerror=alert(1)>" + "山" * 170})
    assert str(refused.value) == "年份应为四位数字，例如 2017，收到“<img src=x onerror=alert(1)>山山…（共 198 字）”"
    assert fingerprint(shanxi.data_dir) == before


def test_search_has_the_question_length_limit(shanxi):
    """`govqa search` with 5,000 characters took 58 s; it is refused at once, like an over-long question."""
    got = run_measured(shanxi, "search", "受理" * 2500)
    assert got["rc"] == 1 and "错误：问题过长（5000 字，上限 500 字）" in got["stderr"]
    assert got["seconds"] < 30


# -- a damaged store -------------------------------------------------------------------------------
def _copy_store(settings: Settings, tmp_path: Path) -> Settings:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    return settings.model_copy(update={"data_dir": data})


def test_random_bytes_in_the_keyword_index_are_found_at_open_and_questions_use_the_vectors(shanxi, tmp_path):
    """Every FTS5 page overwritten with random bytes: opening says so in Chinese with the repair advice;
    a question is answered from the vectors, with that notice, never a traceback, and writes nothing;
    `govqa repair` rebuilds the index in a fresh registry file (the damaged one set aside) and the
    question is answered as before."""
    settings = _copy_store(shanxi, tmp_path)
    assert make.corrupt_keyword_index(Path(settings.data_dir) / "registry.sqlite") >= 2
    before = fingerprint(settings.data_dir)
    got = run_measured(settings, "ask", QUESTION, "--backend", "extractive")
    assert got["rc"] == 0, got["stderr"][-2000:]
    assert "警告：关键词索引已损坏（database disk image is malformed）；请运行 govqa repair 修复" in got["stderr"]
    assert "Traceback" not in got["stderr"] + got["stdout"]
    assert "答：1695件" in got["stdout"] and "本次只用向量检索作答；请运行 govqa repair 修复" in got["stdout"]
    assert got["seconds"] < 60 and got["peak_mb"] <= MAX_RSS_MB
    unfiltered = run_measured(settings, "search", "受理政府信息公开申请", "--no-filter")
    assert unfiltered["rc"] == 0 and "Traceback" not in unfiltered["stderr"]
    assert fingerprint(settings.data_dir) == before  # asking wrote nothing

    library = Library(settings)
    assert library.problems == ["关键词索引已损坏（database disk image is malformed）"]
    with pytest.raises(LibraryError, match="关键词索引已损坏.*未写入；请运行 govqa repair 修复"):
        library.set_meta(library.documents()[0].doc_id, {"region": "山西省"})
    del library

    repaired = run_measured(settings, "repair")
    assert repaired["rc"] == 0, repaired["stderr"][-2000:]
    assert "关键词索引的页面已损坏：已按登记表的内容重建登记表文件，损坏的文件移到" in repaired["stdout"]
    assert len(list(Path(settings.data_dir).glob("registry.sqlite.damaged-*"))) == 1
    library = Library(settings)
    assert library.problems == []
    ans = library.ask(QUESTION, backend="extractive").answer
    assert [v.text for v in ans.values] == ["1695件"] and not ans.fallback
    assert library._store.keyword_search(["受理"], 3)  # the keyword index answers again


def test_repair_without_registry_or_journal_sets_the_vectors_aside(shanxi, tmp_path):
    """Both the registry and sources.jsonl gone: the vectors are the last copy of the report's text.
    `govqa repair` writes them (text, metadata, embedding) to data_dir/set-aside/ before it takes them out
    of the collection, and says where."""
    settings = _copy_store(shanxi, tmp_path)
    data = Path(settings.data_dir)
    (data / "registry.sqlite").unlink()
    (data / "sources.jsonl").unlink()
    got = run_measured(settings, "repair")
    assert got["rc"] == 0, got["stderr"][-2000:]
    [kept] = list((data / "set-aside").glob("vectors-*.jsonl"))
    assert f"登记表中没有的向量 32 个：已连同其文本另存到 {kept}" in got["stdout"]
    rows = [json.loads(line) for line in kept.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 32 and len(rows[0]["embedding"]) == 384
    text = normalize_text(SHANXI.read_text(encoding="utf-8"))  # what was stored, and chunked
    assert any("全省共受理政府信息公开申请1695件" in r["text"] for r in rows)
    assert all(r["metadata"]["source"] == SHANXI.name and r["text"] in text for r in rows)
