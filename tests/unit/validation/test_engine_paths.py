"""One engine, two paths: batch and real time agree; date ranges, saved norms, department fallback,
configured thresholds and the findings file behave as documented."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from plant_builder import OTHER_JOB_OPERATION, TUESDAY, Habit, PlantBuilder, local, minutes

from plexlabor.models import LaborEntry, TimeClockEntry, record_key
from plexlabor.models.anomalies import AnomalyType
from plexlabor.plant import PlantFolder
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import EngineSettings, ValidationEngine, record_times
from plexlabor.validation.findings import Finding, read_findings, write_findings
from plexlabor.validation.norms import Norms, compute_norms
from plexlabor.validation.policy import PunchPolicy
from plexlabor.validation.timeline import EVIDENCE_KEY, RECORD_LANES
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

A = AnomalyType
WEEKS = 16
MONDAY_W47 = date(2026, 11, 16)

Generated = tuple[PlantFolder, PlantData, Norms]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    path: Path = tmp_path_factory.mktemp("plant-seed-9")
    generate_plant(PlantSpec(employees=30, weeks=4, seed=9), path)
    folder = PlantFolder(path)
    data = PlantData.from_folder(folder)
    return folder, data, compute_norms(data)


def pairs(findings: list[Finding]) -> set[tuple[str, AnomalyType]]:
    return {(f.record_key, f.anomaly_type) for f in findings}


def severities(findings: list[Finding], key: str) -> dict[AnomalyType, str]:
    return {f.anomaly_type: f.severity for f in findings if f.record_key == key}


def scored(findings: list[Finding], key: str) -> set[tuple[AnomalyType, float, str]]:
    """Each finding on `key`: type, confidence and the day's timeline it carries (as canonical JSON)."""
    return {
        (f.anomaly_type, f.confidence, json.dumps(f.evidence.get(EVIDENCE_KEY), sort_keys=True))
        for f in findings
        if f.record_key == key
    }


# ---- batch and real time agree ------------------------------------------------------------------


def test_real_time_gives_every_punch_and_labor_entry_the_findings_batch_gives(
    generated: Generated, engine: ValidationEngine
) -> None:
    # Given a generated plant (30 employees, 4 weeks, seed 9), its norms and the batch findings
    folder, data, norms = generated
    batch = engine.batch(data, norms)
    expected: dict[str, set[tuple[AnomalyType, float, str]]] = defaultdict(set)
    for finding in batch:
        expected[finding.record_key] |= scored([finding], finding.record_key)
    # When each time-clock entry and labor entry goes through the real-time path with its slice
    disagreements, checked, flagged = [], 0, set()
    for model in (TimeClockEntry, LaborEntry):
        for row in folder.iter_raw(model.resource):
            record = model.from_plex(row)
            at = record.clockin_time if isinstance(record, TimeClockEntry) else record.start_time
            context = data.slice_for(record.employee_id, at.timestamp())
            key = record_key(model.resource, record.id)
            got = scored(engine.realtime(record, context, norms), key)
            checked += 1
            flagged |= {anomaly for anomaly, _, _ in got}
            if got != expected.get(key, set()):
                disagreements.append((key, got, expected.get(key)))
    # Then every record gets the same (type, confidence, day timeline) both ways, on a plant with many
    # kinds of findings, and every finding sent for review about an employee's record carries its day
    assert disagreements == []
    assert checked == sum(len(v) for v in data.punches.values()) + sum(len(v) for v in data.labor.values())
    assert len(flagged) >= 8
    compared = [f for f in batch if f.route == "review" and f.record_key.split(":")[0] in RECORD_LANES]
    assert len(compared) >= 20 and all(f.evidence[EVIDENCE_KEY]["record"]["index"] is not None for f in compared)


def late_tuesday(plant: PlantBuilder) -> list[str]:
    return plant.work_day("E1", TUESDAY, clock_in=30).entries


def active_job(plant: PlantBuilder) -> list[str]:
    return plant.work_day("E1", TUESDAY, clock_out=-30, logout_gap=-25).entries


def missed_clock_out(plant: PlantBuilder) -> list[str]:
    return plant.work_day("E1", TUESDAY, missed_clock_out=True).entries


