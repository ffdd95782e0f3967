"""The keyword index: SQLite FTS5 over the registry's jieba tokens, inside the registry's own file.

Why FTS5 and why here (measured in docs/scaling.md): the bm25s index it replaces was rebuilt from
every chunk on each ingest (8 s per added report at 3,000 reports) and held in memory whole. FTS5
is an inverted index that SQLite updates in place, so adding or removing a report costs time in
proportion to that report, the index is paged in from disk as queries touch it (nothing is loaded
at open), and it ranks with BM25 (``bm25()``, k1 = 1.2, b = 0.75).

Crash safety by construction: ``chunk_fts`` is an external-content FTS5 table over ``chunks``,
kept in step by triggers on ``chunks``. A chunk row and its index entry are therefore written
(or deleted) by the same statement in the same SQLite transaction as the document's registry rows:
a kill -9 leaves both or neither, never an index that disagrees with the registry. Damage that is
still possible (the table dropped or emptied by hand, triggers lost) shows in ``count()`` against
the registry, and ``rebuild()`` (``govqa repair``) re-reads every chunk's tokens.

Tokens are the registry's JSON list (``["山西省","受理"]``) read as they are by the ``unicode61``
tokenizer: quotes and commas are separators, a run of CJK characters between them stays one token
(jieba's word), and ``.%_`` are token characters so "12.5%" stays whole — the FTS5 vocabulary is
exactly the jieba vocabulary (checked on 27k chunks, and by tests/test_store.py).

The filter (documents chosen by region/year/issuer) runs in SQLite, never as a mask over every chunk:
for up to 50 documents the chosen chunks are selected (``WHERE doc_id IN``) and scored with bm25()'s own
formula from the index's statistics (``_direct``: bm25() would read every posting of every query word to
count documents); for more, it is part of the MATCH expression — each chunk's ``doc_id`` is a second,
zero-weighted column, and ``tokens:(…) AND doc_id:(…)`` makes FTS5 intersect the postings itself.
Callers see only ``search(tokens, k, doc_ids)``, so a distributed engine (OpenSearch
with a Chinese analyzer, a ``terms`` filter on doc_id) is an adapter with the same three methods
(see docs/scaling.md).
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter
from typing import Protocol

TABLE = "chunk_fts"
# unicode61 on the JSON list of jieba tokens: punctuation of the JSON separates, the words stay whole.
TOKENIZER = "unicode61 remove_diacritics 0 tokenchars '.%_'"
SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(
    tokens, doc_id, content='chunks', content_rowid='id', tokenize="{TOKENIZER}"
);
CREATE TRIGGER IF NOT EXISTS chunks_fts_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO {TABLE}(rowid, tokens, doc_id) VALUES (new.id, new.tokens, new.doc_id);
END;
CREATE TRIGGER IF NOT EXISTS chunks_fts_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO {TABLE}({TABLE}, rowid, tokens, doc_id) VALUES ('delete', old.id, old.tokens, old.doc_id);
END;
CREATE TRIGGER IF NOT EXISTS chunks_fts_update AFTER UPDATE ON chunks BEGIN
    INSERT INTO {TABLE}({TABLE}, rowid, tokens, doc_id) VALUES ('delete', old.id, old.tokens, old.doc_id);
    INSERT INTO {TABLE}(rowid, tokens, doc_id) VALUES (new.id, new.tokens, new.doc_id);
END;
"""
# Chunks per word (the IDF's document frequency), kept by triggers in the chunk rows' transaction like
# the index itself. FTS5 can only count a word's chunks by reading its whole posting list (fts5vocab),
# which for 政府/信息 at 10,000 reports cost 20 ms a question; this is one b-tree lookup.
DF_TABLE = "chunk_df"
_DF_ADD = f"""INSERT INTO {DF_TABLE}(term, doc) SELECT DISTINCT value, 1 FROM json_each(new.tokens) WHERE true
        ON CONFLICT(term) DO UPDATE SET doc = doc + 1;"""
