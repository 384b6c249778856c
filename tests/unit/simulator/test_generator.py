"""The plant generator: deterministic, consistent with its labels, honest about anomalies."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from plexlabor.models import (
    PLANT_MODELS,
    ApprovedWorkcenter,
    Certification,
    JobOperation,
    LaborEntry,
    ShiftAssignment,
    TimeClockEntry,
    WorkcenterEvent,
    WorkcenterRequirement,
    record_key,
)
from plexlabor.models.anomalies import AnomalyType
from plexlabor.plant import PlantFolder
from plexlabor.validation.policy import PunchPolicy
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant, iter_label_keys


def labelled(plant: PlantFolder, anomaly: AnomalyType) -> set[str]:
    return {label.record_key for label in plant.labels() if label.anomaly_type == anomaly}


def test_same_seed_gives_identical_files_and_other_seed_differs(tmp_path: Path) -> None:
    spec = PlantSpec(employees=25, weeks=2, seed=42)
    generate_plant(spec, tmp_path / "a")
    generate_plant(spec, tmp_path / "b")
    generate_plant(PlantSpec(employees=25, weeks=2, seed=43), tmp_path / "c")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    tce = "time-clock-entries.jsonl"
    assert (tmp_path / "a" / tce).read_bytes() != (tmp_path / "c" / tce).read_bytes()


def test_every_row_parses_into_its_model(labelled_plant: PlantFolder) -> None:
    for resource, model in PLANT_MODELS.items():
        rows = list(labelled_plant.iter_raw(resource))
        assert rows, f"{resource} is empty"
        for row in rows:
            model.from_plex(row)


def test_every_label_points_at_an_existing_record_and_every_type_occurs(labelled_plant: PlantFolder) -> None:
    keys = set(iter_label_keys(labelled_plant))
    labels = labelled_plant.labels()
    assert all(label.record_key in keys for label in labels)
    assert {label.anomaly_type for label in labels} == set(AnomalyType)
    meta = labelled_plant.meta()
    assert sum(meta.anomaly_counts.values()) == len(labels)
    assert meta.counts["time-clock-entries"] == sum(1 for _ in labelled_plant.iter_raw("time-clock-entries"))


def test_anomaly_rate_zero_labels_nothing(tmp_path: Path) -> None:
    generate_plant(PlantSpec(employees=30, weeks=3, seed=5, anomaly_rate=0.0), tmp_path)
    assert PlantFolder(tmp_path).labels() == []


def test_structural_labels_match_the_records(labelled_plant: PlantFolder) -> None:
    entries = {record_key("time-clock-entries", e.id): e for e in labelled_plant.load(TimeClockEntry)}
    for key in labelled(labelled_plant, AnomalyType.OUT_BEFORE_IN):
        entry = entries[key]
        assert entry.clockout_time is not None and entry.clockout_time < entry.clockin_time
    for key in labelled(labelled_plant, AnomalyType.DUPLICATE_PUNCH):
        entry = entries[key]
        twins = [
            e
            for e in entries.values()
            if e.employee_id == entry.employee_id
            and e.id != entry.id
            and abs((e.clockin_time - entry.clockin_time).total_seconds()) < 5
        ]
        assert twins, key
    missed_open = labelled(labelled_plant, AnomalyType.MISSED_PUNCH) & entries.keys()
    assert missed_open and all(entries[key].clockout_time is None for key in missed_open)
    # Entries left open by the extract (shift still running) are not labelled.
    meta = labelled_plant.meta()
    legit_open = [k for k, e in entries.items() if e.clockout_time is None and k not in missed_open]
    assert all(entries[k].clockin_time > meta.end - timedelta(hours=10) for k in legit_open)


def test_uncertified_and_job_code_labels_follow_their_definitions(labelled_plant: PlantFolder) -> None:
    entries = {record_key("labor-entries", e.id): e for e in labelled_plant.load(LaborEntry)}
    ops = {op.id: op for op in labelled_plant.load(JobOperation)}
    approved = {(a.part_id, a.operation_code, a.workcenter_id) for a in labelled_plant.load(ApprovedWorkcenter)}
    certs = defaultdict(list)
    for cert in labelled_plant.load(Certification):
        certs[cert.employee_id].append(cert)
    requirements = defaultdict(list)
    for req in labelled_plant.load(WorkcenterRequirement):
        if req.certification_required:
            requirements[req.workcenter_id].append(req)
    tz = ZoneInfo(labelled_plant.meta().timezone)

    def certified(entry: LaborEntry) -> bool:
        day = entry.start_time.astimezone(tz).date()
        return all(
            any(
                c.skill_id == r.skill_id and c.level >= r.min_level and c.valid_on(day)
                for c in certs[entry.employee_id]
            )
            for r in requirements[entry.workcenter_id]
        )

    uncertified = labelled(labelled_plant, AnomalyType.UNCERTIFIED_OPERATOR)
    assert uncertified == {k for k, e in entries.items() if not certified(e)}
    mismatched = labelled(labelled_plant, AnomalyType.JOB_CODE_MISMATCH)
    routed = {
        k
        for k, e in entries.items()
        if (ops[e.job_operation_id].part_id, ops[e.job_operation_id].operation_code, e.workcenter_id) in approved
    }
    assert mismatched == entries.keys() - routed


def test_unattended_runs_have_nobody_logged_in(labelled_plant: PlantFolder) -> None:
    events = labelled_plant.load(WorkcenterEvent)
    by_id = {record_key("workcenter-events", e.id): e for e in events}
    for key in labelled(labelled_plant, AnomalyType.UNATTENDED_MACHINE):
        run = by_id[key]
        assert run.event_type == "RunStart"
        logins = [
            e
            for e in events
            if e.workcenter_id == run.workcenter_id
            and e.event_type == "OperatorLogin"
            and abs((e.event_time - run.event_time).total_seconds()) < 30 * 60
        ]
        assert not logins


def test_excessive_overtime_weeks_exceed_the_limit_with_projection(labelled_plant: PlantFolder) -> None:
    # Given the punched hours of each labelled week plus the shifts still scheduled after the extract
    entries = {record_key("time-clock-entries", e.id): e for e in labelled_plant.load(TimeClockEntry)}
    meta = labelled_plant.meta()
    tz = ZoneInfo(meta.timezone)
    limit = PunchPolicy().weekly_hours_limit
    scheduled_later: defaultdict[tuple[str, tuple[int, int]], float] = defaultdict(float)
    running = defaultdict(float)
    for shift in labelled_plant.load(ShiftAssignment):
        if shift.status == "Scheduled" and shift.scheduled_start >= meta.end:
            week = shift.scheduled_start.astimezone(tz).isocalendar()[:2]
            scheduled_later[(shift.employee_id, week)] += (shift.scheduled_end - shift.scheduled_start).seconds / 3600
        elif shift.scheduled_start < meta.end < shift.scheduled_end:
            hours = (shift.scheduled_end - shift.scheduled_start).seconds / 3600
            running[(shift.employee_id, shift.scheduled_start.date())] = hours
    labels = labelled(labelled_plant, AnomalyType.EXCESSIVE_OVERTIME)
    assert labels
    for key in labels:
        first = entries[key]
        week = first.clockin_time.astimezone(tz).isocalendar()[:2]
        same_week = [
            e
            for e in entries.values()
            if e.employee_id == first.employee_id and e.clockin_time.astimezone(tz).isocalendar()[:2] == week
        ]
        # Then the label sits on the week's first entry
        assert min(e.clockin_time for e in same_week) == first.clockin_time
        worked = sum(
            (e.clockout_time - e.clockin_time).total_seconds() / 3600
            for e in same_week
            if e.clockout_time and e.clockout_time > e.clockin_time
        )
        # An entry still open at the extract counts to its scheduled end
        worked += sum(
            running[(e.employee_id, e.clockin_time.date())]
            for e in same_week
            if e.clockout_time is None and e.clockin_time > meta.end - timedelta(hours=10)
        )
        # And punched plus projected hours exceed the limit (a dropped punch can remove a little)
        assert worked + scheduled_later[(first.employee_id, week)] > limit * 0.95


def test_labelled_records_carry_no_give_away_field(labelled_plant: PlantFolder) -> None:
    # Given the labelled and unlabelled rows of each resource
    keys = {label.record_key for label in labelled_plant.labels()}
    for resource in ("time-clock-entries", "labor-entries", "workcenter-events", "badge-swipes"):
        shapes: dict[bool, set[tuple[str, ...]]] = {True: set(), False: set()}
        for row in labelled_plant.iter_raw(resource):
            shapes[record_key(resource, row["id"]) in keys].add(tuple(sorted(row)))
        # Then both have exactly the same fields
        assert shapes[True] <= shapes[False], resource
    # And manual edits are not a give-away either: most manual entries are ordinary corrections
    manual = [r for r in labelled_plant.iter_raw("time-clock-entries") if r["source"] == "Manual"]
    assert sum(record_key("time-clock-entries", r["id"]) not in keys for r in manual) > 0


def test_schedules_extend_past_the_history_for_planning(labelled_plant: PlantFolder) -> None:
    end = labelled_plant.meta().end.date()
    future = [r for r in labelled_plant.iter_raw("shift-assignments") if date.fromisoformat(r["workDate"]) > end]
    assert future
    scheduled_ops = [r for r in labelled_plant.iter_raw("job-operations") if r["scheduledStart"] > end.isoformat()]
    assert scheduled_ops


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"employees": 2}, "employees"), ({"weeks": 0}, "weeks"), ({"anomaly_rate": 0.9}, "anomaly_rate")],
)
def test_bad_spec_is_rejected_naming_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        PlantSpec(**kwargs)
