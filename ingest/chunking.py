"""Split a normalized document into chunks on Chinese sentence boundaries, sized in tokens.

Chunks keep their character offsets into the document so answers can quote it exactly.
Sentences are packed up to ``chunk_size`` cl100k tokens and never past ``max_chars``
(the e5 window is 512 tokens); ``overlap`` tokens of trailing sentences are repeated at
the start of the next chunk so a fact on a boundary is whole in at least one chunk.
"""

from __future__ import annotations

import re

from govqa.text import count_tokens, sentence_spans
from govqa.types import Chunk

_SOFT_BREAK = re.compile(r"[，、,：:]")


def _split_long(text: str, s: int, e: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at commas where possible, else hard at max_chars."""
    out = []
    while e - s > max_chars:
        window = text[s : s + max_chars]
        cuts = [m.end() for m in _SOFT_BREAK.finditer(window)]
        cut = s + (cuts[-1] if cuts and cuts[-1] > max_chars // 3 else max_chars)
        out.append((s, cut))
        s = cut
    out.append((s, e))
    return out


def chunk_document(doc_id: str, text: str, chunk_size: int, overlap: int, max_chars: int) -> list[Chunk]:
    sents: list[tuple[int, int, int]] = []
    for s, e in sentence_spans(text):
        for a, b in _split_long(text, s, e, max_chars):
            sents.append((a, b, count_tokens(text[a:b])))
    chunks: list[Chunk] = []
    i = 0
    while i < len(sents):
        j, tokens = i, 0
        while j < len(sents):
            s_tokens = sents[j][2]
            if j > i and (tokens + s_tokens > chunk_size or sents[j][1] - sents[i][0] > max_chars):
                break
            tokens += s_tokens
            j += 1
        start, end = sents[i][0], sents[j - 1][1]
        chunks.append(Chunk(doc_id, len(chunks), start, end, text[start:end]))
        if j >= len(sents):
            break
        # Step back over trailing sentences worth ``overlap`` tokens, always moving forward.
        k, back = j, 0
        while k - 1 > i and back + sents[k - 1][2] <= overlap:
            k -= 1
            back += sents[k][2]
        i = k
    return chunks
