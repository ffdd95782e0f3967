"""The one error type ingest raises: it always names the file and the reason."""

from __future__ import annotations


class IngestError(Exception):
    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
