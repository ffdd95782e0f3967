"""DOCX reports -> (normalized text, tables) with python-docx; merged cells read from the table XML.

python-docx's ``table.rows[i].cells`` repeats a merged cell's text in every grid slot it covers, which
would turn one merged label into several and a horizontally merged value into duplicates. The grid is
therefore rebuilt from the XML itself: ``w:gridSpan`` gives a cell's width in grid columns, ``w:vMerge``
(``restart`` / continue) ties a cell to the one above it, ``w:gridBefore`` skips leading columns. A merged
cell is one ``GridCell`` in every row it covers, as the other loaders hand it over. Body order (paragraphs
and tables interleaved) is kept, and each table is replaced in the text by its rendered rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.limits import check_text
from ingest.tables import PLACEHOLDER, GridCell, Table, assemble, build_tables

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(el: Any, tag: str) -> str | None:
    """The w:val of a child property element, "" when present without a value, None when absent."""
    if el is None:
        return None
    child = el.find(_W + tag)
    if child is None:
        return None
    return child.get(_W + "val", "")


def _text(el: Any) -> str:
    """Text of a paragraph-bearing element: paragraphs on their own lines, w:tab / w:br as breaks."""
    lines = []
    for p in el.iter(_W + "p"):
        parts = []
        for node in p.iter():
            if node.tag == _W + "t" and node.text:
                parts.append(node.text)
            elif node.tag in (_W + "tab", _W + "br", _W + "cr"):
                parts.append("\n" if node.tag != _W + "tab" else " ")
        lines.append("".join(parts))
    return "\n".join(lines)


def table_rows(tbl: Any) -> list[list[GridCell]]:
    """A w:tbl element -> visual rows; a merged cell is the same GridCell in every row it covers."""
    rows: list[list[GridCell]] = []
    above: dict[int, GridCell] = {}  # grid column -> cell occupying it in the previous row
    for tr in tbl.findall(_W + "tr"):
        row: list[GridCell] = []
        current: dict[int, GridCell] = {}
        col = int(_val(tr.find(_W + "trPr"), "gridBefore") or 0)
        for tc in tr.findall(_W + "tc"):
            pr = tc.find(_W + "tcPr")
            span = max(1, int(_val(pr, "gridSpan") or 1))
            vmerge = _val(pr, "vMerge")
            if vmerge is not None and vmerge != "restart" and col in above:
                cell = above[col]  # continuation: the cell above extends into this row
            else:
                cell = GridCell(text=_text(tc), x0=col, x1=col + span)
            for c in range(col, col + span):
                current[c] = cell
            if not any(cell is x for x in row):
                row.append(cell)
            col += span
        rows.append(row)
        above = current
    return rows


def _body_children(body: Any) -> list[Any]:
    """Paragraphs and tables in body order; content controls (w:sdt) are looked into."""
    out = []
    for el in body.iterchildren():
        if el.tag == _W + "sdt":
            content = el.find(_W + "sdtContent")
            out.extend(_body_children(content) if content is not None else [])
        elif el.tag in (_W + "p", _W + "tbl"):
            out.append(el)
    return out


def load_docx(path: str | Path, max_chars: int | None = None) -> tuple[str, list[Table]]:
    """Read a DOCX report: normalized text with each table's rows rendered in place, and the tables.
    ``max_chars``: stop with a reason as soon as the text read passes it (a 382 KB file held 17.5 M)."""
    import docx

    try:
        document = docx.Document(str(path))
    except MemoryError:
        raise
    except Exception as exc:  # python-docx raises several types for broken or non-docx files
        raise IngestError(str(path), f"无法打开 DOCX：{exc}") from exc
    blocks: list[str] = []
    groups: list[list[list[GridCell]]] = []
    read = 0
    for el in _body_children(document.element.body):
        if el.tag == _W + "tbl":
            groups.append(table_rows(el))
            blocks.append(PLACEHOLDER.format(len(groups)))
            read += sum(len(c.text) for row in groups[-1] for c in row)
        else:
            blocks.append(_text(el))
            read += len(blocks[-1])
        if max_chars is not None:
            check_text(str(path), read, max_chars)
    tables = build_tables(groups)
    return assemble(blocks, tables), tables