_DF_DROP = f"UPDATE {DF_TABLE} SET doc = doc - 1 WHERE term IN (SELECT value FROM json_each(old.tokens));"
DF_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {DF_TABLE} (term TEXT PRIMARY KEY, doc INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS chunks_df_insert AFTER INSERT ON chunks BEGIN
    {_DF_ADD}
END;
CREATE TRIGGER IF NOT EXISTS chunks_df_delete AFTER DELETE ON chunks BEGIN
    {_DF_DROP}
END;
CREATE TRIGGER IF NOT EXISTS chunks_df_update AFTER UPDATE OF tokens ON chunks BEGIN
    {_DF_DROP}
    {_DF_ADD}
END;
"""
_DF_FILL = (f"INSERT INTO {DF_TABLE}(term, doc) SELECT value, COUNT(DISTINCT c.id) FROM chunks c, json_each(c.tokens) "
            "GROUP BY value")
# Up to this many documents a filtered question is scored from the chosen chunks' own tokens (below).
MAX_DIRECT_DOCS = 50
# BM25 as FTS5's bm25() computes it (fts5_aux.c): k1, b, and an IDF floored at 1e-6.
K1, B = 1.2, 0.75
# Above this many documents the filter is a join on chunks.doc_id instead of a MATCH on the doc_id
# column: an OR of thousands of ids costs more than scoring the matches and dropping the others.
MAX_MATCH_DOCS = 200


class KeywordIndex(Protocol):
    """What the store needs from a keyword engine; an OpenSearch adapter would implement the same."""

    def search(self, tokens: list[str], k: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]: ...

    def count(self) -> int: ...

    def rebuild(self) -> None: ...


def _phrase(token: str) -> str:
    """One FTS5 string: double quotes doubled, so no token is ever read as query syntax."""
    return '"' + token.replace('"', '""') + '"'


def _varint(blob: bytes, pos: int) -> tuple[int, int]:
    """SQLite's varint (as FTS5 stores its totals): 7 bits a byte, high bit = more; a 9th byte has 8."""
    value = 0
    for i in range(9):
        byte = blob[pos + i]
        if i == 8:
            return (value << 8) | byte, pos + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    return value, pos + 9


class FTS5Index:
    """BM25 over the chunks table's tokens through FTS5; reads and writes on the registry's connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    # -- state -------------------------------------------------------------
    def exists(self) -> bool:
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (TABLE,)).fetchone() is not None

    def ensure(self) -> None:
        """Create the tables and their triggers if missing (a new store, or one whose table was dropped:
        an empty index then shows in count() and `govqa repair` refills it). A store from before the
        word counts gets them counted once, from the stored tokens."""
        new_df = not self.db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (DF_TABLE,)).fetchone()
        self.db.executescript(SCHEMA + DF_SCHEMA)
        if new_df:
            with self.db:
                self.db.execute(_DF_FILL)

    def count(self) -> int:
        """Chunks the index holds: rows of its own size table, not of the content table it points at."""
        try:
            return int(self.db.execute(f"SELECT COUNT(*) FROM {TABLE}_docsize").fetchone()[0])
        except sqlite3.DatabaseError:  # the table is gone (OperationalError) or damaged
            return -1

    def damaged(self) -> str | None:
        """SQLite's own structural check (``PRAGMA quick_check``) of the index's tables and the word counts,
        run at open: random bytes in their pages otherwise surface as "database disk image is malformed"
        in the middle of a question. It reads those tables' pages once (about 8.5 KB of postings per
        report, docs/scaling.md), not the registry's texts. None when sound; a missing table is count()'s."""
        for table in (f"{TABLE}_data", f"{TABLE}_idx", f"{TABLE}_docsize", f"{TABLE}_config", DF_TABLE):
            try:
                rows = self.db.execute(f"PRAGMA quick_check({table})").fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    continue
                return str(exc)
            except sqlite3.DatabaseError as exc:
                return str(exc)
            if rows and rows[0][0] != "ok":
                return str(rows[0][0])
        return None

    def ids(self) -> list[str]:
        """'doc_id:idx' of every indexed chunk that the registry still has."""
        try:
            rows = self.db.execute(f"SELECT c.doc_id, c.idx FROM {TABLE}_docsize s JOIN chunks c ON c.id = s.id")
            return [f"{r[0]}:{r[1]}" for r in rows]
        except sqlite3.OperationalError:
            return []

    def rebuild(self) -> None:
        """Recreate the tables and triggers and re-index every chunk from the registry (`govqa repair`)."""
        with self.db:
            self.db.execute(f"DROP TABLE IF EXISTS {TABLE}")
            self.db.execute(f"DROP TABLE IF EXISTS {DF_TABLE}")
            for trigger in ("fts_insert", "fts_delete", "fts_update", "df_insert", "df_delete", "df_update"):
                self.db.execute(f"DROP TRIGGER IF EXISTS chunks_{trigger}")
        self.ensure()
        with self.db:
            self.db.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")

    def optimize(self) -> None:
        """Merge the index's segments into one (after a bulk ingest; queries read fewer b-trees)."""
        with self.db:
            self.db.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")

    # -- queries -----------------------------------------------------------
    def _totals(self) -> tuple[int, int]:
        """(indexed chunks, tokens in all columns), from FTS5's own totals record (O(1), unlike COUNT(*))."""
        row = self.db.execute(f"SELECT block FROM {TABLE}_data WHERE id = 1").fetchone()
        if not row or not row[0]:
            return 0, 0
        n, pos = _varint(row[0], 0)
        tokens = 0
        while pos < len(row[0]):
            size, pos = _varint(row[0], pos)
            tokens += size
        return n, tokens

    def _n_rows(self) -> int:
        return self._totals()[0]

    def _df(self, tokens: list[str]) -> dict[str, int]:
        """Chunks holding each word (0: a word the index never saw), from the word-count table."""
        words = list(dict.fromkeys(tokens))
        rows = self.db.execute(f"SELECT term, doc FROM {DF_TABLE} WHERE term IN (SELECT value FROM json_each(?))",
                               (json.dumps(words, ensure_ascii=False),))
        out = dict.fromkeys(words, 0)
        out.update({t: int(n) for t, n in rows})
        return out

    def _terms(self, tokens: list[str]) -> list[str]:
        """The query's tokens that can move the ranking. FTS5's BM25 gives a word found in at least half
        the chunks an IDF of 1e-6, yet still reads its whole posting list to learn that; leaving such
        words out changes no ranking among chunks that match another word, and is most of the speed
        at 10,000 reports (政府, 信息, 公开 are in nearly every chunk). Unknown words match nothing."""
        df = self._df(tokens)
        known = [t for t in tokens if df[t] > 0]
        half = self._n_rows() / 2
        informative = [t for t in known if df[t] < half]
        return informative or known

    def _direct(self, terms: list[str], k: int, doc_ids: list[str]) -> list[tuple[str, float]]:
        """FTS5's bm25() for the chunks of a few documents, computed from those chunks' tokens. bm25()
        itself reads every posting of every query word to count its documents (the IDF), which at 9,000
        reports was most of a question's time even when the filter kept 1–3 reports; here N, df and the
        average length come from the index's totals and the word-count table (one lookup each) and only the chosen chunks are
        read, selected by SQLite (``WHERE doc_id IN``). Same formula, same ranking (tests/test_store.py)."""
        n_rows, n_tokens = self._totals()
        if not n_rows:
            return []
        df = self._df(terms)
        idf = {t: max(math.log((n_rows - df[t] + 0.5) / (df[t] + 0.5)), 1e-6) for t in df}
        avgdl = n_tokens / n_rows
        rows = self.db.execute("SELECT c.doc_id, c.idx, c.tokens FROM chunks c JOIN "
                               f"{TABLE}_docsize s ON s.id = c.id WHERE c.doc_id IN (SELECT value FROM json_each(?))",
                               (json.dumps(doc_ids),))
        scored = []
        for doc_id, idx, tokens in rows:
            words = json.loads(tokens)
            tf = Counter(words)
            length = len(words) + 1  # bm25() counts the row's tokens in every column: the doc_id is one more
            norm = K1 * (1 - B + B * length / avgdl)
            score = sum(idf[t] * tf[t] * (K1 + 1) / (tf[t] + norm) for t in terms if tf[t])
            if score > 0:
                scored.append((score, doc_id, idx))
        scored.sort(key=lambda x: (-x[0], x[1], x[2]))
        return [(f"{d}:{i}", sc) for sc, d, i in scored[:k]]

    def search(self, tokens: list[str], k: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score > 0) of the best k chunks, only within doc_ids when given."""
        if doc_ids is not None and not doc_ids:
            return []
        try:
            terms = self._terms(tokens)
        except sqlite3.OperationalError:  # the index is gone: the store reports it, repair rebuilds it
            return []
        if not terms:
            return []
        if doc_ids is not None and len(doc_ids) <= MAX_DIRECT_DOCS:
            return self._direct(terms, k, doc_ids)
        match = "tokens : (" + " OR ".join(map(_phrase, terms)) + ")"
        args: list[object] = []
        where = ""
        if doc_ids is not None and len(doc_ids) <= MAX_MATCH_DOCS:
            match += " AND doc_id : (" + " OR ".join(map(_phrase, doc_ids)) + ")"
        elif doc_ids is not None:
            where = " AND c.doc_id IN (SELECT value FROM json_each(?))"
            args.append(json.dumps(doc_ids))
        # bm25(table, 1.0, 0.0): the doc_id column, a filter, weighs nothing; lower is better.
        sql = (f"SELECT c.doc_id, c.idx, -bm25({TABLE}, 1.0, 0.0) AS score FROM {TABLE} "
               f"JOIN chunks c ON c.id = {TABLE}.rowid WHERE {TABLE} MATCH ?{where} ORDER BY score DESC LIMIT ?")
        rows = self.db.execute(sql, [match, *args, k]).fetchall()
        return [(f"{r[0]}:{r[1]}", float(r[2])) for r in rows if r[2] > 0]
