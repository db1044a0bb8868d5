"""Governance lookup for every duty id."""

import pytest

from assistant.citations import quote_in_chunk
from assistant.duties import duty_ids

# duties whose row appears in appendix 2 of the Cornwall paper (the requirements table)
APPENDIX_2 = {"health_services", "integration", "wider_effect", "financial", "jlhws", "quality", "inequalities",
              "patient_involvement", "public_involvement", "patient_choice", "advice", "innovation", "research",
              "education_training", "climate_change", "children_young_people", "victims_of_abuse"}
NATIONAL_SECTION = set(duty_ids()) - {"health_services", "jlhws"}  # the national guidance has a section for these


@pytest.mark.parametrize("duty_id", duty_ids())
def test_requirements_for_every_duty_are_verbatim_and_cited(corpus_service, duty_id):
    res = corpus_service.requirements(duty_id)
    assert res.requirements, f"no requirements found for {duty_id}"
    for r in res.requirements:
        assert r.strength in {"must", "should", "may", "other"}
        assert r.text == r.citation.quote
        assert quote_in_chunk(r.text, corpus_service.chunk_text(r.citation.chunk_id))
    kinds = {r.citation.kind if hasattr(r.citation, "kind") else corpus_service.manifest.chunk(r.citation.chunk_id).kind
             for r in res.requirements}
    if duty_id in NATIONAL_SECTION:
        assert "guidance" in kinds, f"the national guidance section for {duty_id} must surface"
    if duty_id in APPENDIX_2:
        cornwall_rows = [r for r in res.requirements
                         if "Appendix 2" in r.citation.section]
        assert cornwall_rows, f"appendix 2 of the Cornwall paper must surface for {duty_id}"


def test_requirements_lead_with_national_guidance_and_must_before_should(corpus_service):
    res = corpus_service.requirements("patient_choice")
    titles = [r.citation.title for r in res.requirements]
    assert titles[0].startswith("Guidance on development of the joint forward plan")
    guidance = [r.strength for r in res.requirements if r.citation.title == titles[0]]
    order = {"must": 0, "should": 1, "may": 2, "other": 3}
    assert [order[s] for s in guidance] == sorted(order[s] for s in guidance)
