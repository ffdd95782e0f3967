"""The service layer: everything a user can do with a library of reports, in one place.

`govqa/cli.py` and the app (`app.py`, `govqa/webapp_core.py`) are thin shells over this class:
they parse input, call one method and render its result. The store (registry, Chroma, BM25) is
the Library's own; so are the summary cache and the uploaded files. Later features (tables,
audit, compare) are added here once, for both front ends.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answer import answer_question, passages
from bot.assess import Assessment, assess_document, matches, ranked
from bot.assess_rules import CHECKS as ASSESS_CHECKS  # noqa: F401  (the 评估 shells: CLI and app)
from bot.assess_rules import GROUPS as ASSESS_GROUPS  # noqa: F401
from bot.assess_rules import STATUS_ZH as ASSESS_STATUS_ZH  # noqa: F401
from bot.audit import Finding, audit_document, year_to_year
from bot.compare import Point, changes, compare_cells, resolve_row  # noqa: F401  (changes: for the shells)
from bot.overview import FIGURE_NAMES, OverviewRow, overview_rows  # noqa: F401  (FIGURE_NAMES: for the shells)
from bot.query import analyse
from bot.reuse import Reuse, text_reuse
from bot.sections import Summary
from govqa.cells import Cell
from govqa.journal import Journal
from govqa.locations import Location, Locator, labelled_values
from govqa.meta import MetaError, check_length, parse_updates
from govqa.settings import Settings, get_settings
from govqa.summaries import SummaryCache
from govqa.taint import line_of, taint_spans
from govqa.types import (
    LEVEL_ZH,
    Answer,
    Backend,
    Citation,
    DocRecord,
    Document,
    Hit,
    Kind,
    ReportMeta,
    SearchMode,
    Status,
    SummaryBackend,
    Suspect,
    Value,
    doc_label,
    issuer_key,
    report_tag,
)
from govqa.uploads import check_upload, drop_upload, keep_upload
from ingest.pipeline import IngestReport, PageProgress, Prepared, ingest, ingest_sources, prepare, read_layout
from vectorstore.embeddings import make_embeddings
from vectorstore.filters import DocFilter, select_documents
from vectorstore.retriever import search
from vectorstore.store import REPAIR_HINT, Store, StoreError

log = logging.getLogger(__name__)
CONTEXT_CHARS = 240


class LibraryError(Exception):
    """A problem the user can fix; its message (Chinese) is shown as is by the CLI and the app."""


@dataclass
class UploadOutcome:
    name: str  # as the user named the file
    status: Status
    message: str  # Chinese, for the app's table
    doc_id: str | None = None


@dataclass
class AskResult:
    """An answer with what a reader needs around it: each cited (or closest) passage's document label,
    region, year, the text before and after the quote, and where it is in the original file (第3页 and
    the boxes to draw there, or 第12段 / 表2 第5行); each value's own place (the answered cell); and,
    when the values come from several reports, the answer with each value's report named."""

    answer: Answer
    context: dict[tuple[str, int, int], dict[str, Any]] = field(default_factory=dict)
    places: list[dict[str, Any]] = field(default_factory=list)  # per value: its span, page and box
    labelled: str = ""  # "2023年 21件；2024年 95件"

    def to_dict(self) -> dict[str, Any]:
        out = self.answer.to_dict()
        for c in [*out["citations"], *out["closest"], *(v["citation"] for v in out["values"])]:
            c.update(self.context.get((c["doc"], c["start"], c["end"]), {}))
        for v, place in zip(out["values"], self.places):
            v.update(place)
        out["labelled"] = self.labelled or None
        return out


