"""The few types every stage passes along."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

META_FIELDS = ("region", "level", "issuer", "year", "kind", "title", "published")
KINDS = ("annual_report", "work_plan", "other")


KIND_ZH = {"annual_report": "政府信息公开工作年度报告", "work_plan": "工作要点/计划", "other": "文件"}


def doc_label(meta: dict[str, Any], source: str) -> str:
    """What users see for a document: its title, else region + year + kind, else the file name."""
    if meta.get("title"):
        return meta["title"]
    parts = [meta.get("region") or "", f"{meta['year']}年" if meta.get("year") else "", KIND_ZH.get(meta.get("kind") or "", "")]
    return "".join(parts) or source


@dataclass
class Document:
    """A normalized report. ``doc_id`` is the hash of ``text``, so identical content is one document."""

    doc_id: str
    source: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""

    def label(self) -> str:
        return doc_label(self.meta, self.source)


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


@dataclass
class Citation:
    """``quote == Document.text[start:end]``, always: the verifier refuses anything else."""

    doc: str  # doc_id
    start: int
    end: int
    quote: str
    source: str = ""
    title: str = ""


@dataclass
class Value:
    value: float
    unit: str
    text: str  # as written in the source, e.g. "1695件"
    approximate: bool
    citation: Citation


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    values: list[Value] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    backend: str = "extractive"
    latency_ms: float = 0.0
    closest: list[Citation] = field(default_factory=list)  # shown with a refusal

    def to_dict(self) -> dict[str, Any]:
        def cit(c: Citation) -> dict[str, Any]:
            return {"doc": c.doc, "start": c.start, "end": c.end, "quote": c.quote, "source": c.source, "title": c.title}

        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "values": [
                {"value": int(v.value) if float(v.value).is_integer() else v.value, "unit": v.unit, "text": v.text,
                 "approximate": v.approximate, "citation": cit(v.citation)}
                for v in self.values
            ],
            "citations": [cit(c) for c in self.citations],
            "backend": self.backend,
            "latency_ms": round(self.latency_ms, 1),
            "closest": [cit(c) for c in self.closest],
        }
