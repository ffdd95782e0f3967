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


LEGACY_CONFIDENCE = 0.5  # a stored record from before confidences were kept: said to be half sure
USER_CONFIDENCE = 1.0  # a user's correction


@dataclass
class FieldEvidence:
    """Why a field has its value: the line it was read from, which evidence source read it (the table in
    ingest/identity.py, or "user" for a correction) and how sure that source is (0–1)."""

    line: str
    confidence: float
    source: str = ""


@dataclass
class ReportMeta:
    """A report's metadata, typed: what ingest read from its content and what users corrected. Every field
    is None when nothing explicit says it (an empty field beats a guess); ``evidence`` holds, per field,
    the line and the confidence it rests on. Stored as JSON in the registry (``to_dict``/``from_dict``;
    ``from_dict`` also reads the plain dicts of older stores, see ``SCHEMA``)."""

    SCHEMA = 2  # 1: the untyped dict of stores before issue 23

    region: str | None = None  # the area, canonical (govqa/names.py canonical_region): 淮安市洪泽区
    level: Level | None = None
    dept_level: Level | None = None  # a department's government's level
    issuer: str | None = None
    compiled_by: str | None = None  # "由X编制": often the government's office writing the government's report
    year: int | None = None
    kind: Kind | None = None
    title: str | None = None
    published: str | None = None  # YYYY-MM-DD
    aliases: list[str] = field(default_factory=list)  # other names of the area and body (洪泽区, 洪泽, 洪泽县)
    names: list[str] = field(default_factory=list)  # places the text names, for a report whose identity is unread
    parents: list[str] = field(default_factory=list)  # the divisions above the area, outermost first
    planted: list[list[int]] = field(default_factory=list)  # sentences that address a reader or a model: never cited
    evidence: dict[str, FieldEvidence] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.level = _choice(Level, self.level)
        self.dept_level = _choice(Level, self.dept_level)
        self.kind = _choice(Kind, self.kind)
        self.year = self.year if isinstance(self.year, int) and 1900 < self.year < 2200 else None

    def why(self, name: str) -> FieldEvidence | None:
        return self.evidence.get(name)

    def confidence(self, name: str) -> float:
        """How sure the value of ``name`` is: 0 when empty."""
        if getattr(self, name, None) in (None, "", []):
            return 0.0
        ev = self.evidence.get(name)
        return ev.confidence if ev else LEGACY_CONFIDENCE

    def to_dict(self) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in _FIELDS}
        out["evidence"] = {k: asdict(v) for k, v in self.evidence.items()}
        out["schema"] = self.SCHEMA
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> ReportMeta:
        """A stored record of any schema: evidence given as bare lines (schema 1) keeps its line with
        LEGACY_CONFIDENCE; keys this version does not know are dropped; a value outside its field's
        choices (a level that is no Level) is read as unknown."""
        d = dict(d or {})
        evidence: dict[str, FieldEvidence] = {}
        for k, v in (d.get("evidence") or {}).items():
            if isinstance(v, str):
                evidence[k] = FieldEvidence(v, LEGACY_CONFIDENCE, "legacy")
            elif isinstance(v, dict) and "line" in v:
                evidence[k] = FieldEvidence(str(v["line"]), float(v.get("confidence", LEGACY_CONFIDENCE)), v.get("source", ""))
        values = {f: d.get(f) for f in _FIELDS if f in d}
        for f in ("aliases", "names", "parents", "planted"):
            values[f] = list(values.get(f) or [])
        if isinstance(values.get("year"), str) and values["year"].isdigit():
            values["year"] = int(values["year"])
        return cls(**values, evidence=evidence)

    def corrected(self, updates: dict[str, Any]) -> ReportMeta:
        """A copy with a user's corrections (values already validated by govqa/meta.py), each field's
        evidence now the user's; a corrected region or issuer brings its canonical name and aliases."""
        from govqa.names import canonical_body, canonical_region, region_aliases

        new = ReportMeta.from_dict(self.to_dict())
        for name, value in updates.items():
            if name not in META_FIELDS:
                raise KeyError(name)
            if name == "region" and value:
                value = canonical_region(value)
            if name == "issuer" and value:
                value = canonical_body(value)
            setattr(new, name, value)
            if value in (None, ""):
                new.evidence.pop(name, None)
            else:
                new.evidence[name] = FieldEvidence("（用户修正）", USER_CONFIDENCE, "user")
        new.__post_init__()
        if "region" in updates or "issuer" in updates:
            new.aliases = sorted({*new.aliases, *region_aliases(new.region or "")} - {""})
        return new

    def chunk_fields(self) -> dict[str, Any]:
        """What each chunk's vector carries (the dense filter reads it): the known ones of region, level, year, kind."""
        return {f: getattr(self, f) for f in ("region", "level", "year", "kind") if getattr(self, f) not in (None, "")}


