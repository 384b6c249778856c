"""On generated plants: recall 1.0 of certifications blocking scheduled work (truth computed here from the
raw rows, with its own simple code), agreement with the UNCERTIFIED_OPERATOR labels, the two loaders
and the qualification index agreeing with the validation engine."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plexlabor.models import JobOperation
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.skills.certs import Qualification
from plexlabor.skills.data import load, load_from_folder
from plexlabor.skills.engine import assess_skills
from plexlabor.skills.report import LapseUse, SkillsReport, UncertifiedUse
from plexlabor.validation.data import PlantData
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from tests.support import generated_plant

RECALL_PLANTS = {
    "expiring": PlantSpec(employees=150, weeks=3, seed=23, anomaly_rate=0.3),
    "lapsed": PlantSpec(employees=200, weeks=3, seed=38, anomaly_rate=0.3),
}
"""Small plants (about a second each) in which certifications do block planned work: one where a
certification expires inside the horizon, one where renewals are late at the end of history."""


def _rows(folder: Path, resource: str) -> list[dict[str, Any]]:
    with (folder / f"{resource}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _shift_finder(folder: Path, tz: ZoneInfo) -> Callable[[str], tuple[date, str]]:
    """(work date, shift id) of a moment: the shift whose start most recently passed, in local time,
    among those still running."""
    shifts = {}
    for row in _rows(folder, "shifts"):
        start = datetime.strptime(row["startLocal"], "%H:%M")
        end = datetime.strptime(row["endLocal"], "%H:%M")
        length = (end - start) if end > start else (end - start + timedelta(days=1))
        shifts[row["shiftId"]] = (start.time(), length)

    def shift_of(moment: str) -> tuple[date, str]:
        local = datetime.fromisoformat(moment).astimezone(tz).replace(tzinfo=None)
        best = None
        for shift_id, (start, length) in shifts.items():
            for day in (local.date() - timedelta(days=1), local.date()):
                begin = datetime.combine(day, start)
                if begin <= local < begin + length and (best is None or begin > best[0]):
                    best = (begin, shift_id, day)
        assert best is not None, f"the generator schedules inside shifts: {moment}"
        return best[2], best[1]

    return shift_of


def _expired_instead(held: list[tuple[int, date, date | None, str]], level: int, day: date) -> list[tuple[date, str]]:
    """(expiry, id) of the certifications at `level` that expired before `day`, when none is valid on it."""
    if any(lv >= level and issued <= day and (exp is None or day <= exp) for lv, issued, exp, _ in held):
        return []
    return [(exp, cid) for lv, _, exp, cid in held if lv >= level and exp is not None and exp < day]


def blocked_truth(folder: Path) -> tuple[set[tuple[str, str, date, str, str]], dict[tuple[str, str, date], str]]:
    """(employee, skill, work date, shift id, workcenter) for every planned shift an expired certification
    keeps an operator from, and the certification that expired last for each (employee, skill, date).

    Straight from the rows: an operation is worked in every shift its scheduled span [start, end) runs in,
    sampled at its start, every half hour and a second before its end (shifts are whole half hours); a
    moment's shift is the one whose start most recently passed, in local time, among those still running; a
    planned operator is blocked when a certification-required skill of their workcenter has no certification
    valid that day at the level, and they held one that expired.
    """
    meta = json.loads((folder / "plant.json").read_text())
    tz = ZoneInfo(meta["timezone"])
    first = datetime.fromisoformat(meta["end"]).astimezone(tz).date()
    days = {first + timedelta(days=n) for n in range(14)}
    shift_of = _shift_finder(folder, tz)

    demand = set()
    for op in _rows(folder, "job-operations"):
        if op.get("scheduledStart") and op.get("status") != "Complete":
            start = datetime.fromisoformat(op["scheduledStart"])
            end = datetime.fromisoformat(op["scheduledEnd"]) - timedelta(seconds=1)
            moments = [start + timedelta(minutes=30 * n) for n in range(int((end - start) / timedelta(minutes=30)) + 1)]
            for moment in (*moments, max(start, end)):
                day, shift_id = shift_of(moment.isoformat())
                demand.add((op["workcenterId"], day, shift_id))

    required = defaultdict(list)
    for row in _rows(folder, "workcenter-requirements"):
        if row["certificationRequired"]:
            required[row["workcenterId"]].append((row["skillId"], row["minLevel"]))
    certs = defaultdict(list)
    for row in _rows(folder, "certifications"):
        expires = date.fromisoformat(row["expiresDate"]) if row["expiresDate"] else None
        certs[(row["employeeId"], row["skillId"])].append(
            (row["level"], date.fromisoformat(row["issuedDate"]), expires, row["id"])
        )
    active = {row["id"] for row in _rows(folder, "employees") if row["status"] == "Active"}

    truth, culprit = set(), {}
    for row in _rows(folder, "shift-assignments"):
        day, wc, employee = date.fromisoformat(row["workDate"]), row["workcenterId"], row["employeeId"]
        planned = row["status"] == "Scheduled" and day in days and (wc, day, row["shiftId"]) in demand
        if not planned or employee not in active:
            continue
        for skill, level in required[wc]:
            if expired := _expired_instead(certs[(employee, skill)], level, day):
                truth.add((employee, skill, day, row["shiftId"], wc))
                culprit[(employee, skill, day)] = max(expired)[1]
    return truth, culprit


def found_blocks(report: SkillsReport) -> tuple[set[tuple[str, str, date, str, str]], dict[tuple[str, str, date], str]]:
    found, certs = set(), {}
    for alert in (*report.expiring, *report.lapsed):
        for shift in alert.blocked:
            found.add((alert.employee_id, alert.skill_id, shift.work_date, shift.shift_id, shift.workcenter_id))
            certs[(alert.employee_id, alert.skill_id, shift.work_date)] = alert.certification_id
    return found, certs


@pytest.fixture(scope="module", params=sorted(RECALL_PLANTS))
def recall_plant(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    return request.param, generated_plant(tmp_path_factory, f"skills-{request.param}", RECALL_PLANTS[request.param])


def test_every_certification_blocking_scheduled_work_is_found(recall_plant: tuple[str, Path]) -> None:
    kind, folder = recall_plant
    # Given the truth from the raw rows
    truth, culprit = blocked_truth(folder)
    assert truth, "the plant must contain blocked work for the test to mean anything"
    # When
    report = assess_skills(load_from_folder(folder))
    found, certs = found_blocks(report)
    # Then recall 1.0 (and nothing that is not blocked), each linked to the certification that expired last
    assert truth - found == set(), f"missed {len(truth - found)} of {len(truth)}"
    assert found - truth == set()
    assert certs == culprit
    alerts = report.expiring if kind == "expiring" else report.lapsed
    assert any(a.blocked for a in alerts)
    assert {a.certification_id for a in (*report.expiring, *report.lapsed) if a.blocked} == set(culprit.values())


def test_uses_while_uncertified_match_the_uncertified_operator_labels(labelled_plant: PlantFolder) -> None:
    meta = labelled_plant.meta()
    weeks = (meta.end - meta.start).days + 1
    report = assess_skills(load_from_folder(labelled_plant, lookback_days=weeks))
    uses: list[LapseUse | UncertifiedUse] = [*report.lapse_uses, *report.uncertified_uses]
    flagged = {e for use in uses for e in use.labor_entry_ids}
    labelled = {
        label.record_key.split(":", 1)[1]
        for label in labelled_plant.labels()
        if label.anomaly_type == "UNCERTIFIED_OPERATOR"
    }
    assert labelled and flagged == labelled


def test_the_port_and_the_folder_helper_read_the_same_snapshot(labelled_plant: PlantFolder) -> None:
    as_of = date(2026, 11, 10)  # inside the history: both the plan and the look-back have rows
    from_port = load(PlantFolderSource(labelled_plant), as_of, timezone=labelled_plant.meta().timezone)
    from_folder = load_from_folder(labelled_plant, as_of)
    assert from_port.planned and from_port.operations and from_port.work and from_port.scrap
    assert from_port == from_folder
    assert load(PlantFolderSource(labelled_plant), as_of) == from_folder  # the zone: the port's


def test_the_qualification_index_agrees_with_the_validation_engine(labelled_plant: PlantFolder) -> None:
    data = load_from_folder(labelled_plant)
    qualification = Qualification(data)
    engine = PlantData.from_folder(labelled_plant)
    rng = random.Random(7)
    employees, workcenters = sorted(data.employees), sorted(data.workcenters)
    days = [data.as_of - timedelta(days=n) for n in range(-14, 120, 3)]
    for _ in range(3000):
        employee, wc, day = rng.choice(employees), rng.choice(workcenters), rng.choice(days)
        missing = engine.certified(employee, wc, day)
        assert qualification.qualified(employee, wc, day) == (not missing)
        assert sorted(qualification.missing(employee, wc, day)) == sorted(set(missing))


def test_operations_of_closed_jobs_are_not_demand(tmp_path: Path) -> None:
    # Given a small plant where two jobs with operations in the plan are complete or cancelled
    generate_plant(PlantSpec(employees=30, weeks=1, seed=5), tmp_path)
    folder = PlantFolder(tmp_path)
    as_of = load_from_folder(folder).as_of
    planned_ops = load_from_folder(folder).operations
    closed = {planned_ops[0].job_id: "Complete", planned_ops[-1].job_id: "Cancelled"}
    jobs = [row | {"status": closed.get(row["id"], row["status"])} for row in folder.iter_raw("jobs")]
    folder.write_raw("jobs", jobs)

    asked: list[str | None] = []

    class CountingSource(PlantFolderSource):
        def job_operations(self, job_id: str | None = None) -> list[JobOperation]:
            asked.append(job_id)
            return super().job_operations(job_id)

    # When the port and the folder helper read it
    port = CountingSource(folder)
    from_port = load(port, as_of, timezone=folder.meta().timezone)
    from_folder = load_from_folder(folder, as_of)
    # Then neither counts the closed jobs' operations, and the port was asked for open jobs only
    assert from_port == from_folder
    assert not {op.job_id for op in from_folder.operations} & set(closed)
    assert len(from_folder.operations) < len(planned_ops)
    assert asked and None not in asked and not set(asked) & set(closed)
