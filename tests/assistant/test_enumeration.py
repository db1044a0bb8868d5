"""A question asking for a counted set ("what are the five elements?") is answered with every member
of the set, in order, when a document announces the set and gives one numbered paragraph to each,
even where the paragraphs run over chunks that retrieval did not bring back."""

from __future__ import annotations

import pytest

from assistant.chunk_sentences import answer_units, asks_for_chapters
from assistant.citations import quote_in_chunk
from assistant.enumeration import Asked, announces, asked_count, chapter_units, enumerated_units
from assistant.terms import stem
from assistant.types import Chunk, ScoredChunk

ANNOUNCE = ("Drawing on our experience, there are four key elements ICBs should consider in developing plans.\n\n"
            "1. Establishing a clear starting point. Start by building a clear picture of what is in place.\n\n")
PARTS = [
    ANNOUNCE,
    "Establishing a clear starting point. Start by building a clear picture of what is in place.\n\n"
    "Staff records show where skills sit across the system and how they could be combined.\n\n"
    "2. Intelligence-led decision making. Data and analytics have advanced significantly across the NHS.\n\n",
    "3. Connected outcomes and drivers of change. The best plans connect drivers of change to outcomes.\n\n",
    "4. Clear, integrated governance. Plans need connected governance to enable decisions at every level.\n\n"
    "Systems are facing similar challenges across the country.",
]


def chunks(parts: list[str]) -> list[Chunk]:
    return [Chunk(chunk_id=f"blog:{i:05d}", doc_id="blog", title="Blog", source="blog.md", kind="blog", page=None,
                  section="Integrated planning", duty_ids=(), text=t, n_tokens=len(t.split()), content_hash=str(i),
                  ordinal=i) for i, t in enumerate(parts)]


def follower(cs: list[Chunk]):
    after = {a.chunk_id: b for a, b in zip(cs, cs[1:], strict=False)}
    return lambda c: after.get(c.chunk_id)


def announcement(c: Chunk):
    return next(u for u in answer_units(c) if "four key elements" in u.text)


@pytest.mark.parametrize("question, count, noun", [
    ("What are the five elements of integrated planning from the Arden & GEM blog?", 5, "elements"),
    ("what are the 3 key principles of the JFP", 3, "principles"),
    ("Which are our four core purposes?", 4, "purposes"),
    ("What are the two statutory duties on finance?", 2, "duties"),
])
def test_a_counted_set_is_recognised(question, count, noun):
    assert asked_count(question) == Asked(count, stem(noun))  # the head noun, as the term matcher stems it


@pytest.mark.parametrize("question", [
    "How do we describe how our ICS is going to mature over the five years?",
    "What should the plan say about the next two months?",
    "What must the plan say about climate change?",
    "What is the A&E four-hour target?",
])
def test_spans_of_time_and_plain_questions_are_not_sets(question):
    assert asked_count(question) is None


def test_an_announcement_names_the_count_then_the_kind():
    asked = Asked(5, "element")
    assert announces("there are five key elements ICBs should consider", asked)
    assert announces("The 5 elements are set out below", asked)
    assert not announces("there are four key elements ICBs should consider", asked)
    assert not announces("five documents outline clear guidance on the elements of planning", asked)


def test_numbered_paragraphs_are_followed_across_chunks_and_the_overlap():
    cs = chunks(PARTS)
    items = enumerated_units(announcement(cs[0]), Asked(4, "element"), follower(cs))
    assert [u.text.split(".")[0] for u in items] == [
        "Establishing a clear starting point", "Intelligence-led decision making",
        "Connected outcomes and drivers of change", "Clear, integrated governance"]
    assert [u.chunk.chunk_id for u in items] == ["blog:00000", "blog:00001", "blog:00002", "blog:00003"]
    for u in items:  # every unit is a verbatim span of its own chunk, so its citation verifies
        assert quote_in_chunk(u.text, u.chunk.text)


def test_a_set_not_found_whole_gives_nothing():
    cs = chunks(PARTS[:3])  # the fourth paragraph is missing
    assert enumerated_units(announcement(cs[0]), Asked(4, "element"), follower(cs)) == []
    skipping = chunks([PARTS[0], PARTS[2], PARTS[3]])  # 1 then 3: not the announced set
    assert enumerated_units(announcement(skipping[0]), Asked(4, "element"), follower(skipping)) == []


def test_the_answer_gives_the_announcement_then_every_member_in_order(corpus_service):
    cs = chunks(PARTS)
    ex = corpus_service.answers.extractive.__class__(corpus_service.embedder, following=follower(cs))
    question = "What are the four elements of integrated planning?"
    # retrieval brought back only the announcement and the last paragraph
    found = [ScoredChunk(chunk=cs[0], score=1.0, rank=1), ScoredChunk(chunk=cs[3], score=0.9, rank=2)]
    picks = ex.select(question, found)
    heads = [p.sentence.text.split(".")[0] for p in picks[:5]]
    assert heads[0].startswith("Drawing on our experience, there are four key elements")
    assert heads[1:] == ["Establishing a clear starting point", "Intelligence-led decision making",
                         "Connected outcomes and drivers of change", "Clear, integrated governance"]
    # without the next-chunk lookup, the paragraphs retrieval missed cannot be found
    alone = corpus_service.answers.extractive.__class__(corpus_service.embedder)
    texts = " ".join(p.sentence.text for p in alone.select(question, found))
    assert "Intelligence-led decision making" not in texts


