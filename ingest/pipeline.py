"""ingest(paths) -> IngestReport: every file all-or-nothing, failures named with their reason.

A document is its content plus its path relative to the ingest root (the folder given; for a
file given directly, its name): ``doc_id`` is the hash of the normalized text and ``source`` the
relative path ("2017/report.txt"). Re-ingesting an unchanged file is a no-op; the same content
under another path is recognised as a duplicate; a file whose content changed replaces only the
document with the same relative path (the store records the replacement, stores the new one,
then removes the old, so a failure or a crash never leaves the user with neither, nor both).

Each file is checked and written under the store's write lock, so a second `govqa ingest` of the
same folder at the same time waits, then finds the files already stored ("unchanged").
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from govqa.settings import Settings
from govqa.text import cjk_count, cjk_ratio, normalize_text
from govqa.types import DocRecord, Document, Status
from ingest.chunking import chunk_document
from ingest.errors import IngestError
from ingest.layout import build_layout
from ingest.loaders import SUFFIXES, load_file
from ingest.metadata import extract_metadata
from vectorstore.store import Store, StoreBusy

MIN_CJK_CHARS = 50
# CJK characters in running text (lines with sentence punctuation, table rows, or long lines) below
# which a page is not a report but a menu, a link list or a site's front page. The shortest real
# report in data/real has 143.
MIN_BODY_CJK = 100
_RUNNING = re.compile(r"[。，；！？,;|]")
log = logging.getLogger(__name__)
RECENT_READS = 2  # documents kept by file hash between embedding an upload ahead and storing it
_RECENT: OrderedDict[str, Document] = OrderedDict()
_RECENT_LOCK = threading.Lock()
PageCallback = Callable[[int, int, bool], None]  # (pages read, pages in all, that page was a scan)


@dataclass
class FileOutcome:
    path: str
    status: Status
    doc_id: str | None = None
    reason: str | None = None
    chunks: int = 0
    meta: dict = field(default_factory=dict)


@dataclass
class IngestReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == Status.failed]

    @property
    def new_ids(self) -> list[str]:
        """Documents this run stored (added, or a new version of a changed file)."""
        return [o.doc_id for o in self.outcomes if o.status in (Status.added, Status.replaced) and o.doc_id]

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders walked for the supported suffixes (sorted, so runs are repeatable)."""
    return [f for f, _ in expand_sources(paths)]


