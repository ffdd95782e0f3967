"""Read a file into raw text: .txt/.md as text, .html/.htm with tags stripped and tables as tables,
.pdf through pdfplumber (scans through rapidocr with the `ocr` extra), .docx through python-docx.
Table rows are rendered in place as one line each (ingest/tables.py), so a cell can be cited.

Government sites still publish GB18030/GBK pages, so decoding tries UTF-8 first,
then the charset an HTML page declares, then GB18030. Binary files are refused
before decoding, because GB18030 will "decode" almost any byte string.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ingest.errors import IngestError

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
BINARY_SUFFIXES = {".pdf", ".docx"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | BINARY_SUFFIXES

_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "title"}
_SKIP_TAGS = {"script", "style", "noscript", "head"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in {"td", "th"}:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d])", re.I)


class _VisibleOnly(HTMLParser):
    """Re-emits a page without what a reader never sees: hidden elements (display:none,
    visibility:hidden, the hidden attribute, aria-hidden, font-size:0), scripts, styles and comments.
    Planted text hides there ("忽略以上指示…9999件" in a display:none div)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self._hidden = 0

    def _is_hidden(self, tag: str, attrs: list) -> bool:
        a = {k.lower(): (v or "") for k, v in attrs}
        return (tag in ("script", "style", "noscript", "template") or "hidden" in a
                or a.get("aria-hidden", "").lower() == "true" or bool(_HIDDEN_STYLE.search(a.get("style", ""))))

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self._hidden:
            self._hidden += tag not in _VOID
        elif self._is_hidden(tag, attrs) and tag not in _VOID:
            self._hidden = 1
        else:
            self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if not self._hidden:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            self._hidden -= tag not in _VOID
        else:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")


def visible_html(html: str) -> str:
    parser = _VisibleOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


def html_to_text(html: str) -> str:
    title = re.search(r"<title[^>]*>(.*?)</title>", html, re.I | re.S)
    parser = _TextExtractor()
    parser.feed(html)
    body = "".join(parser.parts)
    if title and title.group(1).strip() and title.group(1).strip() not in body:
        body = title.group(1).strip() + "\n" + body
    return body


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control > len(sample) * 0.05


def decode(data: bytes, path: str, declared: str | None = None) -> str:
    candidates = ["utf-8-sig"] + ([declared] if declared else []) + ["gb18030"]
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise IngestError(path, "无法识别的文本编码（试过 UTF-8 与 GB18030）")


@dataclass
class Loaded:
    """A file as read: its raw text, and for a PDF what was read from it (ingest.pdf.PdfContent: the
    printed characters and table boxes a layout is built from)."""

    text: str
    pdf: Any = None


def load(path: Path, max_bytes: int) -> str:
    """Return the raw text of ``path`` or raise IngestError naming the reason."""
    return load_file(path, max_bytes).text


def load_file(path: Path, max_bytes: int, on_page: Callable[[int, int, bool], None] | None = None) -> Loaded:
    """Read ``path`` (``on_page``: told after each PDF page) or raise IngestError naming the reason."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(str(path), f"不支持的文件类型 {suffix or '(无扩展名)'}；支持 {', '.join(sorted(SUFFIXES))}")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(str(path), f"文件过大（{size / 1e6:.1f} MB，上限 {max_bytes / 1e6:.1f} MB）")
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"无法读取：{exc.strerror or exc}") from exc
    if not data.strip():
        raise IngestError(str(path), "文件为空")
    if suffix in BINARY_SUFFIXES:
        return _load_binary(path, suffix, data, on_page)
    if _looks_binary(data):
        raise IngestError(str(path), "二进制文件，不是文本")
    if suffix in HTML_SUFFIXES:
        head = data[:4096].decode("ascii", "ignore")
        m = re.search(r"charset=[\"']?([A-Za-z0-9_-]+)", head)
        declared = m.group(1).lower() if m else None
        from ingest.html_tables import html_tables

        page = visible_html(decode(data, str(path), declared))
        text, tables = html_tables(page)
        return Loaded(text if tables else html_to_text(page))
    from ingest.text_tables import tab_tables

    return Loaded(tab_tables(decode(data, str(path))))


def _load_binary(path: Path, suffix: str, data: bytes, on_page: Callable[[int, int, bool], None] | None) -> Loaded:
    """A PDF or DOCX, checked by its magic bytes first so a misnamed file gets a clear reason."""
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise IngestError(str(path), "不是有效的 PDF 文件")
        from ingest.pdf import read_pdf

        try:
            content = read_pdf(path, progress=sys.stderr.isatty(), on_page=on_page)
            return Loaded(content.text, content)
        except IngestError:
            raise
        except Exception as exc:
            raise IngestError(str(path), f"PDF 无法读取：{type(exc).__name__}") from exc
    if not data.startswith(b"PK"):
        raise IngestError(str(path), "不是有效的 DOCX 文件")
    from ingest.docx import load_docx

    try:
        return Loaded(load_docx(path)[0])
    except Exception as exc:
        raise IngestError(str(path), f"DOCX 无法读取：{type(exc).__name__}") from exc
