"""Asking: hybrid retrieval, verifiable citations, abstention, follow-ups, with the real model and Chroma."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from assistant.chunk_sentences import answer_units, is_contents_section, is_outline_chunk
from assistant.citations import quote_in_chunk, uncited_numbers
from assistant.parts import parts_named, parts_of
from assistant.retrieval import LexicalIndex, RetrievalConfig, cap_per_document, document_names, is_fragment, rrf
from assistant.types import Chunk
from ingest.index import Filters

QUESTIONS = [
    "What must the joint forward plan say about climate change?",
    "What do we need to show on patient choice?",
    "When must the first JFP be published?",
    "What are the SMART objectives for dementia in Cornwall?",
]


def test_rrf_rewards_agreement_between_rankings():
    fused = rrf([["a", "b", "c"], ["b", "c", "a"]])
    assert max(fused, key=fused.get) == "b"
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)


def test_rrf_weights_scale_a_ranking():
    fused = rrf([["a"], ["b"]], weights=[2.0, 1.0])
    assert fused["a"] == pytest.approx(2 * fused["b"])


def test_each_fusion_has_its_own_fitted_settings():
    linear, by_rank = RetrievalConfig.tuned("linear"), RetrievalConfig.tuned("rrf", k=5)
    assert (linear.fusion, by_rank.fusion, by_rank.k) == ("linear", "rrf", 5)
    assert RetrievalConfig() == linear  # the default is the linear fusion as fitted
    with pytest.raises(ValueError, match="Unknown fusion"):
        RetrievalConfig.tuned("borda")


def test_linear_fusion_orders_by_weighted_similarity_and_bm25(corpus_service):
    r = corpus_service.retriever
    q = "What must the plan say about reducing health inequalities?"
    qv = corpus_service.embedder.embed_query(q)
    cfg = RetrievalConfig.tuned("linear", duty_boost=0.0, doc_boost=0.0, max_doc_share=1.0)
    got = r.retrieve(q, k=8, query_vector=qv, config=cfg)
    top_lex = max(s for _, s in r._lexical.search(q, cfg.candidates))
    for s in got:  # every result's score is the convex combination of its two scores
        assert s.dense is not None
        want = cfg.alpha * s.dense + (1 - cfg.alpha) * (s.lexical or 0.0) / top_lex
        assert s.score == pytest.approx(want, abs=1e-6)
    assert [s.score for s in got] == sorted((s.score for s in got), reverse=True)
    by_rank = r.retrieve(q, k=8, query_vector=qv, config=RetrievalConfig.tuned("rrf", max_doc_share=1.0))
    assert by_rank and all(s.score < 0.1 for s in by_rank)  # RRF scores are sums of 1 / (60 + rank)


@pytest.mark.parametrize("question", QUESTIONS + ["How do we involve the health and wellbeing boards?",
                                                  "What did the Cornwall board agree about the gateway process?"])
def test_skipping_vectors_of_hopeless_lexical_candidates_changes_no_result(corpus_service, question, monkeypatch):
    r = corpus_service.retriever
    qv = corpus_service.embedder.embed_query(question)
    skipped: list[int] = []
    bounded = r._could_be_picked

    def counting(missing, *args):
        kept = bounded(missing, *args)
        skipped.append(len(missing) - len(kept))
        return kept

    monkeypatch.setattr(r, "_could_be_picked", counting)
    fast = [(s.chunk.chunk_id, round(s.score, 6)) for s in r.retrieve(question, k=8, query_vector=qv)]
    monkeypatch.setattr(r, "_could_be_picked", lambda missing, *args: missing)  # read every vector
    full = [(s.chunk.chunk_id, round(s.score, 6)) for s in r.retrieve(question, k=8, query_vector=qv)]
    assert fast == full
    assert skipped  # the bound was applied


def test_cap_per_document_leaves_room_for_other_documents():
    ranked = [("a1", 9), ("a2", 8), ("a3", 7), ("b1", 6), ("c1", 5)]
    doc_of = {c: c[0] for c, _ in ranked}
    picked = [c for c, _ in cap_per_document(ranked, doc_of, k=4, cap=2)]
    assert picked == ["a1", "a2", "b1", "c1"]


def test_duty_filter_returns_only_chunks_tagged_with_the_duty(corpus_service):
    res = corpus_service.retriever.retrieve("what should the plan include", k=8, filters=Filters(duty="climate_change"))
    assert res and all("climate_change" in r.chunk.duty_ids for r in res)


def test_a_question_that_names_no_duty_is_answered_on_the_duty_chosen(corpus_service):
    # the UI's Duty list, or --duty: "What should we include?" asks what to include on that duty, even
    # straight after a question on something else
    ans = corpus_service.ask("What should we include?", duty="climate_change",
                             history=["When must the plan be refreshed and published?"])
    tags = {r.chunk.chunk_id: r.chunk.duty_ids for r in ans.retrieved}
    on_duty = [c for c in ans.citations if "climate_change" in tags[c.chunk_id]]
    assert not ans.abstained and len(on_duty) >= len(ans.citations) - 1
    assert "climate" in ans.answer.splitlines()[0].lower()


def test_kind_filter_returns_only_that_kind(corpus_service):
    res = corpus_service.retriever.retrieve("statutory duties", k=6, filters=Filters(kind="icb_plan"))
    assert res and {r.chunk.kind for r in res} == {"icb_plan"}


def test_a_question_about_net_zero_is_routed_to_the_climate_duty(corpus_service):
    ans = corpus_service.ask("How do we cover net zero in our plan?")
    assert ans.duty_ids[0] == "climate_change"
    assert "climate_change" in ans.retrieved[0].chunk.duty_ids


def test_document_names_are_title_words_no_other_document_uses():
    from assistant.types import Chunk

    def chunk(doc: str, title: str, text: str) -> Chunk:
        return Chunk(chunk_id=f"{doc}:00000", doc_id=doc, title=title, source=f"{doc}.md", kind="other", page=None,
                     section="", duty_ids=(), text=text, n_tokens=10, content_hash="h")

    titles = {"a": "Cornwall ICB board paper: Developing the Plans", "b": "Guidance on developing the plans",
              "c": "Northshire Joint Forward Plans"}
    chunks = [chunk("a", titles["a"], "Cornwall will publish its plans, as the guidance asks."),
              chunk("b", titles["b"], "Joint forward plans must say how the ICB will act, as Northshire did.")]
    names = document_names(titles, chunks)
    assert names["a"] == {"cornwall"}  # "ICB", "Developing" and "Plans" are everyone's words
    assert names["b"] == set()  # "Guidance" is in a's text too
    assert names["c"] == set()  # another document's text uses "Northshire"


def test_a_spelled_out_name_finds_a_chunk_that_uses_only_its_acronym():
    chunk = Chunk(chunk_id="d:00001", doc_id="d", title="Briefing", source="b.md", kind="briefing", page=1,
                  section="Summary", duty_ids=(), text="ICBs must share a draft with each relevant HWB.",
                  n_tokens=9, content_hash="h")
    other = replace(chunk, chunk_id="d:00002", text="Boards meet monthly to agree the wellbeing budget.")
    question = "Do we involve the health and wellbeing boards?"
    with_glossary = LexicalIndex([chunk, other], glossary={})  # the built-in acronyms
    assert [c.chunk_id for c, _ in with_glossary.search(question, 2)][0] == "d:00001"
    # the plain BM25 baseline sees no link between the two
    assert [c.chunk_id for c, _ in LexicalIndex([chunk, other]).search(question, 2)][0] == "d:00002"


def test_the_words_that_frame_a_question_do_not_pick_its_chunks():
    base = Chunk(chunk_id="d:00001", doc_id="d", title="Guidance", source="g.md", kind="guidance", page=1,
                 section="Workforce", duty_ids=(), n_tokens=20, content_hash="h",
                 text="The plan sets out workforce planning across the system, and the workforce it needs.")
    ours = replace(base, chunk_id="e:00001", doc_id="e", title="Our plan", section="Digital",
                   text="What we should do next is what we agreed: we should digitise what we can.")
    found = LexicalIndex([base, ours]).search("What should we include on workforce?", 2)
    assert [c.chunk_id for c, _ in found] == ["d:00001"]  # only the workforce chunk shares a word that counts
    # a question made only of such words finds nothing by its words (the dense half still answers)
    assert LexicalIndex([base, ours]).search("What should we do?", 2) == []


def test_a_cover_title_is_ranked_after_every_passage(corpus_service):
    def chunk(text: str) -> Chunk:
        return Chunk(chunk_id="d:1", doc_id="d", title="t", source="s", kind="icb_plan", page=1, section="",
                     duty_ids=(), text=text, n_tokens=len(text.split()), content_hash="h")

    assert is_fragment(chunk("**Lancashire and South Cumbria** Integrated Care Board"))
    assert not is_fragment(chunk("The plan is due by 30 June."))  # short, but a sentence
    assert not is_fragment(chunk("Gateway 1 | initial proposals | SEG"))  # a table row
    got = corpus_service.retriever.retrieve("What does the Lancashire and South Cumbria annex cover?", k=8)
    flags = [is_fragment(r.chunk) for r in got]
    assert flags == sorted(flags)  # passages first
    assert not flags[0]


def test_an_outline_of_chapters_is_ranked_last_unless_the_question_asks_about_structure(corpus_service):
    outline = "1. Introduction\n1.1 ICS vision, aims and purpose 1.2 Underlying challenges\n2. Who needs our care 2.1 Children"
    prose = "The plan should contain a set of quality objectives that reflect system intelligence."
    assert is_outline_chunk(Chunk(chunk_id="d:1", doc_id="d", title="t", source="s", kind="icb_paper", page=1,
                                  section="", duty_ids=(), text=outline, n_tokens=30, content_hash="h"))
    assert not is_outline_chunk(Chunk(chunk_id="d:2", doc_id="d", title="t", source="s", kind="icb_paper", page=1,
                                      section="", duty_ids=(), text=prose, n_tokens=15, content_hash="h"))
    # Cornwall's proposed plan structure names every topic ("quality", "objectives") and says nothing about them
    about_quality = corpus_service.ask("What should the quality objectives in our forward plan look like?")
    flags = [is_outline_chunk(r.chunk) for r in about_quality.retrieved]
    assert flags == sorted(flags)
    # asked for, it comes first, and the answer quotes it
    about_chapters = corpus_service.ask("How is the Cornwall JFP going to be structured - what are the main chapters?")
    assert is_outline_chunk(about_chapters.retrieved[0].chunk)
    assert about_chapters.citations[0].chunk_id == about_chapters.retrieved[0].chunk.chunk_id


def test_a_list_of_appendices_is_quoted_only_when_the_question_is_about_a_documents_parts(corpus_service):
    def chunk(section: str) -> Chunk:
        return Chunk(chunk_id="d:1", doc_id="d", title="t", source="s", kind="icb_paper", page=1, section=section,
                     duty_ids=(), text="2. Legislative requirements for the joint forward plan", n_tokens=9,
                     content_hash="h")

    assert is_contents_section(chunk("4. Main report > 5. Appendices"))
    assert is_contents_section(chunk("Table of contents"))
    assert not is_contents_section(chunk("Appendix 2: Joint Forward Plan legislative requirements"))
    assert not is_contents_section(chunk("Procurement"))
    # Cornwall's "5. Appendices" names "Legislative requirements for the joint forward plan", which had
    # been quoted as a point on procurement; it is a title, and says nothing about procurement
    on_procurement = corpus_service.ask("What does the plan need to cover on procurement?")
    assert on_procurement.citations
    quoted = {c.chunk_id for c in on_procurement.citations}
    assert not any(is_contents_section(corpus_service.retriever.chunk(cid)) for cid in quoted)
    assert "Legislative requirements for the joint forward plan" not in on_procurement.answer
    # asked what the paper's appendices are, the list is the answer
    appendices = corpus_service.ask("What appendices does Cornwall's board paper have?")
    assert any(is_contents_section(corpus_service.retriever.chunk(c.chunk_id)) for c in appendices.citations)


@pytest.mark.parametrize(("question", "parts"), [
    ("What is in appendix 2 of the Cornwall paper?", {("appendix", "2")}),
    ("Compare Appendix 6 and annex B", {("appendix", "6"), ("annex", "b")}),
    ("Does the annexe 3a table list every duty?", {("annex", "3a")}),
    ("Should the plan have an annex a planner can use?", set()),  # "annex a ...": no reference
    ("What must the plan include on climate change?", set()),
])
def test_a_numbered_part_of_a_document_is_read_from_the_question(question, parts):
    assert parts_named(question) == parts
    assert parts_of("Appendix 2: Joint Forward Plan legislative requirements > Duty as to climate change") == {
        ("appendix", "2")}
    assert parts_of("4. Main report > Joint forward plan") == frozenset()


def test_a_question_about_a_numbered_appendix_is_answered_from_it(corpus_service):
    question = "What is in appendix 2 of the Cornwall paper?"
    got = corpus_service.ask(question)
    assert got.retrieved[0].chunk.section.startswith("Appendix 2:")
    assert got.citations[0].section.startswith("Appendix 2:")
    # without the part's boost, the sentences that mention "appendix 2" rank first instead
    plain = corpus_service.retriever.retrieve(question, config=replace(corpus_service.retriever.config, part_boost=0.0))
    assert not plain[0].chunk.section.startswith("Appendix 2:")


def test_words_that_name_a_document_do_not_pick_the_sentences(corpus_service):
    answerer = corpus_service.answers.extractive
    names = corpus_service.answers.corpus_stats().document_names
    assert {"lancashire", "cumbria"} <= names
    text = ("We recognise that Lancashire and South Cumbria is not an island and other ICBs may be affected.\n"
            "Our workforce strategy includes an education plan for healthcare staff supply and trainees.")
    c = Chunk(chunk_id="d:1", doc_id="d", title="t", source="s", kind="icb_plan", page=1, section="",
              duty_ids=(), text=text, n_tokens=30, content_hash="h")
    cands = [(u, 1) for u in answer_units(c)]
    assert len(cands) == 2
    question = "What's in the Lancashire and South Cumbria education plan?"
    island, education = answerer.score(question, cands, np.zeros(2), name_words=names)
    assert education > island
    island, education = answerer.score(question, cands, np.zeros(2))  # the names counted as topic words
    assert island > education


def test_a_question_that_names_a_document_is_answered_from_it(corpus_service):
    cornwall = next(d.doc_id for d in corpus_service.sources() if "Cornwall" in d.title)
    lancashire = next(d.doc_id for d in corpus_service.sources() if "Lancashire" in d.title)
    assert corpus_service.retriever.named_documents("What did Cornwall agree?") == [cornwall]
    assert corpus_service.retriever.named_documents("What must the plan say about climate change?") == []
    ans = corpus_service.ask("How does the Lancashire plan deal with domestic abuse?")
    assert ans.retrieved[0].chunk.doc_id == lancashire
    # the boost is a preference, not a filter: other documents still appear
    assert {r.chunk.doc_id for r in ans.retrieved} - {lancashire}
    # a possessive names the document too
    assert corpus_service.retriever.named_documents("What did Cornwall's board agree?") == [cornwall]
    # the publisher names its document too ("the Arden & GEM blog": "Arden" is in no title)
    blog = next(d.doc_id for d in corpus_service.sources() if d.publisher.startswith("NHS Arden"))
    assert "Arden" not in next(d.title for d in corpus_service.sources() if d.doc_id == blog)
    assert corpus_service.retriever.named_documents("What does the Arden & GEM blog recommend?") == [blog]
    # "South" is in "Lancashire and South Cumbria" and in no other document, but names no place alone
    assert corpus_service.retriever.named_documents("What does the South West region expect?") == []
    # and the answer quotes the document named, not the national guidance on the same duty
    ans = corpus_service.ask("What does Lancashire and South Cumbria say about research?")
    quoted = [c.doc_id for c in ans.citations]
    assert quoted[:3] == [lancashire] * 3, quoted
    ans = corpus_service.ask("What does the guidance say about research?")
    assert lancashire not in [c.doc_id for c in ans.citations[:2]]


def test_the_name_of_a_document_is_not_what_a_sentence_is_chosen_for():
    from assistant.extractive import without_names

    names = frozenset({"cornwall", "lancashire", "south", "cumbria", "scilly", "isles"})
    assert without_names("What did Cornwall's board say about the timetable?", names) == (
        "What did board say about the timetable?")
    assert without_names("How does Lancashire and South Cumbria measure quality?", names) == "How does and measure quality?"
    assert without_names("What must the plan say on net zero?", names) == "What must the plan say on net zero?"
    assert without_names("Cornwall?", names) == "Cornwall?"  # nothing left: the question as asked
    assert without_names("What did Cornwall agree?", frozenset()) == "What did Cornwall agree?"


def test_a_heading_line_is_not_quoted_as_an_answer(corpus_service):
    from assistant.chunk_sentences import Sentence

    c = corpus_service.retriever.chunks[0]
    ex = corpus_service.answers.extractive
    assert not ex.usable(Sentence(text="ANNEX – Summary of ICB statutory duties", chunk=c, context=""))
    assert ex.usable(Sentence(text="100% ambulance handovers under 30 minutes ✓ ✓ ✓", chunk=c, context=""))


def test_a_table_of_contents_line_is_not_quoted_as_an_answer(corpus_service):
    from assistant.chunk_sentences import Sentence

    c = corpus_service.retriever.chunks[0]
    ex = corpus_service.answers.extractive
    for line in ("Duty to promote education and training and the workforce of the future ..... | 21",
                 "Duty to reduce inequalities between patients in access to services . . . . . 11",
                 "Duty to have regard to the wider effect of decisions on the triple aim …… 5"):
        assert not ex.usable(Sentence(text=line, chunk=c, context=""))
    # a sentence that merely ends in a figure is still a sentence
    assert ex.usable(Sentence(text="The system will reduce adult bed occupancy across its acute trusts to 92.", chunk=c,
                              context=""))
    ans = corpus_service.ask("What must we say about education and training?")
    assert not any("....." in cit.quote for cit in ans.citations)


def test_contact_details_and_page_furniture_are_not_quoted_as_an_answer(corpus_service):
    from assistant.chunk_sentences import Sentence

    c = corpus_service.retriever.chunks[0]
    ex = corpus_service.answers.extractive
    for line in ("Any queries on these materials can be directed to: england.nhs-planning@nhs.net.",
                 "If you have any questions about the guidance, please contact Ian Perrin, senior policy adviser.",
                 "Stay on top of the latest developments in health and care.",
                 "Find out more about our work with integrated care systems across the country.",
                 # a link whose text was "here": the link is gone, the sentence points at nothing
                 "The GMC has published best practice guidance for doctors on informed consent, available here.",
                 "See 'Capital guidance update 2023/24' for further information."):
        assert not ex.usable(Sentence(text=line, chunk=c, context=""))
    # plain statements that use the same words are still quoted
    for line in ("Partners will find out more about the needs of carers through the joint strategic needs assessment.",
                 "Partners sign up to the compact and subscribe to its principles before the plan is agreed.",
                 "The template is available here and in the annex, with worked examples for each duty.",
                 "See the plan as a shared commitment, and ask partners for more information about their needs."):
        assert ex.usable(Sentence(text=line, chunk=c, context=""))
    ans = corpus_service.ask("What does NHS England expect around research in the JFP?")
    assert ans.citations and not any("@" in cit.quote for cit in ans.citations)


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_citation_quotes_its_chunk_verbatim(corpus_service, question):
    ans = corpus_service.ask(question)
    assert ans.citations
    for c in ans.citations:
        assert quote_in_chunk(c.quote, corpus_service.chunk_text(c.chunk_id)), c
        assert c.title and c.source and c.doc_id == c.chunk_id.split(":")[0]
    used = {int(n) for n in re.findall(r"\[(\d+)\]", ans.answer)}
    assert used <= {c.n for c in ans.citations}


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_number_in_an_answer_is_in_a_cited_chunk(corpus_service, question):
    ans = corpus_service.ask(question)
    cited = [corpus_service.chunk_text(c.chunk_id) for c in ans.citations]
    assert not uncited_numbers(re.sub(r"\[\d+\]", "", ans.answer), cited)


def test_answers_stay_concise(corpus_service):
    ans = corpus_service.ask("What should we include on workforce?")
    words = [w for w in re.sub(r"\[\d+\]", "", ans.answer).split() if re.search(r"\w", w)]  # bullets are not words
    assert len(words) <= 260


@pytest.mark.parametrize("question", [
    "Who won the 1966 World Cup?",
    "What is the maximum daily dose of paracetamol for an adult?",
    "Can you help me fix a KeyError in my pandas dataframe merge?",
    "What is the ICB's capital budget for 2031/32?",
    "Who is the chief executive of Lancashire and South Cumbria ICB?",
    # Cornwall's paper quotes only the national capital top-up ("£300 million nationally")
    "How much is Cornwall's capital allocation?",
])
def test_clearly_out_of_scope_questions_abstain_with_closest_material(corpus_service, question):
    ans = corpus_service.ask(question)
    assert ans.abstained
    assert "do not answer" in ans.answer
    for c in ans.citations:  # the closest material is still quoted verbatim
        assert quote_in_chunk(c.quote, corpus_service.chunk_text(c.chunk_id))


def test_in_scope_question_is_answered_not_abstained(corpus_service):
    assert not corpus_service.ask("What must the joint forward plan say about climate change?").abstained


def test_follow_up_retrieves_for_the_previous_turn_too(corpus_service):
    first = "What must the plan say about reducing health inequalities?"
    ans = corpus_service.ask("and for children?", history=[first])
    assert {"children_young_people", "inequalities"} <= set(ans.duty_ids)
    top = [r.chunk for r in ans.retrieved[:5]]
    assert any("children_young_people" in c.duty_ids for c in top)
    alone = corpus_service.ask("and for children?")
    assert "inequalities" not in alone.duty_ids


def test_question_validation_gives_plain_errors(corpus_service):
    from assistant.errors import InputError

    for bad in ["", "   ", "?!?!", "x" * 5000]:
        with pytest.raises(InputError):
            corpus_service.ask(bad)


def test_unknown_duty_filter_is_a_clear_error(corpus_service):
    from assistant.errors import UnknownDutyError

    with pytest.raises(UnknownDutyError):
        corpus_service.ask("What about net zero?", duty="net_zero")


def test_requirements_lead_unless_the_question_is_about_an_icbs_own_papers():
    from assistant.extractive import national_first

    assert national_first("What must the plan say about climate change?")
    assert not national_first("What must the plan say about climate change?", names_local=True)
    assert not national_first("What does the annex say we must do on climate change?")
    assert not national_first("What did the board decide about the timetable?")  # not about requirements


@pytest.mark.parametrize("question, first", [
    ("Is there a legal minimum for the integration section?", "There is no current specific or defined legal minimum"),
    ("What are the three principles of the JFP?", "The three principles describing the JFP"),
])
def test_the_unit_closest_to_the_question_leads_the_answer(corpus_service, question, first):
    # before, "must" sentences about involving the HWBs and the annual refresh came first, and the
    # three principles were the tenth point
    ans = corpus_service.ask(question)
    assert not ans.abstained and ans.citations[0].quote.startswith(first)
    assert ans.answer.startswith(f"- {first}")


def test_the_answer_leads_with_what_answers_the_question_not_with_the_anchor_passage(corpus_service):
    # the answer used to quote its anchor passage first, in its own order; "From 1 July 2022, all 42
    # integrated care systems ... became legal entities" opened this one
    ans = corpus_service.ask("How should the plan reflect the joint local health and wellbeing strategy?")
    assert ans.citations[0].quote.startswith("Systems are encouraged to use the JFP to develop a shared delivery plan")


@pytest.mark.parametrize("question", [
    "What does the guidance expect us to say about patient choice?",
    "Who has to be consulted on the draft JFP?",
    "What should the plan say about research?",
    "How should we involve the public?",
    "What should the JFP say about estates?",
])
def test_an_answer_does_not_open_with_a_pronoun_or_a_list_item_cut_from_its_lead_in(corpus_service, question):
    from assistant.extractive import _LEANING

    ans = corpus_service.ask(question)
    assert not ans.abstained
    assert not _LEANING.match(ans.citations[0].quote), ans.answer.splitlines()[0]


def test_confidence_is_the_closest_candidate_picked_or_not(corpus_service):
    """Whether the sources hold something close to the question does not depend on which close units
    the word budget and the redundancy penalty let into the answer."""
    question = "What must the plan say about climate change?"
    ans = corpus_service.ask(question)
    ex = corpus_service.answers.extractive
    qv = corpus_service.embedder.embed_query(question)
    choice = ex.choose(question, list(ans.retrieved), qv)
    cands = ex.candidates(list(ans.retrieved), question)
    sims = ex.sentence_vectors([s for s, _ in cands]) @ qv
    assert choice.closest == pytest.approx(float(sims.max()), abs=1e-6)
    assert choice.closest >= max(p.relevance for p in choice.picks)
    # only the picked units: the closest of them, as before
    builder = corpus_service.answers
    few = choice.picks[-1:]
    assert builder.evidence(few, list(ans.retrieved)).best_sentence == pytest.approx(few[0].relevance)
    assert builder.evidence(few, list(ans.retrieved), choice.closest).best_sentence == pytest.approx(choice.closest)


def test_acronyms_most_chunks_use_are_everyday_words_and_rare_ones_are_not():
    from assistant.glossary import everyday_acronyms, expand
    from assistant.terms import TermWeights

    texts = [f"The JFP sets out priority {i} for the ICB." for i in range(19)] + ["Work with the AHSN on innovation."]
    everyday = everyday_acronyms(TermWeights(texts))
    assert {"jfp", "icb"} <= everyday and "ahsn" not in everyday
    assert everyday_acronyms(TermWeights([])) == frozenset()
    question = "What should the JFP say about the AHSN?"
    assert expand(question, skip=everyday) == f"{question} (academic health science network)"
    assert "joint forward plan" in expand(question)


def test_sentences_are_matched_against_the_question_without_everyday_long_forms(corpus_service):
    """"JFP" and "ICB" are on most pages of the shipped library; their long forms pull the question's
    embedding towards the plan in general. BM25 still gets them; the sentence vector does not."""
    everyday = corpus_service.retriever.everyday_acronyms()
    assert {"jfp", "icb"} <= everyday and not {"ahsn", "hwb", "cqc"} & everyday
    question = "How do we describe how our ICS is going to mature over the five years?"
    ans = corpus_service.ask(question)
    assert not ans.abstained
    # the guidance's section on system development leads, not a blog's "we will support ICS leaders"
    assert ans.citations[0].section.endswith("System development"), ans.citations[0]
    assert ans.confidence is not None and ans.confidence >= corpus_service.answers.threshold


def test_the_vector_search_reads_the_question_with_and_without_everyday_long_forms(corpus_service):
    question = "What should the JFP say about urgent and emergency care recovery?"
    query = corpus_service.question_query(question)
    assert query.text == question  # "JFP" is everyday: BM25 and the answerer read it as asked
    plain = corpus_service.embedder.embed_query(question)
    full = corpus_service.embedder.embed_query(corpus_service.expand(question))
    assert np.allclose(query.sentence_vector, plain, atol=1e-6)
    w = corpus_service.retriever.config.as_asked_weight
    assert 0 < w < 1
    mean = (w * plain + (1 - w) * full) / np.linalg.norm(w * plain + (1 - w) * full)
    assert np.allclose(query.vector, mean, atol=1e-6) and abs(float(np.linalg.norm(query.vector)) - 1) < 1e-5
    # spelled out in full, the question had landed on what a joint forward plan is; now the NHS England
    # objectives for urgent and emergency care (appendix 3 of the Cornwall paper) are quoted
    ans = corpus_service.ask(question)
    assert any("76% of patients are seen within 4 hours" in c.quote for c in ans.citations), ans.answer
    # a question with no everyday acronym reads one phrasing
    rare = corpus_service.question_query("How can AHSNs help with innovation?")
    assert rare.text.endswith("(academic health science networks)")
    assert np.array_equal(rare.vector, rare.sentence_vector)


def test_items_of_a_long_list_are_quoted_under_the_lists_lead_in(corpus_service):
    # the items used to stand alone ("develop an evidence-based, system-wide approach ..."), without
    # the lead-in that says who "may wish to" do them
    ans = corpus_service.ask("What should we include on workforce?")
    lines = ans.answer.splitlines()
    assert lines[0] == "- In their JFPs, ICBs and their partner trusts may wish to address how they will: [1]"
    items = [line for line in lines[1:] if line.startswith("  - ")]
    assert len(items) >= 3 and lines[1:len(items) + 1] == items  # together, straight under it
    lead, first = ans.citations[0], ans.citations[1]
    assert lead.quote.endswith("how they will:") and lead.chunk_id == first.chunk_id
    for c in ans.citations:
        assert c.quote in corpus_service.chunk_text(c.chunk_id)


def test_a_question_about_a_whole_named_document_is_answered_from_it_not_refused(corpus_service):
    from assistant.overview import asks_for_overview

    names = corpus_service.retriever.corpus.document_names
    assert asks_for_overview("What does the Arden & GEM blog recommend?", names, 1)
    assert asks_for_overview("Summarise Cornwall's board paper", names, 1)
    # a subject besides the name is a question about that subject, answered the usual way
    assert not asks_for_overview("What did Cornwall's board say about the publication date?", names, 1)
    assert not asks_for_overview("What does the blog recommend?", names, 0)  # no document named
    assert not asks_for_overview("What do Cornwall and Lancashire say?", names, 2)
    blog = next(d for d in corpus_service.sources() if d.publisher.startswith("NHS Arden"))
    ans = corpus_service.ask("What does the Arden & GEM blog recommend?")
    assert not ans.abstained, ans.answer  # it abstained (confidence 0.31) before
    assert ans.citations and {c.doc_id for c in ans.citations} == {blog.doc_id}
    # a document's own title printed on it is not one of its points
    briefing = next(d for d in corpus_service.sources() if d.publisher == "NHS Confederation")
    ans = corpus_service.ask("What does the NHS Confederation briefing say?")
    assert not ans.abstained and {c.doc_id for c in ans.citations} == {briefing.doc_id}
    assert all(c.quote.rstrip(".") != briefing.title for c in ans.citations), [c.quote for c in ans.citations]
    # out-of-scope questions still abstain
    assert corpus_service.ask("What does the Arden & GEM blog say about the football results?").abstained


def test_a_follow_up_is_answered_on_what_it_adds(corpus_service):
    # "and for children?" after climate change had been answered on climate change alone, children
    # coming in at the ninth line: the turn before set the topic and the follow-up only added a word
    ans = corpus_service.ask("and for children?", history=["What must the plan say about climate change?"])
    assert {"children_young_people", "climate_change"} <= set(ans.duty_ids)
    top = [r.chunk for r in ans.retrieved[:3]]
    assert any("children_young_people" in c.duty_ids for c in top), [c.section for c in top]
    first_lines = " ".join(ans.answer.splitlines()[:3]).lower()
    assert "children" in first_lines, ans.answer


def test_an_unknown_document_or_kind_filter_is_a_clear_error_not_an_empty_answer(corpus_service):
    from assistant.errors import InputError

    with pytest.raises(InputError, match="jfp sources"):
        corpus_service.ask("What must the plan say about climate change?", doc_id="nonsense")
    with pytest.raises(InputError, match="guidance"):  # the message lists the kinds there are
        corpus_service.ask("What must the plan say about climate change?", kind="nonsense")
    # the start of an id, as a narrow 'jfp sources' table once showed it ("8184f204…"), names its document
    doc = next(d.doc_id for d in corpus_service.sources() if d.kind == "guidance")
    for given in (doc, doc[:8], doc[:8] + "…"):
        ans = corpus_service.ask("What must the plan say about climate change?", doc_id=given)
        assert not ans.abstained and {c.doc_id for c in ans.citations} == {doc}
