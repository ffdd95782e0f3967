"""Uploaded files: checked, named safely, kept under data_dir/uploads/<sha256 prefix>/, never executed."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from govqa.settings import Settings


def safe_name(name: str) -> str:
    """A file name that is only a name: no folders, no control or shell characters, no leading dot."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    stem = re.sub(r"[^\w\u4e00-\u9fff（）()\-]+", "_", stem).strip("._ ")[:80] or "report"
    suffix = re.sub(r"[^a-z0-9.]", "", suffix)[:10]
    return stem + suffix


def check_upload(settings: Settings, path: Path, name: str) -> str | None:
    """The reason an upload is refused before it is stored, or None."""
    suffix = Path(name).suffix.lower()
    allowed = sorted({s.lower() for s in settings.upload_suffixes})
    if suffix not in allowed:
        return f"不支持的文件类型 {suffix or '（无扩展名）'}；支持 {'、'.join(allowed)}"
    size = path.stat().st_size
    if size > settings.max_file_mb * 1e6:
        return f"文件过大（{size / 1e6:.1f} MB，上限 {settings.max_file_mb:.1f} MB）"
    if size == 0:
        return "文件为空"
    return None


def uploads_dir(settings: Settings) -> Path:
    return (Path(settings.data_dir) / "uploads").resolve()


def keep_upload(settings: Settings, data: bytes, name: str) -> tuple[Path, bool]:
    """Write the bytes to uploads/<sha256 prefix>/<safe name> (whole or not at all).
    Returns (path, whether it was already there): the same bytes always land at the same path."""
    folder = uploads_dir(settings) / hashlib.sha256(data).hexdigest()[:16]
    dest = folder / safe_name(name)
    if dest.exists():
        return dest, True
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (dest.name + ".part")
    tmp.write_bytes(data)
    tmp.chmod(0o644)
    tmp.replace(dest)
    return dest, False


def drop_upload(settings: Settings, path: str | None) -> None:
    """Delete a stored upload (only ever inside data_dir/uploads) and its folder when empty."""
    if not path:
        return
    p = Path(path).resolve()
    if p.parent.parent == uploads_dir(settings):
        p.unlink(missing_ok=True)
        if p.parent.exists() and not any(p.parent.iterdir()):
            p.parent.rmdir()
