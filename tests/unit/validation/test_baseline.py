"""The fixed-grace baseline: each rule fires on its case and not on the near miss next to it."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plexlabor.models.anomalies import AnomalyType
from plexlabor.plant import PlantFolder, PlantMeta
from plexlabor.validation.baseline import MODEL_VERSION, run_baseline
from plexlabor.validation.findings import Finding, finding_id_for
from plexlabor.validation.policy import PunchPolicy
from plexlabor.validation.scoring import label_bearing_record_count, score
from plexlabor_dev.simulator.generator import iter_label_keys

A = AnomalyType
TZ = ZoneInfo("America/Detroit")
TUESDAY = date(2026, 11, 10)
EXTRACT = datetime(2026, 11, 21, tzinfo=TZ)  # midnight after the last day, as the generator does
_ids = itertools.count(1)


def at(day: date, hhmm: str, seconds: int = 0) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, seconds, tzinfo=TZ)


def plex(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def entry(
    t_in: datetime, t_out: datetime | None, employee: str = "E1", created: datetime | None = None, id: str = ""
) -> dict[str, Any]:
    return {
        "id": id or f"t{next(_ids):04d}",
        "employeeId": employee,
        "clockinTime": plex(t_in),
        "clockoutTime": plex(t_out),
        "source": "Device",
        "createdDate": plex(created or t_in),
        "modifiedBy": None,
    }


def shift(day: date, start: str = "06:00", end: str = "14:30", employee: str = "E1", **extra: Any) -> dict[str, Any]:
    end_day = day + timedelta(days=1) if end < start else day
    return {
        "id": f"s-{employee}-{day.isoformat()}-{start}",
        "employeeId": employee,
        "shiftId": "SH1",
        "workDate": day.isoformat(),
        "scheduledStart": plex(at(day, start)),
        "scheduledEnd": plex(at(end_day, end)),
        "status": "Scheduled",
        **extra,
    }


def day_entries(day: date, clock_in: str = "05:58", clock_out: str = "14:31", **kw: Any) -> list[dict[str, Any]]:
    """A normal 1st-shift day: in, break 10:15-10:45, out."""
    return [entry(at(day, clock_in), at(day, "10:15"), **kw), entry(at(day, "10:45"), at(day, clock_out), **kw)]


def make_plant(
    path: Path, entries: list[dict[str, Any]], shifts: list[dict[str, Any]], extract: datetime = EXTRACT
) -> PlantFolder:
    plant = PlantFolder(path)
    plant.write_raw("time-clock-entries", entries)
    plant.write_raw("shift-assignments", shifts)
    moment = extract.astimezone(UTC)
    plant.write_meta(
        PlantMeta(
            name="tiny",
            seed=0,
            timezone="America/Detroit",
            start=datetime(2026, 11, 1, tzinfo=TZ),
            end=moment,
            generated_at=moment,
            counts={},
            anomaly_rate=0.0,
            anomaly_counts={},
        )
    )
    return plant


def found(plant: PlantFolder, **kw: Any) -> list[Finding]:
    return list(run_baseline(plant, **kw))


def pairs(findings: list[Finding]) -> set[tuple[str, AnomalyType]]:
    return {(f.record_key.split(":", 1)[1], f.anomaly_type) for f in findings}


# ---- clock-in against shift start -------------------------------------------------------------


def test_clock_in_after_the_grace_is_late_with_a_plain_note(tmp_path: Path) -> None:
    # Given a clock-in at 06:09 for a 06:00 shift (grace 7 min)
    entries = day_entries(TUESDAY, clock_in="06:09", clock_out="14:30")
    plant = make_plant(tmp_path, entries, [shift(TUESDAY)])
    # When the baseline runs
    findings = found(plant)
    # Then the first entry is late, with the numbers in the note and the evidence
    assert pairs(findings) == {(entries[0]["id"], A.LATE_CLOCK_IN)}
    (late,) = findings
    assert late.note == "Clock-in 9 min after shift start 06:00 on 2026-11-10 (grace 7 min)"
    assert late.evidence["offset_minutes"] == 9.0 and late.evidence["grace_minutes"] == 7
    assert late.confidence == 1.0 and late.route == "review" and late.model_version == MODEL_VERSION
    assert late.finding_id == finding_id_for(late.record_key, A.LATE_CLOCK_IN)
    assert late.employee_id == "E1" and late.severity == "medium"


def test_clock_in_exactly_at_the_grace_is_not_late(tmp_path: Path) -> None:
    plant = make_plant(tmp_path, day_entries(TUESDAY, clock_in="06:07", clock_out="14:30"), [shift(TUESDAY)])
    assert found(plant) == []


def test_clock_in_before_the_grace_is_early_and_at_the_grace_is_not(tmp_path: Path) -> None:
    # Given one day at 05:52 (8 min early) and one at 05:53 (7 min early)
    early = day_entries(TUESDAY, clock_in="05:52", clock_out="14:30")
    edge = day_entries(TUESDAY + timedelta(days=1), clock_in="05:53", clock_out="14:30")
    plant = make_plant(tmp_path, early + edge, [shift(TUESDAY), shift(TUESDAY + timedelta(days=1))])
    # When / Then only the first day is early
    findings = found(plant)
    assert pairs(findings) == {(early[0]["id"], A.EARLY_CLOCK_IN)}
    assert findings[0].note == "Clock-in 8 min before shift start 06:00 on 2026-11-10 (grace 7 min)"


def test_a_habitual_early_bird_is_flagged_every_day(tmp_path: Path) -> None:
    # Given someone who clocks in at 05:40 every day of a week: normal for them (the baseline's known weakness)
    days = [TUESDAY + timedelta(days=offset) for offset in range(-1, 4)]
    entries = [row for day in days for row in day_entries(day, clock_in="05:40", clock_out="14:30")]
    plant = make_plant(tmp_path, entries, [shift(day) for day in days])
    # When the baseline runs / Then it flags every one of the five days: no personal history
    findings = found(plant)
    assert [f.anomaly_type for f in findings] == [A.EARLY_CLOCK_IN] * 5


# ---- clock-out against shift end --------------------------------------------------------------


def test_last_clock_out_before_the_grace_is_early_and_the_break_is_not(tmp_path: Path) -> None:
    # Given a day that ends at 14:20 (10 min early) with a break punched out at 10:15
    early = day_entries(TUESDAY, clock_in="06:00", clock_out="14:20")
    plant = make_plant(tmp_path, early, [shift(TUESDAY)])
    # When / Then only the last entry is flagged, not the break's punch-out 4 h before the end
    findings = found(plant)
    assert pairs(findings) == {(early[1]["id"], A.EARLY_CLOCK_OUT)}
    assert findings[0].note == "Clock-out 10 min before shift end 14:30 on 2026-11-10 (grace 7 min)"


def test_clock_out_within_the_grace_is_fine_on_both_sides(tmp_path: Path) -> None:
    days = [TUESDAY, TUESDAY + timedelta(days=1)]
    entries = day_entries(days[0], clock_in="06:00", clock_out="14:23") + day_entries(
        days[1], clock_in="06:00", clock_out="14:37"
    )
    plant = make_plant(tmp_path, entries, [shift(day) for day in days])
    assert found(plant) == []


def test_clock_out_after_the_grace_is_late(tmp_path: Path) -> None:
    late = day_entries(TUESDAY, clock_in="06:00", clock_out="14:38")
    plant = make_plant(tmp_path, late, [shift(TUESDAY)])
    assert pairs(found(plant)) == {(late[1]["id"], A.LATE_CLOCK_OUT)}


def test_an_entry_after_a_long_first_half_still_belongs_to_its_shift(tmp_path: Path) -> None:
    # Given a second entry that starts 5 h after the shift start (more than 4 h from it)
    entries = [
        entry(at(TUESDAY, "06:00"), at(TUESDAY, "10:50")),
        entry(at(TUESDAY, "11:00"), at(TUESDAY, "14:30")),
    ]
    plant = make_plant(tmp_path, entries, [shift(TUESDAY)])
    # When / Then the shift ends at 14:30: no early clock-out from the 10:50 punch
    assert found(plant) == []


def test_night_shift_crossing_midnight_is_matched(tmp_path: Path) -> None:
    # Given a 22:30-07:00 shift with a late clock-in and a clock-out inside the grace next morning
    entries = [
        entry(at(TUESDAY, "22:45"), at(TUESDAY + timedelta(days=1), "02:30")),
        entry(at(TUESDAY + timedelta(days=1), "03:00"), at(TUESDAY + timedelta(days=1), "07:03")),
    ]
    plant = make_plant(tmp_path, entries, [shift(TUESDAY, "22:30", "07:00")])
    # When / Then only the late clock-in
    assert pairs(found(plant)) == {(entries[0]["id"], A.LATE_CLOCK_IN)}


def test_entries_without_a_scheduled_shift_get_no_early_or_late_check(tmp_path: Path) -> None:
    # Given an unscheduled Saturday and a day on leave
    saturday = TUESDAY + timedelta(days=4)
    entries = day_entries(saturday, clock_in="08:00", clock_out="12:00") + day_entries(TUESDAY, clock_in="09:00")
    leave = shift(TUESDAY, status="Leave", leaveType="Vacation")
    plant = make_plant(tmp_path, entries, [leave])
    assert found(plant) == []


# ---- missed punch -----------------------------------------------------------------------------


def test_open_entry_long_after_the_shift_ended_is_a_missed_punch(tmp_path: Path) -> None:
    # Given an open second entry on a shift that ended days before the extract
    entries = [entry(at(TUESDAY, "06:00"), at(TUESDAY, "10:15")), entry(at(TUESDAY, "10:45"), None)]
    plant = make_plant(tmp_path, entries, [shift(TUESDAY)])
    # When / Then it is a missed punch, with the scheduled end as the suggested clock-out
    (missed,) = found(plant)
    assert (missed.record_key, missed.anomaly_type) == (f"time-clock-entries:{entries[1]['id']}", A.MISSED_PUNCH)
    assert missed.suggested_correction == {"clockoutTime": plex(at(TUESDAY, "14:30"))}
    assert missed.note.startswith("No clock-out; shift ended 2026-11-10 14:30")
    assert missed.severity == "high"


def test_open_entry_within_the_limit_or_on_a_running_shift_is_not_missed(tmp_path: Path) -> None:
    # Given the extract at midnight: a 2nd shift that ended 23:00 (1 h before) and a 3rd shift still running
    last = date(2026, 11, 20)
    second = entry(at(last, "14:30"), None, employee="E2")
    third = entry(at(last, "22:30"), None, employee="E3")
    shifts = [shift(last, "14:30", "23:00", employee="E2"), shift(last, "22:30", "07:00", employee="E3")]
    plant = make_plant(tmp_path, [second, third], shifts)
    # When / Then neither is flagged
    assert found(plant) == []


def test_missed_punch_limit_is_the_policy(tmp_path: Path) -> None:
    # Given a 1st shift of the last day ending 14:30, 9.5 h before the extract
    last = date(2026, 11, 20)
    open_entry = entry(at(last, "06:00"), None)
    plant = make_plant(tmp_path, [open_entry], [shift(last)])
    # When the limit is 9 h or 10 h / Then only the 9 h limit flags it
    assert [f.anomaly_type for f in found(plant, policy=PunchPolicy(missed_clockout_hours=9))] == [A.MISSED_PUNCH]
    assert found(plant, policy=PunchPolicy(missed_clockout_hours=10)) == []


# ---- duplicates and out-before-in -------------------------------------------------------------


def test_same_clock_in_minute_is_a_duplicate_on_the_later_created_copy(tmp_path: Path) -> None:
    # Given the same punch recorded twice in the same minute, the copy created 5 min later
    original = entry(at(TUESDAY, "06:01", 10), at(TUESDAY, "10:15"), id="orig")
    copy = entry(at(TUESDAY, "06:01", 50), at(TUESDAY, "10:15"), created=at(TUESDAY, "06:06"), id="copy")
    rest = entry(at(TUESDAY, "10:45"), at(TUESDAY, "14:30"))
    plant = make_plant(tmp_path, [copy, original, rest], [shift(TUESDAY)])
    # When / Then only the copy is flagged, and it does not hide the shift's real start or end
    (duplicate,) = found(plant)
    assert (duplicate.record_key, duplicate.anomaly_type) == ("time-clock-entries:copy", A.DUPLICATE_PUNCH)
    assert duplicate.evidence["duplicate_of"] == "time-clock-entries:orig"
    assert duplicate.suggested_correction == {"action": "delete", "duplicateOf": "orig"}


def test_punches_a_minute_apart_are_not_duplicates(tmp_path: Path) -> None:
    first = entry(at(TUESDAY, "06:01", 50), at(TUESDAY, "10:15"))
    other = entry(at(TUESDAY, "06:02", 10), at(TUESDAY, "10:15"), employee="E1")
    somebody_else = entry(at(TUESDAY, "06:01", 50), at(TUESDAY, "10:15"), employee="E2")
    plant = make_plant(tmp_path, [first, other, somebody_else], [])
    assert found(plant) == []


def test_clock_out_before_clock_in_is_flagged_and_does_not_fake_an_early_exit(tmp_path: Path) -> None:
    # Given the last entry keyed 12 h early (14:30 became 02:30) and an entry with out == in
    entries = [
        entry(at(TUESDAY, "06:00"), at(TUESDAY, "10:15")),
        entry(at(TUESDAY, "10:45"), at(TUESDAY, "02:30")),
        entry(at(TUESDAY, "18:00"), at(TUESDAY, "18:00"), employee="E2"),
    ]
    plant = make_plant(tmp_path, entries, [shift(TUESDAY)])
    # When / Then only the inverted entry, and no early clock-out from the break punch
    (inverted,) = found(plant)
    assert (inverted.record_key, inverted.anomaly_type) == (f"time-clock-entries:{entries[1]['id']}", A.OUT_BEFORE_IN)
    assert inverted.note == "Clock-out 2026-11-10 02:30 is 8.2 h before clock-in 2026-11-10 10:45"


# ---- weekly overtime --------------------------------------------------------------------------


def _long_week(hours: float, employee: str = "E1") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Monday-Friday of ISO week 2026-W46, one unbroken entry of `hours` per day from 06:00."""
    monday = date(2026, 11, 9)
    entries, shifts = [], []
    for offset in range(5):
        day = monday + timedelta(days=offset)
        entries.append(entry(at(day, "06:00"), at(day, "06:00") + timedelta(hours=hours), employee=employee))
        end = (at(day, "06:00") + timedelta(hours=hours)).strftime("%H:%M")
        shifts.append(shift(day, "06:00", end, employee=employee))
    return entries, shifts


