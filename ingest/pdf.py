"""PDF reports -> (normalized text, tables), with pdfplumber; scanned pages through rapidocr when installed.

What real WPS exports need, and why each step is here:
- WPS paints a white filled, unstroked box behind every text line; pdfplumber would take those boxes for
  1-column tables, so they are dropped before tables are looked for;
- tables are found from their ruling lines (cell boxes); the merged-cell grid is rebuilt from the boxes'
  edges, so a merged label is one cell covering the rows it spans;
- a table crossing a page break is stitched: the last block of one page and the first block of the next
  are one table unless the second opens with a table head of its own;
- prose is rebuilt into paragraphs (a new one starts at an indented line, or after a line that stops short
  of the right margin), so a fact crossing a line or page break is one line; page numbers (``- 3 -``) go;
- each table is replaced in the text by its rendered rows (``ingest.tables.render_row``), in place.
Scanned pages (almost no text layer) are rendered, deskewed, their ruling lines found with OpenCV, and their
text read with rapidocr's bundled models; from there they take the same path as text pages.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.errors import IngestError
from ingest.layout import Glyph

if TYPE_CHECKING:
    from ingest.limits import Limits
from ingest.tables import PLACEHOLDER, GridCell, Table, assemble, build_tables, join_fragments, join_lines

OCR_DPI = 150
_MIN_TEXT_CHARS = 20  # a page with fewer characters in its text layer is treated as a scan
_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_PAGE_NUMBER = re.compile(r"^[-—–－~\s]*\d{1,4}[-—–－~\s]*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$")


class OcrUnavailableError(IngestError):
    """A scanned page and no OCR engine: the message says how to get one."""


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    glyphs: list[Glyph] = field(default_factory=list)  # each printed character with its box, in reading order


@dataclass
class Fragment:
    rows: list[list[GridCell]]
    x0: float
    x1: float
    top: float
    bottom: float
    page: int


Block = Line | Fragment


# ---------------------------------------------------------------- grid from cell boxes


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def grid_from_boxes(boxes: list[tuple[float, float, float, float, str]], page: int, tol: float = 2.0) -> list[list[GridCell]]:
    """Cell boxes (x0, top, x1, bottom, text) -> visual rows; a box spanning rows is one shared GridCell."""
    ys = _cluster([b[1] for b in boxes] + [b[3] for b in boxes], tol)
    nrows = max(1, len(ys) - 1)
    rows: list[list[GridCell]] = [[] for _ in range(nrows)]
    for x0, top, x1, bottom, text in sorted(boxes, key=lambda b: (b[1], b[0])):
        cell = GridCell(text=text, x0=x0, x1=x1, page=page, top=top, bottom=bottom)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        for r in range(r0, max(r1, r0 + 1)):
            if r < nrows:
                rows[r].append(cell)
    return [sorted(r, key=lambda c: c.x0) for r in rows if r]


def _ncols(boxes: list[tuple[float, float, float, float, str]]) -> int:
    return max(1, len(_cluster([b[0] for b in boxes] + [b[2] for b in boxes], 2.0)) - 1)


# ---------------------------------------------------------------- text-layer pages


def _is_white_box(obj: dict[str, Any]) -> bool:
    """Filled, unstroked, white: the box WPS paints behind each text line, never a table border."""
    if obj.get("object_type") != "rect" or not obj.get("fill") or obj.get("stroke"):
        return False
    color = obj.get("non_stroking_color")
    if color is None:
        return False
    c = tuple(color) if isinstance(color, list | tuple) else (color,)
    if len(c) == 4:  # CMYK
        return all(v <= 0.01 for v in c)
    return bool(c) and all(isinstance(v, int | float) and v >= 0.99 for v in c)


def _page_break_rules(vertical: list[dict[str, Any]], height: float, min_ends: int = 2) -> list[dict[str, Any]]:
    """Horizontal rules a table cut by a page break lacks.

    WPS leaves the cut side of a table open: the column rules run to the page's text edge but no rule
    closes them, so the last (or first) row on the page would be lost to the prose. Where several vertical
    rules end at the same y near the top or bottom of the page, a rule is drawn there."""
    if len(vertical) < min_ends:
        return []
    rules = []
    for y, near_edge, end in (
        (min(e["top"] for e in vertical), lambda y: y < 0.25 * height, "top"),
        (max(e["bottom"] for e in vertical), lambda y: y > 0.75 * height, "bottom"),
    ):
        ends = [e for e in vertical if abs(e[end] - y) < 3]
        if near_edge(y) and len(ends) >= min_ends:
            x0, x1 = min(e["x0"] for e in ends), max(e["x1"] for e in ends)
            rules.append(
                {
                    "object_type": "line",
                    "x0": x0,
                    "x1": x1,
                    "top": y,
                    "bottom": y,
                    "width": x1 - x0,
                    "height": 0,
                    "orientation": "h",
                }
            )
    return rules


def _inside(obj: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def _text_page_blocks(page: Any) -> list[Block]:
    from pdfplumber.utils import extract_text

    clean = page.filter(lambda o: not _is_white_box(o))
    vertical = [e for e in clean.edges if e["orientation"] == "v" and e["bottom"] - e["top"] > 5]
    rules = _page_break_rules(vertical, float(page.height))
    found = clean.find_tables({**_TABLE_SETTINGS, "explicit_horizontal_lines": rules})
    blocks: list[Block] = []
    table_boxes = []
    for t in found:
        cells = [c for c in t.cells if c]
        if len(cells) < 2:
            continue
        boxes = []
        for x0, top, x1, bottom in cells:
            chars = [ch for ch in clean.chars if _inside(ch, (x0, top, x1, bottom))]
            boxes.append((x0, top, x1, bottom, join_lines(extract_text(chars)) if chars else ""))
        if _ncols(boxes) < 2:
            continue  # a boxed paragraph, not a table: leave its text to the prose
        table_boxes.append(t.bbox)
        x0, top, x1, bottom = t.bbox
        blocks.append(Fragment(grid_from_boxes(boxes, page.page_number), x0, x1, top, bottom, page.page_number))
    prose = clean.filter(lambda o: o.get("object_type") != "char" or not any(_inside(o, b) for b in table_boxes))
    for ln in prose.extract_text_lines(return_chars=True):
        sizes = [c.get("size", 0) for c in ln["chars"] if c.get("text", "").strip()]
        blocks.append(
            Line(
                text=ln["text"],
                x0=ln["x0"],
                x1=ln["x1"],
                top=ln["top"],
                bottom=ln["bottom"],
                size=statistics.median(sizes) if sizes else ln["bottom"] - ln["top"],
                page=page.page_number,
                glyphs=[(c["text"], page.page_number, c["x0"], c["top"], c["x1"], c["bottom"]) for c in ln["chars"]],
            )
        )
    return _drop_page_numbers(sorted(blocks, key=lambda b: b.top), float(page.height))


def _drop_page_numbers(blocks: list[Block], height: float) -> list[Block]:
    out = []
    for b in blocks:
        edge = b.top > 0.85 * height or b.bottom < 0.1 * height
        if isinstance(b, Line) and edge and _PAGE_NUMBER.match(b.text.strip()):
            continue
        out.append(b)
    return out


# ---------------------------------------------------------------- scanned pages


_ENGINE: Any = None


def _ocr_engine(path: str) -> Any:
    global _ENGINE
    if _ENGINE is None:
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:
            raise OcrUnavailableError(
                path, "含扫描页（没有文字层），识别需要 OCR：请安装 pip install 'govqa[ocr]'（rapidocr，模型随包提供）"
            ) from exc
        _ENGINE = RapidOCR(params={"Global.log_level": "error"})
    return _ENGINE


def _is_scanned(page: Any) -> bool:
    return len(page.chars) < _MIN_TEXT_CHARS and bool(page.images)


def _ocr_page_blocks(page: Any, path: str) -> list[Block]:
    engine = _ocr_engine(path)
    image = _deskew(_to_gray(page.to_image(resolution=OCR_DPI).original))
    scale = 72.0 / OCR_DPI
    result = engine(image)
    words = []
    for box, txt in zip(result.boxes if result.boxes is not None else [], result.txts or ()):
        xs, ys = [p[0] * scale for p in box], [p[1] * scale for p in box]
        words.append((min(xs), min(ys), max(xs), max(ys), txt))
    blocks: list[Block] = []
    used: set[int] = set()
    for cells in _table_cells(image):
        cells = [tuple(v * scale for v in c) for c in cells]
        boxes = []
        for x0, top, x1, bottom in cells:
            inner = [(i, w) for i, w in enumerate(words) if _inside_box(w, (x0, top, x1, bottom))]
            used.update(i for i, _ in inner)
            inner.sort(key=lambda iw: (round(iw[1][1] / 4), iw[1][0]))
            boxes.append((x0, top, x1, bottom, join_lines("\n".join(w[4] for _, w in inner))))
        if _ncols(boxes) < 2:
            continue
        fx0, ftop = min(b[0] for b in boxes), min(b[1] for b in boxes)
        fx1, fbottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
        blocks.append(Fragment(grid_from_boxes(boxes, page.page_number, tol=4.0), fx0, fx1, ftop, fbottom, page.page_number))
    rest = [w for i, w in enumerate(words) if i not in used]
    blocks.extend(_ocr_lines(rest, page.page_number))
    return _drop_page_numbers(sorted(blocks, key=lambda b: b.top), float(page.height))


def _inside_box(word: tuple[float, float, float, float, str], cell: tuple[float, ...]) -> bool:
    cx, cy = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
    return cell[0] <= cx <= cell[2] and cell[1] <= cy <= cell[3]


def _ocr_lines(words: list[tuple[float, float, float, float, str]], page: int) -> list[Line]:
    """OCR boxes outside tables -> text lines (boxes whose vertical extents overlap are one line)."""
    lines: list[list[tuple[float, float, float, float, str]]] = []
    for w in sorted(words, key=lambda w: (w[1] + w[3]) / 2):
        if lines:
            last = lines[-1]
            top, bottom = min(x[1] for x in last), max(x[3] for x in last)
            overlap = min(bottom, w[3]) - max(top, w[1])
            if overlap > 0.5 * min(bottom - top, w[3] - w[1]):
                last.append(w)
                continue
        lines.append([w])
    out = []
    for ln in lines:
        ln.sort(key=lambda w: w[0])
        height = statistics.median(w[3] - w[1] for w in ln)
        text = ""
        for i, w in enumerate(ln):
            gap = w[0] - ln[i - 1][2] if i else 0
            text += (" " if i and gap > 0.6 * height else "") + w[4]
        out.append(
            Line(
                text=text,
                x0=ln[0][0],
                x1=max(w[2] for w in ln),
                top=min(w[1] for w in ln),
                bottom=max(w[3] for w in ln),
                size=0.8 * height,
                page=page,
                glyphs=[g for w in ln for g in _word_glyphs(w, page)],
            )
        )
    return out


def _word_glyphs(word: tuple[float, float, float, float, str], page: int) -> list[Glyph]:
    """OCR gives a box per word run, not per character: its width is shared evenly among its characters
    (Chinese is monospaced), close enough to box a quoted passage on the page."""
    x0, top, x1, bottom, txt = word
    step = (x1 - x0) / max(1, len(txt))
    return [(ch, page, x0 + i * step, top, x0 + (i + 1) * step, bottom) for i, ch in enumerate(txt)]


# ---------------------------------------------------------------- scan geometry (OpenCV ships with rapidocr)


def _to_gray(pil_image: Any) -> Any:
    import numpy as np

    return np.asarray(pil_image.convert("L"))


def _line_masks(gray: Any) -> tuple[Any, Any]:
    """Binary masks of the long horizontal and vertical strokes: a table's ruling lines."""
    import cv2

    binary = cv2.adaptiveThreshold(255 - gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -10)
    h, w = gray.shape
    horiz = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 30), 1)))
    vert = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, h // 60))))
    return horiz, vert


