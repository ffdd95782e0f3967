"""One file -> a Document (normalized text and metadata read from it), or an IngestError saying why not.

This is everything ingest does to a file before the store is touched, and it is what the worker process
(ingest/worker.py) runs: it imports no store, no Chroma and no embedding model, so the worker starts in
about a second and its memory is the file's alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from govqa.text import cjk_count, cjk_ratio, normalize_text
from govqa.types import Document
from ingest.errors import IngestError
from ingest.layout import build_layout
from ingest.limits import Limits, check_text
from ingest.loaders import load_file
from ingest.metadata import extract_metadata
from ingest.pdf import PageProgress

MIN_CJK_CHARS = 50
# CJK characters in running text (lines with sentence punctuation, table rows, or long lines) below
# which a page is not a report but a menu, a link list or a site's front page. The shortest real
# report in data/real has 143.
MIN_BODY_CJK = 100
_RUNNING = re.compile(r"[。，；！？,;|]")
# A saved column page lists headlines, each with its date ("关于印发…的通知 2018-03-30"): MIN_DATED_LINES
# such lines, carrying more text than the rest of the page, are a list of reports, not a report.
_DATE = r"[\[（(【]?(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?[\]）)】]?"
_DATED_LINE = re.compile(rf"^(?:{_DATE}\s*[^。；！？]{{6,80}}|[^。；！？]{{6,80}}?\s*{_DATE})$")
MIN_DATED_LINES = 15


def body_cjk(text: str) -> int:
    """CJK characters in running text: lines that read as sentences or table rows, not menu items."""
    lines = text.split("\n")
    return sum(cjk_count(line) for line in lines if _RUNNING.search(line) or cjk_count(line) >= 30)


def listing_lines(text: str) -> str | None:
    """不是报告 for text that is a list of dated headlines (a column's index page saved as text), else None."""
    dated = [line for line in text.split("\n") if _DATED_LINE.match(line.strip())]
    if len(dated) < MIN_DATED_LINES:
        return None
    listed = sum(cjk_count(line) for line in dated)
    if listed > cjk_count(text) - listed:
        return f"不是报告（栏目或索引页：{len(dated)} 行带日期的标题）"
    return None


def read_document(path: Path, limits: Limits | int, source: str | None = None,
                  on_pages: Callable[[int], None] | None = None, on_page: PageProgress | None = None) -> Document:
    """Load, normalize and describe one file; raise IngestError if it is not a usable report.
    ``source`` is the path relative to the ingest root (default: the file name). ``limits``, ``on_pages``
    and ``on_page``: see ingest.loaders.load_file. A PDF's document carries its layout (where each
    character and table cell is printed: ingest/layout.py)."""
    if isinstance(limits, int):
        from govqa.settings import get_settings

        limits = Limits.of(get_settings(), limits)
    loaded = load_file(path, limits, on_pages, on_page)
    text = normalize_text(loaded.text)
    check_text(str(path), len(text), limits.max_text_chars)
    cjk = cjk_count(text)
    if not text:
        raise IngestError(str(path), "文件为空（去除空白后没有文字）")
    if cjk < MIN_CJK_CHARS or cjk_ratio(text) < 0.2:
        raise IngestError(str(path), f"不是中文报告（仅 {cjk} 个汉字）")
    if body_cjk(text) < MIN_BODY_CJK:
        raise IngestError(str(path), "不是报告（正文过少）")
    if why := listing_lines(text):
        raise IngestError(str(path), why)
    doc_id = hashlib.sha256(text.encode()).hexdigest()[:16]
    doc = Document(doc_id, source or path.name, text, extract_metadata(text), file_hash(path))
    if loaded.pdf is not None:
        pdf = loaded.pdf
        doc.layout = build_layout(text, pdf.glyphs, pdf.tables, pdf.sizes).to_json()
    return doc


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
