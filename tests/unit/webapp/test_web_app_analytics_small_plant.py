"""The analytics page on a 15-person plant (ux_s13 17g): what so few people cannot tell is not stated as a finding."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plexlabor.analytics.inputs import read_inputs
from plexlabor.analytics.report import MIN_CORRELATION_PEOPLE, ScoresReport
from plexlabor.analytics.scores import score
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.webapp.analytics import estimate_note, funnel_spread_text, model_text, shown, spread_text
from plexlabor_dev.simulator.generator import PlantSpec
from tests.support import generated_plant

SMALL_PLANT = PlantSpec(employees=15, weeks=4, seed=3)
"""13 operators; their scrap and nonconformances' covariance between people comes out at the edge (r = 1.00)."""


@pytest.fixture(scope="module")
def small_report(tmp_path_factory: pytest.TempPathFactory) -> ScoresReport:
    plant = PlantFolder(generated_plant(tmp_path_factory, "fifteen", SMALL_PLANT))
    end = plant.meta().end
    return score(read_inputs(PlantFolderSource(plant), end - timedelta(weeks=4), end))


def test_a_correlation_between_so_few_people_at_the_edge_is_not_stated_as_a_finding(
    small_report: ScoresReport,
) -> None:
    # Given nonconformances read with scrap on 13 people, whose correlation between people came out at 1.00
    name = "nonconformances_per_entry"
    summary = small_report.measures[name]["operator"]
    scrap = summary.parts["scrap"]
    assert scrap.correlation is not None and abs(scrap.correlation) >= 0.99
    assert scrap.people == len(small_report.operators) < MIN_CORRELATION_PEOPLE
    # Then neither the page nor a card states it: they say it cannot be estimated from these people
    said = model_text(name, summary)
    notes = [
        note.full
        for unit in small_report.operators
        if (note := estimate_note(name, unit.measures[name], summary)) and "by their scrap" in note.short
    ]
    assert notes  # (E00012's card said "correlation 1.00 between people")
    for text in [said, *notes]:
        assert "correlation" not in text and "between people)" not in text
        assert f"cannot be estimated from these {scrap.people} people" in text


def test_a_correlation_from_too_few_people_is_not_stated_even_away_from_the_edge(small_report: ScoresReport) -> None:
    summary = small_report.measures["nonconformances_per_entry"]["operator"]
    scrap = summary.parts["scrap"].model_copy(update={"correlation": 0.56})
    said = model_text(
        "nonconformances_per_entry", summary.model_copy(update={"parts": {**summary.parts, "scrap": scrap}})
    )
    assert "0.56" not in said and "cannot be estimated from these 13 people" in said


def test_the_page_gives_one_spread_between_people_or_says_why_the_funnels_differs(small_report: ScoresReport) -> None:
    # Given efficiency's spread between people as the estimates use it and as the funnel limits do: two estimates
    summary = small_report.measures["efficiency"]["operator"]
    first, funnel = shown("efficiency", summary.spread), shown("efficiency", summary.funnel_spread)
    assert first != funnel  # (ux_s13 17g: "spread between people 0.07", then "differs ... by about 0.08")
    said = spread_text("efficiency", summary) + " " + funnel_spread_text("efficiency", summary)
    # Then the page says both the way a supervisor reads them, and why the funnel's is not the first one
    assert f"a typical person differs from it by about {first}" in said
    assert f"differs from the plant by about {funnel} (one standard deviation)" in said
    assert f"this is the spread above estimated a second way, which gives {funnel} here, not {first}" in said
    assert "people furthest out set aside" in said
    # And where the two agree to the figure shown, it is one figure said once as the same spread
    same = summary.model_copy(update={"funnel_spread": summary.spread})
    assert f"this is the spread above, {first}, estimated again" in funnel_spread_text("efficiency", same)
