"""The document registry (SQLite): the list of documents, their text, metadata and chunks.

It is the source of truth for *which documents exist*: Chroma holds the vectors of the
registered chunks, and the keyword index (FTS5, vectorstore/keyword.py) lives in this same file,
written by triggers in the same transaction as the chunk rows, so neither can keep a document the
registry has dropped. A ``pending`` row marks a document while it is being
written; a crash leaves the row, and the next open removes the half-written document. A
``replacing`` row (new id, old id) is written before a changed file's new version is stored,
so that a crash between storing the new version and removing the old one is finished at the
next open instead of leaving both.

``source`` is the document's path relative to the folder it was ingested from ("2017/report.txt";
a file given directly is its bare name): two files with one name in different folders are two
documents, and a changed file replaces only the document with the same relative path.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from govqa.cells import Cell, cells_in_text
from govqa.types import Chunk, DocRecord, Document, ReportMeta
from vectorstore.keyword import FTS5Index

# ``id`` is the chunk's key in the keyword index (FTS5's rowid); a document's chunks get consecutive ids.
_CHUNKS = """CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, idx INTEGER NOT NULL, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, tokens TEXT NOT NULL, UNIQUE (doc_id, idx)
)"""
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, path TEXT, sha256 TEXT NOT NULL,
    text TEXT NOT NULL, meta TEXT NOT NULL, n_chunks INTEGER NOT NULL, ingested_at REAL NOT NULL
);
{_CHUNKS};
-- Covers the document list (every column but the text): listing 10,000 documents, or finding one by its
-- path, never reads the texts stored in the same rows.
CREATE INDEX IF NOT EXISTS documents_list ON documents (source, sha256, doc_id, path, meta, n_chunks, ingested_at);
CREATE TABLE IF NOT EXISTS pending (doc_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS replacing (new_id TEXT NOT NULL, old_id TEXT NOT NULL, PRIMARY KEY (new_id, old_id));
"""
# One record per statistical-table cell (govqa/cells.py reads them from the rendered row lines at add):
# listed, compared across reports and audited without reading the texts, removed with their document.
_CELLS = """CREATE TABLE IF NOT EXISTS cells (
    doc_id TEXT NOT NULL, tbl INTEGER NOT NULL, kind TEXT NOT NULL, row TEXT NOT NULL, col TEXT NOT NULL,
    raw TEXT NOT NULL, value REAL, unit TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    row_start INTEGER NOT NULL, row_end INTEGER NOT NULL, line TEXT NOT NULL, PRIMARY KEY (doc_id, start, col)
);
CREATE INDEX IF NOT EXISTS cells_by_key ON cells (row, col);"""
# Where a PDF's characters and table cells are printed (ingest/layout.py, compressed JSON): written with its
# document, removed with it; `govqa repair` fills it in for PDFs stored before layouts existed.
_LAYOUTS = """CREATE TABLE IF NOT EXISTS layouts (doc_id TEXT PRIMARY KEY, data BLOB NOT NULL);"""


