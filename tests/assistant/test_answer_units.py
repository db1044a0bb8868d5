"""What the extractive answer may quote: short lists whole, with their lead-in; sentences cut at a
semicolon or a line break put back together; every unit a verbatim span of its chunk."""

from __future__ import annotations

import re

import pytest

from assistant.chunk_sentences import answer_units, sentences_of
from assistant.citations import quote_in_chunk
from assistant.extractive import ExtractiveAnswerer, Selection, asks_for_contents, asks_when, gives_time
from assistant.types import Chunk, ScoredChunk
from eval.metrics import faithfulness, keypoint_coverage
from ingest.chunking import split_sentences

PRIORITIES = (
    "ICBs are encouraged to describe how they will address the five strategic priorities. The five priorities are:\n"
    "1. Restore NHS services inclusively.\n"
    "2. Mitigate against digital exclusion.\n"
    "3. Ensure datasets are complete and timely.\n"
    "4. Accelerate preventative programmes that engage those at greatest risk.\n"
    "5. Strengthen leadership and accountability.\n"
    "A dedicated health inequalities plan will support ICBs in fulfilling their duties."
)


def chunk(text: str, section: str = "Duty to reduce inequalities") -> Chunk:
    return Chunk(chunk_id="d:00001", doc_id="d", title="Guidance", source="guidance.md", kind="guidance", page=3,
                 section=section, duty_ids=(), text=text, n_tokens=len(text.split()), content_hash="h")


@pytest.fixture
def answerer(corpus_service) -> ExtractiveAnswerer:
    return corpus_service.answers.extractive


def configured(answerer: ExtractiveAnswerer, **changes) -> ExtractiveAnswerer:
    """A copy of the shipped answerer with some of its settings changed (``ExtractiveConfig``)."""
    import copy
    from dataclasses import replace

    changed = copy.copy(answerer)
    changed.config = replace(answerer.config, **changes)
    return changed


def test_a_short_list_is_one_unit_with_its_lead_in_and_every_item():
    c = chunk(PRIORITIES)
    units = answer_units(c)
    lists = [u for u in units if u.lines]
    assert len(lists) == 1
    lead, *items = lists[0].lines
    assert lead == "The five priorities are:"
    assert items[0] == "Restore NHS services inclusively." and items[-1] == "Strengthen leadership and accountability."
    assert len(items) == 5
    # the unit is a verbatim span of the chunk, so its citation quote is valid
    assert lists[0].text in c.text and quote_in_chunk(lists[0].text, c.text)
    # the sentences around the list are still there, once each, in reading order
    texts = [u.text for u in units]
    assert texts[0].startswith("ICBs are encouraged") and texts[-1].startswith("A dedicated health inequalities plan")
    assert len(units) == 3
    assert not any(item.rstrip(".") in t for item in items for t in texts if t != lists[0].text)
    assert [u.position for u in units] == list(range(len(units)))


def test_a_long_list_is_not_quoted_whole():
    items = "\n".join(f"- item {i} " + "word " * 20 for i in range(6))
    c = chunk(f"The plan should cover:\n{items}")
    assert not [u for u in answer_units(c) if u.lines]
    assert [u.text for u in answer_units(c)] == [s.text for s in sentences_of(c)]
    # each item is quoted alone, and knows the lead-in the answer quotes above it
    assert [u.lead for u in answer_units(c)] == ["The plan should cover:"] * 6


LONG_LIST = ("Workforce matters. In their JFPs, ICBs and their partner trusts may wish to address how they will:\n"
             "develop an evidence-based, system-wide approach to workforce planning that is closely aligned to finance "
             "and activity planning, so that every partner plans from one picture of demand\n"
             "adopt the common NHS standards on leadership behaviours, competence and pay across every employer in "
             "the system, and report on how far each organisation has got with them\n"
             "develop a system-wide approach to recruitment, retention, and deployment, informed by joined-up "
             "workforce planning and by what staff say about working in the system\n"
             "The JFP provides an opportunity to plan for how the ICB will work with partners in adult social care.")


def test_items_of_a_long_list_typed_without_bullets_know_their_lead_in():
    units = answer_units(chunk(LONG_LIST))
    lead = "In their JFPs, ICBs and their partner trusts may wish to address how they will:"
    assert [u.lead for u in units if u.text.startswith(("develop", "adopt"))] == [lead] * 3
    assert not [u for u in units if u.lead and not u.text.startswith(("develop", "adopt"))]


def test_items_of_a_long_list_are_quoted_under_its_lead_in_which_is_cited_too(answerer):
    c = chunk(LONG_LIST)
    units = answer_units(c)
    items = [u for u in units if u.lead]
    other = next(u for u in units if u.text.startswith("The JFP provides"))
    text, citations = answerer.compose([Selection(items[0], 0.9), Selection(items[2], 0.8), Selection(other, 0.7)])
    lines = text.splitlines()
    assert lines[0] == "- In their JFPs, ICBs and their partner trusts may wish to address how they will: [1]"
    assert lines[1].startswith("  - develop an evidence-based") and lines[1].endswith("[2]")
    assert lines[2].startswith("  - develop a system-wide approach") and lines[2].endswith("[3]")  # one lead-in for both
    assert lines[3].startswith("- The JFP provides") and lines[3].endswith("[4]")
    assert [q.quote for q in citations] == [items[0].lead, items[0].text, items[2].text, other.text]
    assert all(quote_in_chunk(q.quote, c.text) for q in citations)
    assert faithfulness(text, {n: c.text for n in range(1, 5)}) == 1.0



