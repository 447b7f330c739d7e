"""The import benchmark as a test: the seed and the fixtures are read exactly, the development set
of real documents (../shared/directives-dev beside the clone) stays at or above its figures, and a
40-page document is read in under 2 s. The dev set is required in CI (CI=true)."""

from __future__ import annotations

import os

import pytest

from bench import import_accuracy as bench

# The issue's targets on the development set (lead recall, deadline accuracy, row precision,
# metadata) -- see test_the_dev_set_reaches_the_targets_of_the_issue.
TARGETS = bench.TARGETS
# What the importer reaches today on the development set: a drop below is a regression. Raise
# these when the figures rise; they meet TARGETS where the importer already does.
FLOORS = {
    "lead": 0.97,
    "deadline": 0.99,
    "precision": 0.975,
    "partner": 0.40,  # no target: generic partners ("các cơ quan liên quan") are not listed
    "metadata": 0.99,
}


def dev_figures() -> dict[str, float]:
    if not bench.DEV_SET.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the development set is missing in CI: {bench.DEV_SET}")
        pytest.skip(f"no development set at {bench.DEV_SET} (outside CI)")
    total, _ = bench.score_set(bench.dev_docs())
    return total.figures


def test_the_seed_and_the_fixtures_are_read_exactly():
    for name, docs in bench.sets()[:2]:
        total, _ = bench.score_set(docs)
        assert total.figures == dict.fromkeys(total.figures, 1.0), name


def test_the_dev_set_does_not_fall_below_its_floors():
    figures = dev_figures()
    below = {k: round(figures[k], 3) for k, floor in FLOORS.items() if figures[k] < floor}
    assert not below, f"below the floor {FLOORS}: {below}"


def test_the_dev_set_reaches_the_targets_of_the_issue():
    figures = dev_figures()
    assert all(figures[k] >= target for k, target in TARGETS.items()), figures


def test_a_40_page_document_is_read_in_under_2_seconds():
    assert min(bench.forty_pages_seconds() for _ in range(2)) < 2.0
