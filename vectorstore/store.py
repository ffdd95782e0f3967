"""The store: one registry, one Chroma collection, one keyword index, written together.

A document is added or removed as a unit. Order of an add: mark pending -> vectors into
Chroma -> registry rows and their keyword-index entries (one SQLite transaction: the FTS5 index
lives in the registry file, see vectorstore/keyword.py) -> clear pending. Any failure rolls the
Chroma part back; a crash is healed at the next open. Adding or removing a report costs time in
proportion to that report: nothing is rebuilt.

One writer at a time per data dir: every write holds ``data_dir/write.lock`` (fcntl.flock), so
two `govqa ingest` runs, or the app and the CLI, never interleave; the second waits (up to
``write_lock_timeout_s``) and, under the lock, finds what the first stored. Readers in other
processes see new documents at ``refresh()``: the keyword index is the registry's own tables (a
reader sees every commit), and the embedded Chroma client, whose in-memory vector index another
process's writes leave stale, is reopened when SQLite says another connection committed.

The indexes are the store's own: the retriever asks ``keyword_search`` and ``dense_search``,
the service asks for documents; nothing outside this package touches Chroma or the keyword index.
"""

from __future__ import annotations

import bisect
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document as LCDocument

from govqa.cells import Cell
from govqa.settings import Settings
from govqa.types import Chunk, DocRecord, Document, ReportMeta
from vectorstore.catalog import Catalog
from vectorstore.embeddings import make_embeddings
from vectorstore.registry import Registry
from vectorstore.tokenize import tokenize

WAIT_MESSAGE = "另一个进程正在写入报告库，等待中…"
REPAIR_HINT = "请运行 govqa repair 修复"
log = logging.getLogger(__name__)

if TYPE_CHECKING:  # chromadb is imported when a store has vectors: a BM25-only process opens ~1 s sooner
    from langchain_chroma import Chroma


class StoreError(Exception):
    pass


class StoreBusy(StoreError):
    """Another process held the write lock longer than write_lock_timeout_s; nothing was written."""