# as in the national guidance's climate change section: the fourth item illustrates the third
EXAMPLES = ("Climate change matters to every system. This could include setting out plans to:\n"
            "- deliver against key national targets (and interim 80% carbon reduction goals) for the NHS Carbon "
            "Footprint and NHS Carbon Footprint Plus\n"
            "- engage and develop the system-wide workforce, across both health and care, in defining and delivering "
            "carbon reduction initiatives and broader sustainability goals, where appropriate\n"
            "- work with system partners to tackle the carbon emissions that arise from travel and transport "
            "associated with each organisation\n"
            "- for example, by improving local public transport links to NHS sites, investing and only purchasing "
            "ultra-low emission and zero-emission vehicles for owned and leased fleets\n"
            "- embed net zero principles across all clinical services, considering where carbon reduction "
            "opportunities may exist\n"
            "Green plans are refreshed every three years and reviewed by each board.")


@pytest.mark.parametrize("strategy, opening", [("anchored", "for example, by"), ("scattered", "for example, by"),
                                               ("scattered", "e.g. by")])
def test_an_example_in_a_list_is_quoted_only_under_the_item_it_illustrates(answerer, strategy, opening):
    # the example is the closest unit to the question; alone under the lead-in, "for example, by
    # improving local public transport links" would read as an example of whatever item was quoted above
    text = EXAMPLES.replace("for example, by", opening)
    c = chunk(text, section="Duty as to climate change")
    units = answer_units(c)
    example = next(u for u in units if u.text.startswith(opening))
    illustrated = next(u for u in units if u.text.startswith("work with system partners"))
    assert example.lead and example.lead == illustrated.lead
    found = [ScoredChunk(chunk=c, score=1.0, rank=1)]
    question = "Should we buy zero-emission vehicles for our fleets and improve public transport links to NHS sites?"
    cramped = configured(answerer, strategy=strategy)
    for budget in (250, 80, 60):
        texts = [p.sentence.text for p in cramped.select(question, found, max_words=budget)]
        if example.text in texts:
            at = texts.index(example.text)
            assert at > 0 and texts[at - 1] == illustrated.text, (budget, texts)
        if budget == 250:
            assert example.text in texts  # the answer quotes it, with its item
    # when the item above it cannot be quoted (too short to stand as a unit), nor can the example
    bare = chunk(text.replace(illustrated.text, "cut travel emissions"), section="Duty as to climate change")
    texts = [p.sentence.text for p in cramped.select(question, [ScoredChunk(chunk=bare, score=1.0, rank=1)])]
    assert texts and example.text not in texts


# as in the national guidance's population health management section, its sub-bullet lost at loading:
# "these platforms" are the single analytical platform of the item before
NESTED = ("In their JFPs, ICBs and their partner trusts may wish to address how they are adopting the core set of "
          "design principles and capabilities for PHM, including:\n"
          "- ensuring that local ICS and place-based decision-making forums, as well as integrated neighbourhood "
          "teams, have the data they need\n"
          "- plans for the development of an ICS-wide intelligence function underpinned by a single analytical "
          "platform which enables population segmentation and risk stratification\n"
          "- these platforms should form part of the national whole to ensure we can create a learning health system\n"
          "- plans for integrated, person-level linked data across health, care and increasingly wider partners\n"
          "Support continues to be available through the online PHM Academy.")


def test_an_item_opening_on_what_the_item_before_named_is_quoted_only_under_it(answerer):
    # "these platforms should form part of the national whole" is the closest unit to the question;
    # quoted alone under the lead-in it would read as one of the design principles
    c = chunk(NESTED, section="Population health management")
    units = answer_units(c)
    these = next(u for u in units if u.text.startswith("these platforms"))
    named = next(u for u in units if u.text.startswith("plans for the development of an ICS-wide"))
    assert these.lead and these.lead == named.lead
    found = [ScoredChunk(chunk=c, score=1.0, rank=1)]
    question = "Should our platforms be part of the national whole, a learning health system?"
    for strategy in ("anchored", "scattered"):
        cramped = configured(answerer, strategy=strategy)
        quoted = False
        for budget in (250, 90, 60):
            texts = [p.sentence.text for p in cramped.select(question, found, max_words=budget)]
            if these.text in texts:
                quoted = True
                at = texts.index(these.text)
                assert at > 0 and texts[at - 1] == named.text, (strategy, budget, texts)
        assert quoted, strategy  # with room, the answer quotes it, under its item


def test_a_sub_item_whose_list_was_not_seen_is_never_quoted_alone(answerer):
    # as the national guidance's public involvement list reaches the index: a chunk opens on the
    # sub-item of an item the chunk before holds, so "this" is whatever the answer quoted above it
    opening = chunk("this must inform actions to build connections and networks that enable greater input by "
                    "people who experience the greatest health inequalities.\n"
                    "Alternatively, the ICB's engagement strategy can be referenced in the JFP as setting out the "
                    "approach to public involvement.", section="Duty to involve the public")
    question = "How should we build networks that enable greater input by people who experience health inequalities?"
    dangling = answer_units(opening)[0]
    assert dangling.text.startswith("this must inform") and not dangling.lead
    texts = [p.sentence.text for p in answerer.select(question, [ScoredChunk(chunk=opening, score=1.0, rank=1)])]
    assert texts and dangling.text not in texts
    # under the item it leans on, quoted for itself, it stands where it belongs
    whole = chunk("how the ICB will assess the diversity and inclusivity of its work with people who experience "
                  "the greatest health inequalities\n" + opening.text, section="Duty to involve the public")
    texts = [p.sentence.text for p in answerer.select(question, [ScoredChunk(chunk=whole, score=1.0, rank=1)])]
    assert dangling.text in texts and texts.index(dangling.text) > 0, texts
    assert texts[texts.index(dangling.text) - 1].startswith("how the ICB will assess"), texts


