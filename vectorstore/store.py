"""The store: one registry, one Chroma collection, one BM25 index, written together.

A document is added or removed as a unit. Order of an add: mark pending -> vectors into
Chroma -> registry row (one SQLite transaction) -> clear pending -> BM25 rebuilt from the
registry. Any failure rolls the Chroma part back; a crash is healed at the next open.

The indexes are the store's own: the retriever asks ``keyword_search`` and ``dense_search``,
the service asks for documents; nothing outside this package touches Chroma or BM25.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
from langchain_chroma import Chroma
from langchain_core.documents import Document as LCDocument

from govqa.settings import Settings
from govqa.types import Chunk, DocRecord, Document
from vectorstore.bm25 import BM25Index
from vectorstore.embeddings import make_embeddings
from vectorstore.registry import Registry
from vectorstore.tokenize import tokenize

CHUNK_META_FIELDS = ("region", "level", "year", "kind")
log = logging.getLogger(__name__)


class StoreError(Exception):
    pass


class Store:
    def __init__(self, settings: Settings, progress: bool = False) -> None:
        self.settings = settings
        root = Path(settings.data_dir)
        self._registry = Registry(root / "registry.sqlite")
        self._bm25 = BM25Index(root / "bm25")
        self._embeddings = make_embeddings(settings, progress=progress)
        self._chroma: Chroma | None = None
        if self._embeddings is not None:
            self._chroma = self._open_chroma(root)
        self._heal()

    def _open_chroma(self, root: Path) -> Chroma:
        name = re.sub(r"[^A-Za-z0-9_-]", "-", f"{self.settings.collection_prefix}_{self._embeddings.model_id}")[:60]
        kwargs: dict[str, Any] = dict(
            collection_name=name, embedding_function=self._embeddings, collection_metadata={"hnsw:space": "cosine"}
        )
        if self.settings.chroma_host:
            import chromadb

            kwargs["client"] = chromadb.HttpClient(host=self.settings.chroma_host, port=self.settings.chroma_port)
        else:
            kwargs["persist_directory"] = str(root / "chroma")
        return Chroma(**kwargs)

    def _heal(self) -> None:
        """Remove documents a crash left half-written, and bring BM25 in line with the registry."""
        for doc_id in self._registry.pending():
            log.warning("removing %s, left half-written by an interrupted write", doc_id)
            self._drop(doc_id)
        self.refresh()

    def refresh(self) -> None:
        """Bring the keyword index in line with the registry: after a batch of writes, or when another
        process (`govqa ingest` beside the app) has changed the store. A no-op when nothing changed."""
        self._bm25.rebuild(self._registry)

    # -- reads -------------------------------------------------------------
    def documents(self) -> list[DocRecord]:
        return self._registry.documents()

    def document(self, doc_id: str) -> Document | None:
        return self._registry.document(doc_id)

    def resolve(self, ref: str) -> str:
        """A document named by id, id prefix (>= 6 chars) or file name."""
        docs = self.documents()
        hits = [d.doc_id for d in docs if ref in (d.doc_id, d.source)]
        if not hits and len(ref) >= 6:
            hits = [d.doc_id for d in docs if d.doc_id.startswith(ref)]
        if len(hits) != 1:
            raise StoreError(f"找不到文档 {ref!r}" if not hits else f"{ref!r} 对应多个文档：{', '.join(hits)}")
        return hits[0]

    def chunk(self, chunk_id: str) -> Chunk:
        doc_id, idx = chunk_id.rsplit(":", 1)
        return self._registry.chunk(doc_id, int(idx))

    @property
    def has_vectors(self) -> bool:
        return self._chroma is not None

    def keyword_search(self, tokens: list[str], k: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best k chunks, only within doc_ids when given."""
        index = self._bm25
        if not index.ids:
            return []
        scores = index.scores(tokens)
        if doc_ids is not None:
            scores = np.where(index.mask(set(doc_ids)), scores, -1.0)
        order = np.argsort(-scores, kind="stable")[:k]
        return [(index.ids[i], float(scores[i])) for i in order if scores[i] > 0]

    def dense_search(self, query: str, k: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks, only within doc_ids when given."""
        if self._chroma is None or doc_ids == []:
            return []
        flt = {"doc_id": {"$in": doc_ids}} if doc_ids is not None else None
        pairs = self._chroma.similarity_search_with_score(query, k=k, filter=flt)
        return [(f"{d.metadata['doc_id']}:{d.metadata['index']}", 1.0 - float(dist)) for d, dist in pairs]

    # -- writes ------------------------------------------------------------
    def _chroma_meta(self, doc: Document, c: Chunk) -> dict[str, Any]:
        meta = {k: doc.meta[k] for k in CHUNK_META_FIELDS if doc.meta.get(k) not in (None, "")}
        return {**meta, "doc_id": doc.doc_id, "index": c.index, "start": c.start, "end": c.end, "source": doc.source}

    def add(self, doc: Document, path: str, chunks: list[Chunk], rebuild: bool = True) -> None:
        if not chunks:
            raise StoreError(f"{doc.source}: 没有可索引的文本")
        tokens = [tokenize(c.text) for c in chunks]
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
            self._drop(doc.doc_id)
            raise
        self._registry.clear_pending(doc.doc_id)
        if rebuild:
            self.refresh()

    def _drop(self, doc_id: str) -> None:
        if self._chroma is not None:
            self._chroma.delete(where={"doc_id": doc_id})
        self._registry.remove(doc_id)
        self._registry.clear_pending(doc_id)

    def remove(self, doc_id: str, rebuild: bool = True) -> None:
        self._registry.mark_pending(doc_id)
        self._drop(doc_id)
        if rebuild:
            self.refresh()

    def set_meta(self, doc_id: str, updates: dict[str, Any]) -> dict[str, Any]:
        """Store corrected metadata, in the registry and on every chunk's vector (the dense filter reads it).
        The chunks are re-sent through the embedding cache, so nothing is embedded again."""
        doc = self._registry.document(doc_id)
        if doc is None:
            raise StoreError(f"找不到文档 {doc_id}")
        meta = {**doc.meta, **updates}
        if self._chroma is not None:
            new_doc = Document(doc.doc_id, doc.source, doc.text, meta)
            n = next(d.n_chunks for d in self.documents() if d.doc_id == doc_id)
            chunks = [self._registry.chunk(doc_id, i) for i in range(n)]
            self._chroma.update_documents(
                [c.chunk_id for c in chunks],
                [LCDocument(page_content=c.text, metadata=self._chroma_meta(new_doc, c)) for c in chunks],
            )
        self._registry.set_meta(doc_id, meta)
        return meta

    def keyword_ids(self) -> list[str]:
        """The chunk ids the keyword index holds (checks that the indexes agree)."""
        return list(self._bm25.ids)

    def vector_metadata(self, doc_id: str) -> list[dict[str, Any]]:
        """The metadata stored with a document's vectors (what the dense filter reads)."""
        if self._chroma is None:
            return []
        return self._chroma.get(where={"doc_id": doc_id}, include=["metadatas"])["metadatas"]

    def count_vectors(self, doc_id: str | None = None) -> int:
        if self._chroma is None:
            return 0
        where = {"doc_id": doc_id} if doc_id else None
        return len(self._chroma.get(where=where, include=[])["ids"])
