"""Build small, valid PDFs in tests, without a PDF-writing library.

A page is a list of lines, top to bottom. A line is a string, or a ``Line`` with a font size and,
for a table row, several cells at given x positions. The writer emits real content streams with
Helvetica (WinAnsi encoding) and a correct cross-reference table, so pypdf reads them as it would
a PDF from Word.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field

from pypdf import PdfReader, PdfWriter


@dataclass(frozen=True)
class Line:
    text: str = ""
    size: float = 11.0
    cells: tuple[tuple[float, str], ...] = field(default_factory=tuple)  # (x, text) for table rows
    gap_before: float = 0.0  # extra space above the line, in points (a paragraph break)


PageSpec = list["str | Line"]


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: PageSpec, one_block: bool) -> bytes:
    """Text operators for the lines: all in one BT/ET block, or one block per line or cell."""
    shows = []
    y = 770.0
    for item in lines:
        line = Line(item) if isinstance(item, str) else item
        y -= line.gap_before + line.size * 1.4
        cells = line.cells or ((72.0, line.text),)
        for x, text in cells:
            shows.append(b"/F1 %.1f Tf 1 0 0 1 %.1f %.1f Tm (" % (line.size, x, y) + _escape(text) + b") Tj")
    if one_block:
        return b"\n".join([b"BT", *shows, b"ET"])
    return b"\n".join(b"BT " + show + b" ET" for show in shows)


def _image_content() -> bytes:
    """A page that only paints an image: what a scanner produces."""
    return b"q 400 0 0 500 100 150 cm /Im1 Do Q"


def make_pdf(
    pages: list[PageSpec], *, title: str | None = None, image_only: bool = False, one_block: bool = True
) -> bytes:
    """A PDF whose pages hold the given lines (or, with ``image_only``, just a grey image each).

    ``one_block`` puts a page's text in a single BT/ET block (as some producers do); otherwise each
    line or table cell gets its own block (as others do). pypdf groups them differently.
    """
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    pages_id = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pixels = zlib.compress(bytes([128]) * (8 * 8))
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream"
    )
    kids = []
    for lines in pages:
        stream = _image_content() if image_only else _content(lines, one_block)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
                % (pages_id, content, font, image)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info = add(b"<< /Title (" + _escape(title) + b") >>") if title else None

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info:
        trailer += b" /Info %d 0 R" % info
    out.write(b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def encrypt_pdf(data: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    """The same PDF, encrypted (RC4, which pypdf can write and read without extra packages)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