# as the Cornwall board paper's appendix 2 reaches the index: one passage holds several duties' rows
DUTY_ROWS = ("Duty in respect of research Set out how the ICB will facilitate and promote research, and systematically "
             "use evidence from research when exercising its functions.\n"
             "This could include considering research when commissioning and recognising the research workforce in "
             "workforce planning.\n"
             "Duty as to climate change, etc. The plan should describe how the ICB and its partner trusts will deliver "
             "against the targets and actions in Delivering a Net Zero NHS, including through aligning the JFP with "
             "existing green plans.\n"
             "Addressing the particular needs of children and young people\n"
             "The plan must set out any steps that the ICB proposes to take to address the particular needs of children "
             "and young persons under the age of 25.")


def test_a_table_row_of_another_duty_does_not_open_the_answer(answerer):
    # "What must the plan include on climate change?" asked of this table alone (``--doc``): the
    # research row reads as a requirement and sits first, but the climate row is the answer
    c = chunk(DUTY_ROWS, section="Appendix 2: Joint Forward Plan legislative requirements")
    found = [ScoredChunk(chunk=c, score=1.0, rank=1)]
    question = "What must the plan include on climate change?"
    picks = [p.sentence.text for p in answerer.select(question, found, duties=("climate_change",))]
    assert picks and "Net Zero NHS" in picks[0], picks
    # asked about research, the research row leads
    picks = [p.sentence.text for p in answerer.select("What must the plan include on research?", found,
                                                       duties=("research",))]
    assert picks and "research" in picks[0], picks


# the shapes legal and board-paper text gives its lists, as the shipped PDFs come out of pypdf
ROMAN = ("NHS England, ICBs and their partner NHS trusts and foundation trusts must have regard to the effects of "
         "their decision-making on three aspects:\n"
         "i. The health and wellbeing of the people of England.\n"
         "ii. The quality of services provided.\n"
         "iii. The efficiency and sustainability of use of resources both for local systems and for the wider NHS.\n"
         "As part of this, organisations must consider the effects of their decision-making on inequalities.")
RUN_ON = ("JFPs must set out how ICBs intend to discharge their duty to obtain appropriate advice from persons who "
          "(taken together) have a broad range of professional expertise in\n"
          "a. the prevention, diagnosis or treatment of illness, and:\n"
          "b. the protection or improvement of public health.\n"
          "The JFP provides an opportunity to set out how the ICB will seek any expert advice they require.")
DASH = ("Each ICB must, in exercising its functions, have regard to the need to\u2014\n"
        "(a) reduce inequalities between persons with respect to their ability to access health services, and\n"
        "(b) reduce inequalities between patients with respect to the outcomes achieved for them.\n"
        "The plan should say how it will do both.")
ROW = ("Duty to have regard to wider effect of decisions | In developing our Joint Forward Plan, we have taken full "
       "account of the NHS triple aims:\n"
       "(a) health and wellbeing of the people of England\n"
       "(b) quality of healthcare services (including reducing inequalities)\n"
       "(c) sustainable and efficient use of resources by NHS bodies.\n"
       "The JFP references the triple-aim and the strategic priorities map directly to these aims.")


@pytest.mark.parametrize("text, lead, n_items", [
    (ROMAN, "NHS England, ICBs and their partner NHS trusts and foundation trusts must have regard to the effects of "
            "their decision-making on three aspects:", 3),
    (RUN_ON, "JFPs must set out how ICBs intend to discharge their duty to obtain appropriate advice from persons who "
             "(taken together) have a broad range of professional expertise in", 2),
    (DASH, "Each ICB must, in exercising its functions, have regard to the need to\u2014", 2),
    (ROW, "In developing our Joint Forward Plan, we have taken full account of the NHS triple aims:", 3),
])
def test_a_lettered_or_roman_numbered_list_is_quoted_whole_with_its_lead_in(answerer, text, lead, n_items):
    """Numbered "i. ii. iii.", lettered after a lead-in that runs on into its items ("expertise in" /
    "a. the prevention ..."), after a dash, or in a table row's last cell: each item alone is a
    fragment ("The quality of services provided." is too short to quote), the list with its lead-in is
    the requirement."""
    c = chunk(text)
    lists = [u for u in answer_units(c) if u.lines]
    assert len(lists) == 1
    assert lists[0].lines[0] == lead and len(lists[0].lines) == 1 + n_items
    # the items are quoted without their numbers or letters
    assert not any(re.match(r"\(?[a-z]{1,3}[.)] ", x) for x in lists[0].lines[1:])
    assert quote_in_chunk(lists[0].text, c.text) and answerer.usable(lists[0])
    # the sentence after the list is a unit of its own, not an item
    assert answer_units(c)[-1].text == text.splitlines()[-1] and not answer_units(c)[-1].lines


def test_a_line_ending_mid_sentence_before_prose_is_no_lead_in():
    c = chunk("The plan was agreed in\nMarch by the board.\nIt is published on the website.")
    assert not [u for u in answer_units(c) if u.lines or u.lead]


def test_a_list_of_table_rows_or_of_one_item_is_not_a_block():
    assert not [u for u in answer_units(chunk("Requirement:\nDuty | How the plan meets it\nQuality | Priority four")) if u.lines]
    assert not [u for u in answer_units(chunk("The plan must cover one thing:\nthe duty to reduce inequalities")) if u.lines]


