"""The stored reports as a question reads them: by id, by year, and by the names a question may use.

Every question is matched against every report's names (which report is it about?). Looping over
10,000 reports for that cost about 30 ms a question, so the names are indexed once per version of
the document list: a question then looks up its own substrings (at most a few thousand dictionary
lookups, whatever the size of the library). The store keeps one catalog until its document list
changes (``Store.catalog``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from govqa.types import DocRecord

NamesOf = Callable[[DocRecord], Iterable[str]]


class NameIndex:
    """Name -> the reports it names, for one way of naming a report (``names_of``)."""

    def __init__(self, documents: list[DocRecord], names_of: NamesOf) -> None:
        self._docs: dict[str, list[DocRecord]] = {}
        for d in documents:
            for name in dict.fromkeys(names_of(d)):
                if name:
                    self._docs.setdefault(name, []).append(d)
        self._lengths = sorted({len(n) for n in self._docs}, reverse=True)

    def get(self, name: str) -> list[DocRecord]:
        """The reports with exactly this name."""
        return self._docs.get(name, [])

    def items(self) -> Iterable[tuple[str, list[DocRecord]]]:
        return self._docs.items()

    def found(self, text: str) -> dict[str, list[DocRecord]]:
        """Every name that occurs in ``text``, with its reports."""
        out: dict[str, list[DocRecord]] = {}
        for n in self._lengths:
            for i in range(len(text) - n + 1):
                part = text[i : i + n]
                if part in self._docs:
                    out[part] = self._docs[part]
        return out

    def longest(self, text: str) -> dict[str, int]:
        """doc_id -> the length of its longest name in ``text`` (reports none of whose names occur are absent)."""
        out: dict[str, int] = {}
        for name, docs in self.found(text).items():
            for d in docs:
                out[d.doc_id] = max(out.get(d.doc_id, 0), len(name))
        return out


class Catalog:
    """A document list with its lookups; name indexes are built on first use, one per naming."""

    def __init__(self, documents: list[DocRecord]) -> None:
        self.documents = documents
        self.by_id = {d.doc_id: d for d in documents}
        self._indexes: dict[NamesOf, NameIndex] = {}
        self._years: dict[object, list[DocRecord]] | None = None

    def names(self, names_of: NamesOf) -> NameIndex:
        """The index of the names ``names_of`` gives each report (a module-level function: it is the key)."""
        index = self._indexes.get(names_of)
        if index is None:
            index = self._indexes[names_of] = NameIndex(self.documents, names_of)
        return index

    def in_years(self, years: Iterable[int]) -> list[DocRecord]:
        """The reports of these years, year by year, each year in list order."""
        if self._years is None:
            self._years = {}
            for d in self.documents:
                self._years.setdefault(d.meta.year, []).append(d)
        return [d for y in sorted(set(years)) for d in self._years.get(y, [])]

    def subset(self, doc_ids: Iterable[str]) -> Catalog:
        """The catalog of these reports only (a user's explicit choice of reports)."""
        keep = set(doc_ids)
        return Catalog([d for d in self.documents if d.doc_id in keep])