def buddy(plant: PlantBuilder) -> list[str]:
    return plant.work_day(
        "E1", TUESDAY, badge_in=False, badge_out=False, login_gap=None, device="CLK-2", biometric=0.3
    ).entries


def duplicate(plant: PlantBuilder) -> list[str]:
    day = plant.work_day("E1", TUESDAY, clock_out=0)
    copy = plant.punch("E1", local(TUESDAY, "10:45", 1), local(TUESDAY, "14:30", 1), created=local(TUESDAY, "10:50"))
    return [*day.entries, copy or ""]


def labor_anomalies(plant: PlantBuilder) -> list[str]:
    day = plant.work_day("E1", TUESDAY, output=(0.25, 1.0))
    cover = plant.work_day("E1", TUESDAY + timedelta(days=1), workcenter="WC3", job_operation=OTHER_JOB_OPERATION)
    return day.labor + cover.labor


@pytest.mark.parametrize(
    "scenario",
    [late_tuesday, active_job, missed_clock_out, buddy, duplicate, labor_anomalies],
    ids=lambda f: f.__name__,
)
def test_real_time_agrees_with_batch_on_hand_built_anomalies(
    engine: ValidationEngine, scenario: Callable[[PlantBuilder], list[str]]
) -> None:
    # Given a hand-built anomaly and the records it touches
    plant = PlantBuilder(weeks=WEEKS).employee("E1")
    ids = scenario(plant)
    data = plant.build()
    norms = compute_norms(data)
    batch = engine.batch(data, norms)
    assert batch, "the scenario must produce at least one finding"
    # When each of those records is validated in real time
    for record_id in ids:
        record: TimeClockEntry | LaborEntry
        if record_id.startswith("E1-lab"):
            labor = plant.labor_entry(record_id)
            record, at = labor, labor.start_time
        else:
            punch = plant.time_clock_entry(record_id)
            record, at = punch, punch.clockin_time
        realtime = engine.realtime(record, data.slice_for("E1", at.timestamp()), norms)
        # Then it gets exactly the findings batch gives that record, with the same ids and notes
        key = record_key(record.resource, record_id)
        assert [f for f in realtime if f.record_key == key] == [f for f in batch if f.record_key == key]


def test_real_time_reports_the_weeks_overtime_whichever_punch_of_the_week_arrives(engine: ValidationEngine) -> None:
    # Given week 47 of 10-h days Monday–Friday and an 8-h Saturday (58 h)
    plant = PlantBuilder(weeks=WEEKS, end=date(2026, 11, 21)).employee("E1")
    days = [
        plant.work_day("E1", MONDAY_W47 + timedelta(days=i), shift="10h", clock_in=0, clock_out=0) for i in range(5)
    ]
    saturday = plant.work_day("E1", MONDAY_W47 + timedelta(days=5), clock_in=0, clock_out=0)
    data = plant.build()
    norms = compute_norms(data)
    # When Saturday's last punch is validated in real time
    record = plant.time_clock_entry(saturday.entries[-1])
    findings = engine.realtime(record, data.slice_for("E1", record.clockin_time.timestamp()), norms)
    # Then the week's overtime comes back, keyed on Monday's first entry as in batch
    assert pairs(findings) == {(days[0].first_key, A.EXCESSIVE_OVERTIME)}
    assert findings == [f for f in engine.batch(data, norms) if f.anomaly_type == A.EXCESSIVE_OVERTIME]
    assert findings[0].evidence["punched_hours"] == 58.0


# ---- date ranges --------------------------------------------------------------------------------


def test_since_and_until_keep_the_findings_whose_record_lies_in_the_range(
    generated: Generated, engine: ValidationEngine
) -> None:
    # Given the generated plant's findings over all its history
    _, data, norms = generated
    everything = engine.batch(data, norms)
    times = record_times(data)
    since, until = local(date(2026, 11, 2), "00:00").timestamp(), local(date(2026, 11, 9), "00:00").timestamp()
    # When the engine validates one week of it
    week = engine.batch(data, norms, since=since, until=until)
    # Then it keeps exactly the findings whose record happened that week, unchanged
    assert week == [f for f in everything if since <= times[f.record_key] <= until]
    assert 0 < len(week) < len(everything)


