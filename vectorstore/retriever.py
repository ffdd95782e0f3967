"""Hybrid retrieval through LangChain's retriever interface: BM25 + dense, fused by weighted RRF.

Measured on eval/gold (docs/benchmarks.md): BM25 over jieba tokens is the strongest single
retriever on these reports; dense e5 adds paraphrase matches. Weighted reciprocal-rank
fusion keeps BM25's lead (weight ``bm25_weight``) and lets dense break ties
(``dense_weight``). Both retrievers see the same document filter. Near-identical passages (copies
of one report, reprints) are kept once, so that copies cannot crowd the answer out of the top k.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from govqa.names import short_name
from govqa.types import Hit, Query, SearchMode
from vectorstore.filters import DocFilter, question_filter
from vectorstore.store import Store
from vectorstore.tokenize import tokenize


class BM25Retriever(BaseRetriever):
    """``drop``: query tokens not to score. Once the filter has chosen the documents of a region and
    year, those names carry no information inside them, yet across a large corpus of other regions
    they have a high IDF and pull up the chunks that merely repeat "山西省…2017年" (measured in
    docs/benchmarks.md: recall@4 0.62 -> 1.0 on 1,005 reports)."""

    store: Any
    k: int = 20
    doc_ids: list[str] | None = None
    drop: set[str] = set()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        tokens = [t for t in tokenize(query) if t not in self.drop]
        return [LCDocument(page_content="", metadata={"chunk_id": cid, "score": score})
                for cid, score in self.store.keyword_search(tokens, self.k, self.doc_ids)]


class DenseRetriever(BaseRetriever):
    store: Any
    k: int = 20
    doc_ids: list[str] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [LCDocument(page_content="", metadata={"chunk_id": cid, "score": score})
                for cid, score in self.store.dense_search(query, self.k, self.doc_ids)]


class HybridRetriever(BaseRetriever):
    """Weighted reciprocal-rank fusion: score = sum_i w_i / (c + rank_i)."""

    retrievers: dict[str, BaseRetriever]
    weights: dict[str, float]
    c: int = 60
    k: int = 4

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        fused: dict[str, float] = {}
        ranks: dict[str, dict[str, int | None]] = {}
        for name, retriever in self.retrievers.items():
            for rank, doc in enumerate(retriever.invoke(query), start=1):
                cid = doc.metadata["chunk_id"]
                fused[cid] = fused.get(cid, 0.0) + self.weights[name] / (self.c + rank)
                ranks.setdefault(cid, dict.fromkeys(self.retrievers))[name] = rank
        best = sorted(fused, key=lambda cid: -fused[cid])[: self.k]
        return [LCDocument(page_content="", metadata={"chunk_id": c, "score": fused[c], "ranks": ranks[c]}) for c in best]


def filter_tokens(doc_filter: DocFilter) -> set[str]:
    """The BM25 tokens of the regions and years a filter already enforces."""
    if not doc_filter.doc_ids:
        return set()
    words = [*doc_filter.regions, *(short_name(r) for r in doc_filter.regions), *map(str, doc_filter.years)]
    return {t for w in words for t in tokenize(w)} | set(words)


def build_retriever(store: Store, k: int, doc_filter: DocFilter, mode: SearchMode = SearchMode.hybrid,
                    fused: int | None = None) -> BaseRetriever:
    """k: each retriever's pool is at least k; fused: how many fused hits it returns (default k)."""
    s = store.settings
    pool = max(s.candidates, k)
    parts: dict[str, BaseRetriever] = {}
    if mode in ("hybrid", "bm25"):
        parts["bm25"] = BM25Retriever(store=store, k=pool, doc_ids=doc_filter.doc_ids, drop=filter_tokens(doc_filter))
    if mode in ("hybrid", "dense") and store.has_vectors:
        parts["dense"] = DenseRetriever(store=store, k=pool, doc_ids=doc_filter.doc_ids)
    weights = {"bm25": s.bm25_weight, "dense": s.dense_weight}
    return HybridRetriever(retrievers=parts, weights=weights, c=s.rrf_k, k=fused or k)


def search(store: Store, query: Query, k: int | None = None, use_filter: bool = True,
           mode: SearchMode = SearchMode.hybrid, doc_ids: list[str] | None = None) -> tuple[list[Hit], DocFilter]:
    """Top-k chunks for an analysed question, restricted to the documents it names (see filters.py),
    and to ``doc_ids`` when given (a summary reads one report, the app's filters choose some)."""
    k = k or store.settings.top_k
    catalog = store.catalog()
    if doc_ids is not None:
        catalog = catalog.subset(doc_ids)
    doc_filter = question_filter(query, catalog) if use_filter else DocFilter()
    if doc_ids is not None and doc_filter.doc_ids is None:
        doc_filter.doc_ids = [d.doc_id for d in catalog.documents]
    by_id = catalog.by_id if not doc_filter.fallback else store.catalog().by_id
    hits: list[Hit] = []
    seen: list[set[str]] = []
    fused = build_retriever(store, k, doc_filter, mode, fused=DEDUP_POOL * max(store.settings.candidates, k)).invoke(query.text)
    # Reports kept with an unknown field come after the ones that match (sorted is stable: fused order within a tier).
    for d in sorted(fused, key=lambda d: doc_filter.tier(d.metadata["chunk_id"].rsplit(":", 1)[0])):
        chunk = store.chunk(d.metadata["chunk_id"])
        shingles = _shingles(chunk.text)
        if any(_jaccard(shingles, other) >= NEAR_DUPLICATE for other in seen):
            continue  # a copy of a passage already in the list (the same report stored twice, a reprint)
        seen.append(shingles)
        doc = by_id[chunk.doc_id]
        hits.append(Hit(chunk, d.metadata["score"], doc.source, doc.meta, d.metadata["ranks"]))
        if len(hits) == k:
            break
    return hits, doc_filter


DEDUP_POOL = 2  # every fused hit of both retrievers' pools is a candidate, so k remain after dropping copies
NEAR_DUPLICATE = 0.9  # Jaccard similarity of character 4-grams above which two passages are one


def _shingles(text: str) -> set[str]:
    t = "".join(text.split())
    return {t[i : i + 4] for i in range(max(1, len(t) - 3))}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
