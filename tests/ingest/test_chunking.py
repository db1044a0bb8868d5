"""Packing passages into chunks: a list's lead-in is not left at the end of a chunk without its items."""

from __future__ import annotations

from assistant.types import LoadedDocument, Passage
from ingest.chunking import ChunkingConfig, chunk_document

CFG = ChunkingConfig(target_tokens=50, overlap_tokens=10)
SECTION = ("Population health management",)
PARAGRAPH = ("Population health management helps systems understand the needs of their people and plan care "
             "around them, drawing on linked data from every partner in the system.")
LEAD = "ICBs and their partner trusts may wish to describe in their JFPs how they will:"
ITEMS = ("work across traditional organisational and contractual boundaries",
         "bring individuals, the public and staff along on the shift towards prevention")


def document(texts: list[tuple[str, str]]) -> LoadedDocument:
    return LoadedDocument(path="/x/g.md", source="g.md", title="Guidance", pages=None, content_hash="0" * 64,
                          passages=tuple(Passage(text=t, page=None, section=SECTION, kind=k) for t, k in texts))


def test_a_lead_in_that_would_end_a_chunk_starts_the_next_one_with_its_items():
    doc = document([(PARAGRAPH, "paragraph"), (LEAD, "paragraph")] + [(f"- {i}", "list_item") for i in ITEMS])
    chunks = chunk_document(doc, "d" * 16, "guidance", CFG)
    assert len(chunks) == 2
    assert chunks[0].text == PARAGRAPH
    assert chunks[1].text.split("\n")[0] == LEAD and ITEMS[0] in chunks[1].text
    # nothing is lost or said twice
    assert "\n".join(c.text for c in chunks) == "\n".join(p.text for p in doc.passages)


def test_a_chunk_that_is_only_a_lead_in_keeps_it():
    long_lead = " ".join(["The plan should set out, for each of the duties below, how the ICB will meet it"] * 2) + ":"
    doc = document([(long_lead, "paragraph"), (f"- {ITEMS[1]}", "list_item")])
    chunks = chunk_document(doc, "d" * 16, "guidance", CFG)
    assert chunks[0].text == long_lead
    assert "\n".join(c.text for c in chunks) == "\n".join(p.text for p in doc.passages)


def test_a_lead_in_stays_when_what_follows_would_not_fit_with_it():
    # a table row may run to three times the target: carried with the lead-in it would overflow that
    row = "Duty to promote integration | " + " ".join(["The ICB works with its partners on joined-up care"] * 12)
    doc = document([(PARAGRAPH, "paragraph"), (LEAD, "paragraph"), (row, "table_row")])
    chunks = chunk_document(doc, "d" * 16, "guidance", CFG)
    assert [c.text for c in chunks] == [f"{PARAGRAPH}\n{LEAD}", row]
    assert max(c.n_tokens for c in chunks) <= 3 * CFG.target_tokens


def test_a_duty_heading_typed_one_level_too_deep_starts_its_own_section():
    # NHS England's supporting materials put "## Duty as to climate change" under "# Duty to promote
    # education and training": the climate passage is not part of the education duty
    climate = "JFPs must set out how ICBs intend to discharge their duty in relation to climate change."
    education = "JFPs must set out how ICBs intend to discharge their duty in relation to education and training."
    doc = LoadedDocument(path="/x/g.md", source="g.md", title="Guidance", pages=None, content_hash="0" * 64, passages=(
        Passage(text=education, page=None, section=("Duty to promote education and training",), kind="paragraph"),
        Passage(text=climate, page=None, section=("Duty to promote education and training", "Duty as to climate change"),
                kind="paragraph"),
        # a subheading of the same duty, or one naming no duty, stays under its parent
        Passage(text="Digital maturity is assessed each year.", page=None, section=("Digital and data", "Digital & data"),
                kind="paragraph"),
        Passage(text="Use the tool to score each proposal.", page=None,
                section=("Appendix 2: legislative requirements", "Duty to promote innovation"), kind="paragraph"),
    ))
    sections = [c.section for c in chunk_document(doc, "d" * 16, "guidance", CFG)]
    assert sections == ["Duty to promote education and training", "Duty as to climate change",
                        "Digital and data > Digital & data", "Appendix 2: legislative requirements > Duty to promote innovation"]
    chunks = chunk_document(doc, "d" * 16, "guidance", CFG)
    assert chunks[1].duty_ids == ("climate_change",)
