"""Sentences about a document rather than its subject (``assistant.discourse``), and how answers rank them."""

import pytest

from assistant.discourse import asks_about_document, describes_document

# each from the shipped corpus: they say what a document is, holds or where it came from
ABOUT_A_DOCUMENT = [
    "The guidance on HWBs had not been updated since 2013 and this document aims to bring the guidance up to "
    "date in line with the establishment of ICSs.",
    "It contains a selection of case studies to demonstrate how system partners are working together under the "
    "new ICS arrangements.",
    "It accompanies previously published statutory guidance on JSNAs and JLHWSs.",
    "The purpose of this paper is to provide an update on progress in developing the joint forward plan, and the "
    "system operating plan for 2023/24.",
    "The legislative requirements are included at appendix 2.",
    "These resources provide further recommendations and suggestions for content in relation to the statutory "
    "duties and content areas listed in tables 1 and 2 of the annex of the JFP guidance.",
    "NHS England (NHSE) has produced guidance on developing the joint forward plan.",
    "The publication focuses on the role of HWBs in enabling effective system and place-based working.",
    "Guidance on developing the plan was received 23 December.",
    "Updated 17 January 2023 and 15 May 2023.",
]
# statements of what a plan must do or say, some with the same words
ABOUT_THE_SUBJECT = [
    "It sets out a flexible framework for JFPs to build on existing system strategies and plans, in line with "
    "the principles of subsidiarity.",
    "It also includes 'honour-based' abuse, Female Genital Mutilation and forced marriage.",
    "The plan must include a statement from the Joint Health and Wellbeing Board.",
    "JFPs must set out how ICBs intend to discharge their duty to promote research.",
    "The plan should contain a set of quality objectives that reflect system intelligence.",
    "Our Joint Forward Plan sets out steps we will take to deliver on ambitions described in all of our joint "
    "local health and wellbeing strategies.",
    "The guidance suggests six principles for partners to adopt when developing relationships, including:",
    "Updated plans must be shared with each HWB by 2024.",
    "The workforce section of the plan must cover recruitment and retention.",
]


@pytest.mark.parametrize("text", ABOUT_A_DOCUMENT)
def test_a_sentence_about_a_document_is_recognised(text):
    assert describes_document(text)


@pytest.mark.parametrize("text", ABOUT_THE_SUBJECT)
def test_a_sentence_about_what_to_do_is_not_taken_for_one_about_a_document(text):
    assert not describes_document(text)


def test_a_question_about_a_document_itself_is_recognised():
    assert asks_about_document("What is the purpose of the Cornwall board paper?")
    assert asks_about_document("When was the guidance updated?")
    assert asks_about_document("What case studies does the briefing include?")
    assert not asks_about_document("When must the JFP be published?")
    assert not asks_about_document("When did the first JFP have to be published?")  # the plan, not a document
    assert not asks_about_document("What must the plan say about carers?")


def test_an_answer_opens_with_what_to_do_not_with_what_a_document_is(corpus_service):
    # the briefing's account of itself ("had not been updated since 2013", "It contains a selection of
    # case studies") had opened this answer
    ans = corpus_service.ask("What must the health and wellbeing board statement include?")
    first = ans.citations[0].quote
    assert not describes_document(first), first
    quotes = [c.quote for c in ans.citations]
    assert not any(q.startswith("It contains a selection of case studies") for q in quotes[:4]), quotes


def test_a_question_about_a_document_still_gets_its_account_of_itself(corpus_service):
    ans = corpus_service.ask("What is the purpose of the Cornwall board paper?")
    assert ans.citations[0].quote.startswith("The purpose of this paper is"), [c.quote for c in ans.citations]
