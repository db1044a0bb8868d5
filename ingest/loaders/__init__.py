"""Load one document (PDF, DOCX, HTML, Markdown, text) into passages, or say plainly why not.

``load_document`` checks the file (exists, not a folder, not empty, within the size limit, a
supported extension whose content really is of that type), hands the bytes to the loader for the
type, and wraps the result in a ``LoadedDocument``. Every failure is a ``DocumentError`` whose
message is one line: what happened, why, and what to do.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

from assistant.errors import DocumentError
from assistant.types import LoadedDocument, Passage

from .common import LoadFailure, rejoin_split_sentences

__all__ = ["SUPPORTED_EXTENSIONS", "load_document", "over_size_limit"]

_FORMATS: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}
#: the file extensions ``load_document`` reads, lower case with the dot
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(sorted(_FORMATS))
_SUPPORTED_LIST = ", ".join(SUPPORTED_EXTENSIONS)
_MB = 1024 * 1024

# magic bytes -> (description, the extension it would have if we support it)
_MAGIC: tuple[tuple[bytes, str, str | None], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image", None),
    (b"\xff\xd8\xff", "a JPEG image", None),
    (b"GIF87a", "a GIF image", None),
    (b"GIF89a", "a GIF image", None),
    (b"II*\x00", "a TIFF image", None),
    (b"MM\x00*", "a TIFF image", None),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office file (.doc, .xls or .ppt)", None),
    (b"{\\rtf", "an RTF document", None),
    (b"\x1f\x8b", "a gzip archive", None),
    (b"Rar!", "a RAR archive", None),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", None),
    (b"\x7fELF", "a program (ELF executable)", None),
)


def load_document(path: Path | str, *, max_file_mb: float = 100.0, title: str | None = None) -> LoadedDocument:
    """Read one file into a ``LoadedDocument`` (passages in reading order).

    Raises ``DocumentError`` with a one-line message for a missing or unreadable path, a folder, an
    empty or over-size file, an unsupported or mislabelled type, a corrupt, encrypted or scanned
    PDF, a broken DOCX, binary content in a text file, or a document with no text in it.
    """
    path = Path(path).expanduser()
    name = path.name or str(path)
    data = _read(path, name, max_file_mb)
    fmt = _FORMATS[path.suffix.lower()]
    try:
        found_title, passages, pages = _load(fmt, path.suffix.lower(), data)
        passages = rejoin_split_sentences(passages)
    except LoadFailure as failure:
        raise DocumentError(f"Could not read '{name}': {failure.why}. {failure.fix}") from None
    if not passages:
        raise DocumentError(
            f"Could not read '{name}': it contains no text. "
            "Check that it is the right file and that it was saved completely."
        )
    return LoadedDocument(
        path=str(path.resolve()),
        source=name,
        title=(title or "").strip() or found_title or pretty_name(path),
        passages=tuple(passages),
        pages=pages,
        content_hash=hashlib.sha256(data).hexdigest(),
    )


def over_size_limit(size: int, max_file_mb: float) -> str:
    """'it is 100.14 MB, over the 100 MB limit (JFP_MAX_FILE_MB)' for a file of ``size`` bytes over it.

    MB here is 1024 * 1024 bytes, for the figure and the limit alike. The figure gets more decimals
    until it reads as more than the limit, so it never seems equal to it (or below it).
    """
    limit = f"{max_file_mb:g}"
    mb = size / _MB
    for places in range(0 if mb >= 10 else 1, 4):
        actual = f"{mb:.{places}f}"
        if float(actual) > float(limit):
            return f"it is {actual} MB, over the {limit} MB limit (JFP_MAX_FILE_MB)"
    return f"it is just over the {limit} MB limit (JFP_MAX_FILE_MB)"


def pretty_name(path: Path) -> str:
    """'nhs-jfp_guidance.pdf' -> 'Nhs jfp guidance'."""
    text = re.sub(r"[\s_\-]+", " ", path.stem).strip() or path.name
    return text[0].upper() + text[1:]


def _read(path: Path, name: str, max_file_mb: float) -> bytes:
    def fail(why: str, fix: str) -> DocumentError:
        return DocumentError(f"Could not read '{name}': {why}. {fix}")

    try:
        if path.is_dir():
            raise fail(
                "it is a folder, not a file",
                "Give the path of one file inside it.",
            )
        if not path.exists():
            raise DocumentError(f"Could not read '{path}': there is no such file. Check the path and try again.")
        if not path.is_file():
            raise fail("it is not a regular file", "Give the path of a document file.")
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_EXTENSIONS:
            what = (
                f"'{suffix}' files are not supported" if suffix else "it has no file extension, so its type is unknown"
            )
            raise fail(what, f"Supported types are {_SUPPORTED_LIST}; convert it to one of these and try again.")
        size = path.stat().st_size
        if size == 0:
            raise fail(
                "the file is empty (0 bytes)", "Check that it was saved or downloaded completely, then try again."
            )
        if size > max_file_mb * _MB:
            raise fail(over_size_limit(size, max_file_mb), "Split it into smaller files, or raise JFP_MAX_FILE_MB if you trust it.")
        return path.read_bytes()
    except PermissionError:
        raise fail(
            "permission denied", "Check the file's permissions, or copy it somewhere you can read, and try again."
        ) from None
    except OSError as exc:
        raise fail(
            f"the system said '{exc.strerror or exc}'", "Check that the file is accessible and try again."
        ) from None


def _load(fmt: str, suffix: str, data: bytes) -> tuple[str | None, list[Passage], int | None]:
    actual, real_ext = _sniff(data)
    if fmt == "pdf":
        if actual != "a PDF":
            raise _mislabelled(suffix, actual or _text_or_binary(data), real_ext)
        from .pdf import load_pdf

        return load_pdf(data)
    if fmt == "docx":
        if actual != "a Word .docx document":
            raise _mislabelled(suffix, actual or _text_or_binary(data), real_ext, fix_docx=True)
        from .docx import load_docx

        title, passages = load_docx(data)
        return title, passages, None
    if actual is not None:
        raise _mislabelled(suffix, actual, real_ext)
    from .text import decode_text

    text = decode_text(data)  # also refuses binary content
    if fmt == "html":
        from .html import load_html

        title, passages = load_html(data)
        return title, passages, None
    from .text import parse_text

    title, passages = parse_text(text, plain=fmt == "text")
    return title, passages, None


def _sniff(data: bytes) -> tuple[str | None, str | None]:
    """What the bytes really are, as (description, supported extension), or (None, None) for text."""
    head = data[:1024]
    # a PDF header may follow a little junk; a text file that merely mentions "%PDF-" is not a PDF
    if head.lstrip(b"\xef\xbb\xbf\x00\t\r\n ").startswith(b"%PDF-") or (
        b"%PDF-" in head and b" obj" in data and b"%%EOF" in data[-65536:]
    ):
        return "a PDF", ".pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    for magic, description, ext in _MAGIC:
        if head.startswith(magic):
            return description, ext
    return None, None


def _zip_kind(data: bytes) -> tuple[str, str | None]:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "a damaged zip archive", None
    if "word/document.xml" in names:
        return "a Word .docx document", ".docx"
    if any(n.startswith("xl/") for n in names):
        return "an Excel workbook", None
    if any(n.startswith("ppt/") for n in names):
        return "a PowerPoint presentation", None
    return "a zip archive", None


def _text_or_binary(data: bytes) -> str:
    from .text import decode_text

    try:
        decode_text(data[:20000])
    except LoadFailure:
        return "binary data of an unknown kind"
    return "plain text"


def _mislabelled(suffix: str, actual: str, real_ext: str | None, fix_docx: bool = False) -> LoadFailure:
    if actual == "a damaged zip archive" and fix_docx:
        return LoadFailure(
            "it is not a valid .docx file (the zip container is damaged or truncated)",
            "Open it in Word and save it as .docx again, or get a fresh copy.",
        )
    if fix_docx and actual.startswith("an old-style Office file"):
        return LoadFailure(
            "it is an old-style Word .doc file, not a .docx",
            "Open it in Word and save it as 'Word Document (.docx)', then use that copy.",
        )
    why = f"it has a {suffix} name but is {actual}"
    if actual == "plain text" and not fix_docx:
        return LoadFailure(why, "Rename it to .txt if it is meant to be text, or export a real PDF from the original.")
    if actual == "a zip archive" and not fix_docx:
        return LoadFailure(why, "Unzip it and use the documents inside.")
    if real_ext:
        return LoadFailure(why, f"Rename it to {real_ext} and try again.")
    if fix_docx:
        return LoadFailure(why, "Open it in Word and save it as .docx again.")
    return LoadFailure(why, f"Convert it to one of the supported types ({_SUPPORTED_LIST}) and try again.")