def open_store(settings: Settings, progress: bool = False) -> Store:
    """The store, or a LibraryError saying in Chinese what to do when it cannot be opened. When its
    indexes disagree or a file is damaged, it still opens (so that `govqa repair` can run) and says
    what is wrong on stderr."""
    try:
        store = Store(settings, progress=progress)
        for problem in store.problems:
            log.warning("store check: %s", problem)
            print(f"警告：{problem}；{REPAIR_HINT}", file=sys.stderr, flush=True)
        return store
    except Exception as exc:
        log.error("store failed to open: %s", exc)
        if settings.chroma_host:
            where = f"{settings.chroma_host}:{settings.chroma_port}"
            raise LibraryError(
                f"无法连接向量数据库服务器 {where}：请先启动它（例如 chroma run --path 目录 --host {settings.chroma_host} "
                f"--port {settings.chroma_port}），或去掉 GOVQA_CHROMA_HOST 改用内嵌存储（{type(exc).__name__}）") from exc
        if registry_unreadable(settings):
            raise LibraryError(f"报告库的登记表 {Path(settings.data_dir) / 'registry.sqlite'} 已损坏，无法读取"
                               f"（{exc}）；运行 govqa repair 按导入记录重建") from exc
        raise LibraryError(f"无法打开报告库 {settings.data_dir}（{type(exc).__name__}: {exc}）") from exc


def registry_unreadable(settings: Settings) -> bool:
    """The registry file exists but SQLite cannot read it (overwritten, truncated, not a database)."""
    import sqlite3

    path = Path(settings.data_dir) / "registry.sqlite"
    if not path.exists():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return False
    except sqlite3.DatabaseError:
        return True