def test_a_sentence_cut_at_a_semicolon_is_put_back_together(answerer):
    text = ("ICBs will be expected to work with their ICPs; primary care partners; local authorities; the voluntary "
            "sector; NHS collaboratives, networks and alliances; and people and communities in the development of the JFP.")
    c = chunk(text, section="Background")
    assert len(sentences_of(c)) == 2  # the splitter cuts before "NHS collaboratives"
    (unit,) = answer_units(c)
    assert unit.text == text and quote_in_chunk(unit.text, c.text)
    line, _ = answerer.compose([Selection(unit, 0.9)])
    assert line == f"- {text} [1]"  # one sentence in English: one marker, not one after "sector;"


def test_a_colon_inside_brackets_does_not_end_the_sentence():
    text = ("The Life Sciences Vision and National Clinical Research Vision (Saving and Improving Lives: The Future "
            "of UK Clinical Research Delivery) set out a commitment to research. ICBs: Must act.")
    units = [u.text for u in answer_units(chunk(text))]
    assert units[0].startswith("The Life Sciences Vision") and units[0].endswith("commitment to research.")
    assert split_sentences(text)[1:] == ["ICBs:", "Must act."]  # outside brackets a colon still ends one
    # a bracket that never closes does not swallow the rest of the text
    assert split_sentences("See (note: Part one. Part two.") == ["See (note:", "Part one.", "Part two."]


def test_an_abbreviation_does_not_end_the_sentence(answerer):
    # the NHS Confederation briefing's deadline, which was quoted as "... financial year – i.e." with
    # the date lost
    text = ("ICBs and their partner trusts must review the JFP and either update or confirm it annually before the "
            "start of each financial year – i.e. 1 April. ICBs will also be required to prepare a capital plan.")
    units = [u.text for u in answer_units(chunk(text))]
    assert units[0].endswith("– i.e. 1 April.") and units[1].startswith("ICBs will also")
    line, _ = answerer.compose([Selection(answer_units(chunk(text))[0], 0.9)])
    assert line.endswith("i.e. 1 April. [1]") and line.count("[1]") == 1
    assert split_sentences("Partners (e.g. NHS England) agree. See para. 4 and No. 10. Then act.") == [
        "Partners (e.g. NHS England) agree.", "See para. 4 and No. 10.", "Then act."]
    # a sentence that does end in "no." or "etc." still ends there
    assert split_sentences("We said no. Then we left.") == ["We said no.", "Then we left."]
    assert split_sentences("Duty as to climate change, etc. The plan should describe it.") == [
        "Duty as to climate change, etc.", "The plan should describe it."]


def test_a_footnote_marker_after_a_full_stop_ends_the_sentence_and_is_not_quoted(answerer):
    # the supporting materials' "<sup>3</sup>" once the tag is dropped, as a PDF's text gives it too
    text = ("JFPs must set out how ICBs intend to discharge their duty in relation to education and training.3 "
            "The JFP provides an opportunity to articulate how education and training plans relate to workforce plans.")
    units = [u.text for u in answer_units(chunk(text))]
    # the marker is not quoted: no stray digit in the answer, and the quote is still a verbatim span
    assert units == ["JFPs must set out how ICBs intend to discharge their duty in relation to education and training.",
                     "The JFP provides an opportunity to articulate how education and training plans relate to "
                     "workforce plans."]
    assert all(quote_in_chunk(u, text) for u in units)
    line, citations = answerer.compose([Selection(answer_units(chunk(text))[0], 0.9)])
    assert line == "- JFPs must set out how ICBs intend to discharge their duty in relation to education and training. [1]"
    assert citations[0].quote.endswith("education and training.")
    # nor at the end of a list quoted whole, nor after a closing quotation mark
    listed = ("The ICB should set out how it will:\n- secure expert advice as part of a clear strategy\n"
              "- involve clinical leaders in system-wide strategy development and implementation.2")
    (unit,) = [u for u in answer_units(chunk(listed)) if u.lines]
    assert unit.lines[-1] == "involve clinical leaders in system-wide strategy development and implementation."
    assert unit.text.endswith("implementation.") and unit.text in listed
    quoted = 'The Act says the board "must have regard to the strategy."4'
    assert answer_units(chunk(quoted))[0].text == 'The Act says the board "must have regard to the strategy."'
    # a figure that ends a sentence is kept: only a marker glued to a word's full stop is dropped
    assert answer_units(chunk("The target for the system is set out in table 2.1"))[0].text.endswith("table 2.1")
    # a number that is not a footnote marker does not end one
    assert split_sentences("Upgrade to version 2.1 The next release follows.") == ["Upgrade to version 2.1 The next release follows."]
    assert split_sentences("Costs rose by 4.5 Trusts said so.") == ["Costs rose by 4.5 Trusts said so."]


