"""One page of a stored PDF as an image, with the cited passage boxed and the answered cell marked
(pypdfium2 renders; boxes are in PDF points from the stored layout, top-left origin, as pdfplumber
measures them)."""

from __future__ import annotations

import io
from pathlib import Path

PAGE_DPI = 110  # readable in the app beside the chat, small enough to send as one PNG (~200 KB)
MAX_DPI = 200
PASSAGE_COLOUR = (37, 99, 235)  # blue outline: the quoted passage or cited row
MARK_COLOUR = (220, 38, 38)  # red outline, light fill: the answered cell or number
PAD = 2.0  # points around each box, so the outline does not cover the printed text


class PageError(Exception):
    """Why a page cannot be shown (Chinese, for the user)."""


def render_page(path: Path, page: int, boxes: list[list[float]], marks: list[list[float]],
                dpi: int | None = None) -> bytes:
    """PNG bytes of ``page`` (1-based) of the PDF at ``path`` with ``boxes`` outlined and ``marks``
    highlighted; each box is [page, x0, top, x1, bottom] and only those on this page are drawn."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    if not path.is_file():
        raise PageError(f"原文件已不在（{path}），无法显示原页")
    scale = min(dpi or PAGE_DPI, MAX_DPI) / 72
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise PageError(f"无法打开 PDF（{exc}）") from exc
    try:
        if not 1 <= page <= len(pdf):
            raise PageError(f"第{page}页不存在（共 {len(pdf)} 页）")
        image = pdf[page - 1].render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()
    overlay = image.copy()
    draw = ImageDraw.Draw(overlay)
    for box in marks:
        if int(box[0]) == page:
            draw.rectangle(_pixels(box, scale), fill=(254, 226, 226))
    image = _blend(image, overlay)
    draw = ImageDraw.Draw(image)
    for colour, width, group in ((PASSAGE_COLOUR, 2, boxes), (MARK_COLOUR, 3, marks)):
        for box in group:
            if int(box[0]) == page:
                draw.rectangle(_pixels(box, scale), outline=colour, width=width)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _pixels(box: list[float], scale: float) -> tuple[float, float, float, float]:
    _, x0, top, x1, bottom = box
    return ((x0 - PAD) * scale, (top - PAD) * scale, (x1 + PAD) * scale, (bottom + PAD) * scale)


def _blend(image, overlay):  # type: ignore[no-untyped-def]
    """The marks' fill under the printed text: darken-only, so black print stays black."""
    from PIL import ImageChops

    return ImageChops.darker(image, overlay)
