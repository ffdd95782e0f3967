"""Pages and boxes of PDF citations (ingest/layout.py), and the place of a passage in formats without pages.

A box is right when what is printed inside it on the page is what the citation quotes: pdfplumber reads the
page's own text inside each box, independently of the layout. Values read from the page images of 洪泽区
2024 (pdftoppm -r 80): page 3 holds the 申请 table, its 本年新收 row reads 95 … 95 (总计 95); page 1 ends with
"区政府办代表区政府受理政府信息公开申请17件，均已在法定期限内予以答复。" which runs on from the line above.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest

from govqa.cells import cells_in_text
from govqa.locations import places_text, text_position
from govqa.text import normalize_text
from ingest.layout import Layout, build_layout, layout_of
from ingest.pdf import read_pdf

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "data" / "pdf"
NEW = "一、本年新收政府信息公开申请数量"


def _layout(name: str) -> tuple[str, Layout]:
    content = read_pdf(PDF / name)
    text = normalize_text(content.text)
    return text, build_layout(text, content.glyphs, content.tables, content.sizes)


@pytest.fixture(scope="module")
def hongze() -> tuple[str, Layout]:
    return _layout("hongze_2024.pdf")


def printed(name: str, box: tuple | list, pad: float = 1.0) -> str:
    """The page's own text inside a box (pdfplumber), white space removed."""
    page_no, x0, top, x1, bottom = box
    with pdfplumber.open(PDF / name) as pdf:
        page = pdf.pages[int(page_no) - 1]
        crop = page.within_bbox((x0 - pad, top - pad, x1 + pad, bottom + pad))
        return re.sub(r"\s+", "", crop.extract_text() or "")


def test_a_table_cell_is_boxed_on_its_page(hongze):
    text, layout = hongze
    cell = next(c for c in cells_in_text(text) if c.row == NEW and c.col == "总计")
    box = layout.cell(cell.start, cell.end)
    assert box is not None and box[0] == 3
    assert printed("hongze_2024.pdf", box) == "95"
    row = layout.boxes(cell.row_start, cell.row_end)
    assert len(row) == 1 and row[0][0] == 3
    assert printed("hongze_2024.pdf", row[0]).startswith(NEW + "950000")
    assert row[0][1] <= box[1] and box[3] <= row[0][3] + 0.5  # the cell lies inside its row


def test_a_sentence_across_a_line_break_is_boxed_line_by_line(hongze):
    text, layout = hongze
    sentence = "区政府办代表区政府受理政府信息公开申请17件，均已在法定期限内予以答复。"
    start = text.index(sentence)
    boxes = layout.boxes(start, start + len(sentence))
    assert [b[0] for b in boxes] == [1, 1]  # two printed lines on page 1
    assert "".join(printed("hongze_2024.pdf", b) for b in boxes) == sentence
    assert layout.page(start) == 1


def test_every_prose_character_of_the_text_pdfs_is_placed():
    for name in ("hongze_2023.pdf", "huaian_2024.pdf"):
        text, layout = _layout(name)
        rows = sorted({(c.row_start, c.row_end) for c in cells_in_text(text)})
        prose = [i for i, ch in enumerate(text) if not ch.isspace() and not any(a <= i < b for a, b in rows)]
        placed = {r.start + k for r in layout.runs for k in range(r.end - r.start)}
        assert len([i for i in prose if i in placed]) == len(prose), name
        assert len(layout.rows) == len(rows), name  # every rendered table row has its printed box


def test_the_stored_form_round_trips(hongze):
    text, layout = hongze
    again = layout_of(layout.to_json())
    assert again is not None
    start = text.index("主要通过政府门户网站")
    for a, b in zip(again.boxes(start, start + 30), layout.boxes(start, start + 30)):
        assert a[0] == b[0] and all(abs(x - y) <= 0.06 for x, y in zip(a[1:], b[1:]))
    assert layout_of(None) is None and layout_of(b"not a layout") is None


def test_formats_without_pages_say_paragraph_or_table_row():
    text = ("标题\n\n第一段。\n第二段有数字17件。\n【表1】一、本年新收政府信息公开申请数量｜自然人=5｜总计=5\n"
            "【表1】二、上年结转政府信息公开申请数量｜自然人=0｜总计=0")
    assert text_position(text, text.index("17件")).where == "第3段"
    assert text_position(text, text.index("二、上年结转")).where == "表1 第2行"
    assert places_text(["表2 第3行", "表2 第4行", "表2 第5行"]) == "表2 第3–5行"
    assert places_text(["第3页", "第4页", "第3页"]) == "第3、4页"