def _deskew(gray: Any) -> Any:
    """Rotate a scan so its ruling lines are level (scans come a little skewed; grid snapping needs
    straight lines). Pages without long lines are left as they are."""
    import cv2
    import numpy as np

    horiz, _ = _line_masks(gray)
    contours, _ = cv2.findContours(horiz, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    angles, weights = [], []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if w < gray.shape[1] // 4:
            continue
        vx, vy, _, _ = cv2.fitLine(c, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        angles.append(float(np.degrees(np.arctan2(vy, vx))))
        weights.append(w)
    if not angles:
        return gray
    angle = float(np.average([a if abs(a) < 45 else a - 180 * np.sign(a) for a in angles], weights=weights))
    if abs(angle) < 0.05 or abs(angle) > 5:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _segments(mask: Any, orientation: str) -> list[dict[str, Any]]:
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    edges = []
    for i in range(1, n):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if orientation == "h" and w >= 20:
            yc = y + h / 2
            edges.append({"x0": x, "x1": x + w, "top": yc, "bottom": yc, "width": w, "height": 0, "orientation": "h"})
        elif orientation == "v" and h >= 15:
            xc = x + w / 2
            edges.append({"x0": xc, "x1": xc, "top": y, "bottom": y + h, "width": 0, "height": h, "orientation": "v"})
    return edges


def _table_cells(gray: Any) -> list[list[tuple[float, float, float, float]]]:
    """Cell boxes (pixels) of each ruled table on a scanned page, by pdfplumber's own lines->cells steps."""
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

    horiz, vert = _line_masks(gray)
    raw_vs = _segments(vert, "v")
    hs = _segments(horiz, "h") + _page_break_rules([e for e in raw_vs if e["height"] >= 45], gray.shape[0], min_ends=3)
    tol = 8

    def touches(x: float, y: float) -> bool:
        return any(abs(e["top"] - y) <= tol and e["x0"] - tol <= x <= e["x1"] + tol for e in hs)

    # a column rule runs from one row rule to another; the upright strokes of characters (1, 0, 中) do not
    vs = [e for e in raw_vs if touches(e["x0"], e["top"]) and touches(e["x0"], e["bottom"])]
    edges = hs + vs
    if not edges:
        return []
    edges = merge_edges(edges, snap_x_tolerance=6, snap_y_tolerance=6, join_x_tolerance=8, join_y_tolerance=8)
    cells = intersections_to_cells(edges_to_intersections(edges, x_tolerance=6, y_tolerance=6))
    return [t for t in cells_to_tables(cells) if len(t) >= 2]


# ---------------------------------------------------------------- the document


def _opens_table(frag: Fragment) -> bool:
    """Does this fragment start a table of its own (a 申请 or 复议诉讼 head, or the first 主动公开 section)?"""
    head = re.sub(r"\s+", "", "".join(c.text for r in frag.rows[:2] for c in r))
    return any(k in head for k in ("申请人情况", "勾稽", "第二十条第（一）项", "第二十条第(一)项")) or (
        "行政复议" in head and "行政诉讼" in head
    )


def _continues(prev: Fragment, frag: Fragment) -> bool:
    same_width = abs(prev.x0 - frag.x0) < 15 and abs(prev.x1 - frag.x1) < 15
    return same_width and not _opens_table(frag)


def assemble_blocks(pages: list[list[Block]]) -> tuple[str, list[Table]]:
    """Per-page blocks -> document text with each table's rows in place, and the tables."""
    groups: list[list[Fragment]] = []
    order: list[tuple[str, Any]] = []  # ("lines", [Line]) | ("table", group index)
    last_on_prev_page: Block | None = None
    for blocks in pages:
        for i, b in enumerate(blocks):
            if isinstance(b, Fragment):
                if i == 0 and isinstance(last_on_prev_page, Fragment) and _continues(last_on_prev_page, b):
                    groups[-1].append(b)
                else:
                    groups.append([b])
                    order.append(("table", len(groups) - 1))
            else:
                if order and order[-1][0] == "lines":
                    order[-1][1].append(b)
                else:
                    order.append(("lines", [b]))
        if blocks:
            last_on_prev_page = blocks[-1]
    rows = [join_fragments([f.rows for f in g]) for g in groups]
    tables = build_tables(rows)
    all_lines = [ln for kind, part in order if kind == "lines" for ln in part]
    text_blocks: list[str] = []
    for kind, part in order:
        if kind == "table":
            text_blocks.append(PLACEHOLDER.format(tables[part].index))
        else:
            text_blocks.extend(_paragraphs_with(part, all_lines))
    return assemble(text_blocks, tables), tables


def _paragraphs_with(lines: list[Line], all_lines: list[Line]) -> list[str]:
    """Re-join one run of text lines into paragraphs. A paragraph starts at an indented line, a line of
    another size (titles), after a big gap, or after a line that stops short of the right margin. Margins
    are measured over the whole document: a page holding only a heading cannot tell its own."""
    if not lines or not all_lines:
        return []
    left = statistics.mode(round(ln.x0) for ln in all_lines)
    span = max(x.x1 for x in all_lines) - left
    wide = [ln.x1 for ln in all_lines if ln.x1 - ln.x0 > 0.6 * span]
    right = statistics.median(wide) if wide else max(ln.x1 for ln in all_lines)
    paras: list[str] = []
    prev: Line | None = None
    for ln in lines:
        size = ln.size or 10.0
        new = (
            prev is None
            or ln.x0 > left + 0.9 * size
            or prev.x1 < right - 1.5 * size
            or abs(ln.size - prev.size) > 0.15 * max(ln.size, prev.size)
            or (ln.page == prev.page and ln.top - prev.bottom > 2.0 * size)
        )
        if new:
            paras.append(ln.text.strip())
        else:
            paras[-1] = join_lines(paras[-1] + "\n" + ln.text.strip())
        prev = ln
    return paras


ENCRYPTED = "文件已加密，需要密码；请导入未加密的版本"


def _is_encrypted_error(exc: BaseException) -> bool:
    """pdfminer's refusal of a password-protected file (PDFPasswordIncorrect, or an encryption it cannot
    handle), however pdfplumber wraps it: the user needs to hear that, not the exception's empty text."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    seen: list[BaseException] = [exc]
    while seen:
        e = seen.pop()
        if isinstance(e, PDFPasswordIncorrect | PDFEncryptionError) or "password" in type(e).__name__.lower():
            return True
        seen += [a for a in e.args if isinstance(a, BaseException)] + [c for c in (e.__cause__, e.__context__) if c]
    return False


PageProgress = Callable[[int, int, bool], None]  # (pages done, pages in all, that page was a scan)


@dataclass
class PdfContent:
    """A PDF as read: the text (tables rendered in place), the tables, and every printed character of
    the prose with its box, in text order (ingest.layout aligns them to the stored text)."""

    text: str
    tables: list[Table]
    glyphs: list[Glyph]
    sizes: list[tuple[float, float]]  # (width, height) of each page, in points


def read_pdf(path: str | Path, progress: bool = False, limits: Limits | None = None,
             on_pages: Callable[[int], None] | None = None, on_page: PageProgress | None = None) -> PdfContent:
    """Read a PDF report. ``progress`` shows a tqdm bar per page for files of more than 3 pages. A scanned
    page needs rapidocr (the ``govqa[ocr]`` extra); without it ``OcrUnavailableError`` says so. ``limits``:
    the page count and the text read so far are checked (after each page); ``on_pages`` hears the page count
    once known (the worker's time limit grows with it); ``on_page`` is told after each page (the app shows a
    scan's OCR page by page)."""
    import pdfplumber

    from ingest.limits import check_text, pdf_pages

    path = str(path)
    try:
        pdf = pdfplumber.open(path)
        pdf.pages  # noqa: B018  (an encrypted file fails here, on its first read)
    except MemoryError:
        raise
    except Exception as exc:  # pdfminer raises a zoo of types for broken files
        if _is_encrypted_error(exc):
            raise IngestError(path, ENCRYPTED) from exc
        raise IngestError(path, f"无法打开 PDF：{str(exc) or type(exc).__name__}") from exc
    with pdf:
        n_pages = len(pdf.pages)
        if limits is not None and n_pages > limits.max_pdf_pages:
            raise pdf_pages(path, n_pages, limits.max_pdf_pages)
        if on_pages is not None:
            on_pages(n_pages)
        pages_iter = pdf.pages
        if progress and n_pages > 3:
            from tqdm import tqdm

            pages_iter = tqdm(pdf.pages, desc=Path(path).name, unit="页")
        pages, sizes = [], []
        read = 0
        for i, page in enumerate(pages_iter, start=1):
            scanned = _is_scanned(page)
            pages.append(_ocr_page_blocks(page, path) if scanned else _text_page_blocks(page))
            sizes.append((float(page.width), float(page.height)))
            page.close()
            if limits is not None:
                read += sum(len(b.text) if isinstance(b, Line) else sum(len(c.text) for r in b.rows for c in r)
                            for b in pages[-1])
                check_text(path, read, limits.max_text_chars)
            if on_page:
                on_page(i, n_pages, scanned)
    text, tables = assemble_blocks(pages)
    glyphs = [g for blocks in pages for b in blocks if isinstance(b, Line) for g in b.glyphs]
    return PdfContent(text, tables, glyphs, sizes)


def load_pdf(path: str | Path, progress: bool = False, limits: Limits | None = None,
             on_pages: Callable[[int], None] | None = None) -> tuple[str, list[Table]]:
    """Read a PDF report: normalized text with each table's rows rendered in place, and the tables."""
    content = read_pdf(path, progress, limits, on_pages)
    return content.text, content.tables
