"""Operator, crew and shift scores of a generated plant, against the generator's true effects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scipy import stats

from plexlabor.analytics.inputs import FindingDecisions, from_snapshot, read_inputs
from plexlabor.analytics.scores import score
from plexlabor.plant import PlantFolder
from plexlabor.plex import PlantFolderSource
from plexlabor.plex.snapshot import PlexSnapshot
from plexlabor_dev.simulator.operators import read_truth


def test_every_operator_crew_and_shift_is_scored_with_intervals_and_efficiency_follows_the_truth(
    labelled_plant: PlantFolder,
) -> None:
    # Given the generated plant's last four weeks
    end = labelled_plant.meta().end
    inputs = read_inputs(PlantFolderSource(labelled_plant), end - timedelta(weeks=4), end)
    truth = read_truth(labelled_plant.path)
    # When scored
    report = score(inputs)
    # Then every operator with a finished entry is scored, with every measure a plant folder knows
    assert {unit.key for unit in report.operators} == set(inputs.entries)
    assert {unit.key for unit in report.operators} <= set(truth)
    assert all(
        set(unit.measures) == {"efficiency", "scrap_share", "caused_stops_per_entry", "nonconformances_per_entry"}
        for unit in report.operators
    )
    # And each estimate lies inside its interval, labels are employee numbers, never Plex ids
    for unit in (*report.operators, *report.crews, *report.shifts):
        assert all(m.low <= m.estimate <= m.high for m in unit.measures.values()), unit.label
        assert unit.key != unit.label
    assert sum(unit.members for unit in report.shifts) == len(report.operators)
    # And the efficiency estimates rank operators as their true pace does
    rho = stats.spearmanr(
        [unit.measures["efficiency"].estimate for unit in report.operators],
        [truth[unit.key].efficiency for unit in report.operators],
    ).statistic
    assert rho > 0.8


def test_a_window_with_no_labor_and_no_decisions_is_an_empty_report() -> None:
    # Given a window with no labor and no finding decided
    begin = datetime(2026, 11, 1, tzinfo=UTC)
    inputs = from_snapshot(PlexSnapshot(timezone="UTC"), begin, begin + timedelta(days=7), decisions=FindingDecisions())
    # Then the report is empty, not an error, and says why upheld findings are not scored
    report = score(inputs)
    assert report.operators == [] and report.crews == [] and report.shifts == []
    assert "no validation finding" in report.absent["upheld_findings_per_day"].reason