def test_since_and_until_are_inclusive_and_either_may_be_left_open(engine: ValidationEngine) -> None:
    # Given a late clock-in on Tuesday (06:30) and another on Thursday (06:30)
    plant = PlantBuilder(weeks=WEEKS).employee("E1")
    tuesday = plant.work_day("E1", TUESDAY, clock_in=30)
    thursday = plant.work_day("E1", TUESDAY + timedelta(days=2), clock_in=30)
    data = plant.build()
    norms = compute_norms(data)
    thursday_in = local(thursday.day, "06:30").timestamp()

    def keys(since: float | None = None, until: float | None = None) -> set[str]:
        return {f.record_key for f in engine.batch(data, norms, since=since, until=until)}

    # When / Then the range picks the records by their time, bounds included
    assert keys() == {tuesday.first_key, thursday.first_key}
    assert keys(since=thursday_in) == {thursday.first_key}
    assert keys(until=thursday_in - 1) == {tuesday.first_key}
    assert keys(since=thursday_in, until=thursday_in) == {thursday.first_key}
    assert keys(since=thursday_in + 1) == set()


# ---- saved norms --------------------------------------------------------------------------------


def round_trip(norms: Norms) -> Norms:
    return Norms.from_json(json.loads(json.dumps(norms.to_json())))


def test_norms_read_back_from_json_give_the_same_decisions(
    generated: Generated, engine: ValidationEngine, tmp_path: Path
) -> None:
    # Given norms computed in memory, and the same norms written to JSON and read back (as the nightly
    # job saves them and the real-time Lambda loads them)
    _, data, norms = generated
    norms.save(tmp_path / "norms.json")
    loaded = Norms.load(tmp_path / "norms.json")

    # When the engine validates the plant with each
    def decisions(with_norms: Norms) -> list[tuple]:
        return [
            (f.finding_id, f.record_key, f.anomaly_type, f.confidence, f.route, f.severity, f.note, f.model_version)
            for f in engine.batch(data, with_norms)
        ]

    # Then every finding, its confidence, route and note are the same
    assert decisions(loaded) == decisions(norms) == decisions(round_trip(norms))
    assert loaded.to_json() == norms.to_json()


def test_norms_read_back_from_json_give_identical_findings(engine: ValidationEngine) -> None:
    # Given an employee whose habit has a spread that is not a round number (sigma 1.18608 min)
    plant = PlantBuilder(weeks=WEEKS).employee("E1", habit=Habit(start=(-4.3, -2.1, -3.7, -1.2, -2.9)))
    plant.work_day("E1", TUESDAY, clock_in=30)
    data = plant.build()
    norms = compute_norms(data)
    # When the engine validates with the in-memory norms and with the same norms read back from JSON
    direct, saved = engine.batch(data, norms), engine.batch(data, round_trip(norms))
    # Then the findings are identical, evidence included
    assert direct
    assert [f.model_dump() for f in saved] == [f.model_dump() for f in direct]


# ---- no history ---------------------------------------------------------------------------------


def new_hire_plant() -> tuple[PlantBuilder, Norms, PlantData, str]:
    """Two experienced MOLD operators (usually 2 and 6 min early) and E3, hired Monday of week 47."""
    plant = (
        PlantBuilder(weeks=WEEKS)
        .employee("E1")
        .employee("E2", device="CLK-2", habit=Habit(start=(-8, -6, -7, -5, -6)))
        .employee("E3", history=False)
    )
    plant.work_day("E3", MONDAY_W47)  # on time
    tuesday = plant.work_day("E3", TUESDAY, clock_in=30)
    data = plant.build()
    norms = compute_norms(data, until=local(MONDAY_W47, "00:00").timestamp())  # last night's norms
    return plant, norms, data, tuesday.first_key


