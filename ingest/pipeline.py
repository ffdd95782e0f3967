"""ingest(paths) -> IngestReport: every file all-or-nothing, failures named with their reason.

Identity is content: ``doc_id`` is the hash of the normalized text. Re-ingesting an unchanged
file is a no-op; the same content under another name is recognised as a duplicate; a file
whose content changed replaces its old version (the new one is stored first, then the old
one removed, so a failure never leaves the user with neither).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from govqa.text import cjk_count, cjk_ratio, normalize_text
from govqa.types import DocRecord, Document, Status
from ingest.chunking import chunk_document
from ingest.errors import IngestError
from ingest.loaders import SUFFIXES, load
from ingest.metadata import extract_metadata
from vectorstore.store import Store

MIN_CJK_CHARS = 50
log = logging.getLogger(__name__)


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
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


def read_document(path: Path, max_bytes: int) -> Document:
    """Load, normalize and describe one file; raise IngestError if it is not a usable report."""
    text = normalize_text(load(path, max_bytes))
    cjk = cjk_count(text)
    if not text:
        raise IngestError(str(path), "文件为空（去除空白后没有文字）")
    if cjk < MIN_CJK_CHARS or cjk_ratio(text) < 0.2:
        raise IngestError(str(path), f"不是中文报告（仅 {cjk} 个汉字）")
    doc_id = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Document(doc_id, path.name, text, extract_metadata(text), hashlib.sha256(path.read_bytes()).hexdigest())


def ingest(store: Store, paths: Iterable[Path], progress: bool = False) -> IngestReport:
    s = store.settings
    files = expand(paths)
    report = IngestReport()
    iterator = files
    if progress and len(files) > 1:
        from tqdm import tqdm

        iterator = tqdm(files, desc="导入", unit="份")
    known = {d.doc_id: d for d in store.documents()}
    try:
        for path in iterator:
            report.outcomes.append(_ingest_one(store, path, known, int(s.max_file_mb * 1e6)))
    finally:
        store.refresh()
    return report


def _ingest_one(store: Store, path: Path, known: dict[str, DocRecord], max_bytes: int) -> FileOutcome:
    s = store.settings
    try:
        if not path.exists():
            raise IngestError(str(path), "文件不存在")
        doc = read_document(path, max_bytes)
        if doc.doc_id in known:
            prev = known[doc.doc_id]
            status = Status.unchanged if prev.source == doc.source else Status.duplicate
            reason = None if status == Status.unchanged else f"与已导入的 {prev.source} 内容相同"
            return FileOutcome(str(path), status, doc.doc_id, reason, prev.n_chunks, prev.meta)
        chunks = chunk_document(doc.doc_id, doc.text, s.chunk_size, s.chunk_overlap, s.max_chunk_chars)
        old = [d for d in known.values() if d.source == doc.source]
        store.add(doc, str(path), chunks, rebuild=False)
        for o in old:
            store.remove(o.doc_id, rebuild=False)
            known.pop(o.doc_id, None)
        known[doc.doc_id] = DocRecord(doc.doc_id, doc.source, str(path), doc.sha256, doc.meta, len(chunks), 0.0)
        return FileOutcome(str(path), Status.replaced if old else Status.added, doc.doc_id, None, len(chunks), doc.meta)
    except IngestError as exc:
        return FileOutcome(str(path), Status.failed, reason=exc.reason)
    except Exception as exc:  # the store rolled back; report and continue with the next file
        log.exception("storing %s failed", path)
        return FileOutcome(str(path), Status.failed, reason=f"写入失败：{type(exc).__name__}: {exc}")