def test_weekly_hours_over_the_limit_flag_the_weeks_first_entry(tmp_path: Path) -> None:
    # Given 5 x 11.5 h = 57.5 h in one ISO week (limit 55 h)
    entries, shifts = _long_week(11.5)
    plant = make_plant(tmp_path, entries, shifts)
    # When / Then one finding, on Monday's entry
    (overtime,) = found(plant)
    assert (overtime.record_key, overtime.anomaly_type) == (
        f"time-clock-entries:{entries[0]['id']}",
        A.EXCESSIVE_OVERTIME,
    )
    assert overtime.note == "57.5 h punched in ISO week 2026-W46 (limit 55 h)"


def test_weekly_hours_exactly_at_the_limit_are_not_excessive(tmp_path: Path) -> None:
    entries, shifts = _long_week(11.0)
    assert found(make_plant(tmp_path, entries, shifts)) == []


def test_weeks_follow_plant_local_time(tmp_path: Path) -> None:
    # Given 55 h Mon-Fri plus 2 h late on Sunday evening local time (already Monday in UTC)
    entries, shifts = _long_week(11.0)
    sunday_night = entry(at(date(2026, 11, 15), "20:00"), at(date(2026, 11, 15), "22:00"), id="sun")
    plant = make_plant(tmp_path, [*entries, sunday_night], shifts)
    # When / Then Sunday counts in the same ISO week: 57 h, keyed to Monday's entry
    (overtime,) = found(plant)
    assert overtime.record_key == f"time-clock-entries:{entries[0]['id']}"
    assert overtime.evidence["hours"] == 57.0


