"""The few types every stage passes along, and the choices users pick from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

META_FIELDS = ("region", "level", "issuer", "year", "kind", "title", "published")


class Kind(StrEnum):
    annual_report = "annual_report"
    work_plan = "work_plan"
    other = "other"


class Level(StrEnum):
    """The issuer's level: a government's (province … township), a development zone's, or a department
    (whose government's level is kept beside it as ``dept_level``)."""

    province = "province"
    city = "city"
    county = "county"
    township = "township"
    zone = "zone"
    department = "department"


class Backend(StrEnum):
    """How a question is answered: numbers by extraction, other facts by the LLM (auto)."""

    auto = "auto"
    extractive = "extractive"
    llm = "llm"


class SummaryBackend(StrEnum):
    extractive = "extractive"
    llm = "llm"


class Status(StrEnum):
    """What ingest did with one file."""

    added = "added"
    replaced = "replaced"
    unchanged = "unchanged"
    duplicate = "duplicate"
    failed = "failed"


class SearchMode(StrEnum):
    hybrid = "hybrid"
    bm25 = "bm25"
    dense = "dense"


KIND_ZH = {Kind.annual_report: "政府信息公开工作年度报告", Kind.work_plan: "工作要点/计划", Kind.other: "文件"}
LEVEL_ZH = {Level.province: "省级", Level.city: "市级", Level.county: "县级", Level.township: "乡镇/街道",
            Level.zone: "开发区/园区", Level.department: "部门"}
STATUS_ZH = {Status.added: "已导入", Status.replaced: "已更新", Status.unchanged: "未变化", Status.duplicate: "重复",
             Status.failed: "失败"}


def doc_label(meta: dict[str, Any], source: str) -> str:
    """What users see for a document: its title, else region + year + kind, else the file name."""
    if meta.get("title"):
        return meta["title"]
    parts = [meta.get("region") or "", f"{meta['year']}年" if meta.get("year") else "", KIND_ZH.get(meta.get("kind") or "", "")]
    return "".join(parts) or source



def report_tag(meta: dict[str, Any], issuer: bool = True) -> str:
    """A value's report in a few words, as answers name it: "淮安市洪泽区人民政府 2024年" (or just
    "2024年" when the issuer is already clear from the context)."""
    year = f"{meta['year']}年" if meta.get("year") else ""
    who = (meta.get("issuer") or meta.get("region") or "") if issuer else ""
    return " ".join(p for p in (who, year) if p) or (meta.get("title") or "")


def issuer_key(meta: dict[str, Any]) -> tuple[str, str] | None:
    """Who published a report, as one key across years: (area, issuer). 淮安市洪泽区 and 洪泽区 are one
    area, so the area is its shortest alias that ends the region (aliases are written at ingest).
    None when the region or issuer is unknown: reports of an unknown issuer are never paired."""
    region, issuer = meta.get("region") or "", meta.get("issuer") or ""
    if not region or not issuer:
        return None
    last = min((a for a in meta.get("aliases") or [] if region.endswith(a)), key=len, default=region)
    return last, issuer.replace(region, last, 1)

@dataclass
class Document:
    """A normalized report. ``doc_id`` is the hash of ``text``, so identical content is one document."""

    doc_id: str
    source: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""
    layout: bytes | None = None  # PDFs: where each character is printed (ingest/layout.py), stored beside the text


@dataclass
class DocRecord:
    """A stored document as listed (no text): what `govqa docs` and the app's 报告库 show."""

    doc_id: str
    source: str
    path: str | None
    sha256: str
    meta: dict[str, Any]
    n_chunks: int
    ingested_at: float

    @property
    def label(self) -> str:
        return doc_label(self.meta, self.source)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
class Ask:
    """One value a question asks for ("共多少条？其中微博发布多少条？" asks two): its own clause, unit and
    terms, and whether it is the whole (共/共计/合计) or a part (其中) of the other."""

    clause: str
    unit: str | None
    terms: list[str]
    whole: bool = False
    part: bool = False


@dataclass
class Query:
    """A question analysed once (bot/query.py): what retrieval filters on and what the answerers look for."""

    text: str
    places: list[str] = field(default_factory=list)  # place names the question states
    years: list[int] = field(default_factory=list)
    n_values: int = 0
    unit: str | None = None  # base unit asked for, if the question says
    terms: list[str] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)  # terms of the clause that holds the ask ("…，予以公开的有多少件")
    head: str | None = None  # the term right before the ask ("败诉多少件"): the source must say it
    fact: list[str] = field(default_factory=list)  # issuer / date / place / other
    asks: list[Ask] = field(default_factory=list)  # one per value, when each ask has its own clause
    scope: str | None = None  # "cumulative" (累计/截至…) or "this_year" (当年/本年/新增) when the question says

    @property
    def numeric(self) -> bool:
        return self.n_values > 0


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Value:
    value: float
    unit: str
    text: str  # as written in the source, e.g. "1695件"
    approximate: bool
    citation: Citation
    span: tuple[int, int] | None = None  # the value's own offsets in the document, when the answerer knows them


@dataclass
class Derived:
    """A difference or ratio computed from two cited values (bot/arithmetic.py): the result is no
    quote, so it is shown with its arithmetic and both values' citations (the Answer's values)."""

    kind: str  # difference | change_rate | times | share
    value: float
    unit: str  # 件, %, 倍 …
    text: str  # the result as shown: "74件", "352.4%", "32.83倍"
    arithmetic: str  # "95 − 21 = 74"
    summary: str  # labelled by issuer and year: "淮安市洪泽区人民政府：2024年比2023年增加74件"
    labels: list[str] = field(default_factory=list)  # each operand's report ("2024年", "2023年")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


REFUSAL = "报告中未找到"


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    values: list[Value] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    backend: str = "extractive"  # which path answered: extractive, or llm:<model>
    latency_ms: float = 0.0
    closest: list[Citation] = field(default_factory=list)  # shown with a refusal
    reason: str = ""  # why it was refused
    closest_note: str = ""  # said when the closest passages come from outside the question's reports
    fallback: str = ""  # why the LLM path did not answer in auto mode (it is logged too)
    derived: Derived | None = None  # 增加了多少 / 同比 / 占比 / 几倍: computed from ``values`` (two cited operands)

    @classmethod
    def refusal(cls, question: str, reason: str = "", **kw: Any) -> Answer:
        """``answer`` keeps the text users read ("报告中未找到（reason）"); ``reason`` is the reason alone."""
        return cls(question, REFUSAL + (f"（{reason}）" if reason else ""), True, reason=reason, **kw)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "reason": self.reason or None,
            "values": [
                {"value": int(v.value) if float(v.value).is_integer() else v.value, "unit": v.unit, "text": v.text,
                 "approximate": v.approximate, "citation": v.citation.to_dict()}
                for v in self.values
            ],
            "citations": [c.to_dict() for c in self.citations],
            "backend": self.backend,
            "fallback": self.fallback or None,
            "latency_ms": round(self.latency_ms, 1),
            "closest": [c.to_dict() for c in self.closest],
            "closest_note": self.closest_note or None,
            "derived": self.derived.to_dict() if self.derived else None,
        }