class EmbedAhead:
    """Reads a file (in the bounded worker process) and embeds its chunks into the shared cache before
    it is stored, with a model of its own, on a thread other than the library's (the app's upload
    preparer): the upload then holds the library's thread only for the quick write, and questions are
    answered meanwhile, however long a hostile file takes to reach its limits. Returns what was read,
    or why the file cannot be read; None when preparing failed for another reason (the upload then
    reads the file itself)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._embeddings: Any = None

    def __call__(self, src: Path, on_page: PageProgress | None = None) -> Prepared | None:
        try:
            if self._embeddings is None:
                self._embeddings = make_embeddings(self.settings, own=True) or False
            return prepare(src, self.settings, self._embeddings or None, on_page)
        except Exception:
            log.warning("preparing %s ahead failed", src, exc_info=True)
            return None


def _matches(meta: ReportMeta, region: str, year: str | int, level: str) -> bool:
    """The overview's filters: region by part of its name (or of the issuer's, an alias's or an area it lies in:
    淮安市 takes 洪泽区), year exactly, level by key or Chinese word."""
    names = [meta.region or "", meta.issuer or "", *meta.aliases, *meta.parents]
    if region and not any(region in n for n in names):
        return False
    if year and str(meta.year or "") != str(year).removesuffix("年"):
        return False
    if level:
        words = {meta.level or "", LEVEL_ZH.get(meta.level, "") if meta.level else ""}
        return level in words
    return True


class Library:
    def __init__(self, settings: Settings | None = None, progress: bool = False) -> None:
        self.settings = settings or get_settings()
        self._progress = progress
        self._store = open_store(self.settings, progress)
        self._summaries = SummaryCache(self.settings)
        self._journal = Journal(self.settings.data_dir)
        self._locator = Locator(self._store.layout)

    # -- documents ----------------------------------------------------------------------------
    def documents(self) -> list[DocRecord]:
        return self._store.documents()

    def resolve(self, ref: str) -> str:
        """A document named by id, id prefix (>= 6 chars), path relative to its ingest folder, or file
        name when only one document has it (else the error lists the candidates)."""
        self._check("报告", ref or "")
        try:
            return self._store.resolve(ref)
        except StoreError as exc:
            raise LibraryError(str(exc)) from exc

    def document(self, ref: str) -> Document:
        doc = self._store.document(self.resolve(ref))
        assert doc is not None
        return doc

    def refresh(self) -> None:
        """See documents another process (`govqa ingest` beside the app) has stored since."""
        self._store.refresh()

    @property
    def has_vectors(self) -> bool:
        return self._store.has_vectors

    @property
    def problems(self) -> list[str]:
        """What opening the store found wrong (indexes disagree, a damaged file), in Chinese; [] when sound."""
        return list(self._store.problems)

    def repair(self) -> dict[str, Any]:
        """Bring the vectors and the keyword index back in line with the registry (`govqa repair`):
        missing vectors re-added from the stored texts, stray ones deleted, BM25 rebuilt; then every
        report the sources journal lists but the registry lacks (an emptied registry) is re-ingested
        from its file. Returns counts, and the files that could not be found."""
        try:
            counts: dict[str, Any] = dict(self._store.repair())
        except StoreError as exc:
            raise LibraryError(str(exc)) from exc
        counts.update(self._restore_from_journal())
        counts.update(self._backfill_layouts())
        return counts

    def _backfill_layouts(self) -> dict[str, Any]:
        """Page layouts for PDFs stored before layouts existed: each file is read again (a scan is OCR'd
        again) and aligned to the stored text, which is not changed. Files no longer there are listed."""
        from tqdm import tqdm

        todo = self._store.without_layout()
        added, gone = 0, []
        for doc_id, path in tqdm(todo, desc="补齐页码", unit="份", disable=not self._progress or not todo):
            doc = self._store.document(doc_id)
            blob = read_layout(Path(path), doc.text) if path and doc and Path(path).is_file() else None
            if blob is None:
                gone.append(path or doc_id)
                continue
            self._store.set_layout(doc_id, blob)
            self._locator.forget(doc_id)
            added += 1
        return {"layouts_added": added, "layouts_missing": gone}

    def _restore_from_journal(self) -> dict[str, Any]:
        docs = self.documents()
        held, sources = {d.doc_id for d in docs}, {d.source for d in docs}
        lost = [e for e in self._journal.live() if e.doc_id not in held and e.source not in sources]
        found = [e for e in lost if Path(e.path).is_file()]
        report = ingest_sources(self._store, [(Path(e.path), e.source) for e in found], progress=True)
        for e, outcome in zip(found, report.outcomes):
            if e.meta and outcome.doc_id and outcome.status != Status.failed:
                self._store.set_meta(outcome.doc_id, e.meta)
        self._after_ingest(report.new_ids)
        return {"restored": len(report.new_ids), "missing_sources": [e.path for e in lost if e not in found]}

    @staticmethod
    def restore(settings: Settings) -> dict[str, Any]:
        """`govqa repair` when the registry itself cannot be read: it, the vectors and the keyword index
        are set aside (renamed, never deleted), and the library is rebuilt from the sources journal."""
        root = Path(settings.data_dir)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for name in ("registry.sqlite", "registry.sqlite-wal", "registry.sqlite-shm", "chroma"):
            if (root / name).exists():
                (root / name).rename(root / f"{name}.damaged-{stamp}")
        shutil.rmtree(root / "bm25", ignore_errors=True)
        library = Library(settings, progress=True)
        counts = library.repair()
        counts["set_aside"] = True
        return counts

    def vector_counts(self) -> dict[str, int]:
        """Vectors per document id (a report ingested with --vectors-later has none until `govqa repair`)."""
        return self._store.vector_counts()

    def stats(self) -> dict[str, int]:
        docs = self.documents()
        return {"documents": len(docs), "chunks": sum(d.n_chunks for d in docs), "vectors": self._store.count_vectors()}

    # -- writes -------------------------------------------------------------------------------
    def add(self, paths: Iterable[Path], progress: bool = False) -> IngestReport:
        """Ingest files and folders; then summaries follow (stale ones pruned, new ones written when
        ``summarize_on_ingest``)."""
        report = ingest(self._store, paths, progress=progress)
        self._after_ingest(report.new_ids, progress)
        return report

    def _after_ingest(self, new_ids: list[str], progress: bool = False) -> None:
        for doc_id in new_ids:
            if (record := self._store.record(doc_id)) is not None:
                self._journal.added(doc_id, record.path, record.source)
        self._summaries.prune({d.doc_id for d in self.documents()})
        if self.settings.summarize_on_ingest:
            from tqdm import tqdm

            for doc_id in tqdm(new_ids, desc="生成摘要", unit="篇", disable=not progress):
                self.summary(doc_id)

    def upload(self, src: Path, name: str, prepared: Prepared | None = None,
               on_page: PageProgress | None = None) -> UploadOutcome:
        """Store one uploaded file under data_dir/uploads and ingest it (``prepared``: already read by
        EmbedAhead, so it is not read again here; ``on_page``: told after each PDF page when it is read here).

        A repeated upload of the same bytes is recognised before anything is written; the same text
        under another name is a duplicate ingest recognises by content hash. Files that fail or
        duplicate are not kept. Nothing is executed: the bytes are copied and read as text. ``on_page`` is
        told after each PDF page is read (the app shows a scan's OCR page by page)."""
        reason = check_upload(self.settings, src, name)
        if reason:
            return UploadOutcome(name, Status.failed, reason)
        if prepared is not None and prepared.reason:  # refused by its reader: nothing is written, not even the copy
            return UploadOutcome(name, Status.failed, prepared.reason)
        dest, stored_before = keep_upload(self.settings, src.read_bytes(), name)
        same_name = [d for d in self.documents() if d.source == dest.name]
        report = ingest(self._store, [dest], prepared=prepared, on_page=on_page)
        outcome = report.outcomes[0]
        keep = outcome.status in (Status.added, Status.replaced) or (outcome.status == Status.unchanged and stored_before)
        if not keep and not stored_before:
            drop_upload(self.settings, str(dest))
        if outcome.status == Status.replaced:
            for d in same_name:
                drop_upload(self.settings, d.path)
        self._after_ingest(report.new_ids)
        label = doc_label(outcome.meta, dest.name) if outcome.meta else dest.name
        message = {
            Status.added: f"{label}，{outcome.chunks} 块",
            Status.replaced: f"{label}，{outcome.chunks} 块（替换了同名的旧版本）",
            Status.unchanged: "此文件已导入过，未重复存储",
            Status.duplicate: f"{outcome.reason or '与已导入的报告内容相同'}，未重复导入",
            Status.failed: outcome.reason or "导入失败",
        }[outcome.status]
        return UploadOutcome(name, outcome.status, message, outcome.doc_id)

    def remove(self, ref: str) -> DocRecord:
        """Remove a document from every index, with its summaries and its uploaded file."""
        doc_id = self.resolve(ref)
        record = next(d for d in self.documents() if d.doc_id == doc_id)
        try:
            self._store.remove(doc_id)
        except StoreError as exc:  # another process held the write lock too long, or the vectors are damaged
            raise LibraryError(str(exc)) from exc
        self._journal.removed(doc_id)
        drop_upload(self.settings, record.path)
        self._summaries.prune({d.doc_id for d in self.documents()})
        return record

    def set_meta(self, ref: str, updates: dict[str, str | None]) -> ReportMeta:
        """Correct metadata. Every value is validated by govqa.meta.parse_meta_value, the one rule for
        the CLI and the app; nothing is stored unless all of them are valid."""
        try:
            parsed = parse_updates(updates, self.settings.max_field_chars)
        except MetaError as exc:
            raise LibraryError(str(exc)) from exc
        doc_id = self.resolve(ref)
        try:
            meta = self._store.set_meta(doc_id, parsed)
        except StoreError as exc:
            raise LibraryError(str(exc)) from exc
        self._journal.corrected(doc_id, parsed)
        return meta

    # -- questions ----------------------------------------------------------------------------
    def search(self, question: str, k: int | None = None, use_filter: bool = True,
               mode: SearchMode = SearchMode.hybrid) -> tuple[list[Hit], DocFilter]:
        """Retrieval only (`govqa search`): the same length rule as a question (5,000 characters once took 58 s)."""
        question = (question or "").strip()
        self.check_question(question)
        return search(self._store, analyse(question), k=k, use_filter=use_filter, mode=mode)

    def ask(self, question: str, backend: Backend = Backend.auto, region: str = "", year: str | int = "",
            doc_id: str = "", on_token: Callable[[str], None] | None = None) -> AskResult:
        """Answer a question, only from the reports the user chose (region/year/doc) when given.
        On a refusal the answer carries its reason and the closest passages."""
        question = (question or "").strip()
        self.check_question(question)
        for label, value in (("地区筛选", region), ("年份筛选", year), ("报告筛选", doc_id)):
            self._check(label, str(value or ""))
        docs = self.documents()
        if not docs:
            raise LibraryError("报告库还是空的：请先导入报告（govqa ingest 或“报告库”页上传）")
        doc_ids = select_documents(docs, region, year, doc_id)
        if doc_ids == []:
            hits, _ = self.search(question, k=3, use_filter=False)
            ans = Answer.refusal(question, "筛选条件下没有报告", closest=passages(hits),
                                 closest_note="以下段落来自筛选条件以外的报告" if hits else "")
        else:
            ans = answer_question(self._store, question, backend=backend, doc_ids=doc_ids, on_token=on_token)
        ans.suspicious = self._suspects([c.doc for c in [*ans.citations, *ans.closest]])
        if (broken := self._store.keywords_broken) and not ans.fallback:
            ans.fallback = f"{broken}，本次只用向量检索作答；{REPAIR_HINT}"
        result = AskResult(ans)
        for c in [*ans.citations, *ans.closest, *(v.citation for v in ans.values)]:
            result.context[(c.doc, c.start, c.end)] = {**self._context(c.doc, c.start, c.end),
                                                       **self.locate(c.doc, c.start, c.end).to_dict()}
        result.places = [self._value_place(v) for v in ans.values]
        result.labelled = "" if ans.derived else labelled_values(ans.values, self._meta)
        for c in ans.citations:  # a cited table row the audit finds inconsistent says so beside the answer
            if c.quote.startswith("【表"):
                found = [f.message for f in audit_document(self._store.document(c.doc))
                         if f.status == "FAIL" and any((x.start, x.end) == (c.start, c.end) for x in f.cited)]
                if found:
                    result.context[(c.doc, c.start, c.end)]["audit"] = found
        return result

    def check_question(self, question: str) -> None:
        """Refuse an empty or over-long question before any work (retrieval cost grows with its length)."""
        if not question:
            raise LibraryError("请输入问题")
        self._check("问题", question, self.settings.max_question_chars)

    def _check(self, label: str, value: str, limit: int | None = None) -> None:
        """The length rule (govqa.meta.check_length) as a LibraryError, for the CLI and the app alike."""
        try:
            check_length(label, value, limit or self.settings.max_field_chars)
        except MetaError as exc:
            raise LibraryError(str(exc)) from exc

    MAX_SUSPECTS = 5  # 可疑文字 listed with one answer

    def _suspects(self, doc_ids: list[str]) -> list[Suspect]:
        """The planted text (govqa/taint.py) of the reports an answer cited or showed: never answered from,
        listed so the user knows it is there and where."""
        out: list[Suspect] = []
        for doc_id in dict.fromkeys(doc_ids):
            doc = self._store.document(doc_id)
            if doc is None:
                continue
            for t in taint_spans(doc.text):
                cit = Citation(doc_id, t.start, t.end, doc.text[t.start : t.end], doc.source, doc_label(doc.meta, doc.source))
                out.append(Suspect(cit, line_of(doc.text, t.start), t.kind))
        return out[: self.MAX_SUSPECTS]

    def _meta(self, doc_id: str) -> ReportMeta:
        record = self._store.record(doc_id)
        return record.meta if record else ReportMeta()

    def locate(self, doc_id: str, start: int, end: int) -> Location:
        """Where doc_id's text[start:end] is in the original file: 第3页 with the boxes to draw on that
        page (PDFs), else its paragraph or table row."""
        doc = self._store.document(doc_id)
        if doc is None:
            return Location("")
        return self._locator.locate(doc, start, end)

    def _value_place(self, v: Value) -> dict[str, Any]:
        """A value's own span and box: the answered table cell, or the number inside its quote."""
        c = v.citation
        span = v.span
        if span is None and c.quote.count(v.text) == 1:
            at = c.start + c.quote.index(v.text)
            span = (at, at + len(v.text))
        if span is None:
            return {"span": None, "box": None}
        return {"span": list(span), "box": self.value_box(c.doc, *span)}

    def value_box(self, doc_id: str, start: int, end: int) -> list[float] | None:
        """The printed box of a value: its table cell, or the number's own characters in the prose."""
        box = self._locator.cell_box(doc_id, start, end)
        if box is None:
            boxes = self.locate(doc_id, start, end).boxes if end > start else []
            box = boxes[0] if boxes else None
        return box

    def page_image(self, doc_id: str, page: int, boxes: list[list[float]], marks: list[list[float]] | None = None,
                   dpi: int | None = None) -> bytes:
        """A PNG of one page of a stored PDF with the cited boxes drawn (the app's citation view)."""
        from govqa.pages import PageError, render_page

        record = self._store.record(doc_id)
        if record is None:
            raise LibraryError(f"找不到报告 {doc_id}")
        try:
            return render_page(Path(record.path or ""), page, boxes, marks or [], dpi)
        except PageError as exc:
            raise LibraryError(f"{record.source}：{exc}") from exc

    def original_file(self, doc_id: str) -> Path:
        """The file a report was ingested from (the app offers it, opened at the cited page)."""
        record = self._store.record(doc_id)
        if record is None or not record.path or not Path(record.path).is_file():
            name = record.source if record else doc_id
            raise LibraryError(f"{name}：原文件已不在（{record.path if record else '未知路径'}），请重新导入")
        return Path(record.path)

    def _context(self, doc_id: str, start: int, end: int) -> dict[str, Any]:
        doc = self._store.document(doc_id)
        if doc is None:
            return {}
        return {"label": doc_label(doc.meta, doc.source), "region": doc.meta.region or "",
                "year": doc.meta.year or "", "before": doc.text[max(0, start - CONTEXT_CHARS) : start],
                "after": doc.text[end : end + CONTEXT_CHARS]}

    # -- tables -------------------------------------------------------------------------------
    def tables(self, ref: str) -> list[Cell]:
        """The statistical tables' cells of one report (stored records), each an exact span of its text."""
        return [c for _, c in self._store.cells(self.resolve(ref))]

    def table_cells(self, ref: str) -> list[dict[str, Any]]:
        """tables(ref) as dicts with the document id and where each cell's row is (第3页 / 表2 第5行)."""
        doc_id = self.resolve(ref)
        return [{**c.to_dict(), "doc": doc_id, "where": self.locate(doc_id, c.row_start, c.row_end).where}
                for c in self.tables(doc_id)]

    def table_keys(self) -> tuple[list[str], list[str]]:
        """Every table row key and column in the library, most common first (the app's 对比 pickers)."""
        rows: Counter[str] = Counter()
        cols: Counter[str] = Counter()
        for row, col, n in self._store.cell_keys():
            rows[row] += n
            cols[col] += n
        return [r for r, _ in rows.most_common()], [c for c, _ in cols.most_common()]

    # -- audit --------------------------------------------------------------------------------
    def audit(self, ref: str | None = None) -> list[Finding]:
        """Consistency checks (bot/audit.py) of one report, or of all of them with the year-to-year
        carry-over between reports of one issuer."""
        docs = [self.document(ref)] if ref else [self.document(d.doc_id) for d in self.documents()]
        findings = [f for d in docs for f in audit_document(d)]
        findings += year_to_year(docs) if ref is None else []
        tags = {d.doc_id: report_tag(d.meta) for d in docs}
        shared = {t for t in tags.values() if list(tags.values()).count(t) > 1}
        tags = {d.doc_id: f"{tags[d.doc_id]}（{d.source}）" if tags[d.doc_id] in shared else tags[d.doc_id] for d in docs}
        for f in findings:
            f.report = tags.get(f.doc, f.report)
            for c in f.cited:
                doc = f.doc if f.doc in tags and c.quote == self._text(f.doc)[c.start : c.end] else self._doc_of(c, docs)
                c.where = self.locate(doc, c.start, c.end).where if doc else ""
        return findings

    def _text(self, doc_id: str) -> str:
        doc = self._store.document(doc_id)
        return doc.text if doc else ""

    @staticmethod
    def _doc_of(c: Any, docs: list[Document]) -> str:
        """The document a cited span is from (a year-to-year finding cites two reports)."""
        return next((d.doc_id for d in docs if d.text[c.start : c.end] == c.quote), "")

    # -- compare ------------------------------------------------------------------------------
    def compare(self, row: str, col: str = "总计", refs: list[str] | None = None) -> tuple[str, list[Point]]:
        """One table cell across reports (all, or the ones named): (the full row key, one cited point each).
        Read from the stored cell records, so comparing a library never reads its texts."""
        ids = {self.resolve(r) for r in refs} if refs else None
        docs = [d for d in self.documents() if ids is None or d.doc_id in ids]
        try:
            key = resolve_row({r for r, _, _ in self._store.cell_keys()}, row)
        except KeyError as exc:
            raise LibraryError(str(exc.args[0])) from exc
        points = compare_cells(docs, {d: c for d, c in self._store.cells(row=key, col=col)})
        for p in points:
            if p.quote:
                p.where = self.locate(p.doc, p.start, p.end).where
        return key, points

    # -- overview -----------------------------------------------------------------------------
    def overview(self, region: str = "", year: str | int = "", level: str = "") -> list[OverviewRow]:
        """One row per report (a text PDF and its scan are one) with its identity, the key template
        figures (新收 … 结转), each cited to its cells with their page, and its audit counts. Filters:
        region (part of the name), year, level (province … department, or its Chinese word)."""
        docs = [d for d in self.documents() if _matches(d.meta, region, year, level)]
        cells: dict[str, list[Cell]] = {}
        for doc_id, c in self._store.cells():
            cells.setdefault(doc_id, []).append(c)
        audits = {d.doc_id: dict(Counter(f.status for f in self.audit(d.doc_id))) for d in docs}
        rows = overview_rows(docs, cells, audits)
        for r in rows:
            for fig in r.figures.values():
                for part in fig.parts:
                    part.where = self.locate(r.doc, part.row_start, part.row_end).where
        return rows

    def export_overview(self, path: Path, fmt: str, region: str = "", year: str | int = "", level: str = "") -> Path:
        """The overview written to ``path`` as csv, json or xlsx (sheets 总览, 表格单元格, 核查, 对比)."""
        from govqa.export import write_csv, write_json, write_xlsx

        rows = self.overview(region, year, level)
        if fmt == "csv":
            return write_csv(rows, path)
        if fmt == "json":
            return write_json([r.to_dict() for r in rows], path)
        if fmt != "xlsx":
            raise LibraryError(f"不支持的导出格式 {fmt!r}：可用 csv、xlsx、json")
        cells = {r.doc: [{**c.to_dict(), "where": self.locate(r.doc, c.row_start, c.row_end).where}
                         for c in self.tables(r.doc)] for r in rows}
        findings = [f.to_dict() for r in rows for f in self.audit(r.doc)]
        return write_xlsx(rows, cells, findings, path)

    # -- text reuse ---------------------------------------------------------------------------
    def previous_report(self, ref: str) -> Document:
        """The same issuer's report of the year before (issuer_key), or a LibraryError saying why not."""
        doc = self.document(ref)
        who, year = issuer_key(doc.meta), doc.meta.year
        label = doc_label(doc.meta, doc.source)
        if who is None or not year:
            raise LibraryError(f"{label}：发布单位或年份未识别，无法找到上一年度的报告；请用 --against 指定")
        previous = self._previous(doc)
        if previous is None:
            raise LibraryError(f"库中没有{who[1]}{year - 1}年的报告，无法比较与上一年度的文字重复；请用 --against 指定")
        return previous

    def _previous(self, doc: Document) -> Document | None:
        """The same issuer's report of the year before, when the library holds it (same kind of report)."""
        who, year = issuer_key(doc.meta), doc.meta.year
        if who is None or not year:
            return None
        for d in self.documents():
            if (d.doc_id != doc.doc_id and d.meta.year == year - 1 and issuer_key(d.meta) == who
                    and d.meta.kind == doc.meta.kind):
                return self.document(d.doc_id)
        return None

    def reuse(self, ref: str, against: str | None = None) -> Reuse:
        """Sentences and table rows of one report repeated from the issuer's previous report (or ``against``)."""
        doc = self.document(ref)
        previous = self.document(against) if against else self.previous_report(ref)
        if previous.doc_id == doc.doc_id:
            raise LibraryError("不能与报告自身比较")
        return text_reuse(doc, previous)

    # -- assessment ---------------------------------------------------------------------------
    def _same_issuer(self, meta: ReportMeta, year: int, cache: dict[str, Document] | None = None) -> Document | None:
        """The report of the same issuer (issuer_key) on ``year``, if the library has one."""
        who = issuer_key(meta)
        if who is None:
            return None
        for d in self.documents():
            if d.meta.year == year and d.meta.kind == Kind.annual_report and issuer_key(d.meta) == who:
                if cache is None:
                    return self.document(d.doc_id)
                if d.doc_id not in cache:
                    cache[d.doc_id] = self.document(d.doc_id)
                return cache[d.doc_id]
        return None

    def _assess(self, doc: Document, cache: dict[str, Document] | None = None) -> Assessment:
        year = doc.meta.year
        previous = self._same_issuer(doc.meta, year - 1, cache) if year else None
        following = self._same_issuer(doc.meta, year + 1, cache) if year else None
        return assess_document(doc, previous, following)

    def assess(self, ref: str) -> Assessment:
        """One annual report checked against the rules in force when it was due (bot/assess.py): on time,
        complete, consistent, candid, each with its article and cited evidence, and a weighted score."""
        doc = self.document(ref)
        if doc.meta.kind != Kind.annual_report:
            raise LibraryError(f"{doc_label(doc.meta, doc.source)} 不是政府信息公开工作年度报告，不评估")
        return self._assess(doc)

    def assessments(self, region: str = "", level: str = "", year: str | int = "",
                    progress: bool = False) -> list[Assessment]:
        """Every annual report (or those of a region — its own or one it lies in —, level and year),
        assessed and ranked by score, best first."""
        from tqdm import tqdm

        records = [d for d in self.documents() if d.meta.kind == Kind.annual_report]
        cache: dict[str, Document] = {}
        out = []
        for record in tqdm(records, desc="评估", unit="份", disable=not progress):
            if not matches(assessment_key(record.meta), region, level, year):
                continue
            doc = cache.get(record.doc_id) or self.document(record.doc_id)
            cache[record.doc_id] = doc
            out.append(self._assess(doc, cache))
        return ranked(out)

    # -- summaries ----------------------------------------------------------------------------
    def summary(self, ref: str, backend: SummaryBackend | None = None, refresh: bool = False,
                progress: bool = False) -> Summary:
        """The cited executive summary (cached per document content and backend). When the library holds
        the issuer's report of the year before, its table figures show last year's value and the change."""
        from bot.llm import LLMUnavailable

        doc = self.document(ref)
        try:
            return self._summaries.get(doc, backend, refresh, progress, previous=self._previous(doc))
        except LLMUnavailable as exc:
            raise LibraryError(f"大模型不可用：{exc}（可用 --backend extractive）") from exc

    def summary_markdown(self, ref: str, backend: SummaryBackend | None = None, refresh: bool = False,
                         progress: bool = False) -> str:
        """The summary as Markdown, each citation with its page (第3页) or paragraph: `govqa summarize`
        and the app's download."""
        from bot.summarize import to_markdown

        summary = self.summary(ref, backend, refresh, progress)
        return to_markdown(summary, lambda c: self.locate(c.doc, c.start, c.end).where)

    def terms(self, question: str) -> list[str]:
        """The question's words as the keyword index has them (`govqa search` marks them in each hit)."""
        from vectorstore.tokenize import tokenize

        return list(tokenize(question))

    def summary_with_context(self, ref: str) -> dict[str, Any]:
        """summary(...).to_dict() with every citation's document label and surrounding passage (the app)."""
        s = self.summary(ref).to_dict()
        cits = [k["citation"] for k in s["key_figures"]] + [k["previous"]["citation"] for k in s["key_figures"]
                                                            if k.get("previous")]
        cits += [c for bullets in s["sections"].values() for b in bullets for c in b["citations"]]
        for c in cits:
            c.update(self._context(c["doc"], c["start"], c["end"]))
            c.update(self.locate(c["doc"], c["start"], c["end"]).to_dict())
        return s


def assessment_key(meta: ReportMeta) -> Assessment:
    """An empty Assessment carrying only what the ranking filters read, so a report is filtered before it is assessed."""
    return Assessment("", "", "", meta.region or "", meta.level or "", list(meta.parents), "", meta.year, "", "", "")