def test_duplicates_do_not_count_twice_towards_weekly_hours(tmp_path: Path) -> None:
    # Given 55 h and a duplicate of Tuesday's 11 h entry
    entries, shifts = _long_week(11.0)
    copy = dict(entries[1], id="copy", createdDate=plex(at(date(2026, 11, 10), "06:05")))
    findings = found(make_plant(tmp_path, [*entries, copy], shifts))
    assert pairs(findings) == {("copy", A.DUPLICATE_PUNCH)}


# ---- window -----------------------------------------------------------------------------------


def test_only_entries_clocked_in_inside_the_window_are_reported(tmp_path: Path) -> None:
    days = [TUESDAY, TUESDAY + timedelta(days=1)]
    entries = [row for day in days for row in day_entries(day, clock_in="06:30", clock_out="14:30")]
    plant = make_plant(tmp_path, entries, [shift(day) for day in days])
    assert len(found(plant)) == 2
    inside = found(plant, since=at(days[1], "00:00"), until=at(days[1] + timedelta(days=1), "00:00"))
    assert pairs(inside) == {(entries[2]["id"], A.LATE_CLOCK_IN)}


# ---- the generated plant ----------------------------------------------------------------------


def test_baseline_on_the_labelled_plant(labelled_plant: PlantFolder, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the generated plant / When the baseline runs
    findings = found(labelled_plant)
    # Then every finding names an existing record, ids are unique, and the types are the baseline's own
    keys = set(iter_label_keys(labelled_plant))
    assert findings and all(f.record_key in keys for f in findings)
    assert len({f.finding_id for f in findings}) == len(findings)
    assert {f.anomaly_type for f in findings} <= {
        A.OUT_BEFORE_IN,
        A.DUPLICATE_PUNCH,
        A.MISSED_PUNCH,
        A.EARLY_CLOCK_IN,
        A.LATE_CLOCK_IN,
        A.EARLY_CLOCK_OUT,
        A.LATE_CLOCK_OUT,
        A.EXCESSIVE_OVERTIME,
    }
    # And its quality per type is measured (printed with -s; the engine has to beat it, not this test)
    report = score(findings, labelled_plant.labels(), label_bearing_record_count(labelled_plant))
    with capsys.disabled():
        print("\nbaseline on the labelled plant (type, support, P, R, F1):")
        for anomaly, s in report.per_type.items():
            if s.support or s.flagged:
                print(f"  {anomaly.value:<27} {s.support:>4} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}")
        print(f"  flagged share {report.flagged_share:.2%}, true share {report.true_share:.2%}")
    assert report.per_type[A.OUT_BEFORE_IN].recall == 1.0  # a structural rule the baseline shares


@pytest.mark.slow
def test_baseline_handles_100k_entries_quickly(tmp_path: Path) -> None:
    # Given 100,000 time-clock entries (500 employees x 100 days x 2 entries) with their shifts
    first = date(2026, 8, 1)
    days = [first + timedelta(days=offset) for offset in range(100)]
    day_rows = {day: day_entries(day, clock_in="05:50" if i % 7 else "06:20") for i, day in enumerate(days)}
    day_shift = {day: shift(day) for day in days}
    entries: list[dict[str, Any]] = []
    shifts: list[dict[str, Any]] = []
    for number in range(500):
        employee = f"E{number:03d}"
        for day in days:
            entries.extend(dict(row, id=f"{employee}-{row['id']}", employeeId=employee) for row in day_rows[day])
            shifts.append(dict(day_shift[day], id=f"{employee}-{day}", employeeId=employee))
    plant = make_plant(tmp_path, entries, shifts)
    # When the baseline runs
    started = time.process_time()
    findings = found(plant)
    elapsed = time.process_time() - started
    # Then it finishes in seconds of CPU (about 2-3 s on a quiet 2-core machine; CPU, not wall time, so a
    # loaded machine cannot fail it; the limit only catches a pathological slowdown: speed is measured
    # by the benchmarks, not asserted here)
    edges = [f for f in findings if f.anomaly_type in (A.EARLY_CLOCK_IN, A.LATE_CLOCK_IN)]
    assert len(edges) == 500 * 100  # every day is early (05:50) or late (06:20)
    assert elapsed < 30, f"{elapsed:.1f} s"
    print(f"baseline: {len(entries)} entries in {elapsed:.2f} s of CPU")


def test_a_record_without_a_required_field_is_named(tmp_path: Path) -> None:
    broken = entry(at(TUESDAY, "06:00"), at(TUESDAY, "14:30"))
    del broken["clockinTime"]
    plant = make_plant(tmp_path, [broken], [shift(TUESDAY)])
    with pytest.raises(ValueError, match="time-clock-entries: field 'clockinTime' is missing"):
        found(plant)
