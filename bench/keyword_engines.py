"""The keyword engines issue 15 named, on one grown store: SQLite FTS5 (what govqa uses) and tantivy.

    .venv/bin/python bench/scale.py --sizes 10000 --keep /tmp/store      # or any govqa data dir
    .venv/bin/pip install tantivy==0.27.0                               # for this bench only, not a dependency
    .venv/bin/python bench/keyword_engines.py /tmp/store [--out bench/out]

Both engines get the same tokens: for each gold question of eval/gold/gold_dev.jsonl, the jieba tokens
``vectorstore.retriever`` scores (the words the filter enforces dropped) and the filter's documents, as
``search()`` builds them. FTS5 is ``Store.keyword_search`` on the store itself. tantivy indexes every
stored chunk's token list (whitespace tokenizer, term frequencies, no positions; ``doc_id`` as a raw
term for the filter), in memory-mapped files under a temporary folder, then answers the same
queries: a boolean OR of the tokens, AND a term set of the filter's documents.

Measured: build time and size of each index, adding and removing one report, query p50/p95 for the
questions filtered to at most 50 reports and for the others (no place named, a year only), and how
far tantivy's top 4 agree with FTS5's (the two BM25s differ in their IDF).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.retrieval import load_gold, machine, pct  # noqa: E402

ROUNDS = 3
NARROW = 50  # keyword.MAX_DIRECT_DOCS: up to this many reports a question is scored from their chunks


def queries(store: Any) -> list[dict[str, Any]]:
    """Each gold question's tokens and filter, as vectorstore.retriever.search builds them."""
    from bot.answer import name_terms
    from bot.query import analyse
    from vectorstore.filters import question_filter
    from vectorstore.retriever import filter_tokens
    from vectorstore.tokenize import tokenize

    out = []
    for g in load_gold():
        query = analyse(g["question"], drop=name_terms(store, g["question"]))
        f = question_filter(query, store.catalog())
        if f.doc_ids == []:
            continue  # refused before any search
        drop = filter_tokens(f)
        out.append({"id": g["id"], "tokens": [t for t in tokenize(query.text) if t not in drop], "doc_ids": f.doc_ids})
    return out


def timed(qs: list[dict[str, Any]], search: Any) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for label, narrow in (("filtered to <= 50 reports", True), ("no filter or a wide one", False)):
        picked = [q for q in qs if (q["doc_ids"] is not None and len(q["doc_ids"]) <= NARROW) == narrow]
        times = []
        for _ in range(ROUNDS):
            for q in picked:
                t = time.perf_counter()
                search(q["tokens"], 12, q["doc_ids"])
                times.append(time.perf_counter() - t)
        res[label] = {"questions": len(picked), "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95)}
    return res


def fts5(store: Any, qs: list[dict[str, Any]]) -> dict[str, Any]:
    """Its full build is what `govqa repair` runs (index and word counts re-read from every chunk)."""
    t = time.perf_counter()
    store._keywords.rebuild()
    build = time.perf_counter() - t
    registry = Path(store.settings.data_dir) / "registry.sqlite"
    with sqlite3.connect(registry) as db:
        sizes = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'chunk_fts%' OR name = 'chunk_df' "
                                "GROUP BY name").fetchall())
    return {"build_s": round(build, 1), "index_mb": round(sum(sizes.values()) / 2**20, 1), **timed(qs, store.keyword_search)}


def tantivy_run(store: Any, qs: list[dict[str, Any]], top4: dict[str, list[str]]) -> dict[str, Any]:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("tokens", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("doc_id", tokenizer_name="raw", stored=True, index_option="basic")
    sb.add_text_field("cid", tokenizer_name="raw", stored=True, index_option="basic")
    schema = sb.build()
    db = store._registry.db
    docs = [d.doc_id for d in store.documents()]
    last = docs[-1]

    def add(writer: Any, where: str, arg: str) -> None:
        for doc_id, idx, tokens in db.execute(f"SELECT doc_id, idx, tokens FROM chunks WHERE {where} ORDER BY id", (arg,)):
            writer.add_document(tantivy.Document(tokens=" ".join(json.loads(tokens)), doc_id=doc_id, cid=f"{doc_id}:{idx}"))

    with tempfile.TemporaryDirectory(prefix="govqa-tantivy-") as tmp:
        index = tantivy.Index(schema, path=tmp)
        t = time.perf_counter()
        writer = index.writer(heap_size=200_000_000, num_threads=1)
        add(writer, "doc_id != ?", last)
        writer.commit()
        writer.wait_merging_threads()
        build = time.perf_counter() - t
        writer = index.writer(heap_size=50_000_000, num_threads=1)
        t = time.perf_counter()
        add(writer, "doc_id = ?", last)
        writer.commit()
        one = time.perf_counter() - t
        t = time.perf_counter()
        writer.delete_documents_by_term("doc_id", last)
        writer.commit()
        removed = time.perf_counter() - t
        add(writer, "doc_id = ?", last)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        size = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
        searcher = index.searcher()

        def search(tokens: list[str], k: int, doc_ids: list[str] | None) -> list[str]:
            words = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "tokens", t)) for t in dict.fromkeys(tokens)])
            if doc_ids is not None:
                words = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, words), (tantivy.Occur.Must, tantivy.Query.term_set_query(schema, "doc_id", doc_ids))])
            return [searcher.doc(a)["cid"][0] for _, a in searcher.search(words, k).hits]

        agree = [len(set(search(q["tokens"], 4, q["doc_ids"])) & set(top4[q["id"]])) / len(top4[q["id"]])
                 for q in qs if top4[q["id"]]]
        return {"version": tantivy.__version__ if hasattr(tantivy, "__version__") else "", "build_s": round(build, 1),
                "index_mb": round(size / 2**20, 1), "one_more_report_s": round(one, 3), "remove_report_s": round(removed, 3),
                "top4_agreement_with_fts5": round(statistics.mean(agree), 3), **timed(qs, search)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("store", type=Path, help="a govqa data dir (bench/scale.py --keep)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    a = ap.parse_args()
    from govqa.settings import Settings
    from vectorstore.store import Store

    store = Store(Settings(data_dir=a.store, cache_dir=a.store.parent / "cache", embedding_backend="none"))
    qs = queries(store)
    top4 = {q["id"]: [c for c, _ in store.keyword_search(q["tokens"], 4, q["doc_ids"])] for q in qs}
    docs = store.documents()
    res = {"machine": machine(), "reports": len(docs), "chunks": sum(d.n_chunks for d in docs), "questions": len(qs),
           "fts5": fts5(store, qs), "tantivy": tantivy_run(store, qs, top4)}
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "keyword_engines.json").write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in res.items() if k != "machine"}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
