"""Labor against the job operation's actual run in Plex (issue 11 section 3): time charged to an operation
that had not begun, or was already complete, is LABOR_OUTSIDE_OPERATION; within the setup and the graces
it is not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from plant_builder import OTHER_JOB_OPERATION, TUESDAY, PlantBuilder, local, validate

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import compute_norms
from plexlabor.validation.scorer import ScorerModel

A = AnomalyType
MONDAY = date(2026, 11, 16)


def outside(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.anomaly_type == A.LABOR_OUTSIDE_OPERATION]


@pytest.mark.parametrize(("completed", "found"), [("12:00", True), ("14:20", False)])
def test_labor_charged_after_the_operation_was_complete(engine: ValidationEngine, completed: str, found: bool) -> None:
    # Given a day's labor (06:01-10:13 and 10:47-14:30 at WC1) charged to job J-JO3, which Plex shows
    # started Monday and completed Tuesday at 12:00 (or at 14:20: the operator cleared the machine after)
    plant = PlantBuilder(weeks=8).employee("E1")
    plant.operation("JO3", local(MONDAY, "07:00"), local(TUESDAY, completed))
    day = plant.work_day("E1", TUESDAY, job_operation="JO3")
    # When the engine validates the plant
    findings = outside(validate(plant, engine))
    # Then the afternoon entry is flagged when 150 min of it came after the completion; 10 min is the grace
    assert [f.record_key for f in findings] == ([day.labor_keys[1]] if found else [])
    if found:
        finding = findings[0]
        assert finding.evidence["minutes_after_completion"] == 150.0
        assert "Labor 2026-11-17 10:47-14:30 at WC1 charged to job J-JO3 operation 10" in finding.note
        assert "completed at 12:00 2026-11-17: 150 min of it after" in finding.note
        assert 0.75 < finding.confidence <= 0.95 and finding.route == "review"


def test_the_minutes_printed_are_bounded_by_the_entry(engine: ValidationEngine) -> None:
    # Given labor charged to an operation Plex shows completed the Friday before
    plant = PlantBuilder(weeks=8).employee("E1")
    plant.operation("JO3", local(date(2026, 11, 12), "07:00"), local(date(2026, 11, 13), "09:00"))
    day = plant.work_day("E1", TUESDAY, job_operation="JO3")
    # When the engine validates the plant
    findings = outside(validate(plant, engine))
    # Then both entries are flagged, each with its own length, not the days since the completion
    assert {f.record_key for f in findings} == set(day.labor_keys)
    assert sorted(f.evidence["minutes_after_completion"] for f in findings) == [223.0, 252.0]
    assert all(f.confidence == 0.95 for f in findings)


@pytest.mark.parametrize(("started", "found"), [("12:30", True), ("06:25", False)])
def test_labor_charged_long_before_the_operation_began(engine: ValidationEngine, started: str, found: bool) -> None:
    # Given a day's labor charged to an operation whose first piece Plex shows at 12:30 (or at 06:25, 24 min
    # after the login: within the grace)
    plant = PlantBuilder(weeks=8).employee("E1")
    plant.operation("JO3", local(TUESDAY, started), None)
    day = plant.work_day("E1", TUESDAY, job_operation="JO3")
    # When the engine validates the plant
    findings = outside(validate(plant, engine))
    # Then both entries, which began 6 h 29 min and 1 h 43 min before it, are flagged; 24 min is not
    assert {f.record_key for f in findings} == (set(day.labor_keys) if found else set())
    if found:
        by_key = {f.record_key: f for f in findings}
        assert by_key[day.labor_keys[0]].evidence["minutes_before_start"] == 252.0  # the entry's whole length
        assert by_key[day.labor_keys[1]].evidence["minutes_before_start"] == 103.0
        assert "before the operation began" in by_key[day.labor_keys[1]].note


@pytest.mark.parametrize(("started", "found"), [("12:30", True), ("07:50", False)])
def test_the_routings_setup_time_is_allowed_before_the_first_piece(
    engine: ValidationEngine, started: str, found: bool
) -> None:
    # Given a routing with 1.5 h of setup, and one entry 06:01-14:30 on an operation whose first piece came
    # at 12:30 (or at 07:50: 109 min after the entry began)
    plant = PlantBuilder(weeks=8).employee("E1")
    plant.rows["approved-workcenters"][0]["setupHours"] = 1.5
    plant.operation("JO3", local(TUESDAY, started), None)
    day = plant.work_day("E1", TUESDAY, job_operation="JO3", breaks=False)
    # When the engine validates the plant
    findings = outside(validate(plant, engine))
    # Then setup (90 min) and the grace (30 min) are allowed: only beyond them is it flagged
    assert [f.record_key for f in findings] == (day.labor_keys if found else [])
    if found:
        assert "(setup 90 min and 30 min allowed)" in findings[0].note


def test_an_operation_not_routed_to_the_workcenter_is_left_to_job_code_mismatch(engine: ValidationEngine) -> None:
    # Given labor at WC1 charged to JO2 (routed to WC3 only), which Plex shows completed the week before
    plant = PlantBuilder(weeks=8).employee("E1")
    plant.rows["job-operations"][1].update(actualStart="2026-11-09T12:00:00Z", actualEnd="2026-11-10T12:00:00Z")
    day = plant.work_day("E1", TUESDAY, job_operation=OTHER_JOB_OPERATION)
    # When the engine validates the plant
    findings = validate(plant, engine)
    # Then it is a job code mismatch only
    assert {(f.record_key, f.anomaly_type) for f in findings if f.record_key in day.labor_keys} == {
        (key, A.JOB_CODE_MISMATCH) for key in day.labor_keys
    }


def test_real_time_judges_a_labor_entry_against_its_operation_too(engine: ValidationEngine) -> None:
    # Given the entry of the first case, validated on its own as the Lambda does
    plant = PlantBuilder(weeks=8).employee("E1")
    plant.operation("JO3", local(MONDAY, "07:00"), local(TUESDAY, "12:00"))
    day = plant.work_day("E1", TUESDAY, job_operation="JO3")
    data = plant.build()
    entry = plant.labor_entry(day.labor[1])
    # When the real-time path validates it
    findings = engine.realtime(entry, data.slice_for("E1", entry.start_time.timestamp()), compute_norms(data))
    # Then it finds the same
    assert [(f.record_key, f.anomaly_type) for f in findings] == [(day.labor_keys[1], A.LABOR_OUTSIDE_OPERATION)]


def test_a_plant_whose_supervisors_reject_these_lowers_their_confidence() -> None:
    # Given the 150 minutes after the completion, scored by the packaged model and by a plant's refit whose
    # decisions put the type's precision at 0.3
    packaged = ScorerModel.load()
    learnt = replace(packaged, priors={**packaged.priors, A.LABOR_OUTSIDE_OPERATION.value: 0.3})
    plant = PlantBuilder(weeks=8).employee("E1")
    plant.operation("JO3", local(MONDAY, "07:00"), local(TUESDAY, "12:00"))
    plant.work_day("E1", TUESDAY, job_operation="JO3")
    # Then the packaged model keeps the check's graded confidence (review), the plant's takes its lower prior
    [graded] = outside(validate(plant, ValidationEngine(packaged)))
    [lowered] = outside(validate(plant, ValidationEngine(learnt)))
    assert 0.75 < graded.confidence <= 0.95 and graded.route == "review"
    assert lowered.confidence == 0.3 and lowered.route != "review"
