"""The metadata eval: each file of a corpus read as ingest reads it, its metadata compared with
hand-labelled gold (eval/real/gold_metadata.jsonl), per field right / empty / wrong.

A wrong value is worse than an empty one (it routes questions to the wrong report), so wrong values
are counted apart and every one is listed. Names compare by the area or body they denote: 唐村镇政府
is 唐村镇人民政府, and 阿城区 is 哈尔滨市阿城区 (a name and the same name with its parents written out).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from govqa.names import GOV, ZONE_SHORT
from govqa.settings import Settings
from ingest.errors import IngestError
from ingest.limits import Limits
from ingest.reader import read_document

FIELDS = ("region", "issuer", "year", "level", "kind")


def _norm(name: str) -> str:
    """One spelling per body: a government is its place (贺州市 = 贺州市人民政府), and so is a zone's
    government (海口国家高新区 = 海口国家高新区管委会); 管理委员会 = 管委会, a street office is its street
    (北街办事处 = 北街街道), a zone's long form is its short one (高新技术产业开发区 = 高新区)."""
    name = re.sub(r"[(（][^)）]*[)）]|\s", "", name)
    name = name.replace("管理委员会", "管委会").replace("街道办事处", "街道").replace("办事处", "街道")
    for long, short in ZONE_SHORT:  # 贵阳国家高新技术产业开发区 is 贵阳国家高新区, its official short form
        name = name.replace(long, short)
    return re.sub(rf"{GOV}$|(?<=区)管委会$", "", name)


def same_name(got: str, want: str) -> bool:
    a, b = _norm(got), _norm(want)
    return a == b or (len(a) >= 2 and len(b) >= 2 and (a.endswith(b) or b.endswith(a)))


def judge(field: str, got: Any, want: Any) -> str:
    if got in (None, "", []):
        return "empty"
    if field in ("region", "issuer"):
        return "right" if same_name(str(got), str(want)) else "wrong"
    return "right" if str(got) == str(want) else "wrong"


def run_metadata_eval(corpus: Path, gold: list[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    counts = {f: {"right": 0, "empty": 0, "wrong": 0, "n": 0} for f in FIELDS}
    items, wrong = [], []
    for g in gold:
        path = corpus / g["file"]
        try:
            meta = read_document(path, Limits.of(settings)).meta
        except IngestError as exc:
            items.append({"file": g["file"], "error": exc.reason})
            continue
        row: dict[str, Any] = {"file": g["file"]}
        for f in FIELDS:
            if g.get(f) in (None, ""):
                continue  # the gold says the text does not let a reader tell
            got = getattr(meta, f)
            verdict = judge(f, got, g[f])
            counts[f][verdict] += 1
            counts[f]["n"] += 1
            row[f] = {"got": got, "gold": g[f], "verdict": verdict, "confidence": meta.confidence(f)}
            if verdict == "wrong":
                why = meta.why(f)
                wrong.append({"file": g["file"], "field": f, "got": got, "gold": g[f],
                              "evidence": why.line if why else None, "source": why.source if why else None})
        items.append(row)
    n_fields = sum(c["n"] for c in counts.values())
    return {
        "n_files": len(gold),
        "fields": {f: {**c, "accuracy": round(c["right"] / c["n"], 4) if c["n"] else None} for f, c in counts.items()},
        "wrong_share": round(len(wrong) / n_fields, 4) if n_fields else 0.0,
        "right_share": round(sum(c["right"] for c in counts.values()) / n_fields, 4) if n_fields else 0.0,
        "wrong": wrong,
        "items": items,
    }
