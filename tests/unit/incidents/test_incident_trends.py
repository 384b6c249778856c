"""Incident trends (issue 13, section 4): rates per 200,000 hours, overtime, fatigue, on records made by
hand (every number checked by arithmetic), then incident_trends' run on a generated plant with incidents
logged the way incident_log logs them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from plexlabor.audit import InMemoryAuditStore
from plexlabor.incidents.nightly import IncidentTrendsEvent, TrendsDeps, recorded_incidents, run
from plexlabor.incidents.service import IncidentDeps, IncidentReport, correct_codes, log_incident, opening
from plexlabor.incidents.trends import IncidentFact, LaborWindow, compute_trends, fatigue_level, rate, read_trends
from plexlabor.incidents.wiring import TrendsSettings, build_trends
from plexlabor.models import LaborEntry, TimeClockEntry
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import InMemoryArtifactStore, read_pointer
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from tests.support import load_event
from tests.unit.incidents.conftest import CONFIRMED_CODES

ZONE = ZoneInfo("UTC")
MONDAY = date(2026, 11, 9)


def _shift(employee: str, day: date, hours: float, n: int) -> TimeClockEntry:
    start = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
    return TimeClockEntry(
        id=f"t{n}", employee_id=employee, clockin_time=start, clockout_time=start + timedelta(hours=hours)
    )


def _labor(employee: str, workcenter: str, day: date, hours: float, n: int) -> LaborEntry:
    start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
    return LaborEntry(
        id=f"l{n}",
        employee_id=employee,
        workcenter_id=workcenter,
        job_id="J1",
        job_operation_id="J1-10",
        start_time=start,
        end_time=start + timedelta(hours=hours),
    )


def _window() -> LaborWindow:
    """A works 10 h a day Monday to Saturday of two weeks (the 7 days before the window too); B 8 h on
    weekdays of the window's two weeks only. Both log their hours at W1 (A) and W2 (B) but A 4 h at W2 on
    the second Friday."""
    clock: list[TimeClockEntry] = []
    labor: list[LaborEntry] = []
    for n in range(-7, 14):
        day = MONDAY + timedelta(days=n)
        if day.weekday() < 6:
            clock.append(_shift("A", day, 10, len(clock)))
            if day == MONDAY + timedelta(days=11):
                labor += [_labor("A", "wc2", day, 4, len(labor)), _labor("A", "wc1", day, 6, len(labor) + 1)]
            elif n >= 0:
                labor.append(_labor("A", "wc1", day, 10, len(labor)))
        if n >= 0 and day.weekday() < 5:
            clock.append(_shift("B", day, 8, len(clock)))
            labor.append(_labor("B", "wc2", day, 8, len(labor)))
    return LaborWindow(clock, labor, (), {}, {"wc1": "W1", "wc2": "W2"}, {"A": "1", "B": "2"})


def test_rates_per_200000_hours_overtime_and_fatigue_by_arithmetic() -> None:
    second_friday = MONDAY + timedelta(days=11)
    incidents = [
        IncidentFact(MONDAY + timedelta(days=1), "injury", "W1", "1", "6"),
        IncidentFact(second_friday, "injury", "W2", None, "6"),
        IncidentFact(second_friday, "near_miss", None, "2", "uncoded"),
        IncidentFact(MONDAY - timedelta(days=1), "injury", "W1", "1", "6"),  # before the window: not counted
    ]
    trends = compute_trends(
        incidents, _window(), as_of=MONDAY + timedelta(days=13), weeks=2, zone=ZONE, generated_at=datetime.now(UTC)
    )
    # paid hours: A 6 x 10 h a week, B 5 x 8 h a week
    assert trends.total.hours == 2 * (60 + 40) and trends.total.injuries == 2 and trends.total.near_misses == 1
    assert trends.total.injury_rate == rate(2, 200) == 2000.0
    assert [w.key for w in trends.weekly] == ["2026-11-09", "2026-11-16"]
    assert [w.injuries for w in trends.weekly] == [1, 1] and [w.near_misses for w in trends.weekly] == [0, 1]
    assert [w.overtime_hours for w in trends.weekly] == [20, 20]  # A: 60 h a week, 20 over 40; B: none
    assert trends.weekly[1].by_category == {"6": 1, "uncoded": 1}
    shifts = {r.key: r for r in trends.by_shift}
    assert shifts["1"].hours == 120 and shifts["1"].injury_rate == rate(1, 120)
    assert shifts["unknown"].injuries == 1 and shifts["unknown"].injury_rate is None  # no hours: no rate
    workcenters = {r.key: r for r in trends.by_workcenter}
    assert workcenters["W1"].hours == 2 * 60 - 4 and workcenters["W2"].hours == 80 + 4
    assert workcenters["W2"].injury_rate == rate(1, 84)
    # A has worked 6 days in a row before every day of the window (fatigued); B 40 h or less (rested),
    # except the second Monday, after 5 x 8 h, still rested
    assert fatigue_level({("A", MONDAY - timedelta(days=n)): 10 for n in range(1, 7)}, "A", MONDAY) == "fatigued"
    levels = {r.key: r for r in trends.fatigue}
    assert levels["fatigued"].hours == 120 and levels["rested"].hours == 80 and levels["long hours"].hours == 0
    # the W2 injury on the second Friday: A 4 h (fatigued), B 8 h (rested) there that day
    assert levels["fatigued"].injuries == round(1 + 4 / 12, 3) and levels["rested"].injuries == round(8 / 12, 3)
    assert levels["not attributed"].near_misses == 1
    assert {r.key for r in trends.by_category} == {"6", "uncoded"}
    assert next(r for r in trends.by_category if r.key == "6").label.startswith("6 Contact")


def test_overtime_counts_after_the_plants_weekly_hours(labelled_plant: PlantFolder, tmp_path: Path) -> None:
    """`overtime_after_hours` is the plant's (`plexlabor:validationPolicy`), as allocation, the forecast and the crew
    plan read it: at 38 h, A's 60 h weeks are 22 h over and B's 40 h weeks 2 h: 24 h a week."""
    environment = {
        "AUDIT_TABLE_NAME": "audit",
        "PLEXLABOR_PLANT_DIR": str(labelled_plant.path),
        "PLEXLABOR_ARTIFACTS_DIR": str(tmp_path / "artifacts"),
    }
    deps = build_trends(TrendsSettings.from_env({**environment, "VALIDATION_POLICY": '{"overtime_after_hours": 38}'}))
    as_of = MONDAY + timedelta(days=13)
    trends = compute_trends(
        [], _window(), as_of=as_of, weeks=2, zone=ZONE, generated_at=datetime.now(UTC), plant=deps.plant
    )
    assert [w.overtime_hours for w in trends.weekly] == [24, 24] and trends.total.overtime_hours == 48
    assert build_trends(TrendsSettings.from_env(environment)).plant.overtime_after_hours == 40


def test_long_hours_lie_between_40_and_50_in_the_seven_days_before() -> None:
    paid = {("P", MONDAY - timedelta(days=n)): 11.0 for n in (1, 2, 4, 5)}  # 44 h, never 6 days in a row
    assert fatigue_level(paid, "P", MONDAY) == "long hours"
    assert fatigue_level({**paid, ("P", MONDAY - timedelta(days=7)): 7.0}, "P", MONDAY) == "fatigued"  # 51 h
    assert fatigue_level({}, "P", MONDAY) == "rested"


def test_the_run_counts_logged_incidents_with_the_ehs_leads_codes_beside_the_plants_hours(
    labelled_plant: PlantFolder,
) -> None:
    audit = InMemoryAuditStore()
    logged_at = datetime(2026, 11, 19, 12, tzinfo=UTC)
    deps = IncidentDeps(audit, None, clock=lambda: logged_at)
    workcenter = next(labelled_plant.iter_raw("workcenters"))["workcenterCode"]
    hurt = log_incident(
        deps,
        IncidentReport(
            narrative="Operator caught a finger in the fixture clamp.",
            workcenter_code=workcenter,
            occurred_at=datetime(2026, 11, 18, 10),
        ),
        "E1",
    )
    slid = IncidentReport(narrative="A pallet slid off the forklift in aisle 3.", occurred_at=datetime(2026, 11, 18, 9))
    log_incident(deps, slid, "E1")  # sent as an injury, then corrected to a near miss: counted once, as corrected
    log_incident(deps, slid.model_copy(update={"kind": "near_miss"}), "E1")
    event = opening(audit, hurt.incident_id)
    assert event is not None
    correct_codes(audit, event, CONFIRMED_CODES, "ehs", logged_at)

    facts = recorded_incidents(audit, logged_at - timedelta(days=1), ZoneInfo("America/Detroit"))
    assert sorted((f.kind, f.category, f.workcenter_code) for f in facts) == [
        ("injury", "6", workcenter),
        ("near_miss", "uncoded", None),
    ]
    store = InMemoryArtifactStore()
    source = LaborSource(PlantFolderSource(labelled_plant), "America/Detroit")
    event_in = load_event("incident_trends")
    event_in["detail"] = {"as_of": "2026-11-20", "weeks": 3}
    summary = run(TrendsDeps(audit, source, store), IncidentTrendsEvent.model_validate(event_in))
    pointer = read_pointer(store)
    assert pointer is not None and summary["report_key"] == pointer.key == "2026-11-20.json"
    trends = read_trends(store, pointer)
    assert trends.total.injuries == 1 and trends.total.near_misses == 1 and len(trends.weekly) == 3
    assert trends.total.hours > 1000 and trends.total.injury_rate == rate(1, trends.total.hours)
    assert abs(sum(w.hours for w in trends.weekly) - trends.total.hours) < 0.5  # each rounded to 0.1 h
    at = next(r for r in trends.by_workcenter if r.key == workcenter)
    assert at.injuries == 1 and at.hours > 0 and at.injury_rate == rate(1, at.hours)
    assert sum(r.injuries for r in trends.fatigue) == 1
