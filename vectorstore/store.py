"""The store: one registry, one Chroma collection, one BM25 index, written together.

A document is added or removed as a unit. Order of an add: mark pending -> vectors into
Chroma -> registry row (one SQLite transaction) -> clear pending -> BM25 rebuilt from the
registry. Any failure rolls the Chroma part back; a crash is healed at the next open.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from langchain_chroma import Chroma

from govqa.settings import Settings
from govqa.types import Chunk, Document
from vectorstore.bm25 import BM25Index
from vectorstore.embeddings import make_embeddings
from vectorstore.registry import Registry
from vectorstore.tokenize import tokenize

CHUNK_META_FIELDS = ("region", "level", "year", "kind")


class StoreError(Exception):
    pass


def chunk_ids(doc_id: str, n: int) -> list[str]:
    return [f"{doc_id}:{i}" for i in range(n)]


class Store:
    def __init__(self, settings: Settings, progress: bool = False) -> None:
        self.settings = settings
        root = Path(settings.data_dir)
        self.registry = Registry(root / "registry.sqlite")
        self.bm25 = BM25Index(root / "bm25")
        self.embeddings = make_embeddings(settings, progress=progress)
        self.chroma: Chroma | None = None
        if self.embeddings is not None:
            self.chroma = self._open_chroma(root)
        self._heal()

    def _open_chroma(self, root: Path) -> Chroma:
        name = re.sub(r"[^A-Za-z0-9_-]", "-", f"{self.settings.collection_prefix}_{self.embeddings.model_id}")[:60]
        kwargs: dict[str, Any] = dict(
            collection_name=name, embedding_function=self.embeddings, collection_metadata={"hnsw:space": "cosine"}
        )
        if self.settings.chroma_host:
            import chromadb

            kwargs["client"] = chromadb.HttpClient(host=self.settings.chroma_host, port=self.settings.chroma_port)
        else:
            kwargs["persist_directory"] = str(root / "chroma")
        return Chroma(**kwargs)

    def _heal(self) -> None:
        """Remove documents a crash left half-written, and bring BM25 in line with the registry."""
        for doc_id in self.registry.pending():
            self._drop(doc_id)
        self.bm25.rebuild(self.registry)

    # -- reads -------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        return self.registry.documents()

    def document(self, doc_id: str) -> Document | None:
        return self.registry.document(doc_id)

    def resolve(self, ref: str) -> str:
        """A document named by id, id prefix (>= 6 chars) or file name."""
        docs = self.documents()
        hits = [d["doc_id"] for d in docs if d["doc_id"] == ref or d["source"] == ref]
        if not hits and len(ref) >= 6:
            hits = [d["doc_id"] for d in docs if d["doc_id"].startswith(ref)]
        if len(hits) != 1:
            raise StoreError(f"找不到文档 {ref!r}" if not hits else f"{ref!r} 对应多个文档：{', '.join(hits)}")
        return hits[0]

    def chunk(self, chunk_id: str) -> Chunk:
        doc_id, idx = chunk_id.rsplit(":", 1)
        return self.registry.chunk(doc_id, int(idx))

    # -- writes ------------------------------------------------------------
    def _chroma_meta(self, doc: Document, c: Chunk) -> dict[str, Any]:
        meta = {k: doc.meta[k] for k in CHUNK_META_FIELDS if doc.meta.get(k) not in (None, "")}
        return {**meta, "doc_id": doc.doc_id, "index": c.index, "start": c.start, "end": c.end, "source": doc.source}

    def add(self, doc: Document, path: str, chunks: list[Chunk], rebuild: bool = True) -> None:
        if not chunks:
            raise StoreError(f"{doc.source}: 没有可索引的文本")
        tokens = [tokenize(c.text) for c in chunks]
        self.registry.mark_pending(doc.doc_id)
        try:
            if self.chroma is not None:
                self.chroma.add_texts(
                    [c.text for c in chunks],
                    metadatas=[self._chroma_meta(doc, c) for c in chunks],
                    ids=[c.chunk_id for c in chunks],
                )
            self.registry.add(doc, path, chunks, tokens)
        except BaseException:
            self._drop(doc.doc_id)
            raise
        self.registry.clear_pending(doc.doc_id)
        if rebuild:
            self.bm25.rebuild(self.registry)

    def _drop(self, doc_id: str) -> None:
        if self.chroma is not None:
            self.chroma.delete(where={"doc_id": doc_id})
        self.registry.remove(doc_id)
        self.registry.clear_pending(doc_id)

    def remove(self, doc_id: str, rebuild: bool = True) -> None:
        self.registry.mark_pending(doc_id)
        self._drop(doc_id)
        if rebuild:
            self.bm25.rebuild(self.registry)

    def set_meta(self, doc_id: str, updates: dict[str, Any]) -> dict[str, Any]:
        doc = self.registry.document(doc_id)
        if doc is None:
            raise StoreError(f"找不到文档 {doc_id}")
        meta = {**doc.meta, **updates}
        if self.chroma is not None:
            n = next(d["n_chunks"] for d in self.documents() if d["doc_id"] == doc_id)
            ids = chunk_ids(doc_id, n)
            got = self.chroma.get(ids=ids, include=["metadatas"])
            new_doc = Document(doc.doc_id, doc.source, doc.text, meta)
            metas = []
            for cid, old in zip(got["ids"], got["metadatas"]):
                c = Chunk(doc_id, int(cid.rsplit(":", 1)[1]), old["start"], old["end"], "")
                metas.append(self._chroma_meta(new_doc, c))
            self.chroma._collection.update(ids=got["ids"], metadatas=metas)
        self.registry.set_meta(doc_id, meta)
        return meta

    def count_vectors(self, doc_id: str | None = None) -> int:
        if self.chroma is None:
            return 0
        where = {"doc_id": doc_id} if doc_id else None
        return len(self.chroma.get(where=where, include=[])["ids"])