def expand_sources(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """(file, its path relative to the ingest root) for every file: a folder's files relative to that
    folder ("2017/report.txt"), a file given directly by its name."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        if p.is_dir():
            # A folder's README is its documentation, not a report (a file named directly is always read).
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                           and not f.stem.upper().startswith("README"))
            out.extend((f, f.relative_to(p).as_posix()) for f in files)
        else:
            out.append((p, p.name))
    return out


def body_cjk(text: str) -> int:
    """CJK characters in running text: lines that read as sentences or table rows, not menu items."""
    lines = text.split("\n")
    return sum(cjk_count(line) for line in lines if _RUNNING.search(line) or cjk_count(line) >= 30)


def read_document(path: Path, max_bytes: int, source: str | None = None,
                  on_page: PageCallback | None = None) -> Document:
    """Load, normalize and describe one file; raise IngestError if it is not a usable report.
    ``source`` is the path relative to the ingest root (default: the file name). A PDF's document
    carries its layout (where each character and table cell is printed: ingest/layout.py).

    The last few documents read are kept by their bytes' hash: the app reads an upload once to embed it
    ahead and once to store it, and a scan's OCR (minutes on 2 cores) then runs once, not twice."""
    digest = _file_hash(path) if path.is_file() and path.stat().st_size <= max_bytes else ""
    with _RECENT_LOCK:
        kept = _RECENT.get(digest) if digest else None
    if kept is not None:
        return dataclasses.replace(kept, source=source or path.name, meta=dict(kept.meta))
    doc = _read_document(path, max_bytes, source, on_page)
    if digest:
        with _RECENT_LOCK:
            _RECENT[digest] = doc
            while len(_RECENT) > RECENT_READS:
                _RECENT.popitem(last=False)
    return dataclasses.replace(doc, meta=dict(doc.meta))


def _read_document(path: Path, max_bytes: int, source: str | None, on_page: PageCallback | None) -> Document:
    loaded = load_file(path, max_bytes, on_page)
    text = normalize_text(loaded.text)
    cjk = cjk_count(text)
    if not text:
        raise IngestError(str(path), "文件为空（去除空白后没有文字）")
    if cjk < MIN_CJK_CHARS or cjk_ratio(text) < 0.2:
        raise IngestError(str(path), f"不是中文报告（仅 {cjk} 个汉字）")
    if body_cjk(text) < MIN_BODY_CJK:
        raise IngestError(str(path), "不是报告（正文过少）")
    doc_id = hashlib.sha256(text.encode()).hexdigest()[:16]
    doc = Document(doc_id, source or path.name, text, extract_metadata(text), _file_hash(path))
    if loaded.pdf is not None:
        pdf = loaded.pdf
        doc.layout = build_layout(text, pdf.glyphs, pdf.tables, pdf.sizes).to_json()
    return doc


def read_layout(path: Path, text: str) -> bytes | None:
    """The layout of a stored PDF text, from its file read again (`govqa repair` backfills stores made
    before layouts); None when the file is not a PDF or cannot be read."""
    if path.suffix.lower() != ".pdf" or not path.is_file():
        return None
    try:
        pdf = load_file(path, max_bytes=1 << 62).pdf
    except IngestError:
        return None
    return build_layout(text, pdf.glyphs, pdf.tables, pdf.sizes).to_json() if pdf is not None else None


def embed_ahead(path: Path, settings: Settings, embeddings: Embeddings | None, on_page: PageCallback | None = None) -> None:
    """Put a file's chunk vectors into the embedding cache without touching the store. Embedding is
    nearly all of an ingest's time; the app does this off the library's thread, so questions are
    answered while an upload is embedded, and the store write that follows finds every vector cached.
    A file that cannot be read is left alone: the real ingest reports why."""
    if embeddings is None:
        return
    try:
        doc = read_document(path, int(settings.max_file_mb * 1e6), on_page=on_page)
    except IngestError:
        return
    chunks = chunk_document(doc.doc_id, doc.text, settings.chunk_size, settings.chunk_overlap, settings.max_chunk_chars)
    embeddings.embed_documents([c.text for c in chunks])


def ingest(store: Store, paths: Iterable[Path], progress: bool = False, on_page: PageCallback | None = None) -> IngestReport:
    """Ingest files and folders. If another process holds the store's write lock past
    write_lock_timeout_s, this file and the rest are reported failed with that reason, unwritten.
    ``on_page`` is told after each PDF page is read (the app's OCR progress)."""
    return ingest_sources(store, expand_sources(paths), progress, on_page)


def ingest_sources(store: Store, files: list[tuple[Path, str]], progress: bool = False,
                   on_page: PageCallback | None = None) -> IngestReport:
    """Ingest (file, source name) pairs: ``ingest`` after naming each file by its ingest root, and
    `govqa repair` when it restores a library from its sources journal under the recorded names."""
    s = store.settings
    report = IngestReport()
    iterator = files
    if progress and len(files) > 1:
        from tqdm import tqdm

        iterator = tqdm(files, desc="导入", unit="份")
    try:
        for i, (path, source) in enumerate(iterator):
            try:
                report.outcomes.append(_ingest_one(store, path, source, int(s.max_file_mb * 1e6), on_page))
            except StoreBusy as exc:
                report.outcomes += [FileOutcome(str(p), Status.failed, reason=str(exc)) for p, _ in files[i:]]
                break
    finally:
        store.refresh()
    return report


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _known(prev: DocRecord, doc: Document, path: Path) -> FileOutcome:
    status = Status.unchanged if prev.source == doc.source else Status.duplicate
    reason = None if status == Status.unchanged else f"与已导入的 {prev.source} 内容相同"
    return FileOutcome(str(path), status, doc.doc_id, reason, prev.n_chunks, prev.meta)


def _ingest_one(store: Store, path: Path, source: str, max_bytes: int, on_page: PageCallback | None = None) -> FileOutcome:
    s = store.settings
    try:
        if not path.exists():
            raise IngestError(str(path), "文件不存在")
        if path.stat().st_size <= max_bytes and (done := store.stored_file(source, _file_hash(path))):
            # This very file is stored: skip it unread. A bulk ingest re-run after a kill -9 goes
            # straight to the first report it had not finished (reading one costs ~60 ms of jieba).
            prev = store.record(done)
            assert prev is not None
            return FileOutcome(str(path), Status.unchanged, prev.doc_id, None, prev.n_chunks, prev.meta)
        doc = read_document(path, max_bytes, source, on_page)
        if prev := store.record(doc.doc_id):
            return _known(prev, doc, path)
        chunks = chunk_document(doc.doc_id, doc.text, s.chunk_size, s.chunk_overlap, s.max_chunk_chars)
        with store.writing():  # decide under the lock: another process may have stored it meanwhile
            if prev := store.record(doc.doc_id):
                return _known(prev, doc, path)
            old = store.ids_by_source(doc.source)
            store.add(doc, str(path), chunks, rebuild=False, replaces=old)
        return FileOutcome(str(path), Status.replaced if old else Status.added, doc.doc_id, None, len(chunks), doc.meta)
    except IngestError as exc:
        return FileOutcome(str(path), Status.failed, reason=exc.reason)
    except StoreBusy:
        raise  # not this file's fault: ingest() stops and reports the rest unwritten
    except Exception as exc:  # the store rolled back; report and continue with the next file
        log.exception("storing %s failed", path)
        return FileOutcome(str(path), Status.failed, reason=f"写入失败：{type(exc).__name__}: {exc}")
