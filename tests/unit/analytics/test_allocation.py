"""Labor allocation of a day: every paid minute in exactly one bucket, overlapping operations split equally."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from plexlabor.allocation.day import UNALLOCATED, allocate_day, read_day
from plexlabor.models import LaborEntry, TimeClockEntry
from plexlabor.plant import PlantFolder
from plexlabor.plex import PlantFolderSource
from plexlabor_dev.cli import main

T0 = datetime(2026, 11, 18, 6, tzinfo=UTC)
DAY = (T0.timestamp() - 6 * 3600, T0.timestamp() + 18 * 3600)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _labor(op: str, start: float, end: float) -> LaborEntry:
    return LaborEntry(
        id=f"L{op}{start}",
        employee_id="E1",
        workcenter_id="W1",
        job_id="J1",
        job_operation_id=op,
        start_time=_at(start),
        end_time=_at(end),
    )


def test_two_machines_at_once_split_equally_and_gaps_are_unallocated() -> None:
    # Given 8 h paid in two punches, op A from 10 to 250 min, op B alongside from 130 to 250, then nothing
    punches = [
        TimeClockEntry(id="P1", employee_id="E1", clockin_time=_at(0), clockout_time=_at(240)),
        TimeClockEntry(id="P2", employee_id="E1", clockin_time=_at(240), clockout_time=_at(480)),
    ]
    labor = [_labor("A", 10, 250), _labor("B", 130, 250)]
    # When allocated
    (day,) = allocate_day(punches, labor, DAY)
    # Then A has 120 min alone plus half of 120 min shared, B the other half, the rest is unallocated
    assert day.paid_minutes == 480
    assert day.buckets == {"A": 180, "B": 60, UNALLOCATED: 240}
    assert day.allocated_minutes + day.unallocated_minutes == day.paid_minutes


def test_every_paid_minute_of_a_generated_plant_lands_in_one_bucket(labelled_plant: PlantFolder) -> None:
    # Given every day of the plant's last week
    end = labelled_plant.meta().end.date()
    source = PlantFolderSource(labelled_plant)
    for offset in range(1, 8):
        employees = read_day(source, end - timedelta(days=offset))
        # Then allocated + unallocated = paid, to the minute, for every employee, and most paid time has a job
        assert employees
        assert all(sum(e.buckets.values()) == e.paid_minutes for e in employees)
        paid = sum(e.paid_minutes for e in employees)
        assert sum(e.allocated_minutes for e in employees) > 0.5 * paid


def test_the_command_prints_per_employee_minutes_and_names_a_bad_day(
    labelled_plant: PlantFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    day = (labelled_plant.meta().end - timedelta(days=3)).date()
    assert main(["allocation", "run", "--plant", str(labelled_plant.path), "--day", day.isoformat(), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["totals"]["paid"] == out["totals"]["allocated"] + out["totals"]["unallocated"] > 0
    assert all(row["employee"].startswith("E") for row in out["employees"])
    assert all(" op " in bucket for row in out["employees"] for bucket in row["allocated"])
    assert main(["allocation", "run", "--plant", str(labelled_plant.path), "--day", "2026-02-30"]) == 2
    assert "--day: '2026-02-30' is not a date" in capsys.readouterr().err
    assert date.fromisoformat(out["day"]) == day