def test_a_new_hire_with_no_history_is_judged_against_the_department(engine: ValidationEngine) -> None:
    # Given nightly norms from before E3's first day, and E3 30 min late on the second day
    plant, norms, data, tuesday_key = new_hire_plant()
    assert norms.employees["E3"].start is None
    # When the engine validates the plant, and E3's Tuesday punch in real time
    findings = engine.batch(data, norms)
    record = plant.time_clock_entry(tuesday_key.split(":", 1)[1])
    realtime = engine.realtime(record, data.slice_for("E3", record.clockin_time.timestamp()), norms)
    # Then Tuesday is late against the department's usual 4 min early, and Monday (on time) is fine
    assert pairs(findings) == {(tuesday_key, A.LATE_CLOCK_IN)}
    finding = findings[0]
    assert finding.evidence["usual_offset_min"] == -4.0 and finding.evidence["offset_min"] == 30.0
    assert [f for f in realtime if f.record_key == tuesday_key] == findings


def test_a_new_hires_note_does_not_claim_a_personal_history(engine: ValidationEngine) -> None:
    # Given E3 with no history, 30 min late on the second day
    _, norms, data, tuesday_key = new_hire_plant()
    # When the engine validates the plant
    (finding,) = engine.batch(data, norms)
    # Then the note does not present the department's habit as E3's own shifts
    assert finding.record_key == tuesday_key
    assert "median of 2 shifts" not in finding.note


def test_an_employee_with_no_history_and_no_department_gets_the_rules_and_no_crash(
    engine: ValidationEngine,
) -> None:
    # Given a new hire in no department, 45 min late on the first day and working straight through
    plant = PlantBuilder(weeks=WEEKS).employee("E1").employee("E9", department=None, history=False)
    day = plant.work_day("E9", TUESDAY, clock_in=45, breaks=False)
    data = plant.build()
    norms = compute_norms(data, until=local(TUESDAY, "00:00").timestamp())
    record = plant.time_clock_entry(day.entries[0])
    # When batch and real time validate the plant and the punch
    findings = engine.batch(data, norms)
    realtime = engine.realtime(record, data.slice_for("E9", record.clockin_time.timestamp()), norms)
    # Then the rule types still apply (7.75 h without a break), the same on both paths
    assert (day.first_key, A.MISSED_BREAK) in pairs(findings)
    assert {f.anomaly_type for f in findings if f.anomaly_type != A.MISSED_BREAK} <= {A.LATE_CLOCK_IN}
    assert realtime == [f for f in findings if f.record_key == day.first_key]


# ---- configured thresholds ----------------------------------------------------------------------
Scenario = Callable[[PlantBuilder], tuple[str, AnomalyType]]
"""Builds one case into E1's plant; returns the record and the anomaly the default policy flags on it."""


def plant_with(scenario: Scenario) -> tuple[PlantData, Norms, str, AnomalyType]:
    """E1's plant with `scenario` built in: its data, its norms, and the scenario's record and anomaly."""
    plant = PlantBuilder(weeks=WEEKS).employee("E1")
    key, anomaly = scenario(plant)
    data = plant.build()
    return data, compute_norms(data), key, anomaly


def late_15(plant: PlantBuilder) -> tuple[str, AnomalyType]:
    return plant.work_day("E1", TUESDAY, clock_in=15).first_key, A.LATE_CLOCK_IN


def login_16(plant: PlantBuilder) -> tuple[str, AnomalyType]:
    return plant.work_day("E1", TUESDAY, clock_in=0, login_gap=16).first_key, A.MACHINE_LOGIN_MISMATCH


def straight_through(plant: PlantBuilder) -> tuple[str, AnomalyType]:
    return plant.work_day("E1", TUESDAY, breaks=False).first_key, A.MISSED_BREAK


def stays_25(plant: PlantBuilder) -> tuple[str, AnomalyType]:
    return plant.work_day("E1", TUESDAY, clock_out=-30, logout_gap=-25).last_key, A.EARLY_CLOCK_OUT_ACTIVE_JOB


def run_60(plant: PlantBuilder) -> tuple[str, AnomalyType]:
    run = plant.run("WC1", local(TUESDAY, "18:00"), local(TUESDAY, "19:00"))
    return record_key("workcenter-events", run or ""), A.UNATTENDED_MACHINE