_FIELDS = [f for f in ReportMeta.__dataclass_fields__ if f != "evidence"]


def _choice(enum: type[StrEnum], value: Any) -> Any:
    """``value`` as a member of ``enum``, or None when it is none of its choices."""
    if value in (None, ""):
        return None
    try:
        return enum(value)
    except ValueError:
        return None


def doc_label(meta: ReportMeta, source: str) -> str:
    """What users see for a document: its title, else region + year + kind, else the file name."""
    if meta.title:
        return meta.title
    parts = [meta.region or "", f"{meta.year}年" if meta.year else "", KIND_ZH.get(meta.kind, "") if meta.kind else ""]
    return "".join(parts) or source


def report_tag(meta: ReportMeta, issuer: bool = True) -> str:
    """A value's report in a few words, as answers name it: "淮安市洪泽区人民政府 2024年" (or just
    "2024年" when the issuer is already clear from the context)."""
    year = f"{meta.year}年" if meta.year else ""
    who = (meta.issuer or meta.region or "") if issuer else ""
    return " ".join(p for p in (who, year) if p) or (meta.title or "")


def issuer_key(meta: ReportMeta) -> tuple[str, str] | None:
    """Who published a report, as one key across years: (area, issuer). Regions are canonical (淮安市洪泽区
    whether the report wrote 洪泽区 or 淮安市洪泽区), so one body is one key; an issuer written without its
    area's parents is matched on the area's canonical name. None when the region or issuer is unknown:
    reports of an unknown issuer are never paired."""
    region, issuer = meta.region or "", meta.issuer or ""
    if not region or not issuer:
        return None
    short = min((a for a in [region, *meta.aliases] if region.endswith(a) and issuer.startswith(a)), key=len, default="")
    return region, (region + issuer[len(short) :]) if short else issuer


@dataclass
class Document:
    """A normalized report. ``doc_id`` is the hash of ``text``, so identical content is one document."""

    doc_id: str
    source: str
    text: str
    meta: ReportMeta = field(default_factory=ReportMeta)
    sha256: str = ""
    layout: bytes | None = None  # PDFs: where each character is printed (ingest/layout.py), stored beside the text


@dataclass
class DocRecord:
    """A stored document as listed (no text): what `govqa docs` and the app's 报告库 show."""

    doc_id: str
    source: str
    path: str | None
    sha256: str
    meta: ReportMeta
    n_chunks: int
    ingested_at: float

    @property
    def label(self) -> str:
        return doc_label(self.meta, self.source)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "meta": self.meta.to_dict()}


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
    head_implied: bool = False  # the head is a bare verb's implied object (bot/query.py IMPLIED_OBJECT): it must
    # stand in the number's own sentence, not in the heading or sentence before it
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
    meta: ReportMeta
    ranks: dict[str, int | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self.chunk)
        d.update(score=round(self.score, 6), source=self.source, meta=self.meta.to_dict(), ranks=self.ranks)
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
class Suspect:
    """Text of a report that addresses a reader or a model instead of reporting (govqa/taint.py): never
    cited nor answered from, and listed beside an answer as 可疑文字 with where it stands."""

    citation: Citation  # the whole tainted stretch
    line: int  # 1-based line of its start in the stored text
    kind: str  # what it does ("要求忽略其他内容", …)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "line": self.line, **self.citation.to_dict()}


def _value_dict(v: Value) -> dict[str, Any]:
    return {"value": int(v.value) if float(v.value).is_integer() else v.value, "unit": v.unit, "text": v.text,
            "approximate": v.approximate, "citation": v.citation.to_dict()}


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
    suspicious: list[Suspect] = field(default_factory=list)  # 可疑文字 in the reports the answer used
    derived: Derived | None = None  # 增加了多少 / 同比 / 占比 / 几倍: computed from ``values`` (two cited operands)
    confidence: float | None = None  # how sure the numbers answer the question, 0–1 (bot/confidence.py)
    basis: list[Any] = field(default_factory=list)  # what ``confidence`` was computed from (bot.confidence.Basis)
    maybe: list[Value] = field(default_factory=list)  # with a refusal: the closest candidate, 可能相关, never the answer
    meaning: list[str] = field(default_factory=list)  # the meaning check per value: "问：… · 数字所指：…" (bot/meaning.py)

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
            "values": [_value_dict(v) for v in self.values],
            "citations": [c.to_dict() for c in self.citations],
            "backend": self.backend,
            "fallback": self.fallback or None,
            "latency_ms": round(self.latency_ms, 1),
            "closest": [c.to_dict() for c in self.closest],
            "closest_note": self.closest_note or None,
            "suspicious": [x.to_dict() for x in self.suspicious],
            "derived": self.derived.to_dict() if self.derived else None,
            "confidence": self.confidence,
            "confidence_basis": [b.to_dict() for b in self.basis],
            "maybe": [_value_dict(v) for v in self.maybe],
            "meaning": self.meaning,
        }
