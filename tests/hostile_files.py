"""Generators for the hostile files of issue 26, rebuilt by the tests at the sizes the probe used (no large
file is committed). Each writes its file in pieces, so the test process never holds what the file inflates
to, and each takes seconds."""

from __future__ import annotations

import hashlib
import random
import sqlite3
import struct
import zipfile
from pathlib import Path

_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  b'<Default Extension="xml" ContentType="application/xml"/>'
                  b'<Override PartName="/word/document.xml" '
                  b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                  b'</Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         b'Target="word/document.xml"/></Relationships>')
_DOC_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
_DOC_TAIL = b"</w:body></w:document>"
_SENTENCE = "2017年，全省共受理政府信息公开申请1695件，答复率为98.7%。"


def _paragraph(text: str) -> bytes:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()


def _docx(path: Path, pieces, total: int) -> Path:
    """A DOCX whose word/document.xml is the head, ``pieces`` (an iterable of bytes) and the tail."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w", force_zip64=total > 2**31) as f:
            f.write(_DOC_HEAD)
            for piece in pieces:
                f.write(piece)
            f.write(_DOC_TAIL)
    return path


def docx_bomb(path: Path, inflated: int = 2**30) -> Path:
    """About 1 MB that inflates to 1 GiB: a real report paragraph, then a run of XML whitespace."""
    block = b" " * (1 << 20)
    head = _paragraph("山西省2017年政府信息公开工作年度报告") + _paragraph(_SENTENCE)
    return _docx(path, [head, *(block for _ in range(inflated >> 20))], inflated)


def docx_text(path: Path, chars: int = 17_500_000) -> Path:
    """A few hundred KB holding ``chars`` characters of text (paragraphs of report sentences)."""
    para = _paragraph(_SENTENCE * 20)
    n = chars // (len(_SENTENCE) * 20) + 1
    return _docx(path, (para for _ in range(n)), n * len(para))


def html_table(path: Path, rows: int = 190_000) -> Path:
    """A page (~20 MB) whose one table has ``rows`` rows."""
    with path.open("w", encoding="utf-8") as f:
        f.write("<html><head><title>山西省2017年政府信息公开工作年度报告</title></head><body>"
                f"<p>{_SENTENCE}</p><table>")
        for i in range(rows):
            f.write(f"<tr><td>第{i}项政府信息公开申请</td><td>{i}</td><td>{2 * i}</td><td>{3 * i}</td></tr>")
        f.write("</table></body></html>")
    return path


def html_nested(path: Path, depth: int = 1_500_000) -> Path:
    """A page (~16.5 MB) of ``depth`` nested <div>s around one sentence."""
    with path.open("w", encoding="utf-8") as f:
        f.write("<html><body>" + "<div>" * depth + _SENTENCE + "</div>" * depth + "</body></html>")
    return path


def index_page(path: Path, links: int = 30) -> Path:
    """A column's index page: the site's navigation and ``links`` headline links, each the title of a report."""
    nav = "".join(f"<li><a href='/{i}'>{w}</a></li>" for i, w in enumerate(
        ["首页", "政务公开", "政府信息公开年报", "新闻中心", "通知公告", "政策文件", "互动交流", "办事服务"]))
    places = ["太原市", "大同市", "阳泉市", "长治市", "晋城市", "朔州市", "晋中市", "运城市", "忻州市", "临汾市",
              "吕梁市", "山西省发展和改革委员会", "山西省教育厅", "山西省科学技术厅", "山西省公安厅"]
    items = "".join(
        f"<li><a href='/nb/{i}.html'>{places[i % len(places)]}{2017 + i // len(places)}年政府信息公开工作年度报告</a>"
        f"<span>{2018 + i // len(places)}-03-{10 + i % 18:02d}</span></li>" for i in range(links))
    path.write_text(f"<html><head><title>政府信息公开年报_山西省人民政府门户网站</title></head><body><ul class='nav'>{nav}</ul>"
                    "<h2>政府信息公开年报</h2>"
                    f"<ul class='list'>{items}</ul><p>主办：山西省人民政府办公厅　网站标识码：1400000001</p></body></html>",
                    encoding="utf-8")
    return path


# -- an encrypted PDF: the standard security handler, RC4 40-bit (PDF 1.3, revision 2) -------------------
_PAD = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")


def _rc4(key: bytes, data: bytes) -> bytes:
    s, j = list(range(256)), 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(path: Path, password: str = "secret") -> Path:
    """A one-page PDF ("Annual report 2017") that opens only with ``password`` (PDF Reference 1.7, 3.5.2,
    algorithms 3.2-3.4). pdfminer opens it with that password, which checks the generator itself."""
    pad = lambda pw: (pw.encode() + _PAD)[:32]  # noqa: E731
    owner_key = hashlib.md5(pad("owner-" + password)).digest()[:5]
    o_entry = _rc4(owner_key, pad(password))
    perms, file_id = -44, hashlib.md5(b"govqa-issue-26").digest()
    key = hashlib.md5(pad(password) + o_entry + struct.pack("<i", perms) + file_id).digest()[:5]
    u_entry = _rc4(key, _PAD)
    content = b"BT /F1 24 Tf 72 720 Td (Annual report 2017) Tj ET"
    obj_key = hashlib.md5(key + struct.pack("<i", 4)[:3] + b"\x00\x00").digest()[:10]
    stream = _rc4(obj_key, content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (o_entry.hex().encode(), u_entry.hex().encode(), perms),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 6 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, file_id.hex().encode(), file_id.hex().encode(), xref))
    path.write_bytes(bytes(out))
    return path


def corrupt_keyword_index(registry: Path, seed: int = 26) -> int:
    """Random bytes over every page of the FTS5 index's data and term tables (SQLite's dbstat says which
    pages); the registry's own tables are untouched. Returns the number of pages overwritten."""
    with sqlite3.connect(registry) as db:
        pages = [r[0] for r in db.execute("SELECT pageno FROM dbstat WHERE name IN ('chunk_fts_data', 'chunk_fts_idx')")]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    rng = random.Random(seed)
    with registry.open("r+b") as f:
        for p in pages:
            f.seek((p - 1) * size)
            f.write(rng.randbytes(size))
    return len(pages)