class Registry:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A second process may hold SQLite's own lock for a moment while it commits: wait, don't fail.
        self.db = sqlite3.connect(path, timeout=60)
        self.db.row_factory = sqlite3.Row
        migrated = self._migrate()
        new_cells = not self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'cells'").fetchone()
        self.db.executescript(_SCHEMA + _CELLS + _LAYOUTS)
        if new_cells:  # a store from before cell records: read them from the stored texts once
            with self.db:
                for r in self.db.execute("SELECT doc_id, text FROM documents").fetchall():
                    self._add_cells(r["doc_id"], r["text"])
        self._migrate_meta()
        self.keywords = FTS5Index(self.db)
        self.keywords.ensure()
        if migrated:
            self.keywords.rebuild()

    def _migrate_meta(self) -> None:
        """Records stored before the typed metadata (govqa/types.py ReportMeta) hold a plain dict: rewrite each
        once as a ReportMeta, with its region and issuer under their canonical names (洪泽区 and 淮安市洪泽区
        become one region) and their aliases kept. One IMMEDIATE transaction, so two processes opening an
        old store migrate it once; a record already of this schema is left as it is."""
        old = [r for r in self.db.execute("SELECT doc_id, meta FROM documents").fetchall()
               if json.loads(r["meta"]).get("schema") != ReportMeta.SCHEMA]
        if not old:
            return
        from govqa.names import migrate_names

        self.db.execute("BEGIN IMMEDIATE")
        try:
            for r in self.db.execute("SELECT doc_id, meta FROM documents").fetchall():
                stored = json.loads(r["meta"])
                if stored.get("schema") != ReportMeta.SCHEMA:
                    meta = migrate_names(ReportMeta.from_dict(stored))
                    self.db.execute("UPDATE documents SET meta = ? WHERE doc_id = ?", (_dump(meta), r["doc_id"]))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _migrate(self) -> bool:
        """Stores made before the FTS5 index have chunks without an ``id``: give each chunk a stable
        integer key (the FTS5 rowid; an implicit rowid may change at VACUUM) and index them all, in one
        transaction, taken IMMEDIATE so that two processes opening an old store migrate it once."""
        cols = [r[1] for r in self.db.execute("PRAGMA table_info(chunks)")]
        if not cols or "id" in cols:
            return False
        self.db.execute("BEGIN IMMEDIATE")
        try:
            migrated = "id" not in [r[1] for r in self.db.execute("PRAGMA table_info(chunks)")]
            if migrated:
                self.db.execute("ALTER TABLE chunks RENAME TO chunks_before_fts")
                self.db.execute(_CHUNKS)
                self.db.execute('INSERT INTO chunks (doc_id, idx, start, "end", tokens) SELECT doc_id, idx, start, "end", '
                                "tokens FROM chunks_before_fts ORDER BY doc_id, idx")
                self.db.execute("DROP TABLE chunks_before_fts")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return migrated

    def data_version(self) -> int:
        """Changes when another connection (another process, another Store) committed since the last
        call; our own commits leave it alone. The store reopens Chroma when it changes."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    # -- reads -------------------------------------------------------------
    def documents(self) -> list[DocRecord]:
        rows = self.db.execute(
            "SELECT doc_id, source, path, sha256, meta, n_chunks, ingested_at FROM documents ORDER BY source"
        ).fetchall()
        return [DocRecord(**{**dict(r), "meta": ReportMeta.from_dict(json.loads(r["meta"]))}) for r in rows]

    def document(self, doc_id: str) -> Document | None:
        r = self.db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if r is None:
            return None
        return Document(r["doc_id"], r["source"], r["text"], ReportMeta.from_dict(json.loads(r["meta"])), r["sha256"])

    def chunk_rows(self, doc_ids: list[str] | None = None) -> Iterator[sqlite3.Row]:
        sql = 'SELECT doc_id, idx, start, "end", tokens FROM chunks'
        if doc_ids is not None:
            sql += f" WHERE doc_id IN ({','.join('?' * len(doc_ids))})"
        yield from self.db.execute(sql + " ORDER BY doc_id, idx", doc_ids or [])

    def chunk(self, doc_id: str, idx: int) -> Chunk:
        r = self.db.execute(
            'SELECT c.start, c."end", d.text FROM chunks c JOIN documents d USING (doc_id) WHERE doc_id = ? AND idx = ?',
            (doc_id, idx),
        ).fetchone()
        return Chunk(doc_id, idx, r["start"], r["end"], r["text"][r["start"] : r["end"]])

    def pending(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT doc_id FROM pending")]

    def has(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is not None

    def by_source(self, source: str) -> list[str]:
        """The ids of the documents stored under this relative path (the one a changed file replaces)."""
        return [r[0] for r in self.db.execute("SELECT doc_id FROM documents WHERE source = ?", (source,))]

    def stored_file(self, source: str, sha256: str) -> str | None:
        """The document stored from this very file (same relative path, same bytes), if any: a re-run of
        a bulk ingest skips it without reading it again."""
        r = self.db.execute("SELECT doc_id FROM documents WHERE source = ? AND sha256 = ?", (source, sha256)).fetchone()
        return r[0] if r else None

    def record(self, doc_id: str) -> DocRecord | None:
        r = self.db.execute("SELECT doc_id, source, path, sha256, meta, n_chunks, ingested_at FROM documents "
                            "WHERE doc_id = ?", (doc_id,)).fetchone()
        return DocRecord(**{**dict(r), "meta": ReportMeta.from_dict(json.loads(r["meta"]))}) if r else None

    def n_chunks(self) -> int:
        """Chunks of all documents: each document's count, written with its chunk rows in one transaction
        (read from the document list's covering index; counting the chunk rows read 0.2 s at 9,000 reports)."""
        return int(self.db.execute("SELECT COALESCE(SUM(n_chunks), 0) FROM documents").fetchone()[0])

    def chunk_ids(self) -> set[str]:
        return {f"{r[0]}:{r[1]}" for r in self.db.execute("SELECT doc_id, idx FROM chunks")}

    def replacing(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.db.execute("SELECT new_id, old_id FROM replacing")]

    # -- writes ------------------------------------------------------------
    def mark_pending(self, doc_id: str) -> None:
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO pending VALUES (?)", (doc_id,))

    def clear_pending(self, doc_id: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM pending WHERE doc_id = ?", (doc_id,))

    def mark_replacing(self, new_id: str, old_ids: list[str]) -> None:
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO replacing VALUES (?, ?)", [(new_id, o) for o in old_ids])

    def clear_replacing(self, new_id: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM replacing WHERE new_id = ?", (new_id,))

    def add(self, doc: Document, path: str, chunks: list[Chunk], tokens: list[list[str]]) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (doc.doc_id, doc.source, path, doc.sha256, doc.text, _dump(doc.meta),
                 len(chunks), time.time()),
            )
            self.db.executemany(
                'INSERT INTO chunks (doc_id, idx, start, "end", tokens) VALUES (?, ?, ?, ?, ?)',
                [(c.doc_id, c.index, c.start, c.end, json.dumps(t, ensure_ascii=False)) for c, t in zip(chunks, tokens)],
            )
            self._add_cells(doc.doc_id, doc.text)
            if doc.layout:
                self.db.execute("INSERT OR REPLACE INTO layouts VALUES (?, ?)", (doc.doc_id, doc.layout))

    def _add_cells(self, doc_id: str, text: str) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(doc_id, c.table, c.kind, c.row, c.col, c.raw, c.value, c.unit, c.start, c.end, c.row_start, c.row_end,
              c.line) for c in cells_in_text(text)])

    def cells(self, doc_id: str | None = None, row: str | None = None, col: str | None = None) -> list[tuple[str, Cell]]:
        """(doc_id, cell) records, of one document or of one row (and column) across all, in text order."""
        where = [(f"{k} = ?", v) for k, v in (("doc_id", doc_id), ("row", row), ("col", col)) if v is not None]
        sql = "SELECT * FROM cells" + (" WHERE " + " AND ".join(w for w, _ in where) if where else "")
        rows = self.db.execute(sql + " ORDER BY doc_id, start", [v for _, v in where]).fetchall()
        return [(r["doc_id"], Cell(r["tbl"], r["kind"], r["row"], r["col"], r["raw"], r["value"], r["unit"], r["start"],
                                   r["end"], r["row_start"], r["row_end"], r["line"])) for r in rows]

    def cell_keys(self) -> list[tuple[str, str, int]]:
        """(row, column, how many reports have it), most common first."""
        return [(r[0], r[1], r[2]) for r in self.db.execute(
            "SELECT row, col, COUNT(DISTINCT doc_id) AS n FROM cells GROUP BY row, col ORDER BY n DESC, row, col")]

    def layout(self, doc_id: str) -> bytes | None:
        r = self.db.execute("SELECT data FROM layouts WHERE doc_id = ?", (doc_id,)).fetchone()
        return r[0] if r else None

    def set_layout(self, doc_id: str, data: bytes) -> None:
        with self.db:
            if self.has(doc_id):
                self.db.execute("INSERT OR REPLACE INTO layouts VALUES (?, ?)", (doc_id, data))

    def without_layout(self) -> list[tuple[str, str | None]]:
        """(doc_id, path) of the stored PDFs that have no layout yet (stored before layouts existed)."""
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT doc_id, path FROM documents WHERE lower(source) LIKE '%.pdf' "
            "AND doc_id NOT IN (SELECT doc_id FROM layouts) ORDER BY source")]

    def remove(self, doc_id: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM layouts WHERE doc_id = ?", (doc_id,))
            self.db.execute("DELETE FROM cells WHERE doc_id = ?", (doc_id,))
            self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def set_meta(self, doc_id: str, meta: ReportMeta) -> None:
        with self.db:
            self.db.execute("UPDATE documents SET meta = ? WHERE doc_id = ?", (_dump(meta), doc_id))


def _dump(meta: ReportMeta) -> str:
    return json.dumps(meta.to_dict(), ensure_ascii=False)