def test_an_answer_line_drops_footnote_numbers_and_tick_cells_and_the_quote_stays_verbatim(answerer):
    # a footnote number glued inside a sentence (the national guidance's "standards,5"; Cornwall's
    # "requirement1"), and a row of a scoring grid whose cells are ticks and question marks
    text = ("Partners should develop shared values and common standards,5 ensuring these are part of an induction. "
            "The statutory requirement1 is that the ICB and its partner trusts publish a plan.\n"
            "25% reduction in outpatient follow ups by March 2025 ✓ ✓ ✓ ?")
    units = answer_units(chunk(text))
    lines, citations = answerer.compose([Selection(u, 0.9) for u in units])
    assert lines.split("\n") == [
        "- Partners should develop shared values and common standards, ensuring these are part of an induction. [1]",
        "- The statutory requirement is that the ICB and its partner trusts publish a plan. [2]",
        "- 25% reduction in outpatient follow ups by March 2025 [3]"]
    assert [c.quote for c in citations] == [u.text for u in units]
    assert "standards,5" in citations[0].quote and citations[2].quote.endswith("✓ ✓ ✓ ?")
    assert all(quote_in_chunk(c.quote, text) for c in citations)
    # figures that are not footnotes stay: years, programme names, section numbers, a lone question mark
    kept = "By 2023/24 the Core20PLUS5 work under section 14Z36 covers 12 sites: is that enough ?"
    line, _ = answerer.compose([Selection(answer_units(chunk(kept))[0], 0.9)])
    assert line == f"- {kept} [1]"


def test_a_sentence_that_closes_a_quotation_ends_there():
    # the supporting materials quote the Act, then go on: one unit of 87 words before
    text = ("“Each integrated care board must, in exercising its functions, have regard to the need to promote "
            "education and training.” Specifically this means the plan should describe the training pipeline.")
    assert split_sentences(text) == [
        "“Each integrated care board must, in exercising its functions, have regard to the need to promote "
        "education and training.”", "Specifically this means the plan should describe the training pipeline."]
    assert split_sentences('They called it "the one workforce" and the name stuck.') == [
        'They called it "the one workforce" and the name stuck.']


def test_a_run_in_heading_is_quoted_with_the_sentence_it_heads(answerer):
    text = ("There are five key elements ICBs should consider in developing plans.\n\n"
            "1. Establishing a clear starting point. When assessing priorities, start by building a clear picture "
            "of what is already in place. Then agree the gaps that matter.\n\n"
            "2. Effective engagement. Clinical engagement is essential in gaining a realistic understanding of impact.")
    c = chunk(text, section="Blog")
    texts = [u.text for u in answer_units(c)]
    assert texts == [
        "There are five key elements ICBs should consider in developing plans.",
        "Establishing a clear starting point. When assessing priorities, start by building a clear picture of "
        "what is already in place.",
        "Then agree the gaps that matter.",
        "Effective engagement. Clinical engagement is essential in gaining a realistic understanding of impact.",
    ]
    assert all(quote_in_chunk(t, c.text) for t in texts)
    # the heading is what names the point: it reaches the answer, cited
    line, citations = answerer.compose([Selection(answer_units(c)[3], 0.9)])
    assert line == ("- Effective engagement. [1] Clinical engagement is essential in gaining a realistic understanding "
                    "of impact. [1]")  # every sentence marked, the heading too
    assert citations[0].quote in c.text and faithfulness(line, {1: c.text}) == 1.0
    assert keypoint_coverage(line, ["Effective engagement"]) == 1.0


@pytest.mark.parametrize("text", [
    "Effective engagement.\nClinical engagement is essential in gaining a realistic understanding of impact.",  # own line
    "- The plan sets out seven clear goals. Clinical engagement is essential in gaining an understanding.",  # long
    "1. we will act soon. Clinical engagement is essential in gaining a realistic understanding of impact.",  # not a heading
    # a label opening a line that is not a numbered or bulleted paragraph (a table row, a form field)
    "Duty as to climate change, etc. Clinical engagement is essential in gaining a realistic understanding.",
])
def test_a_sentence_that_is_not_a_run_in_heading_stands_apart(text):
    texts = [u.text for u in answer_units(chunk(text))]
    assert "Clinical engagement is essential in gaining" in " ".join(texts)
    assert all(t.startswith("Clinical engagement") for t in texts if "Clinical engagement" in t)


def test_a_sentence_cut_by_a_line_break_is_put_back_together(answerer):
    text = ("Set out how co-production is being used to redesign services and ensure they meet the\n"
            "needs of the most deprived 20% of the population and narrow health inequality gaps.\n"
            "The plan should name the lead for this work.")
    c = chunk(text)
    assert len(sentences_of(c)) == 3  # the break cuts the first sentence after "meet the"
    first, second = answer_units(c)
    assert first.text == text[: text.index(" gaps.") + len(" gaps.")] and quote_in_chunk(first.text, c.text)
    assert second.text == "The plan should name the lead for this work."
    line, citations = answerer.compose([Selection(first, 0.9)])
    assert line == ("- Set out how co-production is being used to redesign services and ensure they meet the needs of the "
                    "most deprived 20% of the population and narrow health inequality gaps. [1]")
    # the quote is the chunk's own text, line break and all (the answer line reads as one sentence)
    assert citations[0].quote == first.text and citations[0].quote in c.text


@pytest.mark.parametrize("text", [
    # "to." ends its sentence; a line in capitals starts a new one
    "Speak to anyone not listed who is important to speak to.\nthe next line is another sentence entirely.",
    "Plans should say how they will improve outcomes in line with\nCore20PLUS5 and the goals agreed across the whole system.",
    # a bulleted item is a list entry, not the rest of the line before
    "ICBs should work with partners such as\n- local authorities and the voluntary sector in each place.",
])
def test_lines_that_do_not_carry_on_a_cut_sentence_stay_apart(text):
    c = chunk(text)
    assert len(answer_units(c)) == len(sentences_of(c)) == 2


