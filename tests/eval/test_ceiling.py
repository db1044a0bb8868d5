"""The greedy oracle of eval/ceiling.py on hand-made sentences."""

from eval.ceiling import greedy_oracle

POINTS = ["net zero", "green plan", "triple aim"]
UNITS = [
    "The plan should reach net zero and follow the green plan.",  # 2 points, 11 words
    "It must also show regard to the triple aim in every decision it makes across the system.",  # 1, 17
    "Net zero matters.",  # 1 point, 3 words
]


def test_oracle_covers_every_point_the_units_hold_when_the_budget_allows():
    assert greedy_oracle(UNITS, POINTS, budget=100) == 1.0


def test_oracle_prefers_points_per_word_and_never_exceeds_the_budget():
    # 14 words: "Net zero matters." (1 point in 3 words) then the 11-word sentence adds "green plan";
    # the 17-word triple-aim sentence no longer fits
    assert greedy_oracle(UNITS, POINTS, budget=14) == 2 / 3


def test_oracle_covers_nothing_when_no_unit_fits():
    assert greedy_oracle(UNITS, POINTS, budget=2) == 0.0
