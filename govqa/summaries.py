"""The summary cache: one JSON file per document content and backend, under data_dir/summaries.

A summary is keyed by the document's content hash (its doc_id), so a changed report gets a new
one; files of documents no longer stored are pruned. A summary compared with the issuer's previous
report records which one, and is written again when that changes (the previous report added or
removed). Metadata corrections made after a summary was written are applied when it is read.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.sections import Summary
from bot.summarize import summarize, summary_from_dict
from govqa.settings import Settings
from govqa.types import Document, SummaryBackend, doc_label

SUMMARY_VERSION = 5  # 3: headline table cells among the key figures; 4: 数字不一致; 5: structure, cells, 上年, 核查提示


class SummaryCache:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = Path(settings.data_dir) / "summaries"

    def _path(self, doc_id: str, backend: str) -> Path:
        return self.folder / f"{doc_id}.{backend}.v{SUMMARY_VERSION}.json"

    def get(self, doc: Document, backend: SummaryBackend | None = None, refresh: bool = False,
            progress: bool = False, previous: Document | None = None) -> Summary:
        backend = backend or self.settings.summary_backend
        path = self._path(doc.doc_id, backend)
        if path.exists() and not refresh:
            summary = summary_from_dict(json.loads(path.read_text(encoding="utf-8")))
            if summary.template != "annual_report" or summary.previous == (previous.doc_id if previous else ""):
                summary.meta, summary.title = doc.meta, doc_label(doc.meta, doc.source)
                return summary
        summary = summarize(doc, self.settings, backend, progress, previous=previous)
        if summary.notice:  # a fallback is not what was asked for: not cached, so the next request tries again
            return summary
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(path)
        return summary

    def prune(self, known: set[str]) -> int:
        """Remove cached summaries of documents no longer stored (removed, or replaced by a new version)."""
        if not self.folder.exists():
            return 0
        gone = [p for p in self.folder.glob("*.json") if p.name.split(".")[0] not in known]
        for p in gone:
            p.unlink(missing_ok=True)
        return len(gone)
