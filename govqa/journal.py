"""The sources journal: which files the library holds (their path and the source name they were
stored under), which were removed, and the metadata corrections made to them. One JSON line per
event, appended beside the registry (``data_dir/sources.jsonl``).

The registry is the store's source of truth; the journal is its backup of intent. When the registry
cannot be read, or was emptied, `govqa repair` re-ingests what the journal says the library holds
(the embedding cache makes that cheap) and re-applies the corrections. A file that no longer exists
is listed, never guessed. The journal is written after the store, so a crash between the two loses
at most that one entry from the backup, never from the store.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Entry:
    doc_id: str
    path: str
    source: str
    meta: dict[str, Any] = field(default_factory=dict)  # corrections, applied in order


class Journal:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "sources.jsonl"

    def _append(self, event: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps({**event, "at": round(time.time(), 3)}, ensure_ascii=False) + "\n")

    def added(self, doc_id: str, path: str | None, source: str) -> None:
        if path:  # absolute: `govqa repair` may run from another folder
            self._append({"op": "add", "doc": doc_id, "path": str(Path(path).resolve()), "source": source})

    def removed(self, doc_id: str) -> None:
        self._append({"op": "remove", "doc": doc_id})

    def corrected(self, doc_id: str, updates: dict[str, Any]) -> None:
        self._append({"op": "meta", "doc": doc_id, "updates": updates})

    def live(self) -> list[Entry]:
        """What the library should hold: one entry per source (a later file under the same source name
        replaced the earlier one), less what was removed. Unreadable lines are skipped."""
        by_source: dict[str, Entry] = {}
        if not self.path.exists():
            return []
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                e = json.loads(line)
            except json.JSONDecodeError:
                continue
            if e.get("op") == "add":
                by_source[e["source"]] = Entry(e["doc"], e["path"], e["source"])
            elif e.get("op") == "remove":
                by_source = {s: x for s, x in by_source.items() if x.doc_id != e["doc"]}
            elif e.get("op") == "meta":
                for x in by_source.values():
                    if x.doc_id == e["doc"]:
                        x.meta.update(e.get("updates") or {})
        return list(by_source.values())
