"""Each file is read in a worker process bounded in memory and time, so a hostile file costs its limits
and no more: the caller gets an IngestError with the reason, the store is never touched, the next file
proceeds, and the app keeps answering (the process that waits holds no lock and no library).

The worker is ``python -m ingest.worker``, started once and reused: it imports only the readers
(ingest/reader.py; about a second), then sets its data limit (``RLIMIT_DATA`` = ``ingest_memory_mb``:
the heap and every private writable mapping, so what a reader allocates can never pass it) and answers one
file at a time over a pair of pipes. Not the address space (``RLIMIT_AS``): OCR's libraries map about 1 GB
of code and reserved space they never fill, and a scanned PDF could not be read under 1.5 GB of it
(virtual peak 1.9 GB, resident 0.9 GB for data/pdf/hongze_2024_scan.pdf). A file that takes longer than
``ingest_timeout_s`` (plus ``ingest_timeout_per_page_s`` for each page of a PDF, which the worker reports as
soon as it knows) gets its worker killed; one that runs out of memory ends its worker with MemoryError.
Either way the next file gets a fresh worker.

A subprocess, not multiprocessing: a spawned multiprocessing child re-imports the parent's main module
(app.py imports Gradio: seconds and hundreds of MB), and forking the app's threads is unsafe.
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from govqa.settings import Settings
from govqa.types import Document
from ingest.errors import IngestError
from ingest.limits import Limits

if TYPE_CHECKING:
    from ingest.pdf import PageProgress

log = logging.getLogger(__name__)
START_TIMEOUT_S = 180.0  # imports and jieba's dictionary, on a busy machine; never counted against a file
MAX_IDLE = 2  # workers kept for the next file (the app reads an upload while the CLI may read another)
_READY, _PAGES, _PAGE, _OK, _FAILED, _MEMORY = "ready", "pages", "page", "ok", "failed", "memory"


def memory_reason(mb: int) -> str:
    return f"读取时内存超过上限（{mb} MB；GOVQA_INGEST_MEMORY_MB），已停止，未导入"


def timeout_reason(limit_s: float, pages: int | None) -> str:
    per = f"，含 {pages} 页" if pages else ""
    return f"读取超时（超过 {limit_s:.0f} 秒{per}；GOVQA_INGEST_TIMEOUT_S），已停止，未导入"


class _Worker:
    """One worker process and its two pipe ends."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        root = str(Path(__file__).resolve().parent.parent)  # the code this process runs, not another copy
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        cmd = [sys.executable, "-m", "ingest.worker", str(to_child_r), str(from_child_w), str(memory_mb)]
        try:
            self.proc = subprocess.Popen(cmd, pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, env=env, cwd=root)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._out = Connection(to_child_w, readable=False)
        self._in = Connection(from_child_r, writable=False)
        if not self._in.poll(START_TIMEOUT_S):
            self.close()
            raise RuntimeError(f"the ingest worker did not start within {START_TIMEOUT_S:g} s")
        try:
            assert self._in.recv() == (_READY,)
        except EOFError as exc:
            self.close()
            raise RuntimeError(f"the ingest worker exited at start ({self.proc.wait()})") from exc

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def read(self, path: Path, source: str, limits: Limits, timeout_s: float, per_page_s: float,
             on_page: PageProgress | None = None) -> Document:
        """The Document, or IngestError: the worker's own reason, or the time or memory limit it hit.
        ``on_page`` hears each page the worker has read (pages done, pages in all, scanned)."""
        self._out.send((str(path), source, limits))
        start, budget, pages = time.monotonic(), timeout_s, None
        while True:
            left = start + budget - time.monotonic()
            if left <= 0 or not self._in.poll(left):
                self.close()
                raise IngestError(str(path), timeout_reason(budget, pages))
            try:
                kind, payload = self._in.recv()
            except (EOFError, OSError) as exc:
                code = self.proc.wait()
                self.close()
                log.warning("ingest worker for %s exited with %s", path, code)
                raise IngestError(str(path), f"读取进程异常退出（退出码 {code}，多为超过内存上限 {self.memory_mb} MB；"
                                             "GOVQA_INGEST_MEMORY_MB），已停止，未导入") from exc
            if kind == _PAGES:
                pages, budget = payload, timeout_s + per_page_s * payload
                continue
            if kind == _PAGE:
                if on_page is not None:
                    on_page(*payload)
                continue
            if kind == _OK:
                return payload
            if kind == _MEMORY:
                self.close()
                raise IngestError(str(path), memory_reason(self.memory_mb))
            raise IngestError(str(path), payload)

    def close(self) -> None:
        """Stop the process at once (a file past its time is never waited for) and close the pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for conn in (self._out, self._in):
            try:
                conn.close()
            except OSError:
                pass


class BoundedReader:
    """Workers shared by every store in this process, handed out one per file and kept while healthy."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        atexit.register(self.close)

    def read(self, path: Path, source: str, settings: Settings, max_bytes: int | None = None,
             on_page: PageProgress | None = None) -> Document:
        worker = self._take(settings.ingest_memory_mb)
        try:
            return worker.read(path, source, Limits.of(settings, max_bytes), settings.ingest_timeout_s,
                               settings.ingest_timeout_per_page_s, on_page)
        finally:
            self._give_back(worker)

    def _take(self, memory_mb: int) -> _Worker:
        with self._lock:
            for w in self._idle:
                if w.memory_mb == memory_mb:
                    self._idle.remove(w)
                    if w.alive:
                        return w
                    w.close()
                    break
        return _Worker(memory_mb)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if worker.alive and len(self._idle) < MAX_IDLE:
                self._idle.append(worker)
                return
        worker.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for w in idle:
            w.close()