class WriteLock:
    """An exclusive flock on data_dir/write.lock, re-entrant within one Store (a replace holds it
    across its add and its removes). Released by the kernel if the process dies."""

    def __init__(self, path: Path, timeout_s: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.timeout_s = path, timeout_s
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        self._depth = 0

    @property
    def held(self) -> bool:
        return self._depth > 0

    def try_acquire(self) -> bool:
        if self._depth:
            self._depth += 1
            return True
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._depth = 1
        return True

    def acquire(self) -> None:
        """Wait for the lock, saying so on stderr; StoreBusy after timeout_s."""
        if self.try_acquire():
            return
        print(WAIT_MESSAGE, file=sys.stderr, flush=True)
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if self.try_acquire():
                return
        raise StoreBusy(f"另一个进程占用报告库超过 {self.timeout_s:g} 秒，本次未写入任何内容；请稍后重试"
                        f"（若没有其他 govqa 进程在运行，可删除 {self.path}）")

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


def collection_name(settings: Settings, model_id: str) -> str:
    """One collection per data dir. Embedded, the collection lives inside data_dir/chroma and keeps
    the name it always had (existing stores open unchanged); on a Chroma server, several data dirs
    may share one server, so the name carries a hash of the resolved data dir."""
    if settings.collection_name:
        return settings.collection_name
    base = re.sub(r"[^A-Za-z0-9_-]", "-", f"{settings.collection_prefix}_{model_id}")[:60]
    if not settings.chroma_host:
        return base
    digest = hashlib.sha256(str(Path(settings.data_dir).resolve()).encode()).hexdigest()[:10]
    return f"{base[:50]}_{digest}"


class Store:
    def __init__(self, settings: Settings, progress: bool = False) -> None:
        self.settings = settings
        self._progress = progress
        self._root = Path(settings.data_dir)
        self._registry = Registry(self._root / "registry.sqlite")
        self._inode = self._registry_inode()
        self._lock = WriteLock(self._root / "write.lock", settings.write_lock_timeout_s)
        self._keywords = self._registry.keywords
        self._keywords_problem = ""  # Chinese, when the keyword index is damaged: questions use vectors only
        shutil.rmtree(self._root / "bm25", ignore_errors=True)  # the bm25s index of stores before FTS5
        self._embeddings = make_embeddings(settings, progress=progress)
        self._chroma: Chroma | None = None
        self.problems: list[str] = []  # Chinese, what opening found wrong (see Library.repair)
        # Every question reads the document list (its filter); at 10,000 reports reading and parsing it
        # costs tens of ms, so it is kept until this store writes or another process commits.
        self._docs: list[DocRecord] | None = None
        self._catalog: Catalog | None = None
        self._data_version = self._registry.data_version()
        if self._embeddings is not None:
            try:
                self._chroma = self._open_chroma(fresh=True)
            except Exception as exc:
                if settings.chroma_host:
                    raise  # a server that is down is not damage: open_store says to start it
                self._chroma = self._open_chroma_under_lock(exc)
        self._heal()

    def _open_chroma_under_lock(self, first: Exception) -> Chroma | None:
        """A second try while no one writes: two processes creating one new store at once can trip over
        each other's first write. Only a store that fails again is reported as damaged."""
        log.debug("vector store failed to open; retrying under the write lock", exc_info=first)
        self._lock.acquire()
        try:
            return self._open_chroma(fresh=True)
        except Exception as exc:
            log.debug("vector store failed to open", exc_info=exc)  # the Chinese message says it
            self.problems.append(f"向量库 {self._root / 'chroma'} 已损坏，无法打开（{type(exc).__name__}）")
            return None
        finally:
            self._lock.release()

    def _open_chroma(self, fresh: bool = False) -> Chroma:
        """The collection. ``fresh``: a new embedded client, not the one chromadb shares per folder
        within a process, whose in-memory vector index may predate another process's writes (or a
        folder deleted since): queries then fail with 'Error finding id'."""
        if fresh and not self.settings.chroma_host:
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient._identifier_to_system.pop(str(self._root / "chroma"), None)
        kwargs: dict[str, Any] = dict(
            collection_name=collection_name(self.settings, self._embeddings.model_id),
            embedding_function=self._embeddings, collection_metadata={"hnsw:space": "cosine"},
        )
        import chromadb
        from langchain_chroma import Chroma

        if self.settings.chroma_host:
            client = chromadb.HttpClient(host=self.settings.chroma_host, port=self.settings.chroma_port)
        else:
            client = chromadb.PersistentClient(path=str(self._root / "chroma"))
        chroma = Chroma(client=client, **kwargs)
        # Our own handle on the collection, for what LangChain's wrapper does not offer (a cheap count).
        self._collection = client.get_collection(kwargs["collection_name"])
        return chroma

    def _reopen_chroma(self) -> None:
        """Open the embedded collection anew after another process wrote (see _open_chroma)."""
        if self._embeddings is None or self.settings.chroma_host:
            return
        try:
            self._chroma = self._open_chroma(fresh=True)
        except Exception as exc:
            log.debug("vector store failed to reopen", exc_info=exc)
            self._chroma = None
            self.problems.append(f"向量库 {self._root / 'chroma'} 无法打开（{type(exc).__name__}）")

    def _registry_inode(self) -> int:
        try:
            return os.stat(self._root / "registry.sqlite").st_ino
        except OSError:
            return -1

    def _reopen_registry(self) -> None:
        """Open the registry file anew: `govqa repair` in another process replaced it (the old one set aside)."""
        self._registry.db.close()
        self._registry = Registry(self._root / "registry.sqlite")
        self._keywords = self._registry.keywords
        self._keywords_problem = ""
        self._inode = self._registry_inode()
        self._docs = None

    def _sync(self) -> None:
        """Follow another process's writes: reopen Chroma when anyone else committed to the registry, and
        the registry itself when a repair replaced its file."""
        if self._registry_inode() != self._inode:
            self._reopen_registry()
        version = self._registry.data_version()
        if version != self._data_version:
            self._data_version = version
            self._docs = None
            self._reopen_chroma()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the data dir's write lock (waiting for another process's write to finish), with Chroma
        and the registry as the last writer left them."""
        self._lock.acquire()
        try:
            self._sync()
            if self._vectors_broken:
                raise StoreError(f"向量库已损坏，未写入；{REPAIR_HINT}")
            if self._keywords_problem:
                raise StoreError(f"{self._keywords_problem}，未写入；{REPAIR_HINT}")
            yield
        finally:
            self._lock.release()

    @property
    def _vectors_broken(self) -> bool:
        return self._embeddings is not None and self._chroma is None

    def _heal(self) -> None:
        """Finish or undo what a crashed writer left (replacements, half-written documents), check that
        the indexes agree. Skipped while another process
        writes: its pending rows are work in progress, not a crash's leftovers."""
        if self._lock.try_acquire():
            try:
                if not self._vectors_broken:
                    self._finish_replacements()
                    for doc_id in self._registry.pending():
                        log.warning("removing %s, left half-written by an interrupted write", doc_id)
                        self._drop(doc_id)
                self.refresh()
                self.problems += self._check()
            finally:
                self._lock.release()
        else:
            self.refresh()

    def _finish_replacements(self) -> None:
        pending = set(self._registry.pending())
        for new_id, old_id in self._registry.replacing():
            if self._registry.has(new_id) and new_id not in pending:
                log.warning("finishing the replacement of %s by %s", old_id, new_id)
                self._drop(old_id)
            else:
                log.warning("undoing the interrupted replacement of %s by %s", old_id, new_id)
                self._drop(new_id)
            self._registry.clear_replacing(new_id)

    def _check(self) -> list[str]:
        """Cheap agreement check (counts): registry chunks vs. vectors vs. keyword index."""
        out = []
        chunks = self._registry.n_chunks()
        if self._chroma is not None:
            vectors = self._collection.count()
            if vectors != chunks:
                out.append(f"向量库与登记表不一致（{vectors} 个向量，{chunks} 个文本块）")
        indexed = self._keywords.count()
        if damage := self._keywords.damaged():
            self._keywords_problem = f"关键词索引已损坏（{damage}）"
            out.append(self._keywords_problem)
        elif indexed < 0:
            out.append("关键词索引缺失")
        elif indexed != chunks:
            out.append(f"关键词索引与登记表不一致（{indexed} 条，{chunks} 个文本块）")
        return out

    def refresh(self) -> None:
        """Follow another process's writes (`govqa ingest` beside the app): the keyword index is read
        from the registry's file at each query, so only the embedded Chroma client needs reopening."""
        self._sync()

    # -- reads -------------------------------------------------------------
    def documents(self) -> list[DocRecord]:
        """All documents, from the registry as it is now (another process's commits included)."""
        self._sync()
        if self._docs is None:
            self._docs = self._registry.documents()
        return list(self._docs)

    def catalog(self) -> Catalog:
        """The document list with its lookups (vectorstore/catalog.py), kept until the list changes."""
        self.documents()
        assert self._docs is not None
        if self._catalog is None or self._catalog.documents is not self._docs:
            self._catalog = Catalog(self._docs)
        return self._catalog

    def document(self, doc_id: str) -> Document | None:
        return self._registry.document(doc_id)

    def cells(self, doc_id: str | None = None, row: str | None = None, col: str | None = None) -> list[tuple[str, Cell]]:
        """The stored table-cell records: of one document, or of one row (and column) across the library."""
        return self._registry.cells(doc_id, row, col)

    def cell_keys(self) -> list[tuple[str, str, int]]:
        return self._registry.cell_keys()

    def layout(self, doc_id: str) -> bytes | None:
        """Where a PDF's text is printed (ingest/layout.py), or None (not a PDF, or not backfilled yet)."""
        return self._registry.layout(doc_id)

    def without_layout(self) -> list[tuple[str, str | None]]:
        return self._registry.without_layout()

    def set_layout(self, doc_id: str, data: bytes) -> None:
        """Store a backfilled layout (`govqa repair`); the text and its offsets are unchanged."""
        with self.writing():
            self._registry.set_layout(doc_id, data)

    def record(self, doc_id: str) -> DocRecord | None:
        return self._registry.record(doc_id)

    def stored_file(self, source: str, sha256: str) -> str | None:
        return self._registry.stored_file(source, sha256)

    def ids_by_source(self, source: str) -> list[str]:
        return self._registry.by_source(source)

    def resolve(self, ref: str) -> str:
        """A document named by id, id prefix (>= 6 chars), path relative to its ingest folder
        ("2017/report.txt"), or bare file name when only one document has it."""
        docs = self.documents()
        ref = ref.strip().replace("\\", "/")
        hits = [d for d in docs if ref in (d.doc_id, d.source)]
        if not hits and len(ref) >= 6:
            hits = [d for d in docs if d.doc_id.startswith(ref)]
        if not hits:
            hits = [d for d in docs if Path(d.source).name == ref]
        if not hits:
            raise StoreError(f"找不到文档 {ref!r}")
        if len(hits) > 1:
            listed = "；".join(f"{d.doc_id}（{d.source}）" for d in hits)
            raise StoreError(f"{ref!r} 对应多个文档，请用编号或相对路径指明：{listed}")
        return hits[0].doc_id

    def chunk(self, chunk_id: str) -> Chunk:
        doc_id, idx = chunk_id.rsplit(":", 1)
        return self._registry.chunk(doc_id, int(idx))

    @property
    def has_vectors(self) -> bool:
        return self._chroma is not None

    @property
    def keywords_broken(self) -> str:
        """Why the keyword index cannot be used (damaged at open or found so by a question), or ""."""
        return self._keywords_problem

    def keyword_search(self, tokens: list[str], k: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best k chunks, only within doc_ids when given: the filter is
        part of the engine's query (vectorstore/keyword.py), never a mask over every chunk. A damaged
        index gives no hits, never an exception: the question is answered from the vectors, and the
        damage is reported (``keywords_broken``, ``problems``) with the advice to run `govqa repair`."""
        if self._keywords_problem:
            return []
        try:
            return self._keywords.search(tokens, k, doc_ids)
        except sqlite3.DatabaseError as exc:
            log.warning("keyword index damaged: %s", exc)
            self._keywords_problem = f"关键词索引已损坏（{exc}）"
            self.problems.append(self._keywords_problem)
            return []

    def dense_search(self, query: str, k: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks, only within doc_ids when given.
        An embedded client left stale by another process's write is reopened once and asked again."""
        if self._chroma is None or doc_ids == []:
            return []
        flt = {"doc_id": {"$in": doc_ids}} if doc_ids is not None else None
        try:
            pairs = self._chroma.similarity_search_with_score(query, k=k, filter=flt)
        except Exception as exc:
            if self.settings.chroma_host or type(exc).__name__ != "InternalError":
                raise
            log.warning("dense search failed (%s); reopening the vector store", exc)
            self._reopen_chroma()
            if self._chroma is None:
                return []
            pairs = self._chroma.similarity_search_with_score(query, k=k, filter=flt)
        return [(f"{d.metadata['doc_id']}:{d.metadata['index']}", 1.0 - float(dist)) for d, dist in pairs]

    # -- writes ------------------------------------------------------------
    def _chroma_meta(self, doc: Document, c: Chunk) -> dict[str, Any]:
        return {**doc.meta.chunk_fields(), "doc_id": doc.doc_id, "index": c.index, "start": c.start, "end": c.end,
                "source": doc.source}

    def add(self, doc: Document, path: str, chunks: list[Chunk], rebuild: bool = True,
            replaces: list[str] | None = None) -> bool:
        """Store a document, then remove the documents it ``replaces`` (an older version of the same
        file). False, and nothing written, when the document is already stored (another process was
        first). The replacement is recorded before anything is written, so a crash part-way is
        finished (or undone) at the next open: never both versions, never neither."""
        if not chunks:
            raise StoreError(f"{doc.source}: 没有可索引的文本")
        tokens = [tokenize(c.text) for c in chunks]
        with self.writing():
            if self._registry.has(doc.doc_id):
                return False
            old = [o for o in replaces or [] if self._registry.has(o)]
            self._registry.mark_replacing(doc.doc_id, old)
            self._registry.mark_pending(doc.doc_id)
            try:
                if self._chroma is not None:
                    self._chroma.add_texts(
                        [c.text for c in chunks],
                        metadatas=[self._chroma_meta(doc, c) for c in chunks],
                        ids=[c.chunk_id for c in chunks],
                    )
                self._registry.add(doc, path, chunks, tokens)
            except BaseException:
                self._drop(doc.doc_id)  # ours alone: under the lock, and the id was not registered
                self._registry.clear_replacing(doc.doc_id)
                raise
            self._registry.clear_pending(doc.doc_id)
            self._cache_put(doc.doc_id)
            for o in old:
                self._registry.mark_pending(o)
                self._drop(o)
            self._registry.clear_replacing(doc.doc_id)
        if rebuild:
            self.refresh()
        return True

    def _cache_put(self, doc_id: str) -> None:
        """Our own write, applied to the kept document list (re-reading 10,000 records after each added
        report would make one report's ingest cost grow with the library)."""
        if self._docs is None:
            return
        record = self._registry.record(doc_id)
        docs = [d for d in self._docs if d.doc_id != doc_id]
        if record is not None:
            bisect.insort(docs, record, key=lambda d: d.source)
        self._docs = docs

    def _drop(self, doc_id: str) -> None:
        if self._chroma is not None:
            self._chroma.delete(where={"doc_id": doc_id})
        self._registry.remove(doc_id)
        self._registry.clear_pending(doc_id)
        if self._docs is not None:
            self._docs = [d for d in self._docs if d.doc_id != doc_id]

    def remove(self, doc_id: str, rebuild: bool = True) -> None:
        with self.writing():
            self._registry.mark_pending(doc_id)
            self._drop(doc_id)
        if rebuild:
            self.refresh()

    def set_meta(self, doc_id: str, updates: dict[str, Any]) -> ReportMeta:
        """Store corrected metadata, in the registry and on every chunk's vector (the dense filter reads it).
        The chunks are re-sent through the embedding cache, so nothing is embedded again."""
        with self.writing():
            doc = self._registry.document(doc_id)
            if doc is None:
                raise StoreError(f"找不到文档 {doc_id}")
            meta = doc.meta.corrected(updates)
            if self._chroma is not None:
                new_doc = Document(doc.doc_id, doc.source, doc.text, meta)
                chunks = self._chunks_of(doc_id)
                self._chroma.update_documents(
                    [c.chunk_id for c in chunks],
                    [LCDocument(page_content=c.text, metadata=self._chroma_meta(new_doc, c)) for c in chunks],
                )
            self._registry.set_meta(doc_id, meta)
            self._cache_put(doc_id)
        return meta

    def _chunks_of(self, doc_id: str) -> list[Chunk]:
        record = self._registry.record(doc_id)
        return [self._registry.chunk(doc_id, i) for i in range(record.n_chunks if record else 0)]

    def repair(self) -> dict[str, Any]:
        """Make Chroma and the keyword index agree with the registry (the source of truth): a damaged
        vector folder is set aside and started afresh, missing vectors are re-added from the stored
        texts (the embedding cache makes that cheap), the keyword index re-read from the registry's
        tokens (a dropped or emptied FTS5 table comes back whole; one whose pages are damaged is
        rebuilt in a fresh registry file, the damaged file set aside). Nothing is ever deleted without a
        copy: vectors of chunks the registry does not hold (an emptied or lost registry, with or without
        its sources journal) may be the last copy of their text, so they are written to
        data_dir/set-aside/ with their text, metadata and embedding before they leave the collection."""
        self._lock.acquire()
        try:
            self._sync()
            set_aside = 0
            if self._vectors_broken:
                folder = self._root / "chroma"
                if folder.exists():
                    shutil.move(str(folder), str(self._root / f"chroma.damaged-{int(time.time())}"))
                    set_aside = 1
                self.problems = []
                self._reopen_chroma()
            added = removed = 0
            kept_in: str | None = None
            if self._chroma is not None:
                want = self._registry.chunk_ids()
                have = set(self._chroma.get(include=[])["ids"])
                stray = sorted(have - want)
                if stray:
                    kept_in = str(self._set_aside_vectors(stray))
                for i in range(0, len(stray), 500):
                    self._chroma.delete(ids=stray[i : i + 500])
                removed = len(stray)
                missing_docs = sorted({cid.rsplit(":", 1)[0] for cid in want - have})
                from tqdm import tqdm

                # Vectors filled later (`govqa ingest --vectors-later`): one report at a time, each whole.
                for doc_id in tqdm(missing_docs, desc="补齐向量", unit="份", disable=not self._progress):
                    doc = self._registry.document(doc_id)
                    chunks = [c for c in self._chunks_of(doc_id) if c.chunk_id not in have]
                    self._chroma.add_texts([c.text for c in chunks], ids=[c.chunk_id for c in chunks],
                                           metadatas=[self._chroma_meta(doc, c) for c in chunks])
                    added += len(chunks)
            registry_aside = None
            try:
                self._keywords.rebuild()
            except sqlite3.DatabaseError as exc:  # its pages are damaged: SQLite cannot even drop the table
                log.warning("keyword index cannot be rebuilt in place (%s); rebuilding the registry file", exc)
                registry_aside = str(self._rebuild_registry_file())
                set_aside = 1
            self._keywords_problem = ""
            self.problems = self._check()
        finally:
            self._lock.release()
        return {"vectors_added": added, "vectors_removed": removed, "vectors_set_aside_in": kept_in,
                "registry_set_aside_as": registry_aside, "keyword_chunks": self._keywords.count(), "set_aside": set_aside}

    def _set_aside_vectors(self, ids: list[str]) -> Path:
        """Write these vectors (id, chunk text, metadata, embedding) to data_dir/set-aside/ as JSON lines,
        whole or not at all, before the caller removes them from the collection."""
        folder = self._root / "set-aside"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"vectors-{time.strftime('%Y%m%d-%H%M%S')}-{len(ids)}.jsonl"
        tmp = path.with_suffix(".part")
        with tmp.open("w", encoding="utf-8") as out:
            for i in range(0, len(ids), 500):
                got = self._collection.get(ids=ids[i : i + 500], include=["documents", "metadatas", "embeddings"])
                for j, cid in enumerate(got["ids"]):
                    emb = got["embeddings"][j] if got.get("embeddings") is not None else None
                    out.write(json.dumps({"id": cid, "text": got["documents"][j], "metadata": got["metadatas"][j],
                                          "embedding": [float(x) for x in emb] if emb is not None else None},
                                         ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)
        return path

    def _rebuild_registry_file(self) -> Path:
        """A fresh registry file holding the old one's documents, chunks and cell records, its keyword
        index filled by the chunk rows' own triggers; the old file is set aside (renamed), never deleted.
        Raises StoreError when the registry's own tables cannot be read either."""
        path = self._root / "registry.sqlite"
        fresh = self._root / "registry.sqlite.rebuilding"
        for leftover in (fresh, fresh.with_name(fresh.name + "-journal")):
            leftover.unlink(missing_ok=True)
        new = Registry(fresh)
        try:
            new.db.execute("ATTACH DATABASE ? AS old", (str(path),))
            with new.db:
                for table in ("documents", "chunks", "cells", "pending", "replacing"):
                    cols = ", ".join(f'"{r[1]}"' for r in new.db.execute(f"PRAGMA main.table_info({table})"))
                    new.db.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM old.{table}")
            new.db.execute("DETACH DATABASE old")
        except sqlite3.DatabaseError as exc:
            new.db.close()
            fresh.unlink(missing_ok=True)
            raise StoreError(f"登记表本身也已损坏，无法重建关键词索引（{exc}）；运行 govqa repair 按导入记录重建") from exc
        new.db.close()
        self._registry.db.close()
        aside = self._root / f"registry.sqlite.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
        path.rename(aside)
        fresh.rename(path)
        self._reopen_registry()
        return aside

    def keyword_ids(self) -> list[str]:
        """The chunk ids the keyword index holds (checks that the indexes agree)."""
        return self._keywords.ids()

    def vector_metadata(self, doc_id: str) -> list[dict[str, Any]]:
        """The metadata stored with a document's vectors (what the dense filter reads)."""
        if self._chroma is None:
            return []
        return self._chroma.get(where={"doc_id": doc_id}, include=["metadatas"])["metadatas"]

    def vector_counts(self) -> dict[str, int]:
        """Vectors per document, read in pages of ids (`govqa docs` shows which reports have theirs)."""
        counts: dict[str, int] = {}
        if self._chroma is None:
            return counts
        total, page = self._collection.count(), 5000
        for offset in range(0, total, page):
            for cid in self._collection.get(include=[], limit=page, offset=offset)["ids"]:
                doc_id = cid.rsplit(":", 1)[0]
                counts[doc_id] = counts.get(doc_id, 0) + 1
        return counts

    def count_vectors(self, doc_id: str | None = None) -> int:
        if self._chroma is None:
            return 0
        where = {"doc_id": doc_id} if doc_id else None
        return len(self._chroma.get(where=where, include=[])["ids"])
