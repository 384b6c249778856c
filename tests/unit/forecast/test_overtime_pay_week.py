"""The forecast projects overtime in the plant's pay week (`pay_week_starts`, `plexlabor:validationPolicy`): the
week validation counts weekly hours in and allocation prices overtime in, named as validation names it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from plexlabor.forecast.data import ForecastData, read_forecast_data
from plexlabor.forecast.overtime import project_overtime
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.forecast.wiring import NightlySettings, build
from plexlabor.plant import PlantFolder, PlantMeta
from plexlabor.plex import PlantFolderSource
from plexlabor.validation.policy import Weekday
from tests.unit.forecast.test_overtime import AS_OF, DETROIT, _iso, _plant

SUNDAY = datetime(2026, 11, 22, tzinfo=DETROIT).date()  # the Sunday after AS_OF's Wednesday


def _with_a_sunday_shift() -> dict[str, list[dict[str, Any]]]:
    """The hand-checked plant (`test_overtime._plant`), A1 also scheduled on Sunday 2026-11-22."""
    rows = _plant()
    rows["shift-assignments"].append(
        {
            "id": "sunday",
            "employeeId": "A1",
            "shiftId": "SH1",
            "workDate": SUNDAY.isoformat(),
            "scheduledStart": _iso(SUNDAY, 6),
            "scheduledEnd": _iso(SUNDAY, 14, 30),
            "workcenterId": "WC1",
            "status": "Scheduled",
        }
    )
    return rows


def _assy_this_week(starts: Weekday) -> Any:
    data = ForecastData.build(_with_a_sunday_shift(), "America/Detroit", AS_OF, pay_week_starts=starts)
    settings = ForecastSettings(overtime_weeks_ahead=0)
    [assy] = [p for p in project_overtime(data, settings) if p.department == "ASSY"]
    return assy


def test_a_sunday_pay_week_moves_the_week_and_its_overtime() -> None:
    # Monday weeks: Mon 16 - Sun 22, A1's Sunday shift is in the week: 48 h + 8 h, 16 h over 40
    monday = _assy_this_week("monday")
    assert (monday.iso_week, monday.week_start.astimezone(DETROIT).date().isoformat()) == ("2026-W47", "2026-11-16")
    assert monday.projected_overtime_hours == pytest.approx(16.0, abs=0.01)
    # Sunday weeks: Sun 15 - Sat 21 (named by its first day, as the overtime finding names it): the Sunday
    # shift is next week's, 8 h over 40
    sunday = _assy_this_week("sunday")
    assert (sunday.iso_week, sunday.week_start.astimezone(DETROIT).date().isoformat()) == ("2026-11-15", "2026-11-15")
    assert sunday.projected_overtime_hours == pytest.approx(8.0, abs=0.01)


def _folder(tmp_path: Path) -> PlantFolder:
    plant = PlantFolder(tmp_path / "plant")
    for resource, rows in _with_a_sunday_shift().items():
        plant.write_raw(resource, rows)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    plant.write_meta(
        PlantMeta(
            name="pay-week",
            seed=0,
            timezone="America/Detroit",
            start=start,
            end=AS_OF.astimezone(UTC),
            generated_at=start,
            counts={},
            anomaly_rate=0.0,
            anomaly_counts={},
        )
    )
    return plant


def test_the_nightly_run_reads_the_pay_week_from_the_plants_policy(tmp_path: Path) -> None:
    plant = _folder(tmp_path)
    environment = {
        "AUDIT_TABLE_NAME": "audit",
        "PLEXLABOR_PLANT_DIR": str(plant.path),
        "PLEXLABOR_ARTIFACTS_DIR": str(tmp_path / "artifacts"),
    }
    deps = build(NightlySettings.from_env({**environment, "VALIDATION_POLICY": '{"pay_week_starts": "sunday"}'}))
    assert deps.plant.pay_week_starts == "sunday"
    assert build(NightlySettings.from_env(environment)).plant.pay_week_starts == "monday"
    data = read_forecast_data(PlantFolderSource(plant), None, AS_OF, pay_week_starts=deps.plant.pay_week_starts)
    assert datetime.fromtimestamp(data.week_start(AS_OF.timestamp()), DETROIT).date().isoformat() == "2026-11-15"


def test_the_nightly_run_projects_overtime_after_the_plants_weekly_hours(tmp_path: Path) -> None:
    """`overtime_after_hours` and `weekly_hours_limit` are the plant's, as validation reads them: A1's 56 h Monday
    week is 18 h over 38 h (16 h over 40), and under a 60 h limit (over the default 55)."""
    environment = {
        "AUDIT_TABLE_NAME": "audit",
        "PLEXLABOR_PLANT_DIR": str(_folder(tmp_path).path),
        "PLEXLABOR_ARTIFACTS_DIR": str(tmp_path / "artifacts"),
    }
    policy = '{"overtime_after_hours": 38, "weekly_hours_limit": 60}'
    deps = build(NightlySettings.from_env({**environment, "VALIDATION_POLICY": policy}))
    data = ForecastData.build(_with_a_sunday_shift(), "America/Detroit", AS_OF)
    settings = ForecastSettings(overtime_weeks_ahead=0)
    [assy] = [p for p in project_overtime(data, settings, plant=deps.plant) if p.department == "ASSY"]
    assert (assy.projected_overtime_hours, assy.employees_over_limit) == (pytest.approx(18.0, abs=0.01), 0)
    assert assy.overtime_after_hours == 38  # recorded with the projection: the page says "over 38 h"
    default = build(NightlySettings.from_env(environment)).plant
    [assy] = [p for p in project_overtime(data, settings, plant=default) if p.department == "ASSY"]
    assert (assy.projected_overtime_hours, assy.employees_over_limit) == (pytest.approx(16.0, abs=0.01), 1)