def open_82h(plant: PlantBuilder) -> tuple[str, AnomalyType]:
    return plant.work_day("E1", TUESDAY, missed_clock_out=True).last_key, A.MISSED_PUNCH


def badge_no_punch_82h(plant: PlantBuilder) -> tuple[str, AnomalyType]:
    day = plant.work_day("E1", TUESDAY, clock_in=0, punched=False)
    return record_key("badge-swipes", day.swipes[0]), A.MISSED_PUNCH


def quarter_output(plant: PlantBuilder) -> tuple[str, AnomalyType]:
    return plant.work_day("E1", TUESDAY, clock_in=0, output=(0.25, 1.0)).labor_keys[0], A.IMPROBABLE_DURATION


@pytest.mark.parametrize(
    ("scenario", "policy"),
    [
        (late_15, PunchPolicy(grace_minutes=20)),
        (login_16, PunchPolicy(machine_login_window_minutes=20)),
        (straight_through, PunchPolicy(break_required_after_hours=9)),
        (stays_25, PunchPolicy(active_job_minutes=30)),
        (run_60, PunchPolicy(unattended_minutes=90)),
        (open_82h, PunchPolicy(missed_clockout_hours=100)),
        (badge_no_punch_82h, PunchPolicy(missing_clockin_hours=100)),
        (late_15, PunchPolicy(habit_min_minutes=30)),
        (late_15, PunchPolicy(habit_min_sigmas=30)),
        (quarter_output, PunchPolicy(productivity_ratio=5)),
    ],
    ids=[
        "grace-20",
        "login-window-20",
        "break-after-9h",
        "active-job-30",
        "unattended-90",
        "missed-after-100h",
        "no-clock-in-after-100h",
        "habit-30-min",
        "habit-30-sigmas",
        "output-5x",
    ],
)
def test_a_looser_policy_stops_a_finding_the_default_makes(
    engine: ValidationEngine, scenario: Scenario, policy: PunchPolicy
) -> None:
    # Given a case the default policy flags
    data, norms, key, anomaly = plant_with(scenario)
    assert (key, anomaly) in pairs(engine.batch(data, norms))
    # When an engine configured with a looser threshold validates the same plant
    custom = ValidationEngine(engine.model, EngineSettings(policy=policy))
    # Then that finding is gone
    assert (key, anomaly) not in pairs(custom.batch(data, norms))


def under(engine: ValidationEngine, **policy: Any) -> ValidationEngine:
    """The engine's model under the default punch policy with these changes."""
    return ValidationEngine(engine.model, EngineSettings(policy=PunchPolicy(**policy)))


def normal_week() -> tuple[PlantData, Norms, str]:
    """E1's normal 40-h week (Monday–Friday, 1st shift on the dot): the plant's data, its norms, and the
    week's first entry (the week's overtime is reported on it)."""
    plant = PlantBuilder(weeks=WEEKS).employee("E1")
    days = [plant.work_day("E1", MONDAY_W47 + timedelta(days=i), clock_in=0, clock_out=0) for i in range(5)]
    data = plant.build()
    return data, compute_norms(data), days[0].first_key


def test_a_lower_weekly_limit_makes_a_normal_week_excessive(engine: ValidationEngine) -> None:
    # Given a normal 40-h week
    data, norms, first = normal_week()
    # When the limit is 39 h instead of 55 h
    strict = under(engine, weekly_hours_limit=39)
    # Then the week is excessive under the strict policy only
    assert engine.batch(data, norms) == []
    assert (first, A.EXCESSIVE_OVERTIME) in pairs(strict.batch(data, norms))


def test_a_late_clock_in_is_high_severity_beyond_the_configured_minutes(engine: ValidationEngine) -> None:
    # Given a clock-in 15 min late
    data, norms, key, _ = plant_with(late_15)
    # When late counts as high severity from 10 min instead of 30
    custom = under(engine, offset_high_minutes=10)
    # Then the late clock-in is high severity instead of medium
    assert severities(engine.batch(data, norms), key) == {A.LATE_CLOCK_IN: "medium"}
    assert severities(custom.batch(data, norms), key) == {A.LATE_CLOCK_IN: "high"}


