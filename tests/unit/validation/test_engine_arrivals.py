"""An arrival made before (issue 11): an early or late clock-in carries how many of the person's last days were
as far off their habit the same way (`recent_as_far`), read the same in batch and in real time."""

from __future__ import annotations

from datetime import date, timedelta

from plant_builder import PlantBuilder, local

from plexlabor.models import record_key
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.checks.base import Candidate
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import Norms, compute_norms

A = AnomalyType
LAST_WEEK = [date(2026, 11, 16) + timedelta(days=n) for n in range(5)]
EARLIER = [date(2026, 10, 27), date(2026, 11, 4)]  # two ordinary weekdays, 1-3 weeks before the last week


def _candidate(plant: PlantBuilder, engine: ValidationEngine, key: str, anomaly: AnomalyType) -> Candidate:
    data = plant.build()
    found = [c for c in engine.candidates(data, compute_norms(data)) if c.record_key == key and c.anomaly == anomaly]
    assert len(found) == 1
    return found[0]


def test_an_early_arrival_made_twice_lately_counts_both(engine: ValidationEngine) -> None:
    # Given a steady person (about 2 min early) who clocked in 22 and 18 min early on two days of the last weeks
    plant = PlantBuilder(weeks=16).employee("E1")
    plant.work_day("E1", EARLIER[0], clock_in=-22)
    plant.work_day("E1", EARLIER[1], clock_in=-18)
    # When they clock in 22 min early on the last Friday
    key = plant.work_day("E1", LAST_WEEK[-1], clock_in=-22).first_key
    # Then the early clock-in counts both earlier days: 20 and 16 min past the habit are >= 3/4 of its 20
    assert _candidate(plant, engine, key, A.EARLY_CLOCK_IN).features["recent_as_far"] == 2


def test_a_one_day_deviation_and_smaller_ones_count_none(engine: ValidationEngine) -> None:
    # Given the same person whose earlier odd days were only 10 min early, and one 20 min late (a near miss:
    # off the habit, but not as far, or the other way)
    plant = PlantBuilder(weeks=16).employee("E1")
    plant.work_day("E1", EARLIER[0], clock_in=-10)
    plant.work_day("E1", EARLIER[1], clock_in=20)
    key = plant.work_day("E1", LAST_WEEK[-1], clock_in=-22).first_key
    # Then the 22 min early clock-in counts none of them
    assert _candidate(plant, engine, key, A.EARLY_CLOCK_IN).features["recent_as_far"] == 0


def test_a_clock_out_does_not_read_it(engine: ValidationEngine) -> None:
    plant = PlantBuilder(weeks=16).employee("E1")
    key = plant.work_day("E1", LAST_WEEK[-1], clock_out=25).last_key
    assert "recent_as_far" not in _candidate(plant, engine, key, A.LATE_CLOCK_OUT).features


def test_real_time_counts_the_days_before_its_week_from_the_norms(engine: ValidationEngine) -> None:
    # Given the two early days before the last week and the norms of the night before it (kept as JSON)
    plant = PlantBuilder(weeks=16).employee("E1")
    plant.work_day("E1", EARLIER[0], clock_in=-22)
    plant.work_day("E1", EARLIER[1], clock_in=-18)
    entry = plant.work_day("E1", LAST_WEEK[-1], clock_in=-22).entries[0]
    data = plant.build()
    nightly = Norms.from_json(compute_norms(data, until=local(LAST_WEEK[0], "00:00").timestamp()).to_json())
    key = record_key("time-clock-entries", entry)
    (batch,) = [f for f in engine.batch(data, nightly) if f.record_key == key and f.anomaly_type == A.EARLY_CLOCK_IN]
    # When the Friday's clock-in is validated in real time, its slice holding that week alone
    record = plant.time_clock_entry(entry)
    found = engine.realtime(record, data.slice_for("E1", record.clockin_time.timestamp()), nightly)
    (live,) = [f for f in found if f.record_key == key and f.anomaly_type == A.EARLY_CLOCK_IN]
    # Then it counts the two earlier days as the batch does
    assert live.evidence["features"]["recent_as_far"] == batch.evidence["features"]["recent_as_far"] == 2