def test_a_list_answer_marks_the_lead_in_and_every_item(answerer):
    c = chunk(PRIORITIES)
    block = next(u for u in answer_units(c) if u.lines)
    text, citations = answerer.compose([Selection(block, 0.9)])
    lines = text.splitlines()
    assert lines[0] == "- The five priorities are: [1]"
    assert all(line.startswith("  - ") and line.endswith("[1]") for line in lines[1:])
    assert len(lines) == 6
    assert citations[0].quote in c.text
    assert faithfulness(text, {1: c.text}) == 1.0
    assert keypoint_coverage(text, ["Restore NHS services inclusively", "Strengthen leadership and accountability"]) == 1.0


def test_a_reading_list_is_not_used_as_an_answer(answerer):
    c = chunk("The following publications may be helpful:\nA Plan for Digital Health and Social Care\n"
              "Data saves lives\nNHS Cloud Strategy", section="Digital and data")
    block = next(u for u in answer_units(c) if u.lines)
    assert not answerer.usable(block)
    points = chunk("The plan should say how the ICB will:\nmanage cyber risks to people's records\n"
                   "open up digital access for patients", section="Digital and data")
    assert answerer.usable(next(u for u in answer_units(points) if u.lines))


def test_a_sentence_whose_last_words_point_at_the_one_before_is_not_quoted(answerer):
    # as in the Cornwall board paper: alone, "part of this" is part of nothing
    c = chunk("By functioning as an integrated care system we can align action between local partners to have a "
              "greater impact on reducing health inequalities. The Joint Forward Plan is part of this.",
              section="Main report")
    units = {u.text: u for u in answer_units(c)}
    assert not answerer.usable(units["The Joint Forward Plan is part of this."])
    assert answerer.usable(next(u for t, u in units.items() if t.startswith("By functioning")))
    # a demonstrative that names its noun says what it means
    named = chunk("The Joint Forward Plan is the delivery plan for this integrated care strategy.", section="Main report")
    assert answerer.usable(answer_units(named)[0])


def test_a_list_of_resources_found_elsewhere_is_not_used_as_an_answer(answerer):
    # the lead-in says where the documents are found, not what the plan should do
    c = chunk("These are available on the Greener NHS Knowledge Hub on FutureNHS, or available by contacting "
              "Greener NHS regional leads, and include:\nDelivering a Net Zero NHS report\n"
              "Guidance for ICSs and trusts on How to produce a Green Plan\nGreener NHS Dashboard",
              section="Climate change")
    block = next(u for u in answer_units(c) if u.lines)
    assert not answerer.usable(block)
    # "available" in a list of what the plan should do is not a reading list
    points = chunk("The plan should describe how the ICB will:\nmake services available in the evening\n"
                   "publish waiting times", section="Access")
    assert answerer.usable(next(u for u in answer_units(points) if u.lines))


@pytest.mark.parametrize(("text", "usable"), [
    # a web page's title kept as a link's text, and a table's header row: short cells, no sentence
    ("Tools and resources | Domestic violence and abuse: multi-agency working | Guidance | NICE", False),
    ("Statutory duty | What the guidance asks for | Where our plan meets it", False),
    # a row of a requirements table says something; a row of targets is data
    ("Duty as to climate change | Our Joint Forward Plan references the ICB Green Plan that the ICB and its "
     "partner trusts will use to deliver against the targets.", True),
    ("Adult general and acute bed occupancy | 92% or below | by March 2025", True),
    # the label of the next row of an ICB's table of duties, on a line of its own: no sentence
    ("Addressing the particular needs of victims of abuse", False),
    ("Implementing any joint health and wellbeing strategy", False),
    # a sentence that starts with the duty's name says something
    ("Addressing the particular needs of victims of abuse is a duty the plan must show it meets.", True),
])
def test_a_row_of_titles_is_not_quoted_as_an_answer(answerer, text, usable):
    unit = answer_units(chunk(text, section="Victims of abuse"))[0]
    assert answerer.usable(unit) is usable


@pytest.mark.parametrize(("text", "usable"), [
    ("Final report of the Ockenden review - GOV.UK (www.gov.uk); A review of the fit and proper person test "
     "(publishing.service.gov.uk)", False),
    ("Delivering a Net Zero National Health Service report (www.england.nhs.uk)", False),
    ("See the carbon reduction guidance at https://www.england.nhs.uk/greenernhs/", False),
    # names where the Code is found, then says what it does: a statement, which the next one ("The NHS
    # must comply with the Code.") needs before it
    ("The Code of Practice for Victims of Crime in England and Wales (Victim's Code) - GOV.UK (www.gov.uk) defines "
     "who is a victim of a crime and sets out their rights.", True),
])
def test_a_reference_entry_is_not_quoted_but_a_statement_naming_a_website_is(answerer, text, usable):
    unit = answer_units(chunk(text, section="Victims of abuse"))[0]
    assert answerer.usable(unit) is usable


def test_the_answer_quotes_a_list_whole_when_the_question_asks_for_it(corpus_service):
    a = corpus_service.ask("List the strategic priorities for healthcare inequalities improvement.")
    assert not a.abstained
    listed = [c for c in a.citations if "Restore NHS services inclusively" in c.quote]
    assert listed, a.answer
    assert "Strengthen leadership and accountability" in listed[0].quote
    for cite in a.citations:
        assert quote_in_chunk(cite.quote, corpus_service.chunk_text(cite.chunk_id))


