"""The gold file format (eval/gold/*.jsonl): one JSON object per line.

Fields: ``id``, ``type`` (numeric | fact | unanswerable), ``question``, ``doc`` (a file name,
a list of them, or null), ``answers`` and ``evidence`` (a string found in the source;
several joined by " | ").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class GoldError(Exception):
    pass


def load_gold(path: Path, required: tuple[str, ...] = ("id", "type", "question")) -> list[dict[str, Any]]:
    items = []
    for files in [sorted(path.glob("*.jsonl"))] if path.is_dir() else [[path]]:
        for f in files:
            for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise GoldError(f"{f}:{n}: 不是合法的 JSON：{exc.msg}") from exc
                for key in required:
                    if key not in item:
                        raise GoldError(f"{f}:{n}: 缺少字段 {key!r}")
                items.append(item)
    return items


def evidence_parts(item: dict[str, Any]) -> list[str]:
    return [e.strip() for e in (item.get("evidence") or "").split(" | ") if e.strip()]
