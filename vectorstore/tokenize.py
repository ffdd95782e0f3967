"""BM25 tokens: jieba's search-mode words, with numbers kept whole and punctuation dropped.

Digit groups split by a space ("230 000023", as PDF extraction leaves them) also yield
their joined form, so either spelling finds the other.
"""

from __future__ import annotations

import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"[\w%.]+")
_STOP = set("的 了 和 与 及 或 等 在 对 为 是 将 把 被 于 由 其 中 共 有 个 年 月 日 多少 哪些 什么 几 是否 吗 呢 ？ ?".split())


def tokenize(text: str) -> list[str]:
    text = text.lower()
    tokens = [t for t in jieba.cut_for_search(text) if _WORD.fullmatch(t) and t not in _STOP]
    tokens += [a + b for a, b in re.findall(r"(\d+) (\d+)", text)]
    return tokens
