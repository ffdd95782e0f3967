"""What reading one file may cost, and the Chinese reason given when a file asks for more.

A hostile file is small on disk and large where it matters: a 1 MB DOCX that inflates to 1 GiB, a
20 MB page of 190,000 table rows or 1.5 M nested ``<div>``s, a 382 KB DOCX holding 17.5 M characters.
So each size is checked where it is first known and before the work it would cost (the inflated
size from the ZIP directory, the page's characters and tags before parsing, the text while it is
extracted), and the worker process (ingest/worker.py) bounds memory and time whatever slips through.
The values come from the settings (govqa/settings.py), the one place they are tuned.
"""

from __future__ import annotations

from dataclasses import dataclass

from govqa.settings import Settings
from ingest.errors import IngestError


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_text_chars: int
    max_html_chars: int
    max_html_elements: int
    max_docx_inflated_bytes: int
    max_pdf_pages: int

    @classmethod
    def of(cls, settings: Settings, max_bytes: int | None = None) -> Limits:
        return cls(max_bytes=max_bytes if max_bytes is not None else int(settings.max_file_mb * 1e6),
                   max_text_chars=settings.max_text_chars, max_html_chars=settings.max_html_chars,
                   max_html_elements=settings.max_html_elements,
                   max_docx_inflated_bytes=int(settings.max_docx_inflated_mb * 1e6), max_pdf_pages=settings.max_pdf_pages)


def text_too_long(path: str, limit: int) -> IngestError:
    return IngestError(path, f"提取出的文字过长（超过 {limit:,} 字，上限见 GOVQA_MAX_TEXT_CHARS），不像一份报告，未导入")


def check_text(path: str, n_chars: int, limit: int) -> None:
    """Raise as soon as the text extracted so far passes the limit (called while extracting)."""
    if n_chars > limit:
        raise text_too_long(path, limit)


def check_html(path: str, page: str, limits: Limits) -> None:
    """Characters and elements of a page, counted before it is parsed (a tag is a "<" not followed by
    "/": counting bytes is milliseconds where parsing 1.5 M elements took minutes)."""
    if len(page) > limits.max_html_chars:
        raise IngestError(path, f"网页过大（{len(page):,} 个字符，上限 {limits.max_html_chars:,}；GOVQA_MAX_HTML_CHARS），未导入")
    elements = page.count("<") - page.count("</")
    if elements > limits.max_html_elements:
        raise IngestError(path, f"网页元素过多（约 {elements:,} 个，上限 {limits.max_html_elements:,}；"
                                f"GOVQA_MAX_HTML_ELEMENTS），未导入")


def docx_inflated(path: str, inflated: int, limit: int) -> IngestError:
    return IngestError(path, f"DOCX 解压后过大（{inflated / 1e6:,.0f} MB，上限 {limit / 1e6:,.0f} MB；"
                             f"GOVQA_MAX_DOCX_INFLATED_MB），疑为压缩炸弹，未导入")


def pdf_pages(path: str, pages: int, limit: int) -> IngestError:
    return IngestError(path, f"PDF 页数过多（{pages:,} 页，上限 {limit:,} 页；GOVQA_MAX_PDF_PAGES），未导入")