_READER = BoundedReader()


def read_bounded(path: Path, source: str, settings: Settings, max_bytes: int | None = None,
                 on_page: PageProgress | None = None) -> Document:
    """Read one file in a worker process within the settings' memory and time limits (see module doc);
    ``on_page`` hears each PDF page as the worker reads it (the app's OCR progress)."""
    return _READER.read(path, source, settings, max_bytes, on_page)


# -- the worker process ---------------------------------------------------------------------------------
def _serve(from_parent: int, to_parent: int, memory_mb: int) -> None:
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    inbox, outbox = Connection(from_parent, writable=False), Connection(to_parent, readable=False)
    from ingest.metadata import extract_metadata
    from ingest.reader import read_document

    extract_metadata("山西省2017年政府信息公开工作年度报告")  # jieba's dictionary now, not in a file's time
    outbox.send((_READY,))
    while True:
        try:
            path, source, limits = inbox.recv()
        except EOFError:  # the parent is gone or done
            return
        try:
            doc = read_document(Path(path), limits, source, on_pages=lambda n: outbox.send((_PAGES, n)),
                                on_page=lambda *page: outbox.send((_PAGE, page)))
            outbox.send((_OK, doc))
            continue
        except MemoryError:
            failure = None
        except IngestError as exc:
            failure = exc.reason
        except Exception as exc:  # a reader bug must not end the worker; the user hears what happened
            failure = f"无法读取：{type(exc).__name__}: {str(exc)[:200]}"
        if failure is None or _out_of_memory(failure, limit):
            outbox.send((_MEMORY, None))
            return  # a fresh process for the next file: this one's heap may stay grown
        outbox.send((_FAILED, failure))


# libxml2 and pdfminer report a failed allocation in their own words, not as MemoryError.
_MEMORY_WORDS = ("memory", "unknown error", "cannot allocate")
NEAR_LIMIT = 0.8  # a failure after the process's data reached this share of its limit is memory's


def _out_of_memory(reason: str, limit: int) -> bool:
    """Whether a reader's failure was the memory limit speaking: its message says so, or the process's
    data (what RLIMIT_DATA counts; the largest of now and the resident peak) came near the limit."""
    if any(w in reason.lower() for w in _MEMORY_WORDS):
        return True
    try:
        status = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in open("/proc/self/status"))
                  if k in ("VmData", "VmHWM")}
    except (OSError, ValueError):
        return False
    return max(status.values(), default=0) * 1024 >= NEAR_LIMIT * limit


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
