"""The metadata stress run: every file of a batch with its title line, its crawler header and its "由…编制"
sentence deleted, read again and scored against the same gold (what is left must still be read, or left
empty, never guessed).

    .venv/bin/python bench/stress_metadata.py                   # h1..h6 and data/real
    .venv/bin/python bench/stress_metadata.py --sets h4 --keep /tmp/stress   # keep the stripped files

The stripped copies are written to a temporary folder (``--keep`` to look at them); nothing under data/
changes. A title printed over two lines loses both; a title or header inside a page scraped onto one line
loses just its own words.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.metadata import run_metadata_eval  # noqa: E402
from govqa.settings import get_settings  # noqa: E402
from govqa.text import normalize_text  # noqa: E402
from ingest.loaders import load  # noqa: E402
from ingest.metadata import find_title  # noqa: E402

SETS = {**{f"h{i}": (f"data/heldout/h{i}", f"eval/heldout/h{i}/metadata.jsonl") for i in range(1, 7)},
        "real": ("data/real", "eval/real/metadata/gold_metadata.jsonl")}
_HEADER_LINE = re.compile(r"^[\s•·\-*|\[【]*(?:标题|发布机构|发文机关|来源|信息来源|发布单位|索引号|主题分类|发布时间|发布日期|"
                          r"发布者|文号|栏目|原文链接|本地目录)\s*[\]】]?\s*[:：|｜].*$", re.M)
_INLINE_HEADER = re.compile(r"(?:来源|发布机构|发布者|信息来源)\s*[:：]\s*[\u4e00-\u9fff（）()]{2,40}")
_COMPILED = re.compile(r"[^。\n]*由[^。\n]{2,60}?(?:编制|制作)[^。\n]*[。]?")


def strip(text: str, titles: list[str]) -> str:
    """The text without its title (every line that is it, or part of a title split over lines), crawler
    header lines, inline 来源: fields and the "由…编制" sentence."""
    titles = [t for t in titles if t]

    def is_title(line: str) -> bool:
        s = line.strip().strip("《》")
        return bool(s) and any(s == t or (len(s) >= 4 and s in t and len(s) >= len(t) / 3) for t in titles)

    text = "\n".join(line for line in text.split("\n") if not is_title(line))
    for title in titles:
        at = text.find(title)  # a title inside a page scraped onto one line; a cited 《title》 stays
        if 0 <= at < 200 and text[at - 1 : at] != "《":
            text = text[:at] + text[at + len(title) :]
    text = _HEADER_LINE.sub("", text)
    text = _INLINE_HEADER.sub("", text)
    return _COMPILED.sub("", text)


def stressed_copy(corpus: Path, gold: list[dict], dest: Path) -> None:
    for g in gold:
        src = corpus / g["file"]
        text = normalize_text(load(src, int(get_settings().max_file_mb * 1e6)))
        out = dest / g["file"]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".txt").write_text(strip(text, [find_title(text) or "", g.get("title") or ""]), encoding="utf-8")
        g["file"] = str(Path(g["file"]).with_suffix(".txt"))


def measure(name: str, keep: Path | None) -> dict:
    corpus, gold_path = (ROOT / p for p in SETS[name])
    gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="govqa-stress-") as tmp:
        dest = (keep / name) if keep else Path(tmp)
        stressed_copy(corpus, gold, dest)
        return run_metadata_eval(dest, gold, get_settings())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="*", default=list(SETS))
    ap.add_argument("--keep", type=Path, default=None, help="write the stripped files here and keep them")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    print("| set (stripped) | files | region | issuer | year | level | wrong (share of fields) |")
    print("|---|---|---|---|---|---|---|")
    out = {}
    for name in args.sets:
        r = out[name] = measure(name, args.keep)
        acc = {f: c["accuracy"] for f, c in r["fields"].items()}
        print(f"| {name} | {r['n_files']} | " + " | ".join(f"{acc[f]:.2f}" if acc[f] is not None else "—"
                                                       for f in ("region", "issuer", "year", "level"))
              + f" | {r['wrong_share']:.1%} |", flush=True)
        for w in r["wrong"]:
            print(f"    wrong {w['file']} {w['field']}: {w['got']!r} (gold {w['gold']!r}) from {w['source']}: {w['evidence']!r}")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
