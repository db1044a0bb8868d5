"""Section drafts on the shipped corpus (real model, real Chroma), the LLM path against a loopback
OpenAI-compatible server, and `jfp draft` as a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from assistant.citations import markers, quote_in_chunk, uncited_numbers
from assistant.draft import PLACEHOLDER, build_plan, section_headings
from assistant.draft_material import NATIONAL_KINDS, with_its_items
from assistant.duties import duty_ids, get_duty, match_duties, plan_order
from assistant.errors import InputError, UnknownDutyError
from assistant.rows import row_duties
from tests.conftest import jfp_env
from tests.llm_server import FakeOpenAIServer, unreachable_base_url

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def plan(corpus_service):
    """Every duty drafted once (the plan builds each section with ``build_draft``)."""
    return build_plan(corpus_service)


@pytest.fixture(scope="module")
def drafts(plan):
    return {d.duty_id: d for d in plan.sections}


def _body(draft) -> str:
    """The draft text less its markers and the statutory basis, which comes from the duty register."""
    return re.sub(r"\[\d+\]", " ", draft.text).replace(draft.statutory_basis, " ")


# --- every duty ---------------------------------------------------------------------------------
def test_plan_has_one_draft_per_duty_in_plan_order(plan):
    assert [d.duty_id for d in plan.sections] == [d.id for d in plan_order()]
    assert sorted(d.duty_id for d in plan.sections) == sorted(duty_ids())


@pytest.mark.parametrize("duty_id", duty_ids())
def test_draft_has_three_citations_from_two_documents(drafts, duty_id):
    d = drafts[duty_id]
    assert len(d.citations) >= 3
    assert len({c.doc_id for c in d.citations}) >= 2


@pytest.mark.parametrize("duty_id", duty_ids())
def test_every_citation_quote_is_verbatim_in_its_manifest_chunk(drafts, corpus_service, duty_id):
    for c in drafts[duty_id].citations:
        chunk = corpus_service.manifest.chunk(c.chunk_id)
        assert chunk is not None and chunk.doc_id == c.doc_id and chunk.title == c.title
        assert quote_in_chunk(c.quote, chunk.text), c


@pytest.mark.parametrize("duty_id", duty_ids())
def test_no_number_in_a_draft_is_missing_from_its_cited_sources(drafts, corpus_service, duty_id):
    d = drafts[duty_id]
    cited = [corpus_service.chunk_text(c.chunk_id) for c in d.citations] + [c.title for c in d.citations]
    assert uncited_numbers(_body(d), cited) == set()


@pytest.mark.parametrize("duty_id", duty_ids())
def test_placeholders_counted_equal_occurrences_in_text(drafts, duty_id):
    d = drafts[duty_id]
    assert d.placeholders == len(re.findall(r"\[TO CONFIRM: [^\]]+\]", d.text))


@pytest.mark.parametrize("duty_id", duty_ids())
def test_no_quoted_sentence_appears_twice_in_a_draft(drafts, duty_id):
    d = drafts[duty_id]
    quoted = [p for _, paragraphs in d.sections for p in paragraphs if p.startswith("- ")]
    assert len(quoted) == len(set(quoted))
    assert len({(c.chunk_id, c.quote) for c in d.citations}) == len(d.citations)


@pytest.mark.parametrize("duty_id", duty_ids())
def test_citations_are_numbered_in_order_of_first_use(drafts, duty_id):
    d = drafts[duty_id]
    first_use = list(dict.fromkeys(markers(d.text)))
    assert first_use == [c.n for c in d.citations] == list(range(1, len(d.citations) + 1))


@pytest.mark.parametrize("duty_id", duty_ids())
def test_draft_has_the_five_headings_in_order_and_its_statutory_basis(drafts, duty_id):
    d = drafts[duty_id]
    assert [h for h, _ in d.sections] == section_headings()
    assert all(paragraphs for _, paragraphs in d.sections)
    assert f"Statutory basis: {d.statutory_basis}." in d.sections[0][1]


# --- what the ICB will do ------------------------------------------------------------------------
def test_icb_points_are_quoted_from_icb_documents_under_their_title(drafts, corpus_service):
    d = drafts["climate_change"]
    heading, paragraphs = d.sections[2]
    assert heading == "What the ICB will do"
    labels = [p for p in paragraphs if p.startswith("From *")]
    assert labels
    by_n = {c.n: c for c in d.citations}
    for p in paragraphs:
        for n in markers(p):
            assert corpus_service.manifest.chunk(by_n[n].chunk_id).kind not in NATIONAL_KINDS
            assert f"From *{by_n[n].title}*:" in labels


@pytest.mark.parametrize("duty_id", [d for d in duty_ids() if get_duty(d).kind == "duty"])
def test_no_icb_point_comes_from_a_table_row_of_another_duty(drafts, corpus_service, duty_id):
    # Cornwall's appendix 2 is a table flattened to text: "Duty to promote education and training" on
    # a line of its own, then its sentences, in a chunk tagged with research only; the draft on
    # research once quoted that row's "How the ICB will apply education and training ...", which
    # says nothing of research
    d = drafts[duty_id]
    local = {h: p for h, p in d.sections if h != "What the guidance expects the plan to show"}
    by_n = {c.n: c for c in d.citations}
    for heading, paragraphs in local.items():
        for n in (n for p in paragraphs for n in markers(p)):
            chunk = corpus_service.manifest.chunk(by_n[n].chunk_id)
            rows = [r for r in row_duties(chunk, by_n[n].quote) if get_duty(r).kind == "duty"]
            # unless the sentence speaks of this duty itself ("... built on the local joint health &
            # wellbeing strategies" in the integration row, for the draft on the strategies)
            assert not rows or duty_id in rows or duty_id in match_duties(by_n[n].quote), (heading, by_n[n].quote, rows)
    if duty_id == "research":
        assert "essential lever" not in d.text


def test_guidance_expectations_lead_with_national_guidance(drafts, corpus_service):
    d = drafts["climate_change"]
    by_n = {c.n: c for c in d.citations}
    first = markers(d.sections[1][1][1])[0]
    assert corpus_service.manifest.chunk(by_n[first].chunk_id).kind in NATIONAL_KINDS


def test_area_without_local_material_says_so_with_placeholders(drafts):
    # nothing in the shipped ICB documents speaks to procurement
    d = drafts["procurement"]
    actions = dict(d.sections)["What the ICB will do"]
    assert not any(markers(p) for p in actions)
    assert "[TO CONFIRM: the actions the ICB will take on procurement and supply chain" in d.text
    assert "[TO CONFIRM: the metrics and targets the ICB will use to track progress on procurement" in d.text
    assert d.placeholders >= 4


def test_draft_json_has_contract_fields(corpus_service):
    j = corpus_service.draft("climate_change").to_json()
    assert {"duty_id", "title", "text", "citations", "placeholders"} <= set(j)
    assert j["duty_id"] == "climate_change" and j["placeholders"] == len(PLACEHOLDER.findall(j["text"]))
    for c in j["citations"]:
        # the contract's fields, plus the publisher (the contract lets fields be added, never dropped)
        assert set(c) == {"n", "chunk_id", "doc_id", "title", "source", "page", "section", "quote", "publisher"}
        assert c["publisher"]  # every shipped document has one in its provenance
    json.dumps(j)


def test_drafting_an_empty_index_says_to_ingest_first(service):
    with pytest.raises(InputError, match="jfp ingest"):
        service.draft("climate_change")


def test_unknown_duty_id_is_refused(service):
    with pytest.raises(UnknownDutyError):
        service.draft("net_zero")


# --- the LLM path ----------------------------------------------------------------------------------
def _llm_service(corpus_service, base_url):
    from assistant.service import JfpService

    settings = corpus_service.settings.model_copy(update={"llm_base_url": base_url, "llm_model": "test-model",
                                                          "llm_timeout": 5.0})
    svc = JfpService(settings)
    # share the already-open index, manifest and model; only the chat model differs
    for name in ("manifest", "embedder", "index", "retriever"):
        svc.__dict__[name] = getattr(corpus_service, name)
    return svc


def _reply(extra: str = ""):
    def reply(messages):
        n = len(re.findall(r"^\[\d+\] \(", messages[-1]["content"], re.M))
        assert n >= 2
        return (f"## Statutory requirement\nThe plan must set out how the ICB will meet this duty [1].\n"
                f"## What the guidance expects the plan to show\nThe plan should show how partners work together [1][2].\n"
                f"## What the ICB will do\nThe ICB will deliver its green plan with its partners [{n}]. {extra}\n"
                f"[TO CONFIRM: the named lead for this work]\n"
                f"## How progress will be measured\n[TO CONFIRM: the metrics the ICB will use]\n"
                f"## Partners involved\nThe ICB will work with its partner trusts [{n}].\n")
    return reply


def test_llm_draft_with_valid_markers_is_kept_and_checked(corpus_service):
    with FakeOpenAIServer(mode="ok", reply=_reply()) as srv:
        d = _llm_service(corpus_service, srv.base_url).draft("climate_change")
        sent = srv.requests[0]["messages"]
    assert d.backend == "llm:test-model"
    assert "Duty as to climate change" in sent[-1]["content"]
    assert "The ICB will deliver its green plan with its partners" in d.text
    assert [h for h, _ in d.sections] == section_headings()
    assert d.placeholders == 2 and not d.notices
    assert [c.n for c in d.citations] == list(range(1, len(d.citations) + 1)) == list(dict.fromkeys(markers(d.text)))
    for c in d.citations:
        assert quote_in_chunk(c.quote, corpus_service.manifest.chunk(c.chunk_id).text)


def test_llm_sentence_with_uncited_number_is_removed(corpus_service):
    with FakeOpenAIServer(mode="ok", reply=_reply("Emissions will fall by 9137 tonnes [1].")) as srv:
        d = _llm_service(corpus_service, srv.base_url).draft("climate_change")
    assert d.backend == "llm:test-model"
    assert "9137" not in d.text and "Emissions will fall" not in d.text
    assert "The ICB will deliver its green plan" in d.text
    assert any("1 unsupported sentence" in n for n in d.notices)


def test_dead_llm_endpoint_falls_back_to_extractive_draft_with_notice(corpus_service):
    with unreachable_base_url() as url:
        d = _llm_service(corpus_service, url).draft("climate_change")
    assert d.backend == "extractive"
    assert len(d.citations) >= 3
    assert any("extractive fallback" in n for n in d.notices)


# --- the command line -------------------------------------------------------------------------------
def _jfp(args, index_dir):
    return subprocess.run([sys.executable, "-m", "assistant", "--index", str(index_dir), *args],
                          capture_output=True, text=True, env=jfp_env(index_dir), stdin=subprocess.DEVNULL, timeout=600)


def test_cli_draft_json_follows_the_contract(corpus_service):
    p = _jfp(["draft", "climate_change", "--json"], corpus_service.settings.index_dir)
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout)
    assert j["duty_id"] == "climate_change" and j["title"] == "Duty as to climate change"
    assert len(j["citations"]) >= 3 and j["placeholders"] == len(PLACEHOLDER.findall(j["text"]))
    assert [c["n"] for c in j["citations"]] == list(range(1, len(j["citations"]) + 1))


def test_cli_draft_writes_word_file_and_says_where(corpus_service, tmp_path):
    out = tmp_path / "climate.docx"
    p = _jfp(["draft", "climate_change", "-o", str(out)], corpus_service.settings.index_dir)
    assert p.returncode == 0, p.stderr
    assert out.exists() and out.stat().st_size > 0
    assert str(out) in p.stderr and p.stdout == ""


def test_cli_unknown_duty_is_a_json_error(tmp_path):
    p = _jfp(["draft", "net_zero", "--json"], tmp_path)
    assert p.returncode != 0
    assert json.loads(p.stdout)["error"]["type"] == "unknown_duty"


def test_cli_draft_without_duty_or_all_is_a_usage_error(tmp_path):
    p = _jfp(["draft", "--json"], tmp_path)
    assert p.returncode == 2
    err = json.loads(p.stdout)["error"]
    assert err["type"] == "invalid_input" and "--all" in err["message"]


@pytest.mark.parametrize(("sentence", "text", "quoted"), [
    # a lead-in ending with a colon, its items on the lines after it, up to the one ending a sentence
    ("ICBs must ensure that, in respect of each year:",
     "ICBs must ensure that, in respect of each year:\ncapital use does not exceed a limit\nrevenue use does not "
     "exceed a limit.\nFurthermore, NHS England has set an objective.",
     "ICBs must ensure that, in respect of each year:\ncapital use does not exceed a limit\nrevenue use does not "
     "exceed a limit."),
    # a lead-in cut on a preposition, lettered items
    ("JFPs must set out how ICBs obtain advice from persons with expertise in",
     "JFPs must set out how ICBs obtain advice from persons with expertise in\na. the treatment of illness, and:\n"
     "b. the protection of public health.\nNext paragraph.",
     "JFPs must set out how ICBs obtain advice from persons with expertise in\na. the treatment of illness, and:\n"
     "b. the protection of public health."),
    # a whole sentence stays as it is
    ("JFPs must set out how ICBs will act.", "JFPs must set out how ICBs will act.\nthen a line", "JFPs must set out how ICBs will act."),
    # a lead-in with no items after it stays as it is
    ("ICBs must ensure that:", "ICBs must ensure that:\nNothing follows in lower case.", "ICBs must ensure that:"),
])
def test_a_statutory_sentence_that_leads_into_a_list_takes_its_items(sentence, text, quoted):
    assert with_its_items(sentence, text) == quoted