def test_the_checks_guidance_cache_is_rebuilt_when_indexing_or_retrieval_changes(monkeypatch):
    """The cached requirement vectors depend on how the documents were indexed, not only on the lookup."""
    from types import SimpleNamespace

    import assistant.coverage_guidance as cg
    import ingest.pipeline
    from assistant.duties import all_duties
    from assistant.types import DocumentRecord

    service = SimpleNamespace(embedder=SimpleNamespace(name="model"))
    docs = [DocumentRecord(doc_id="d", title="T", source="t.md", kind="guidance", pages=None, chunks=1, content_hash="h")]
    before = cg._key(service, docs, all_duties())
    assert cg._key(service, docs, all_duties()) == before
    monkeypatch.setattr(ingest.pipeline, "PIPELINE_VERSION", "changed")
    assert cg._key(service, docs, all_duties()) != before


def test_an_item_of_a_long_bulleted_list_is_embedded_after_the_lists_lead_in():
    items = "\n".join(f"- deliver item {i} " + "word " * 20 for i in range(6))
    c = chunk(f"The plan should say how they will:\n{items}\nA closing sentence with nothing to do with it.",
              section="Duty as to climate change")
    units = answer_units(c)
    listed = [u for u in units if u.text.startswith("deliver item")]
    assert len(listed) == 6
    for u in listed:
        assert u.context == f"Duty as to climate change: The plan should say how they will: {u.text}"
        assert u.text in c.text  # what is quoted is still the item alone, verbatim
    closing = next(u for u in units if u.text.startswith("A closing sentence"))
    assert closing.context == f"Duty as to climate change: {closing.text}"  # the list has ended


def test_an_outline_of_chapters_is_quoted_only_when_the_question_asks_how_a_plan_is_structured(answerer):
    # Cornwall's appendix 8: the proposed chapters of its plan, run together on one line
    text = ("Our ambitions for what care and support will look like by 2027/28 3.1 Overview of our new model of "
            "local care (including population health management) 3.2 Person at the centre 3.3 Prevention.\n"
            "Population health management will be part of business as usual for every place partnership.")
    found = [ScoredChunk(chunk=chunk(text, section="Proposed structure of the Joint Forward Plan"), score=1.0, rank=1)]
    topic = [s.text for s, _ in answerer.candidates(found, "What does good population health management look like?")]
    assert topic == ["Population health management will be part of business as usual for every place partnership."]
    structure = [s.text for s, _ in answerer.candidates(found, "How is the plan structured - what are its chapters?")]
    assert len(structure) == 2 and structure[0].startswith("Our ambitions")


@pytest.mark.parametrize(("question", "when"), [
    ("When does the plan have to be published?", True),
    ("What are the key deadlines for the JFP?", True),
    ("How often do we have to refresh the JFP?", True),
    ("What should we include on workforce?", False),
    ("Who do we have to send the plan to?", False),
])
def test_a_question_asking_when_is_told_apart(question, when):
    assert asks_when(question) is when


@pytest.mark.parametrize(("text", "timed"), [
    ("NHS England expects a first draft by 31 March and the final plan by 30 June 2023.", True),
    ("ICBs must review the JFP annually before the start of each financial year.", True),
    ("The first year of the plan will be 2023/24.", True),
    ("The plan should describe how the ICB will work with partners.", False),
    ("We will open 26 new beds.", False),
])
def test_a_sentence_that_gives_a_date_or_frequency_is_recognised(text, timed):
    assert gives_time(text) is timed


def test_a_when_question_is_answered_with_the_dates(corpus_service):
    ans = corpus_service.ask("What are the key deadlines for the JFP?")
    assert "31 March" in ans.answer and "30 June" in ans.answer


def test_a_lists_lead_in_counts_towards_the_word_budget(answerer):
    c = chunk(LONG_LIST)
    question = "What should the plan say about workforce planning, recruitment and NHS standards?"
    for budget in (60, 90, 250):
        picks = answerer.select(question, [ScoredChunk(chunk=c, score=1.0, rank=1)], max_words=budget)
        text, _ = answerer.compose(picks)
        words = [w for w in text.split() if w != "-" and not (w.startswith("[") and w.endswith("]"))]
        assert any(p.sentence.lead for p in picks)
        assert len(words) <= budget, (budget, text)


# an ICB's table of duties (as Cornwall's appendix 2 comes out of pypdf: each row's label on its own line,
# the next duty's row straight after) ranked above the guidance's own section on the duty
TABLE = ("Duty to improve quality of services\n"
         "The plan should contain a set of quality objectives that reflect system intelligence.\n"
         "Duty to have regard to wider effect of decisions\n"
         "Articulate how the triple aim was considered in the development of the quality objectives.\n"
         "Financial duties\n"
         "Set out how the efficiency and productivity of services will be improved to enhance value for money.\n"
         "Implementing any joint health and wellbeing strategy\n"
         "The plan must set out steps the ICB will take to deliver on ambitions described in any relevant JLHWSs.")
QUALITY = ("JFPs must set out how ICBs intend to discharge their duty to continually improve the quality of care and "
           "outcomes. They provide an opportunity to set out how they will achieve this underpinned by realistic "
           "five-year quality objectives that are based on data and intelligence. Quality priorities and metrics "
           "should focus on the outcomes of effectiveness, safety and experience of care, and not just the processes "
           "of care and treatment.")


