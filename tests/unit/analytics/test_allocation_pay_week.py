"""Allocation counts weekly overtime in the plant's pay week (`pay_week_starts`, `plexlabor:validationPolicy`), the
week validation counts weekly hours in: a plant paying Sunday to Saturday gets Sunday's hours in the week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from plexlabor.allocation.policy import AllocationPolicy
from plexlabor.allocation.report import read_report
from plexlabor.allocation.wiring import AllocationNightlySettings, build
from plexlabor.plant import PlantFolder, PlantMeta
from plexlabor.plex import PlantFolderSource

ZONE = ZoneInfo("America/Detroit")
SUNDAY = date(2026, 11, 29)
FRIDAY = date(2026, 12, 4)


def _shift(day: date, hours: float, n: int) -> dict[str, Any]:
    start = datetime(day.year, day.month, day.day, 6, tzinfo=ZONE)
    end = start + timedelta(hours=hours)
    return {
        "id": f"T{n}",
        "employeeId": "E1",
        "clockinTime": start.astimezone(UTC).isoformat(),
        "clockoutTime": end.astimezone(UTC).isoformat(),
    }


def _plant(tmp_path: Path) -> PlantFolder:
    """E1 works 10 h on Sunday, then 8 h each day Monday to Friday, at $30 an hour."""
    plant = PlantFolder(tmp_path / "plant")
    plant.write_raw(
        "employees",
        [
            {
                "id": "E1",
                "employeeNo": "E00001",
                "firstName": "A",
                "lastName": "B",
                "departmentCode": "MACH",
                "payRate": 30,
            }
        ],
    )
    days = [(SUNDAY, 10.0), *((SUNDAY + timedelta(days=k), 8.0) for k in range(1, 6))]
    plant.write_raw("time-clock-entries", [_shift(day, hours, n) for n, (day, hours) in enumerate(days)])
    start = datetime(2026, 11, 1, tzinfo=UTC)
    plant.write_meta(
        PlantMeta(
            name="pay-week",
            seed=0,
            timezone="America/Detroit",
            start=start,
            end=datetime(2026, 12, 6, tzinfo=UTC),
            generated_at=start,
            counts={},
            anomaly_rate=0.0,
            anomaly_counts={},
        )
    )
    return plant


def test_a_sunday_pay_week_puts_sundays_hours_in_the_week_fridays_overtime_is_counted_in(tmp_path: Path) -> None:
    source = PlantFolderSource(_plant(tmp_path))
    # Monday weeks: 32 h Monday-Thursday, Friday's 8 h reach 40, no overtime
    monday = read_report(source, FRIDAY)
    assert (monday.totals.overtime, monday.totals.payroll) == (0, 240.0)
    # Sunday weeks: Sunday's 10 h count, 42 h before Friday, all of Friday is overtime at 1.5 x
    sunday = read_report(source, FRIDAY, AllocationPolicy(pay_week_starts="sunday"))
    assert (sunday.totals.overtime, sunday.totals.payroll) == (480, 360.0)


def test_allocation_nightly_takes_the_pay_week_from_the_plants_policy(tmp_path: Path) -> None:
    environment = {
        "AUDIT_TABLE_NAME": "audit",
        "PLEXLABOR_PLANT_DIR": str(_plant(tmp_path).path),
        "PLEXLABOR_ARTIFACTS_DIR": str(tmp_path / "artifacts"),
    }
    deps = build(
        AllocationNightlySettings.from_env({**environment, "VALIDATION_POLICY": '{"pay_week_starts": "sunday"}'})
    )
    assert deps.policy.pay_week_starts == "sunday"
    assert build(AllocationNightlySettings.from_env(environment)).policy.pay_week_starts == "monday"


def test_allocation_nightly_takes_the_overtime_threshold_from_the_plants_policy(tmp_path: Path) -> None:
    """`overtime_after_hours` is the plant's, as validation reads it: at 38 h Monday weeks Friday has 6 h overtime."""
    environment = {
        "AUDIT_TABLE_NAME": "audit",
        "PLEXLABOR_PLANT_DIR": str(_plant(tmp_path).path),
        "PLEXLABOR_ARTIFACTS_DIR": str(tmp_path / "artifacts"),
    }
    deps = build(
        AllocationNightlySettings.from_env({**environment, "VALIDATION_POLICY": '{"overtime_after_hours": 38}'})
    )
    report = read_report(PlantFolderSource(PlantFolder(tmp_path / "plant")), FRIDAY, deps.policy)
    # Monday-Thursday 32 h, Friday's 8 h pass 38 h after 6 h: 2 h overtime at 1.5 x $30
    assert (report.totals.overtime, report.totals.payroll) == (120, 270.0)
    assert build(AllocationNightlySettings.from_env(environment)).policy.weekly_overtime_hours == 40
