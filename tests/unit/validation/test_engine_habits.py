"""A habit that moved for good (issue 11): read against the person's recent shifts, not only their history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from plant_builder import PlantBuilder, local

from plexlabor.models import record_key
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import Norms, compute_norms

A = AnomalyType
MOVED = date(2026, 11, 2)  # from this Monday on, E1 arrives 15 min after the shift start
LAST_WEEK = [date(2026, 11, 16) + timedelta(days=n) for n in range(5)]


def moved_plant(last_friday: float = 15) -> tuple[PlantBuilder, dict[date, str]]:
    """16 weeks about 2 min early, then three weeks 14-16 min late; the last Friday at `last_friday`."""
    plant = PlantBuilder(weeks=16).employee("E1")
    keys = {}
    for n in range(19):
        day = MOVED + timedelta(days=n)
        if day.weekday() < 5:
            late = last_friday if day == LAST_WEEK[-1] else 14 + n % 3
            keys[day] = plant.work_day("E1", day, clock_in=late).first_key
    return plant, keys


def late_days(plant: PlantBuilder, keys: dict[date, str], engine: ValidationEngine) -> set[date]:
    data = plant.build()
    flagged = {f.record_key for f in engine.batch(data, compute_norms(data)) if f.anomaly_type == A.LATE_CLOCK_IN}
    return {day for day, key in keys.items() if key in flagged}


def test_a_habit_moved_for_good_is_not_late_once_the_recent_shifts_show_it(engine: ValidationEngine) -> None:
    plant, keys = moved_plant()
    flagged = late_days(plant, keys, engine)
    # The first three days of the new habit are late against the history; from the fourth, three shifts in a
    # row show the habit moved (`PunchPolicy.moved_habit_shifts`), and none is
    assert flagged == set(sorted(keys)[:3])


def test_late_days_that_are_not_in_a_row_are_each_still_late(engine: ValidationEngine) -> None:
    # Given late Monday and Tuesday, an ordinary Wednesday, then late Thursday and Friday (a near miss: four
    # late days of the last five, but never three in a row)
    plant = PlantBuilder(weeks=16).employee("E1")
    keys = {day: plant.work_day("E1", day, clock_in=15).first_key for day in LAST_WEEK if day.weekday() != 2}
    # Then every one of them is late
    assert late_days(plant, keys, engine) == set(keys)


def test_real_time_reads_the_recent_shifts_before_its_week_from_the_norms(engine: ValidationEngine) -> None:
    # Given a habit that moved 15 min later on Wednesday of the week before last, and the norms of the night
    # before the last week (kept as JSON, as the nightly job stores them)
    plant = PlantBuilder(weeks=16).employee("E1")
    moved = LAST_WEEK[0] - timedelta(days=5)
    worked = [moved + timedelta(days=n) for n in range(10) if (moved + timedelta(days=n)).weekday() < 5]
    entries = {day: plant.work_day("E1", day, clock_in=15).entries[0] for day in worked}
    data = plant.build()
    nightly = Norms.from_json(compute_norms(data, until=local(LAST_WEEK[0], "00:00").timestamp()).to_json())
    assert len(nightly.employees["E1"].recent) == 28 and nightly.employees["E1"].recent[-1].start == 15
    batch = engine.batch(data, nightly)

    def realtime(day: date, norms: Norms) -> list[Finding]:
        record = plant.time_clock_entry(entries[day])
        found = engine.realtime(record, data.slice_for("E1", record.clockin_time.timestamp()), norms)
        return [f for f in found if f.record_key == record_key(record.resource, record.id)]

    # When each clock-in of the last week is validated in real time, its slice holding that week alone
    # Then each gets what batch gives it over the whole history: Monday, the fourth late day in a row, is
    # the habit as it is now, not late
    for day in LAST_WEEK:
        key = record_key("time-clock-entries", entries[day])
        assert realtime(day, nightly) == [f for f in batch if f.record_key == key]
    assert realtime(LAST_WEEK[0], nightly) == []
    # And without the recent shifts in the norms the slice alone would call Monday late (why they are kept)
    forgetful = replace(nightly, employees={"E1": replace(nightly.employees["E1"], recent=())})
    assert [f.anomaly_type for f in realtime(LAST_WEEK[0], forgetful)] == [A.LATE_CLOCK_IN]


def test_a_moved_habit_does_not_hide_a_day_far_from_it(engine: ValidationEngine) -> None:
    plant, keys = moved_plant(last_friday=40)  # 25 min later than the new habit
    assert LAST_WEEK[-1] in late_days(plant, keys, engine)


def test_the_recent_shifts_off_the_same_way_are_counted_for_the_scorer(engine: ValidationEngine) -> None:
    # Given a habit that moved 14-16 min later (the person's days before it about 2 min early)
    plant, keys = moved_plant()
    data = plant.build()
    late = {
        c.record_key: c.features["recent_same_way"]
        for c in engine.candidates(data, compute_norms(data))
        if c.anomaly == A.LATE_CLOCK_IN
    }
    # Then the first late day has no recent shift off the same way (a one-day deviation looks like this), the
    # next two count the late days before them, and from the fourth the moved habit is read: no candidate
    worked = sorted(keys)
    assert [late.get(keys[day]) for day in worked[:4]] == [0, 1, 2, None]


def _late_features(plant: PlantBuilder, engine: ValidationEngine) -> dict[str, dict[str, float]]:
    data = plant.build()
    return {
        c.record_key: c.features for c in engine.candidates(data, compute_norms(data)) if c.anomaly == A.LATE_CLOCK_IN
    }


def test_the_latest_shifts_near_the_day_in_a_row_are_counted_for_the_scorer(engine: ValidationEngine) -> None:
    # Given a habit that moved 14-16 min later: its first day follows ordinary ones, each later day follows
    # late ones that were as unusual (at least half as far from the habit, and 2 spreads) and in a row
    plant, keys = moved_plant()
    late = _late_features(plant, engine)
    worked = sorted(keys)
    assert [late[keys[day]]["recent_run"] for day in worked[:3]] == [0, 1, 2]


def test_a_day_a_little_late_before_a_one_day_deviation_is_not_counted_as_near(engine: ValidationEngine) -> None:
    # Given a person about 2 min early, 6 min late on Tuesday (off the habit by habit_min_minutes, not by half
    # of Wednesday's deviation) and 15 min late on Wednesday (a near miss of the moved habit above)
    plant = PlantBuilder(weeks=16).employee("E1")
    plant.work_day("E1", LAST_WEEK[1], clock_in=4)
    wednesday = plant.work_day("E1", LAST_WEEK[2], clock_in=15).first_key
    features = _late_features(plant, engine)[wednesday]
    # Then the fixed minimum counts Tuesday the same way, the run near Wednesday does not
    assert (features["recent_same_way"], features["recent_run"]) == (1, 0)


def test_a_clock_out_a_supervisor_keyed_is_marked_for_the_scorer(engine: ValidationEngine) -> None:
    # Given two late clock-outs 25 min past the shift end: Tuesday's punched at the clock, Wednesday's keyed
    # by a supervisor (Plex's source "Manual")
    plant = PlantBuilder(weeks=16).employee("E1")
    punched = plant.work_day("E1", LAST_WEEK[1], clock_out=25).last_key
    keyed = plant.work_day("E1", LAST_WEEK[2], clock_out=25).entries[-1]
    plant.edit("time-clock-entries", keyed, source="Manual", clockinDeviceId=None, clockoutDeviceId=None)
    data = plant.build()
    manual = {
        c.record_key: c.features["manual"]
        for c in engine.candidates(data, compute_norms(data))
        if c.anomaly == A.LATE_CLOCK_OUT
    }
    assert manual == {punched: 0.0, record_key("time-clock-entries", keyed): 1.0}


def _late_clock_ins(plant: PlantBuilder, engine: ValidationEngine) -> dict[str, Finding]:
    data = plant.build()
    return {f.record_key: f for f in engine.batch(data, compute_norms(data)) if f.anomaly_type == A.LATE_CLOCK_IN}


def test_a_day_that_agrees_with_an_unusual_shift_just_before_it_is_a_trend(engine: ValidationEngine) -> None:
    # Given a habit that moved 14-16 min later (the days before it about 2 min early)
    plant, keys = moved_plant()
    found = _late_clock_ins(plant, engine)
    first, second, third = (found[keys[day]] for day in sorted(keys)[:3])
    # Then its first day, after ordinary ones, goes to review; the next two each agree with the late day just
    # before them (a change point: the habit may be moving) and are trends, saying why
    assert first.confidence >= engine.settings.review_threshold and first.route == "review"
    assert "last_offset_min" not in first.evidence
    for day in (second, third):
        assert day.confidence <= 0.5 and day.route != "review"
        assert day.evidence["last_offset_min"] >= 14 and "the shift before was" in day.note


def test_a_late_day_far_from_the_late_shift_just_before_it_still_goes_to_review(engine: ValidationEngine) -> None:
    # Given a person about 2 min early, 15 min late on Tuesday and 40 min late on Wednesday (a near miss: both
    # late, but 25 min apart, more than habit_min_sigmas spreads and habit_min_minutes)
    plant = PlantBuilder(weeks=16).employee("E1")
    plant.work_day("E1", LAST_WEEK[1], clock_in=15)
    wednesday = plant.work_day("E1", LAST_WEEK[2], clock_in=40).first_key
    found = _late_clock_ins(plant, engine)[wednesday]
    # Then Wednesday is no change point: a finding for review
    assert found.route == "review" and "last_offset_min" not in found.evidence
