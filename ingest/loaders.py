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
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govqa.text import cjk_count
from ingest.errors import IngestError
from ingest.limits import Limits, check_html, check_text, docx_inflated

if TYPE_CHECKING:
    from ingest.pdf import PageProgress

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
    Planted text hides there ("忽略以上指示…9999件" in a display:none div). It also measures the
    visible text inside links against the rest: a column's index page is mostly headline links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self._hidden = 0
        self.links: list[int] = []  # CJK characters of each visible link's text
        self.outside = 0  # CJK characters of the visible text outside links
        self._link = 0  # depth inside <a>

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
            if tag == "a":
                self._link += 1
                if self._link == 1:
                    self.links.append(0)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if not self._hidden:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            self._hidden -= tag not in _VOID
        else:
            self.out.append(f"</{tag}>")
            if tag == "a" and self._link:
                self._link -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.out.append(data)
            n = cjk_count(data)
            if self._link:
                self.links[-1] += n
            else:
                self.outside += n

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")


def visible_html(html: str) -> str:
    return _visible(html).out_text


class _Visible:
    def __init__(self, parser: _VisibleOnly) -> None:
        self.out_text = "".join(parser.out)
        self.links, self.outside = parser.links, parser.outside


def _visible(html: str) -> _Visible:
    parser = _VisibleOnly()
    parser.feed(html)
    parser.close()
    return _Visible(parser)


# A column's index page (栏目页): navigation plus a list of headline links, each the title of another
# page. A link of HEADLINE_CJK or more CJK characters is a headline (menu items are 2-6: 首页, 政务公开);
# MIN_HEADLINES or more of them carrying more text than everything outside links is a list, not a
# report. A report page's own menus and "相关链接" stay well under either.
HEADLINE_CJK = 8
MIN_HEADLINES = 15


def listing_reason(links: list[int], outside: int) -> str | None:
    """不是报告 with the counts, for a page that is a list of headline links; else None."""
    headlines = [n for n in links if n >= HEADLINE_CJK]
    if len(headlines) >= MIN_HEADLINES and sum(headlines) > outside:
        return f"不是报告（栏目或索引页：{len(headlines)} 条标题链接，链接以外只有 {outside} 个汉字）"
    return None


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


def load(path: Path, limits: Limits | int, on_pages: Callable[[int], None] | None = None) -> str:
    """Return the raw text of ``path`` or raise IngestError naming the reason (see load_file)."""
    return load_file(path, limits, on_pages).text


def load_file(path: Path, limits: Limits | int, on_pages: Callable[[int], None] | None = None,
              on_page: PageProgress | None = None) -> Loaded:
    """Read ``path`` or raise IngestError naming the reason. Every size in ``limits`` is checked before the
    work it would cost (an int: the byte limit, the others from the settings); ``on_pages`` hears a PDF's
    page count (the worker's time limit grows with it), ``on_page`` is told after each page (the app's
    OCR progress)."""
    if isinstance(limits, int):
        from govqa.settings import get_settings

        limits = Limits.of(get_settings(), limits)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(str(path), f"不支持的文件类型 {suffix or '(无扩展名)'}；支持 {', '.join(sorted(SUFFIXES))}")
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise IngestError(str(path), f"文件过大（{size / 1e6:.1f} MB，上限 {limits.max_bytes / 1e6:.1f} MB）")
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"无法读取：{exc.strerror or exc}") from exc
    if not data.strip():
        raise IngestError(str(path), "文件为空")
    if suffix in BINARY_SUFFIXES:
        loaded = _load_binary(path, suffix, data, limits, on_pages, on_page)
    elif _looks_binary(data):
        raise IngestError(str(path), "二进制文件，不是文本")
    elif suffix in HTML_SUFFIXES:
        loaded = _load_html(path, data, limits)
    else:
        from ingest.text_tables import tab_tables

        raw = decode(data, str(path))
        check_text(str(path), len(raw), limits.max_text_chars)
        loaded = Loaded(tab_tables(raw))
    check_text(str(path), len(loaded.text), limits.max_text_chars)
    return loaded


def _load_html(path: Path, data: bytes, limits: Limits) -> Loaded:
    """A page: its size and element count checked first, hidden parts dropped, a column's index page
    refused, tables read as tables."""
    head = data[:4096].decode("ascii", "ignore")
    m = re.search(r"charset=[\"']?([A-Za-z0-9_-]+)", head)
    declared = m.group(1).lower() if m else None
    from ingest.html_tables import html_tables

    raw = decode(data, str(path), declared)
    check_html(str(path), raw, limits)
    visible = _visible(raw)
    if why := listing_reason(visible.links, visible.outside):
        raise IngestError(str(path), why)
    page = visible.out_text
    text, tables = html_tables(page)
    return Loaded(text if tables else html_to_text(page))


def _load_binary(path: Path, suffix: str, data: bytes, limits: Limits, on_pages: Callable[[int], None] | None = None,
                 on_page: PageProgress | None = None) -> Loaded:
    """A PDF or DOCX, checked by its magic bytes first so a misnamed file gets a clear reason. The
    reader's own reason (encrypted, too large, a scan without OCR) reaches the user as it is."""
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise IngestError(str(path), "不是有效的 PDF 文件")
        from ingest.pdf import read_pdf

        try:
            content = read_pdf(path, progress=sys.stderr.isatty(), limits=limits, on_pages=on_pages, on_page=on_page)
            return Loaded(content.text, content)
        except (IngestError, MemoryError):
            raise
        except Exception as exc:
            raise IngestError(str(path), f"PDF 无法读取：{type(exc).__name__}: {str(exc)[:200]}") from exc
    if not data.startswith(b"PK"):
        raise IngestError(str(path), "不是有效的 DOCX 文件")
    _check_inflated(path, limits.max_docx_inflated_bytes)
    from ingest.docx import load_docx

    try:
        return Loaded(load_docx(path, max_chars=limits.max_text_chars)[0])
    except (IngestError, MemoryError):
        raise
    except Exception as exc:
        raise IngestError(str(path), f"DOCX 无法读取：{type(exc).__name__}: {str(exc)[:200]}") from exc


def _check_inflated(path: Path, limit: int) -> None:
    """The ZIP directory's uncompressed sizes, summed, against the limit: read before anything is inflated.
    A member whose data inflates past its declared size is cut there by zipfile (and fails its CRC), so
    the declared sizes bound what python-docx can be made to hold."""
    try:
        with zipfile.ZipFile(path) as z:
            inflated = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(str(path), f"无法打开 DOCX：{exc}") from exc
    if inflated > limit:
        raise docx_inflated(str(path), inflated, limit)


