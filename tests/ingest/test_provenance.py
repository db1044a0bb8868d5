import json

from ingest.pipeline import load_provenance
from tests.conftest import CORPUS


def test_shipped_corpus_has_provenance_for_every_document():
    prov = json.loads((CORPUS / "provenance.json").read_text())
    files = {p.name for p in CORPUS.iterdir() if p.suffix == ".txt"}
    assert files == set(prov), "every shipped document needs a provenance record, and no record a missing file"
    for name, rec in prov.items():
        for key in ("title", "publisher", "date", "edition", "original_form", "licence", "kind"):
            assert key in rec, f"{name} lacks {key}"
        assert rec["kind"] in {"guidance", "briefing", "commentary", "icb_plan", "icb_paper"}


def test_shipped_texts_are_unchanged_from_the_seeds():
    import hashlib
    from pathlib import Path

    seeds = Path(__file__).resolve().parents[3] / "shared" / "seeds"
    if not seeds.is_dir():
        import pytest

        pytest.skip("../shared/seeds is not beside this checkout")
    prov = json.loads((CORPUS / "provenance.json").read_text())
    for name, rec in prov.items():
        a = hashlib.sha256((CORPUS / name).read_bytes()).hexdigest()
        b = hashlib.sha256((seeds / rec["seed_file"]).read_bytes()).hexdigest()
        assert a == b, f"{name} differs from {rec['seed_file']}"


def test_provenance_gives_titles_and_kinds(tmp_path):
    (tmp_path / "provenance.json").write_text(json.dumps({"a.md": {"title": "Our Green Plan", "kind": "strategy"}}))
    prov = load_provenance(tmp_path)
    assert prov["a.md"].title == "Our Green Plan" and prov["a.md"].kind == "strategy"


def test_provenance_gives_publishers_and_ignores_fields_that_are_not_text(tmp_path):
    (tmp_path / "provenance.json").write_text(json.dumps({
        "a.md": {"title": "Our Green Plan", "publisher": " NHS Northshire ICB "},
        "b.md": {"title": 7, "publisher": None, "kind": ["strategy"]}}))
    prov = load_provenance(tmp_path)
    assert prov["a.md"].publisher == "NHS Northshire ICB"
    assert prov["b.md"].title is None and prov["b.md"].publisher is None and prov["b.md"].kind is None


def test_unreadable_provenance_is_ignored_not_fatal(tmp_path):
    (tmp_path / "provenance.json").write_text("{not json")
    assert load_provenance(tmp_path) == {}


def test_an_index_made_before_publishers_were_recorded_still_opens(tmp_path):
    import sqlite3

    from ingest.manifest import Manifest

    db = sqlite3.connect(tmp_path / "manifest.sqlite3")
    db.executescript("""
        CREATE TABLE documents (doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL,
            kind TEXT NOT NULL, pages INTEGER, chunks INTEGER NOT NULL, content_hash TEXT NOT NULL,
            added_at TEXT NOT NULL, path TEXT NOT NULL DEFAULT '', full_text TEXT NOT NULL DEFAULT '');
        INSERT INTO documents VALUES ('d1', 'Our Green Plan', 'green.md', 'strategy', NULL, 0, 'h', 'now', '', '');
    """)
    db.commit()
    db.close()
    manifest = Manifest(tmp_path / "manifest.sqlite3")
    [doc] = manifest.documents()
    assert doc.title == "Our Green Plan" and doc.publisher == ""
    assert manifest.set_publisher("d1", "NHS Northshire ICB") and not manifest.set_publisher("d1", "NHS Northshire ICB")
    assert manifest.document("d1").publisher == "NHS Northshire ICB"
