"""Hostile and broken files: each is refused (or read) with a clear message, the good file beside it is
still ingested, and afterwards the library answers exactly as before."""

from __future__ import annotations

import io
import pathlib
import time
import zipfile

import pytest
from helpers.pdfs import encrypt_pdf, make_pdf

from tests.robustness.conftest import assert_index_intact, leaves_intact

GOOD = "# Procurement\n\n## Shared purchasing\n\nPartners will buy common supplies together through one procurement hub.\n"
PLAN_PDF = make_pdf([["Estates", "We will share buildings across partners to cut carbon emissions."]])


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("plan.txt", "The plan is inside this archive.")
    return buf.getvalue()


def _empty_docx() -> bytes:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


NESTED_HTML = ("<html><body>" + "<div>" * 5000 + "<p>Deeply nested text about estates and buildings.</p>"
               + "</div>" * 5000 + "</body></html>").encode()
MALFORMED_HTML = (b"<html><head><title>Broken <b>page</title><body><p>Unclosed <b>bold <table><tr><td>We will "
                  b"publish a green plan for every site.<p>more <i>text</td></div></span>&bogus; &#99999999; "
                  b"<script>var x = '</p>';</script></html")

# name -> (bytes, words the failure message must contain (case-insensitive); None: the file is read)
BAD_FILES: dict[str, tuple[bytes, tuple[str, ...] | None]] = {
    "corrupt.pdf": (b"%PDF-1.4\n" + bytes(range(256)) * 20, ("corrupt.pdf", "damaged")),
    "truncated.pdf": (PLAN_PDF[: len(PLAN_PDF) // 2], ("truncated.pdf", "truncated")),
    "encrypted.pdf": (encrypt_pdf(PLAN_PDF, "secret"), ("encrypted.pdf", "encrypted")),
    "scanned.pdf": (make_pdf([[], []], image_only=True), ("scanned.pdf", "ocr")),
    "zero.pdf": (b"", ("zero.pdf", "empty")),
    "archive.pdf": (_zip_bytes(), ("archive.pdf", "zip")),
    "no-text.docx": (_empty_docx(), ("no-text.docx", "no text")),
    "broken.docx": (b"PK\x03\x04 this is not really a Word file", ("broken.docx", "docx")),
    "nested.html": (NESTED_HTML, ("nested.html",)),
    "malformed.html": (MALFORMED_HTML, None),
    "picture.txt": (b"\x89PNG\r\n\x1a\n" + bytes(200), ("picture.txt", "png")),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_gets_a_clear_message_and_the_rest_is_ingested(library, tmp_path, name):
    svc, before, _ = library
    data, must_say = BAD_FILES[name]
    folder = tmp_path / "in"
    folder.mkdir()
    bad = folder / name
    bad.write_bytes(data)
    good = folder / "procurement.md"
    good.write_text(GOOD, encoding="utf-8")

    with leaves_intact(svc, before):
        report = svc.ingest([bad, good])

        failed = {pathlib.Path(f.path).name: f.error for f in report.failed}
        if must_say is None:
            assert not failed, failed
            assert report.added == 2
        else:
            assert list(failed) == [name], failed
            message = failed[name]
            assert "Traceback" not in message and "\n" not in message.strip()
            for word in must_say:
                assert word.lower() in message.lower(), message
            assert report.added == 1, "the good file beside the bad one must still be ingested"
    assert_index_intact(svc, before)


@pytest.mark.parametrize(("name", "encoded", "expect"), [
    ("cp1252.txt", "Café budget – the ‘green’ plan costs €2m for the whole system.".encode("cp1252"),
     "Café budget – the ‘green’ plan costs €2m"),
    ("utf16.txt", "Cynllun gofal: bydd partneriaid yn rhannu adeiladau i leihau allyriadau.".encode("utf-16"), "bydd partneriaid yn rhannu adeiladau"),
    ("latin1.txt", "Naïve résumé of the £ budget for the integrated care partnership.".encode("latin-1"), "Naïve résumé of the £ budget"),
])
def test_text_in_odd_encodings_is_decoded_and_cited_verbatim(library, tmp_path, name, encoded, expect):
    svc, before, _ = library
    f = tmp_path / name
    f.write_bytes(encoded)
    with leaves_intact(svc, before):
        report = svc.ingest([f])
        assert not report.failed and report.added == 1
        doc = next(d for d in svc.sources() if d.source == name)
        text = " ".join(c.text for c in svc.manifest.chunks(doc.doc_id))
        assert expect in text
    assert_index_intact(svc, before)


def test_200_mb_file_is_refused_by_the_size_limit_without_being_read(library, tmp_path, monkeypatch):
    svc, before, _ = library
    big = tmp_path / "huge-plan.pdf"
    with big.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: takes no disk space
    opened: list[str] = []
    real_open = pathlib.Path.open

    def tracking_open(self, *args, **kwargs):
        opened.append(self.name)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", tracking_open)
    t = time.perf_counter()
    report = svc.ingest([big])
    elapsed = time.perf_counter() - t
    monkeypatch.undo()

    [failure] = report.failed
    assert "200 MB" in failure.error and "limit" in failure.error and "JFP_MAX_FILE_MB" in failure.error
    assert "huge-plan.pdf" not in opened, "the file was opened although its size alone refuses it"
    assert elapsed < 5, f"refusing took {elapsed:.1f} s"
    assert_index_intact(svc, before)


def test_paths_that_are_not_documents_get_messages(library, tmp_path):
    svc, before, _ = library
    (tmp_path / "empty-folder").mkdir()
    report = svc.ingest([tmp_path / "missing.pdf", tmp_path / "empty-folder"])
    assert [pathlib.Path(f.path).name for f in report.failed] == ["missing.pdf"]
    assert "no such file" in report.failed[0].error
    assert report.added == 0
    assert_index_intact(svc, before)


@pytest.mark.slow
def test_5_mb_single_line_loads_and_chunks_within_bounds(tmp_path):
    """A 5 MB text with no line break (an export gone wrong): read and chunked in bounded time and size.
    (Embedding its ~4,000 chunks is what any 5 MB document costs, so the pipeline run is left to the bench.)"""
    from ingest.chunking import ChunkingConfig, chunk_document
    from ingest.loaders import load_document
    from tests.conftest import CORPUS

    words = [w for w in (CORPUS / "nhse-jfp-guidance-supporting-materials-2023.txt").read_text().split()
             if not w.startswith("#")]
    text = " ".join(words)
    while len(text) < 5_000_000:
        text = text + " " + text
    f = tmp_path / "one-line.txt"
    f.write_text(text[:5_000_000], encoding="utf-8")
    t = time.perf_counter()
    doc = load_document(f)
    chunks = chunk_document(doc, "f" * 16, "other", ChunkingConfig())
    elapsed = time.perf_counter() - t
    assert len(chunks) > 1000
    assert max(c.n_tokens for c in chunks) <= 3 * ChunkingConfig().target_tokens
    assert elapsed < 120, f"loading and chunking 5 MB took {elapsed:.0f} s"
