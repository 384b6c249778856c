"""What an estimate is built from, kept in the report so the page can say why it lies where it does (ux164 #4),
and ranks in the order of the estimates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plexlabor.analytics.inputs import read_inputs
from plexlabor.analytics.report import MIN_CORRELATION_PEOPLE, PartSummary, ScoresReport
from plexlabor.analytics.scores import score
from plexlabor.plant import PlantFolder
from plexlabor.plex import PlantFolderSource


@pytest.fixture(scope="module")
def report(labelled_plant: PlantFolder) -> ScoresReport:
    end = labelled_plant.meta().end
    return score(read_inputs(PlantFolderSource(labelled_plant), end - timedelta(weeks=4), end))


@pytest.mark.parametrize("name", ["efficiency", "scrap_share", "nonconformances_per_entry"])
def test_a_rank_is_the_estimates_place_so_the_best_estimate_first_reads_1_2_3(report: ScoresReport, name: str) -> None:
    # Given the operators in the page's order, best estimate first
    summary = report.measures[name]["operator"]
    sign = -1 if summary.higher_is_better else 1
    ordered = sorted(report.operators, key=lambda unit: (sign * unit.measures[name].estimate, unit.key))
    # Then every rank given is that operator's place in this order, inside its interval (ux164 #4: the scrap
    # table's best estimate read "rank 6", and no row read 1 to 5)
    ranked = [(place, unit.measures[name]) for place, unit in enumerate(ordered, 1) if unit.measures[name].rank]
    assert len(ranked) == summary.ranked > 0
    for place, measure in ranked:
        assert measure.rank == place and measure.rank_low <= place <= measure.rank_high


@pytest.mark.parametrize("name", ["scrap_share", "caused_stops_per_entry"])
def test_a_two_part_estimate_keeps_how_often_and_how_much(report: ScoresReport, name: str) -> None:
    summary = report.measures[name]["operator"]
    assert set(summary.parts) == {"often", "much"}
    assert 0 < summary.parts["often"].target < 1 and summary.parts["much"].target > 0
    for unit in report.operators:
        measure = unit.measures[name]
        often, much = measure.parts["often"], measure.parts["much"]
        # the estimate is the two shrunk parts multiplied; how often is counted on the person's entries
        assert measure.estimate == pytest.approx(often.estimate * much.estimate)
        assert often.raw * often.volume == pytest.approx(round(often.raw * often.volume))
        if name == "scrap_share":  # how much is read on the entries with scrap
            assert much.volume == pytest.approx(often.raw * often.volume)


def test_an_estimate_beyond_the_raw_value_is_explained_by_its_parts(report: ScoresReport) -> None:
    # Given the operators whose scrap estimate lies above both their raw share and the plant's
    summary = report.measures["scrap_share"]["operator"]
    above = [
        unit.measures["scrap_share"]
        for unit in report.operators
        if unit.measures["scrap_share"].estimate > max(unit.measures["scrap_share"].raw, summary.target) * 1.005
    ]
    assert above
    # Then each was raised by a part above the plant's: how much they scrap when they do, or how often
    much, often = summary.parts["much"].target, summary.parts["often"].target
    assert all(m.parts["much"].estimate > much or m.parts["often"].estimate > often for m in above)


def test_nonconformances_keep_the_estimate_alone_and_the_scrap_read_with_it(report: ScoresReport) -> None:
    summary = report.measures["nonconformances_per_entry"]["operator"]
    scrap = summary.parts["scrap"]
    # In the generator one scrap factor drives both, and the plant's data shows it
    assert scrap.correlation is not None and scrap.correlation > 0.5
    # estimated from the people who recorded scrap (every one of them has entries)
    scrapped = [u for u in report.operators if u.measures["nonconformances_per_entry"].parts["scrap"].volume > 0]
    assert scrap.people == len(scrapped) >= MIN_CORRELATION_PEOPLE
    assert summary.parts["alone"].target == pytest.approx(summary.target)
    for unit in report.operators:
        measure = unit.measures["nonconformances_per_entry"]
        alone, with_scrap = measure.parts["alone"], measure.parts["scrap"]
        assert alone.raw == pytest.approx(measure.raw) and alone.volume == measure.volume
        # scrap above the plant's raises the estimate above the one on nonconformances alone, and below lowers it
        if with_scrap.volume >= 5 and abs(with_scrap.estimate / scrap.target - 1) > 0.5:
            assert (measure.estimate > alone.estimate) == (with_scrap.estimate > scrap.target), unit.label


@pytest.mark.parametrize(
    ("correlation", "people", "stated"),
    [
        (0.999, 200, None),
        (-0.995, 200, None),
        (0.6, MIN_CORRELATION_PEOPLE - 1, None),
        (0.6, 200, 0.6),
        (0.6, None, 0.6),
    ],
)
def test_a_correlation_at_the_edge_or_from_few_people_is_not_a_finding(
    correlation: float, people: int | None, stated: float | None
) -> None:
    part = PartSummary(target=0.03, spread=0.01, correlation=correlation, people=people)
    assert part.stated_correlation == stated
