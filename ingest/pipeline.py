"""ingest(paths) -> IngestReport: every file all-or-nothing, failures named with their reason.

A document is its content plus its path relative to the ingest root (the folder given; for a
file given directly, its name): ``doc_id`` is the hash of the normalized text and ``source`` the
relative path ("2017/report.txt"). Re-ingesting an unchanged file is a no-op; the same content
under another path is recognised as a duplicate; a file whose content changed replaces only the
document with the same relative path (the store records the replacement, stores the new one,
then removes the old, so a failure or a crash never leaves the user with neither, nor both).

Each file is checked and written under the store's write lock, so a second `govqa ingest` of the
same folder at the same time waits, then finds the files already stored ("unchanged"). Each file is
read in a worker process within the settings' memory and time limits (ingest/worker.py): a hostile
file fails with its reason and the store is not touched.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from govqa.cells import cells_in_text
from govqa.settings import Settings
from govqa.types import DocRecord, Document, ReportMeta, Status, issuer_key
from ingest.chunking import chunk_document
from ingest.errors import IngestError
from ingest.layout import build_layout
from ingest.loaders import SUFFIXES, load_file
from ingest.pdf import PageProgress
from ingest.reader import file_hash
from ingest.worker import read_bounded
from vectorstore.store import Store, StoreBusy

# A scan and a text copy of one report: the same issuer, year and kind, and at least this many table cells
# in common, of which at least SAME_CELLS_SHARE hold the same value (OCR may misread a few).
SAME_REPORT_MIN_CELLS = 10
SAME_CELLS_SHARE = 0.95

log = logging.getLogger(__name__)


@dataclass
class FileOutcome:
    path: str
    status: Status
    doc_id: str | None = None
    reason: str | None = None
    chunks: int = 0
    meta: ReportMeta | None = None


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


@dataclass
class Prepared:
    """A file read ahead of its store write (the app's upload): its Document, or why it cannot be one."""

    doc: Document | None = None
    reason: str | None = None


def prepare(path: Path, settings: Settings, embeddings: Embeddings | None, on_page: PageProgress | None = None) -> Prepared:
    """Read a file (in the bounded worker) and put its chunk vectors into the embedding cache, without
    touching the store. Reading and embedding are nearly all of an ingest's time; the app does this off
    the library's thread, so questions are answered while an upload is read and embedded (or while a
    hostile one runs into its limits), and the store write that follows has nothing left to do but write.
    The file is read once: a scan's OCR (minutes on 2 cores) is not repeated by the store write.
    ``on_page`` is told after each PDF page is read (the app's OCR progress)."""
    try:
        doc = read_bounded(path, path.name, settings, on_page=on_page)
    except IngestError as exc:
        return Prepared(reason=exc.reason)
    if embeddings is not None:
        chunks = chunk_document(doc.doc_id, doc.text, settings.chunk_size, settings.chunk_overlap,
                                settings.max_chunk_chars)
        embeddings.embed_documents([c.text for c in chunks])
    return Prepared(doc)


def read_layout(path: Path, text: str) -> bytes | None:
    """The layout of a stored PDF text, from its file read again (`govqa repair` backfills stores made
    before layouts); None when the file is not a PDF or cannot be read."""
    if path.suffix.lower() != ".pdf" or not path.is_file():
        return None
    try:
        pdf = load_file(path, 1 << 62).pdf
    except IngestError:
        return None
    return build_layout(text, pdf.glyphs, pdf.tables, pdf.sizes).to_json() if pdf is not None else None


def ingest(store: Store, paths: Iterable[Path], progress: bool = False, prepared: Prepared | None = None,
           on_page: PageProgress | None = None) -> IngestReport:
    """Ingest files and folders. If another process holds the store's write lock past
    write_lock_timeout_s, this file and the rest are reported failed with that reason, unwritten.
    ``prepared``: the one file given, already read (``prepare``): it is not read again. ``on_page`` is
    told after each PDF page is read (the app's OCR progress)."""
    return ingest_sources(store, expand_sources(paths), progress, prepared, on_page)


def ingest_sources(store: Store, files: list[tuple[Path, str]], progress: bool = False,
                   prepared: Prepared | None = None, on_page: PageProgress | None = None) -> IngestReport:
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
                report.outcomes.append(_ingest_one(store, path, source, int(s.max_file_mb * 1e6), prepared, on_page))
            except StoreBusy as exc:
                report.outcomes += [FileOutcome(str(p), Status.failed, reason=str(exc)) for p, _ in files[i:]]
                break
    finally:
        store.refresh()
    return report


def _known(prev: DocRecord, doc: Document, path: Path) -> FileOutcome:
    status = Status.unchanged if prev.source == doc.source else Status.duplicate
    reason = None if status == Status.unchanged else f"与已导入的 {prev.source} 内容相同"
    return FileOutcome(str(path), status, doc.doc_id, reason, prev.n_chunks, prev.meta)


def same_report(store: Store, doc: Document) -> DocRecord | None:
    """The stored report this one is another copy of (a scanned PDF of a text one, or the reverse): the same
    identity (govqa.types.issuer_key, year, kind) and the same statistical-table cells. Text that differs
    (OCR's reading, a page header) makes another document id, so the hash alone cannot tell."""
    who = issuer_key(doc.meta)
    if who is None or not doc.meta.year:
        return None
    mine = {(c.row, c.col): c.value for c in cells_in_text(doc.text) if c.value is not None}
    if len(mine) < SAME_REPORT_MIN_CELLS:
        return None
    for d in store.documents():
        if d.source == doc.source or d.meta.year != doc.meta.year or d.meta.kind != doc.meta.kind or issuer_key(d.meta) != who:
            continue
        theirs = {(c.row, c.col): c.value for _, c in store.cells(d.doc_id) if c.value is not None}
        shared = mine.keys() & theirs.keys()
        if len(shared) >= SAME_REPORT_MIN_CELLS and sum(mine[k] == theirs[k] for k in shared) >= SAME_CELLS_SHARE * len(shared):
            return d
    return None


def _ingest_one(store: Store, path: Path, source: str, max_bytes: int, prepared: Prepared | None = None,
                on_page: PageProgress | None = None) -> FileOutcome:
    s = store.settings
    try:
        if not path.exists():
            raise IngestError(str(path), "文件不存在")
        if path.stat().st_size <= max_bytes and (done := store.stored_file(source, file_hash(path))):
            # This very file is stored: skip it unread. A bulk ingest re-run after a kill -9 goes
            # straight to the first report it had not finished (reading one costs ~60 ms of jieba).
            prev = store.record(done)
            assert prev is not None
            return FileOutcome(str(path), Status.unchanged, prev.doc_id, None, prev.n_chunks, prev.meta)
        if prepared is not None and prepared.reason:
            raise IngestError(str(path), prepared.reason)
        if prepared is not None and prepared.doc is not None:
            doc = dataclasses.replace(prepared.doc, source=source)
        else:
            doc = read_bounded(path, source, s, max_bytes, on_page)
        if prev := store.record(doc.doc_id):
            return _known(prev, doc, path)
        if (twin := same_report(store, doc)) is not None:
            why = f"与已导入的 {twin.source} 是同一份报告（发布单位、年份相同，表格数字一致）"
            return FileOutcome(str(path), Status.duplicate, twin.doc_id, why, twin.n_chunks, twin.meta)
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
