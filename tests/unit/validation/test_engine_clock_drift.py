"""A clock device that runs fast or slow, found against the badge readers and read at true time (issue 11 §3)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from plant_builder import TIMEZONE, PlantBuilder, local, plex_time

from plexlabor.approval.fits import fits_record, record_times
from plexlabor.models import TimeClockEntry
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.clocks import ClockOffsets
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import Norms, compute_norms

A = AnomalyType
PEOPLE = [f"E{n}" for n in range(1, 7)]  # six people punch at CLK-1: enough pairs a day to read the clock
OFF_FROM = date(2026, 11, 9)  # from this Monday on, CLK-1 runs off
CHECKED = date(2026, 11, 18)  # a Wednesday while it does


def drifting_plant(
    error_min: float,
    login_gap: float | None,
    off_from: date = OFF_FROM,
    walk: tuple[int, int] = (6, 6),
    left_open: int | None = None,
    repunch_min: float | None = None,
) -> tuple[PlantData, str, dict[str, Any]]:
    """Eight weeks of six people at CLK-1, which runs `error_min` ahead of true time (negative: slow) from
    OFF_FROM on; on CHECKED, E1 logs in `login_gap` minutes after the true clock-in, and the entry numbered
    `left_open` (0: the morning's, 1: the one after the break) has no clock-out, and E1 clocks in again at CLK-1
    `repunch_min` minutes after it (to 14:30). Badge readers keep true time.
    Returns the plant, the key of E1's first entry that day (else the one left open) and its row as recorded."""
    plant = PlantBuilder(weeks=8)
    for person in PEOPLE:
        plant.employee(person)
    day = plant.work_day("E1", CHECKED, login_gap=login_gap)
    key = day.first_key
    if left_open is not None:
        plant.edit("time-clock-entries", day.entries[left_open], clockoutTime=None, clockoutDeviceId=None)
        key = day.entry_keys[left_open]
        if repunch_min is not None:
            opened = next(r for r in plant.rows["time-clock-entries"] if r["id"] == day.entries[left_open])
            again = datetime.fromisoformat(opened["clockinTime"]) + timedelta(minutes=repunch_min)
            plant.punch("E1", again, local(CHECKED, "14:30"), device="CLK-1")
    rows = plant.plex_rows()
    shortest, longest = walk
    for number, row in enumerate(r for r in rows["badge-swipes"] if r["direction"] == "In"):
        walked = shortest + number % (longest - shortest + 1)  # the builder badges in 6 min before the clock-in
        row["swipeTime"] = plex_time(datetime.fromisoformat(row["swipeTime"]) + timedelta(minutes=6 - walked))
    error = timedelta(minutes=error_min)
    for row in rows["time-clock-entries"]:
        clock_in = datetime.fromisoformat(row["clockinTime"])
        if row["clockinDeviceId"] == "CLK-1" and clock_in.date() >= off_from:
            row["clockinTime"] = plex_time(clock_in + error)
            if row["clockoutTime"]:
                row["clockoutTime"] = plex_time(datetime.fromisoformat(row["clockoutTime"]) + error)
    row = next(r for r in rows["time-clock-entries"] if key.endswith(r["id"]))
    return PlantData.build(rows, TIMEZONE, plant.as_of.timestamp()), key, row


def flagged(engine: ValidationEngine, data: PlantData, key: str, norms: Norms | None = None) -> set[AnomalyType]:
    norms = norms or compute_norms(data)
    return {f.anomaly_type for f in engine.batch(data, norms) if f.record_key == key and f.route == "review"}


def test_a_clock_running_slow_is_measured_against_the_badge_readers() -> None:
    data, _, _ = drifting_plant(-5, login_gap=4)
    clocks = ClockOffsets.measure(data)
    assert clocks.offset("CLK-1", CHECKED) == -300
    assert clocks.offset("CLK-1", OFF_FROM - timedelta(days=3)) == 0  # before it ran off
    assert clocks.offset("CLK-2", CHECKED) == 0  # nobody's clock: nothing known
    assert ClockOffsets.from_json(clocks.to_json()) == clocks  # kept with the norms for the real-time path


def test_the_days_a_clock_kept_time_stay_as_recorded_when_it_ran_off_for_weeks() -> None:
    # Given walks from the door of 2-12 min and CLK-1 5 min slow for the last three of eight weeks: the median
    # of all its lags leans 2 min towards the slow weeks, which made the weeks it kept time look 2 min fast
    data, _, _ = drifting_plant(-5, login_gap=4, off_from=date(2026, 11, 2), walk=(2, 12))
    clocks = ClockOffsets.measure(data)
    kept_time = [date(2026, 11, 1) - timedelta(days=n) for n in range(35)]
    assert [day for day in kept_time if clocks.offset("CLK-1", day)] == []
    assert clocks.offset("CLK-1", CHECKED) == pytest.approx(-300, abs=30)


def test_a_login_gap_made_by_a_slow_clock_is_no_mismatch(engine: ValidationEngine) -> None:
    # 12 min after the true clock-in (inside the 15-min window); the clock, 5 min slow, shows 17
    data, key, _ = drifting_plant(-5, login_gap=12)
    assert A.MACHINE_LOGIN_MISMATCH not in flagged(engine, data, key)
    without = compute_norms(data)
    without.clocks = ClockOffsets()
    assert A.MACHINE_LOGIN_MISMATCH in flagged(engine, data, key, without)  # what was reported before


def test_a_real_login_gap_on_a_drifting_clock_is_still_found_and_says_the_clock_ran_off(
    engine: ValidationEngine,
) -> None:
    data, key, row = drifting_plant(-5, login_gap=22)  # 22 min after the true clock-in: beyond the window
    norms = compute_norms(data)
    findings = [f for f in engine.batch(data, norms) if f.record_key == key]
    mismatch = next(f for f in findings if f.anomaly_type == A.MACHINE_LOGIN_MISMATCH)
    assert mismatch.evidence["gap_min"] == pytest.approx(22, abs=0.1)
    assert mismatch.evidence["clock_error_min"] == -5
    assert "CLK-1 ran 5 min slow" in mismatch.note
    record = TimeClockEntry.from_plex(row)
    realtime = engine.realtime(record, data.slice_for("E1", record.clockin_time.timestamp()), norms)
    assert [f for f in realtime if f.record_key == key] == findings  # real time reads the clocks from the norms


def test_a_clock_a_minute_off_is_left_as_recorded() -> None:
    # the walk from the door varies by minutes: an error under MIN_OFFSET (90 s) is no evidence of a drift
    data, _, _ = drifting_plant(-1, login_gap=4)
    assert ClockOffsets.measure(data).runs == {}


def suggested_clockout(engine: ValidationEngine, data: PlantData, key: str) -> tuple[datetime, Any]:
    """The missed punch's suggested clock-out on `key`, and the finding."""
    finding = next(f for f in engine.batch(data, compute_norms(data)) if f.record_key == key)
    assert finding.anomaly_type == A.MISSED_PUNCH
    assert finding.suggested_correction is not None
    return datetime.fromisoformat(finding.suggested_correction["clockoutTime"]), finding


def fits_as_typed(finding: Any, clockout: str) -> None:
    """What a supervisor's edit must pass (review.edits.fits_record, against the record as Plex keeps it)."""
    record = record_times(finding.evidence)
    fits_record({"clockoutTime": clockout}, ["clockoutTime"], record, ZoneInfo(TIMEZONE), timedelta(hours=16))


@pytest.mark.parametrize("error_min", [2.75, -2.75], ids=["fast", "slow"])
def test_an_entry_left_open_on_a_drifting_clock_is_closed_after_its_own_clock_in(
    engine: ValidationEngine, error_min: float
) -> None:
    # Given CLK-1 runs 2.75 min off (more than SAME_PUNCH_SECONDS) and E1's entry after the break is left open;
    data, key, row = drifting_plant(error_min, login_gap=4, left_open=1)
    # When the engine validates the plant
    clockout, finding = suggested_clockout(engine, data, key)
    # Then the suggestion is the badge-out less the walk, not the entry's own recorded clock-in (ux_s17: 10:20
    # "the next clock-in" was its own 10:17 clock-in as the fast clock keyed it)
    assert clockout == local(CHECKED, "14:31")  # the badge-out 14:34 (true time) less the 3 min walk
    assert finding.evidence["correction_basis"] == "badge-out"
    assert clockout > datetime.fromisoformat(row["clockinTime"])
    fits_as_typed(finding, finding.suggested_correction["clockoutTime"])  # approving it unchanged is an edit that fits


@pytest.mark.parametrize("error_min", [2.75, -2.75], ids=["fast", "slow"])
def test_an_entry_left_open_before_the_break_on_a_drifting_clock_stops_before_the_next_entry_as_kept(
    engine: ValidationEngine, error_min: float
) -> None:
    # Given the near miss: the morning entry is the one left open, and the entry after the break follows
    data, key, _ = drifting_plant(error_min, login_gap=None, left_open=0)
    clockout, finding = suggested_clockout(engine, data, key)
    # Then the suggestion is capped at the next clock-in, at true time or as recorded whichever is earlier,
    # so the corrected entry runs into the next on neither (a slow clock's next entry is recorded earlier)
    assert finding.evidence["correction_basis"] == "the next clock-in"
    assert clockout == local(CHECKED, "10:45") + min(timedelta(), timedelta(minutes=error_min))  # 10:45 true
    fits_as_typed(finding, finding.suggested_correction["clockoutTime"])


def test_an_entry_left_open_and_punched_again_within_minutes_on_a_slow_clock_gets_no_clockout(
    engine: ValidationEngine,
) -> None:
    # Given CLK-1 runs 2.75 min slow, and 130 s after the entry after the break (left open) E1 clocks in there
    # again: as recorded the re-punch starts 35 s before the open entry's true clock-in
    data, key, _ = drifting_plant(-2.75, login_gap=4, left_open=1, repunch_min=130 / 60)
    finding = next(f for f in engine.batch(data, compute_norms(data)) if f.record_key == key)
    # Then no clock-out fits between them on both bases: none is suggested (one would end before it began)
    assert finding.anomaly_type == A.MISSED_PUNCH
    assert finding.suggested_correction is None
    assert "no clock-out fits before the next clock-in" in finding.note