def test_overtime_is_high_severity_beyond_the_configured_margin(engine: ValidationEngine) -> None:
    # Given a normal 40-h week and a 39-h limit
    data, norms, first = normal_week()
    strict = under(engine, weekly_hours_limit=39)
    # When high severity starts half an hour over the limit instead of 8 h
    custom = under(engine, weekly_hours_limit=39, overtime_high_margin_hours=0.5)
    # Then the week is high severity instead of medium
    assert severities(strict.batch(data, norms), first)[A.EXCESSIVE_OVERTIME] == "medium"
    assert severities(custom.batch(data, norms), first)[A.EXCESSIVE_OVERTIME] == "high"


def test_the_active_job_window_decides_between_active_job_and_early_clock_out(engine: ValidationEngine) -> None:
    # Given a 14:00 clock-out with the workcenter logout at 14:25
    data, norms, key, _ = plant_with(stays_25)
    # When the active-job window is 30 min instead of 10
    custom = under(engine, active_job_minutes=30)
    # Then the clock-out is merely early
    assert pairs(custom.batch(data, norms)) == {(key, A.EARLY_CLOCK_OUT)}


@pytest.mark.parametrize(
    ("review_above", "trend_above", "routes"),
    [(False, False, ["review"]), (True, False, ["trend"]), (True, True, [])],
    ids=["default", "review-above-it", "trend-above-it"],
)
def test_confidence_thresholds_route_or_drop_a_finding(
    engine: ValidationEngine, review_above: bool, trend_above: bool, routes: list[str]
) -> None:
    # Given a 16-min login gap, and its confidence under the packaged model
    data, norms, _, _ = plant_with(login_16)
    (finding,) = engine.batch(data, norms)
    just_above = min(1.0, finding.confidence + 0.0001)
    settings = EngineSettings(
        review_threshold=just_above if review_above else 0.7, trend_threshold=just_above if trend_above else 0.3
    )
    # When engines with the review / trend threshold just above that confidence validate it
    findings = ValidationEngine(engine.model, settings).batch(data, norms)
    # Then it goes to review, to trends only, or nowhere
    assert [f.route for f in findings] == routes


# ---- findings file ------------------------------------------------------------------------------


def some_findings(engine: ValidationEngine) -> list[Finding]:
    plant = PlantBuilder(weeks=WEEKS).employee("E1")
    plant.work_day("E1", TUESDAY, clock_in=30, missed_clock_out=True)
    plant.run("WC1", local(TUESDAY, "18:00"), local(TUESDAY, "19:00") + minutes(1))
    data = plant.build()
    return engine.batch(data, compute_norms(data))


def test_findings_written_to_a_file_read_back_equal(engine: ValidationEngine, tmp_path: Path) -> None:
    # Given findings of three types, one with no employee
    findings = some_findings(engine)
    assert len(findings) == 3 and any(f.employee_id is None for f in findings)
    # When they are written as JSON lines and read back
    path = tmp_path / "findings.jsonl"
    count = write_findings(path, findings)
    # Then one line per finding, and the same findings come back
    assert count == 3 and len(path.read_text(encoding="utf-8").splitlines()) == 3
    assert list(read_findings(path)) == findings


@pytest.mark.parametrize(
    "bad_line",
    ['{"finding_id": "f-1", "record_key": "x"}', "{not json", '{"anomaly_type": "LATE_PUNCH"}'],
    ids=["missing-fields", "not-json", "unknown-type"],
)
def test_a_malformed_line_in_a_findings_file_is_named_by_number(
    engine: ValidationEngine, tmp_path: Path, bad_line: str
) -> None:
    # Given a findings file whose 4th line (after a blank one) is not a finding
    good = [f.model_dump_json() for f in some_findings(engine)[:2]]
    path = tmp_path / "findings.jsonl"
    path.write_text("\n".join([good[0], good[1], "", bad_line]) + "\n", encoding="utf-8")
    # When it is read
    reader = read_findings(path)
    # Then the good lines come back and the bad one is named by file and line number
    assert next(reader).model_dump_json() == good[0]
    assert next(reader).model_dump_json() == good[1]
    with pytest.raises(ValueError, match=rf"^{re.escape(str(path))} line 4"):
        next(reader)
