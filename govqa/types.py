"""The few types every stage passes along."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

META_FIELDS = ("region", "level", "issuer", "year", "kind", "title", "published")
KINDS = ("annual_report", "work_plan", "other")


@dataclass
class Document:
    """A normalized report. ``doc_id`` is the hash of ``text``, so identical content is one document."""

    doc_id: str
    source: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""

    def label(self) -> str:
        m = self.meta
        return m.get("title") or " ".join(str(m[k]) for k in ("region", "year", "kind") if m.get(k)) or self.source


@dataclass
class Chunk:
    """A slice of ``Document.text``: ``text == document.text[start:end]`` always."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}:{self.index}"


@dataclass
class Hit:
    """A retrieved chunk with its fused score and each retriever's rank (None where it did not return it)."""

    chunk: Chunk
    score: float
    source: str
    meta: dict[str, Any]
    ranks: dict[str, int | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self.chunk)
        d.update(score=round(self.score, 6), source=self.source, meta=self.meta, ranks=self.ranks)
        return d
