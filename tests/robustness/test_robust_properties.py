"""Property-based tests (hypothesis) for the chunker and the citation checker."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.citations import collapse, make_citation, quote_in_chunk
from assistant.types import Chunk, LoadedDocument, Passage
from ingest.chunking import SECTION_SEP, ChunkingConfig, chunk_document, own_duty_path

CFG = ChunkingConfig(target_tokens=60, overlap_tokens=12)
WORDS = ("the plan must set out how partners will reduce inequalities in access experience and outcomes "
         "estates workforce digital climate carbon children patients public involvement choice research "
         "innovation quality finance budget 2023/24 £1.2m 30% ICB NHS Core20PLUS5 e.g. i.e. etc").split()

word = st.sampled_from(WORDS)
sentence = st.builds(lambda ws, end: " ".join(ws).capitalize() + end,
                     st.lists(word, min_size=1, max_size=30), st.sampled_from([".", "!", "?", ";", ":", ""]))
passage_text = st.builds(" ".join, st.lists(sentence, min_size=1, max_size=12))
long_run = st.builds(" ".join, st.lists(word, min_size=80, max_size=400))  # no sentence ends at all
section = st.lists(st.sampled_from(["Climate", "Workforce", "Duty to reduce inequalities", "Annex A"]),
                   min_size=0, max_size=3).map(tuple)


@st.composite
def documents(draw) -> LoadedDocument:
    paged = draw(st.booleans())
    passages = []
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["paragraph", "paragraph", "list_item", "table_row", "heading"]))
        text = draw(st.one_of(passage_text, long_run)) if kind != "heading" else draw(sentence)
        if kind == "table_row":
            text = text.replace("; ", "\n", 1)
        passages.append(Passage(text=text, page=draw(st.integers(1, 3)) if paged else None,
                                section=draw(section), kind=kind))
    return LoadedDocument(path="/x/doc.txt", source="doc.txt", title="Doc", passages=tuple(passages),
                          pages=3 if paged else None, content_hash="0" * 64)


def _words(text: str) -> list[str]:
    return text.split()


def _is_subsequence(needle: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(any(h == w for h in it) for w in needle)


PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


FIGURES_ONLY = LoadedDocument(path="/x/t.txt", source="t.txt", title="T", pages=None, content_hash="0" * 64,
                              passages=(Passage(text=" ".join(["£1.2m", "2023/24", "30%"] * 100), page=None,
                                                section=("Finance",)),))


@PROPS
@example(FIGURES_ONLY)
@given(documents())
def test_every_chunk_stays_under_three_times_the_target(doc):
    for c in chunk_document(doc, "d" * 16, "other", CFG):
        assert c.n_tokens <= 3 * CFG.target_tokens, (c.n_tokens, c.text[:200])


@PROPS
@given(documents())
def test_chunks_cover_the_passages_text_in_order(doc):
    chunks = chunk_document(doc, "d" * 16, "other", CFG)
    body = [w for p in doc.passages if p.kind != "heading" for w in _words(p.text)]
    chunked = [w for c in chunks for w in _words(c.text)]
    assert _is_subsequence(body, chunked), "some passage text is missing or out of order"
    assert set(chunked) <= set(body)


@PROPS
@given(documents())
def test_no_chunk_spans_two_sections_or_pages(doc):
    for c in chunk_document(doc, "d" * 16, "other", CFG):
        same = [collapse(p.text) for p in doc.passages
                if p.kind != "heading" and p.page == c.page and SECTION_SEP.join(own_duty_path(p.section)) == c.section]
        assert same, f"chunk on page {c.page} section {c.section!r} matches no passage"
        for line in c.text.split("\n"):
            assert any(collapse(line) in s for s in same), f"line {line[:80]!r} comes from another section or page"


chunk_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=400)


def _chunk(text: str) -> Chunk:
    return Chunk(chunk_id="d:00000", doc_id="d", title="T", source="s.txt", kind="other", page=None, section="",
                 duty_ids=(), text=text, n_tokens=1, content_hash="h")


@settings(max_examples=300, deadline=None)
@given(chunk_text, st.data())
def test_any_substring_of_the_collapsed_chunk_text_is_a_valid_quote(text, data):
    flat = collapse(text)
    if not flat:
        return
    i = data.draw(st.integers(0, len(flat) - 1))
    j = data.draw(st.integers(i + 1, len(flat)))
    quote = flat[i:j]
    if not quote.strip():
        assert not quote_in_chunk(quote, text)  # whitespace alone is never a quote
        return
    assert quote_in_chunk(quote, text)
    # line breaks or runs of spaces in the quote do not matter either
    assert quote_in_chunk(quote.replace(" ", "\n  "), text)
    # and the citation quotes the chunk as it is written, line breaks and all
    cited = make_citation(1, _chunk(text), quote.replace(" ", "\n  ")).quote
    assert cited in text and collapse(cited) == collapse(quote)


@settings(max_examples=300, deadline=None)
@given(chunk_text, chunk_text)
def test_make_citation_raises_for_a_quote_that_is_not_in_the_chunk(text, quote):
    if collapse(quote) and collapse(quote) in collapse(text):
        return
    with pytest.raises(ValueError):
        make_citation(1, _chunk(text), quote)


def test_a_quote_differing_only_in_one_character_is_refused():
    text = "Partners will cut carbon emissions by 30% by 2028."
    assert quote_in_chunk("cut carbon emissions by 30%", text)
    with pytest.raises(ValueError):
        make_citation(1, _chunk(text), re.sub("30%", "40%", "cut carbon emissions by 30%"))
