"""Files the web UI receives and hands out: checked uploads with safe names, and download files.

Uploads are copied into a folder the app owns (``<index_dir>/uploads`` for library documents, a
private temporary folder for plans to check); the name is reduced to letters, digits and ``. _ -``,
so a name like ``../../etc/passwd`` or ``C:\\x\\plan.pdf`` can never leave that folder. A plan being
checked, and the reports made from it, keep the person's own name (``portable_name``: only the
characters no file system accepts are replaced), since each sits alone in a fresh private folder.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
import uuid
from pathlib import Path

from assistant.errors import InputError

UPLOAD_TYPES = (".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt")
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_NOT_PORTABLE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')  # refused by Windows, macOS or Linux
MAX_NAME = 120


def safe_name(name: str) -> str:
    """A file name that is safe to create in our own folder (no separators, no leading dots)."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = _UNSAFE.sub("_", base).strip(" .")
    base = re.sub(r"_+", "_", base)
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem.strip(" ._-")[: MAX_NAME - len(ext) - 1] or "upload"
    return f"{stem}.{ext.lower()}" if ext else stem


def portable_name(name: str) -> str:
    """The person's own file name, changed only where a file system would refuse it
    ("Seaview ICB draft JFP 2025 (v0.3).md" is kept as it is; "a:b?.md" becomes "a_b_.md")."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = unicodedata.normalize("NFC", _NOT_PORTABLE.sub("_", base)).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem.strip(" .")[: MAX_NAME - len(ext) - 1] or "upload"
    while len(stem.encode("utf-8")) > MAX_NAME * 2:  # file systems count bytes (255 at most)
        stem = stem[:-1]
    return f"{stem}.{ext}" if ext else stem


def check_upload(path: Path, original_name: str, max_mb: float, types: tuple[str, ...] = UPLOAD_TYPES) -> None:
    """Raise InputError with a plain message when an uploaded file's type or size is not accepted."""
    ext = Path(safe_name(original_name)).suffix.lower()
    if ext not in types:
        raise InputError(f"'{original_name}' is a {ext or 'file without an extension'}: only "
                         f"{', '.join(types)} files can be added. Save it in one of those formats and try again.")
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise InputError(f"'{original_name}' is {size / 1048576:.1f} MB, over the {max_mb:g} MB upload limit "
                         "(JFP_UPLOAD_MAX_MB). Split it, or ask whoever runs the app to raise the limit.")
    if size == 0:
        raise InputError(f"'{original_name}' is empty. Check you chose the right file.")


def store_upload(src: Path, original_name: str, folder: Path, max_mb: float, *, keep_name: bool = False) -> Path:
    """Check an uploaded file and copy it into ``folder`` under a safe name; return the new path.
    ``keep_name``: keep the person's name where the file system allows it (``portable_name``), for a
    file alone in a private folder; otherwise reduce it to ``safe_name``."""
    check_upload(src, original_name, max_mb)
    folder.mkdir(parents=True, exist_ok=True)
    dest = (folder / (portable_name if keep_name else safe_name)(original_name)).resolve()
    if dest.parent != folder.resolve():  # belt and braces: safe_name never allows this
        raise InputError(f"'{original_name}' is not a usable file name. Rename the file and try again.")
    shutil.copyfile(src, dest)
    return dest


def is_inside(path: str | Path, folder: Path) -> bool:
    try:
        return Path(path).resolve().parent == folder.resolve()
    except OSError:
        return False


class Outbox:
    """Download files, each in its own random folder under one private temporary folder."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="jfp-ui-"))

    def write(self, name: str, data: str | bytes) -> Path:
        folder = self.root / uuid.uuid4().hex
        folder.mkdir()
        path = folder / safe_name(name)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        return path

    def folder(self) -> Path:
        """A fresh private folder (for a plan being checked, or an export written by another module)."""
        folder = self.root / uuid.uuid4().hex
        folder.mkdir()
        return folder