@pytest.mark.parametrize("question, duties, from_guidance", [
    ("What should the quality objectives in our plan look like, and what must they include?", ("quality",), True),
    # no duty routed, or a question about the ICB's own appendix: the anchor is the best of the top chunks
    ("What should the quality objectives in our plan look like, and what must they include?", (), False),
    ("What does appendix 2 say the quality objectives should include?", ("quality",), False),
])
def test_a_question_on_what_a_duty_requires_is_anchored_in_the_guidance(answerer, question, duties, from_guidance):
    def table(n: int) -> Chunk:
        return Chunk(chunk_id=f"icb:0000{n}", doc_id="icb", title="ICB board paper", source="board.pdf",
                     kind="icb_paper", page=9 + n, section="Appendix 2: legislative requirements",
                     duty_ids=("quality", "wider_effect", "financial", "jlhws"), text=TABLE, n_tokens=120,
                     content_hash=f"t{n}")
    guidance = Chunk(chunk_id="g:00010", doc_id="g", title="Guidance", source="guidance.pdf", kind="guidance",
                     page=12, section="Duty to improve quality of services", duty_ids=("quality",), text=QUALITY,
                     n_tokens=90, content_hash="g")
    # three copies of the table from three pages, so that the top three chunks are all the ICB's
    found = [ScoredChunk(chunk=c, score=1.0 - r / 10, rank=r) for r, c in
             enumerate([table(1), table(2), table(3), guidance], start=1)]
    picks = answerer.choose(question, found, duties=duties, max_words=80).picks
    guidance_units = [u.text for u in answer_units(guidance)]
    quoted = [p.sentence.text for p in picks]
    # the anchor passage is read in its own order from its first relevant sentence
    assert (guidance_units[0] in quoted and guidance_units[1] in quoted) == from_guidance, quoted


def test_a_list_quoted_whole_is_cited_as_the_chunk_has_it(answerer):
    c = chunk(PRIORITIES)
    picks = answerer.select("What are the five priorities for health inequalities?", [ScoredChunk(chunk=c, score=1.0, rank=1)])
    _, citations = answerer.compose(picks)
    listed = [x for x in citations if "Restore NHS services inclusively." in x.quote]
    assert listed, [x.quote for x in citations]
    for x in citations:  # verbatim as written, not with its line breaks made spaces
        assert x.quote in c.text
    assert "\n" in listed[0].quote


# the 2006 Act's list as the national guidance gives it: the second and third items name the plan the first
# introduces, the capital resource use plan, not the joint forward plan
CAPITAL = ("The amended 2006 Act sets out that an ICB and its partner NHS trusts and foundation trusts:\n"
           "- must before the start of each financial year, prepare a plan setting out their planned capital "
           "resource use\n"
           "- must publish that plan and give a copy to their integrated care partnership, Health & Well-being "
           "Boards and NHS England\n"
           "- may revise the published plan - but if they consider the changes significant, they must re-publish "
           "the whole plan\n"
           "- must report annually on the capital resource use of every trust, by category of spend and by place, "
           "to the board and to the public")


@pytest.mark.parametrize("strategy", ["anchored", "scattered"])
def test_a_list_item_that_names_the_plan_the_item_before_introduced_is_quoted_under_it(answerer, strategy):
    c = chunk(CAPITAL, section="Financial duties")
    units = answer_units(c)
    first, second, third = (next(u for u in units if u.text.startswith(p))
                            for p in ("must before the start", "must publish that plan", "may revise the published"))
    cramped = configured(answerer, strategy=strategy)
    question = "Who do we have to give a copy of the published plan to, and can we revise it?"
    for budget in (250, 40, 25):
        texts = [p.sentence.text for p in cramped.select(question, [ScoredChunk(chunk=c, score=1.0, rank=1)],
                                                           max_words=budget)]
        if budget == 250:
            assert second.text in texts and third.text in texts, texts
        for leaning, before in ((second, first), (third, second)):
            if leaning.text in texts:  # never alone, where it would read as about the joint forward plan
                at = texts.index(leaning.text)
                assert at > 0 and texts[at - 1] == before.text, (budget, texts)


WORKFORCE = ("In their JFPs, ICBs and their partner trusts may wish to address how they will:\n"
             "- develop an evidence-based, system-wide approach to workforce planning that is closely aligned to "
             "finance and activity planning\n"
             "- adopt the common NHS standards on leadership behaviours, competence and pay\n"
             "- develop shared values and common standards, ensuring these are part of an induction for all "
             "system staff\n"
             "- promote joint training and development pathways and build effective system-wide talent "
             "management practices to retain experienced staff\n"
             "- develop a system-wide approach to recruitment, retention, and deployment of the workforce\n"
             "- identify opportunities to integrate workforces to help enable the integration of services, for "
             "instance through co-location or creating collaborative, multi-professional teams")


@pytest.mark.parametrize("strategy", ["anchored", "scattered"])
def test_a_question_on_what_a_section_should_include_reads_a_long_list_in_its_order(answerer, strategy):
    c = chunk(WORKFORCE, section="Workforce")
    items = [u.text for u in answer_units(c) if u.lead]
    assert len(items) == 6  # a long list: its items are quoted one by one, under the lead-in
    found = [ScoredChunk(chunk=c, score=1.0, rank=1)]
    cramped = configured(answerer, strategy=strategy, anchor_words=0)
    broad = "What should the workforce section of the plan include on recruitment and retention?"
    assert asks_for_contents(broad)
    texts = [p.sentence.text for p in cramped.select(broad, found, max_words=70)]
    quoted = [t for t in texts if t in items]
    # the list is read from its top: the items quoted are its first ones, in order
    assert quoted and quoted == items[: len(quoted)], texts
    # a question about one thing is answered with the item that answers it
    specific = "How do we build talent management practices to retain experienced staff?"
    assert not asks_for_contents(specific)
    texts = [p.sentence.text for p in cramped.select(specific, found, max_words=70)]
    assert items[3] in texts, texts
