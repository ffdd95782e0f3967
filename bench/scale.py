"""Scale benchmark (issue 15): what one more report, one question and one process cost at 1,000, 3,000
and 10,000 reports.

    .venv/bin/python bench/scale.py [--sizes 1000 3000 10000] [--out bench/out] [--seed 0]
    .venv/bin/python bench/scale.py --chroma-server      # + ask latency against `chroma run` (dense on)
    .venv/bin/python bench/scale.py --keep /tmp/store    # keep the grown store (bench/keyword_engines.py reads it)

The corpus is the 5 demo reports plus generated distractors (bench/retrieval.py's generator: other
regions and years, perturbed numbers; past its 1,710 distinct (template, region, year) slots the
numbers differ but the slots repeat). Dense is off (``embedding_backend="none"``: BM25 alone, which
is what an ingest with vectors filled later serves). The store grows in place: the corpus for each
size is ingested on top of the previous size's, each step a bulk ``govqa ingest``-style run in its
own process. Then, per size, a fresh process measures

* open-to-first-answer: ``Library(settings)`` + the first ``ask`` (a new process, as `govqa ask`);
* ask p50 / p95 over the gold questions (``Library.ask``, extractive answers, 3 rounds);
* recall@4 of eval/gold with the question filter on (bench/retrieval.py's ``recall``);
* ingest of ONE more report (a new generated file) into the grown store;
* peak RSS of that process (VmHWM), and the bulk step's own peak RSS.

Targets (issue 15): one report < 1 s, ask p50 < 100 ms and p95 < 300 ms, peak RSS < 1.5 GB,
open-to-first-answer < 3 s, filtered recall at 1,000 reports >= 0.97.
Results: ``<out>/scale.json`` and ``<out>/scale.md`` (printed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.retrieval import DEMO, generate, load_gold, machine, pct, peak_rss_mb  # noqa: E402

ROUNDS = 3


def _settings(data: Path, **update: Any):
    from govqa.settings import Settings

    return Settings(data_dir=data, cache_dir=data.parent / "cache", embedding_backend="none", llm_backend="none",
                    **update)


def _loadavg() -> float:
    return round(os.getloadavg()[0], 2)


# -- steps, each run in its own process (python bench/scale.py --step NAME ...) ----------------------
def step_bulk(data: Path, folders: list[Path]) -> dict[str, Any]:
    """Bulk ingest of folders into the store at data (what `govqa ingest FOLDER` does)."""
    from govqa.library import Library

    t0 = time.perf_counter()
    lib = Library(_settings(data))
    report = lib.add(folders)
    dt = time.perf_counter() - t0
    added = report.count("added")
    return {"files": len(report.outcomes), "added": added, "failed": len(report.failed),
            "duplicate": report.count("duplicate"), "unchanged": report.count("unchanged"),
            "bulk_s": round(dt, 1), "reports_per_s": round(added / dt, 2) if dt else None,
            "documents": len(lib.documents()), "peak_rss_mb": peak_rss_mb()}


def step_measure(data: Path, one_more: Path) -> dict[str, Any]:
    """Open, first answer, ask latency, recall, one more report, peak RSS: a fresh process."""
    from govqa.types import Backend

    gold = load_gold()
    questions = [g["question"] for g in gold]
    t0 = time.perf_counter()
    from govqa.library import Library

    lib = Library(_settings(data))
    t_open = time.perf_counter() - t0
    first = lib.ask(questions[0], backend=Backend.extractive)
    t_first = time.perf_counter() - t0
    times = ask_times(lib, questions)
    from bench.retrieval import recall

    rec = recall(lib, gold, "bm25", True)
    t = time.perf_counter()
    report = lib.add([one_more])
    t_one = time.perf_counter() - t
    assert report.count("added") == 1, [(o.status, o.reason) for o in report.outcomes]
    docs = lib.documents()
    registry = data / "registry.sqlite"
    return {
        "documents": len(docs), "chunks": sum(d.n_chunks for d in docs),
        "open_s": round(t_open, 3), "open_to_first_answer_s": round(t_first, 3),
        "first_answer": [v.text for v in first.answer.values],
        "ask_n": len(times), "ask_p50_ms": pct(times, 0.5), "ask_p95_ms": pct(times, 0.95),
        "recall_at_4_filter_on": rec["recall_at_k"], "strict_recall_at_4": rec["strict_recall_at_k"],
        "recall_misses": [m["id"] for m in rec["misses"]],
        "ingest_one_s": round(t_one, 3),
        "registry_mb": round(registry.stat().st_size / 2**20, 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def ask_times(lib: Any, questions: list[str]) -> list[float]:
    """Seconds per extractive answer, every question ROUNDS times."""
    from govqa.types import Backend

    times = []
    for _ in range(ROUNDS):
        for q in questions:
            t = time.perf_counter()
            lib.ask(q, backend=Backend.extractive)
            times.append(time.perf_counter() - t)
    return times


def step_server(data: Path, port: int) -> dict[str, Any]:
    """The demo corpus with dense on, vectors on a `chroma run` server: ask latency (hybrid)."""
    from govqa.library import Library
    from govqa.settings import Settings
    from govqa.types import Backend

    settings = Settings(data_dir=data, cache_dir=data.parent / "cache", llm_backend="none",
                        chroma_host="127.0.0.1", chroma_port=port)
    lib = Library(settings)
    t = time.perf_counter()
    lib.add([DEMO])
    t_ingest = time.perf_counter() - t
    questions = [g["question"] for g in load_gold()]
    lib.ask(questions[0], backend=Backend.extractive)
    times = ask_times(lib, questions)
    return {"documents": len(lib.documents()), "vectors": lib.stats()["vectors"], "ingest_s": round(t_ingest, 1),
            "ask_n": len(times), "ask_p50_ms": pct(times, 0.5), "ask_p95_ms": pct(times, 0.95),
            "peak_rss_mb": peak_rss_mb()}


def _run_step(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--step", *args], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"step {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_server(tmp: Path) -> dict[str, Any]:
    port = _free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(tmp / "server"),
                               "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.STDOUT)
    try:
        import urllib.request

        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("chroma run did not start") from None
                time.sleep(0.3)
        return _run_step("server", str(tmp / "server-data"), str(port))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chroma-server", action="store_true", help="also ask latency against a `chroma run` server")
    ap.add_argument("--keep", type=Path, help="copy the grown store's data dir here at the end")
    ap.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.step:
        name, *rest = a.step
        if name == "bulk":
            res = step_bulk(Path(rest[0]), [Path(p) for p in rest[1:]])
        elif name == "measure":
            res = step_measure(Path(rest[0]), Path(rest[1]))
        else:
            res = step_server(Path(rest[0]), int(rest[1]))
        print(json.dumps(res, ensure_ascii=False))
        return
    a.out.mkdir(parents=True, exist_ok=True)
    sizes = sorted(a.sizes)
    results: dict[str, Any] = {"machine": machine(), "sizes": {}, "command": " ".join(["bench/scale.py", *sys.argv[1:]])}
    with tempfile.TemporaryDirectory(prefix="govqa-bench-scale-") as tmp_name:
        tmp = Path(tmp_name)
        t = time.perf_counter()
        # One more than the largest size: the per-size "one more report" files come from the tail.
        every = tmp / "all"
        generate(sizes[-1] + len(sizes), every, a.seed)
        results["generate_s"] = round(time.perf_counter() - t, 1)
        files = sorted(every.iterdir())
        data, done = tmp / "data", 0
        for i, n in enumerate(sizes):
            part = tmp / f"upto{n}"
            part.mkdir()
            for f in files[done:n]:
                f.rename(part / f.name)
            one = tmp / f"one_more_{n}"
            one.mkdir()
            files[sizes[-1] + i].rename(one / files[sizes[-1] + i].name)
            load = _loadavg()
            bulk = _run_step("bulk", str(data), *([str(DEMO)] if i == 0 else []), str(part))
            measure = _run_step("measure", str(data), str(one / files[sizes[-1] + i].name))
            results["sizes"][str(n)] = {"bulk": bulk, "measure": measure, "loadavg_before_after": [load, _loadavg()]}
            print(json.dumps({n: results["sizes"][str(n)]}, ensure_ascii=False), file=sys.stderr, flush=True)
            done = n
        if a.chroma_server:
            results["chroma_server"] = run_server(tmp)
        if a.keep:
            shutil.copytree(data, a.keep)
    (a.out / "scale.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    md = render(results)
    (a.out / "scale.md").write_text(md, encoding="utf-8")
    print(md)


def render(res: dict[str, Any]) -> str:
    m = res["machine"]
    lines = [
        f"Machine: {m['cpu']}, `nproc` = {m['nproc']}, Python {m['python']}, git {m['git']}"
        f"{' (uncommitted changes)' if m['git_dirty'] else ''}. Generating the reports: {res['generate_s']} s.",
        "",
        "| generated | reports stored | chunks | bulk step: reports added | bulk s | reports/s | bulk peak RSS MB "
        "| one more report s "
        "| ask p50 ms | ask p95 ms | open s | open → first answer s | recall@4 (filter on) | measure peak RSS MB "
        "| registry MB | load before→after |",
        "| " + " | ".join(["---"] * 16) + " |",
    ]
    for n, r in res["sizes"].items():
        b, s = r["bulk"], r["measure"]
        lines.append("| " + " | ".join(str(x) for x in [
            n, s["documents"], s["chunks"], b["added"], b["bulk_s"], b["reports_per_s"], b["peak_rss_mb"], s["ingest_one_s"],
            s["ask_p50_ms"], s["ask_p95_ms"], s["open_s"], s["open_to_first_answer_s"], s["recall_at_4_filter_on"],
            s["peak_rss_mb"], s["registry_mb"], "→".join(map(str, r["loadavg_before_after"]))]) + " |")
    lines += ["", "*reports stored* counts the 5 demo reports and the one-more reports; generated files whose text "
              "repeats another's (past the generator's 1,710 distinct slots a few templates have too few numbers to "
              "differ) are recognised as duplicates and not stored."]
    if "chroma_server" in res:
        c = res["chroma_server"]
        lines += ["", f"Chroma server (`chroma run` on 127.0.0.1, dense on, hybrid retrieval, the 5 demo reports, "
                      f"{c['vectors']} vectors): ingest {c['ingest_s']} s, ask p50 {c['ask_p50_ms']} ms, "
                      f"p95 {c['ask_p95_ms']} ms over {c['ask_n']} asks, peak RSS {c['peak_rss_mb']} MB."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
