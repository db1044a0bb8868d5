"""The requirements figure: gold key points found in a duty's requirements."""

from eval.harness import GoldItem
from eval.requirements_eval import requirements_recall


def test_key_points_are_counted_in_the_requirements_of_each_items_duty(corpus_service):
    items = [
        GoldItem(id="a", question="q", duty="procurement",
                 must_mention=("alignment of category strategy", "a point no document makes at all")),
        GoldItem(id="b", question="q", duty="procurement", must_mention=("provider selection regime",)),
        GoldItem(id="c", question="q", must_mention=("category strategy",)),  # no duty: left out
        GoldItem(id="d", question="q", duty="climate_change"),  # no key points: left out
    ]
    r = requirements_recall(corpus_service, items)
    assert (r.found, r.key_points, r.duties) == (2, 3, 1)
    assert abs(r.share - 2 / 3) < 1e-9
    assert r.requirements == len(corpus_service.requirements("procurement").requirements)
    assert requirements_recall(corpus_service, items[2:]).share is None