def test_the_shipped_blog_gives_all_five_elements(corpus_service):
    ans = corpus_service.ask("What are the five elements of integrated planning from the Arden & GEM blog?")
    assert not ans.abstained
    lines = ans.answer.split("\n")
    assert "there are five key elements" in lines[0]
    for n, element in enumerate(["Establishing a clear starting point", "Intelligence-led decision making",
                                 "Connected outcomes and drivers of change", "Effective engagement",
                                 "Clear, integrated governance"], start=1):
        assert lines[n].startswith(f"- {element}."), lines[n]
    text = {c.chunk_id: corpus_service.chunk_text(c.chunk_id) for c in ans.citations}
    assert all(c.quote in text[c.chunk_id] for c in ans.citations)


def test_a_list_of_the_set_leads_the_answer(corpus_service):
    # phrased so that "must" sentences about the HWBs were as close as the list, and came first
    ans = corpus_service.ask("What are the three principles a JFP is meant to follow?")
    assert ans.answer.startswith("- The three principles describing the JFP")


OUTLINE = [
    "Joint forward plan\n1. Introduction\n1.1 ICS vision, aims and purpose 1.2 Underlying challenges\n"
    "2. Who needs our care and support\n2.1 Population groups with unique needs\n",
    "2. Who needs our care and support\n2.1 Population groups with unique needs\n"
    "3. Our ambitions for care by 2027/28 3.1 Overview of our new model of local care\n4. Enablers\n"
    "4.1 Infrastructure (digital and estates)\nSystem operating plan\n1. Purpose\n2. Current status of performance\n"
    "3. Financial recovery\n",
]


@pytest.mark.parametrize("question, asks", [
    ("How is the Cornwall JFP going to be structured - what are the main chapters?", True),
    ("What are the main chapters of Cornwall's joint forward plan?", True),
    ("What is the structure of the plan?", True),
    ("How much freedom do systems actually have over what goes in the JFP and how it's structured?", False),
    ("Should digital be its own chapter in the JFP?", False),
])
def test_a_question_asking_for_the_chapters_is_told_from_one_about_structure(question, asks):
    assert asks_for_chapters(question) is asks


def test_the_chapters_of_an_outline_are_its_numbered_top_level_lines_across_chunks():
    cs = chunks(OUTLINE)
    chapters = chapter_units(cs[0], follower(cs))
    # chapter 2 is in both chunks (their overlap) and counted once; the second outline that starts
    # again at 1 is another plan's, and ends this one
    assert [u.text for u in chapters] == ["Introduction", "Who needs our care and support",
                                          "Our ambitions for care by 2027/28", "Enablers"]
    assert [u.chunk.chunk_id for u in chapters] == ["blog:00000", "blog:00000", "blog:00001", "blog:00001"]
    assert all(u.text in u.chunk.text and u.position == -1 for u in chapters)
    assert chapter_units(cs[1], follower(cs)) == []  # an outline read from its middle is not one


def test_the_shipped_board_paper_gives_its_plan_chapters_in_order(corpus_service):
    ans = corpus_service.ask("What are the main chapters of Cornwall's joint forward plan?")
    lines = ans.answer.split("\n")
    assert [x.split(" [")[0] for x in lines[:5]] == [
        "- Introduction", "- Who needs our care and support to improve health and wellbeing (Population health and "
        "health inequalities)", "- Our ambitions for what care and support will look like by 2027/28",
        "- Improving access, experience, and outcomes (with smart objectives, quality objectives and measures of "
        "success) for:", "- Enablers"]
    assert all(c.quote in corpus_service.chunk_text(c.chunk_id) for c in ans.citations)
    # the subsections are not quoted as well: the chapters stand for them
    assert "1.1 ICS vision" not in ans.answer


def test_items_numbered_in_roman_after_a_lead_in_are_the_set(corpus_service):
    text = ("NHS bodies must have regard to the effects of their decisions on three aspects:\n"
            "- i. The health and wellbeing of the people of England.\n"
            "- ii. The quality of services provided, judged by how safe and effective care is and by what "
            "patients, their families and carers say of their experience of it.\n"
            "- iii. The efficiency and sustainability of use of resources both for local systems and for the "
            "wider NHS, now and in the years to come, across every part of the health and care system, so that "
            "the services people rely on today are still there for their children and grandchildren in every "
            "place the system serves.\n"
            "Organisations must also consider the effects of their decisions on inequalities.")
    cs = chunks([text])  # too long a list to quote whole (``answer_units``): lead-in and items stand apart
    assert not any(u.lines for u in answer_units(cs[0]))
    lead = next(u for u in answer_units(cs[0]) if u.text.endswith("three aspects:"))
    items = enumerated_units(lead, Asked(3, stem("aspects")), follower(cs))
    assert [u.text.split(",")[0] for u in items] == [
        "The health and wellbeing of the people of England.", "The quality of services provided",
        "The efficiency and sustainability of use of resources both for local systems and for the wider NHS"]
    # the lead-in is no answer alone, but it leads the set it announces
    ex = corpus_service.answers.extractive.__class__(corpus_service.embedder, following=follower(cs))
    picks = ex.select("What are the three aspects of the triple aim?", [ScoredChunk(chunk=cs[0], score=1.0, rank=1)])
    assert [p.sentence for p in picks[:4]] == [lead, *items]
