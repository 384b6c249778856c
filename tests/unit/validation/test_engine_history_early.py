"""How early the person came before (issue 11): an early clock-in carries how many of the person's earliest days in
their whole history (the norms keep them, `Norms.earliest`) lay at least half as far before their habit
(`history_half_as_early`), the judged day itself left out, and read the same in batch and in real time."""

from __future__ import annotations

from datetime import date, timedelta

from plant_builder import PlantBuilder, local

from plexlabor.models import record_key
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.checks.base import Candidate
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import EARLIEST_KEPT, Norms, compute_norms

A = AnomalyType
LAST_WEEK = [date(2026, 11, 16) + timedelta(days=n) for n in range(5)]
LONG_AGO = [date(2026, 8, 4), date(2026, 8, 12), date(2026, 9, 2)]  # ordinary weekdays 10-15 weeks before it


def _candidate(plant: PlantBuilder, engine: ValidationEngine, key: str, anomaly: AnomalyType) -> Candidate:
    data = plant.build()
    found = [c for c in engine.candidates(data, compute_norms(data)) if c.record_key == key and c.anomaly == anomaly]
    assert len(found) == 1
    return found[0]


def test_early_days_months_ago_count_when_at_least_half_as_early(engine: ValidationEngine) -> None:
    # Given a steady person (about 2 min early) who clocked in 14, 12 and 9 min early on three days months ago,
    # beyond the 28 recent days the early/late check reads
    plant = PlantBuilder(weeks=16).employee("E1")
    for day, minutes in zip(LONG_AGO, (-14, -12, -9), strict=True):
        plant.work_day("E1", day, clock_in=minutes)
    # When they clock in 22 min early on the last Friday (20 min before their habit: half of it is 10)
    key = plant.work_day("E1", LAST_WEEK[-1], clock_in=-22).first_key
    candidate = _candidate(plant, engine, key, A.EARLY_CLOCK_IN)
    # Then the two days at least 10 min before the habit count, the 9 min early one (7 before it) and the day
    # itself do not; the 28 recent days hold none of them
    assert candidate.features["history_half_as_early"] == 2
    assert candidate.features["recent_as_far"] == 0


def test_a_person_who_never_came_near_counts_none(engine: ValidationEngine) -> None:
    # Given the same person whose odd days were 6 min early and 20 min late (a near miss: not half as far, or the
    # other way)
    plant = PlantBuilder(weeks=16).employee("E1")
    plant.work_day("E1", LONG_AGO[0], clock_in=-6)
    plant.work_day("E1", LONG_AGO[1], clock_in=20)
    key = plant.work_day("E1", LAST_WEEK[-1], clock_in=-22).first_key
    assert _candidate(plant, engine, key, A.EARLY_CLOCK_IN).features["history_half_as_early"] == 0


def test_a_late_clock_in_does_not_read_it(engine: ValidationEngine) -> None:
    plant = PlantBuilder(weeks=16).employee("E1")
    key = plant.work_day("E1", LAST_WEEK[-1], clock_in=25).first_key
    assert "history_half_as_early" not in _candidate(plant, engine, key, A.LATE_CLOCK_IN).features


def test_the_norms_keep_the_earliest_days_and_real_time_counts_them_as_the_batch_does(
    engine: ValidationEngine,
) -> None:
    # Given the early days months ago and the norms of the night before the last week, kept as JSON
    plant = PlantBuilder(weeks=16).employee("E1")
    for day, minutes in zip(LONG_AGO, (-14, -12, -9), strict=True):
        plant.work_day("E1", day, clock_in=minutes)
    entry = plant.work_day("E1", LAST_WEEK[-1], clock_in=-22).entries[0]
    data = plant.build()
    nightly = Norms.from_json(compute_norms(data, until=local(LAST_WEEK[0], "00:00").timestamp()).to_json())
    kept = nightly.employees["E1"].earliest
    assert len(kept) == EARLIEST_KEPT and sorted(offset for _, offset in kept)[:3] == [-14.0, -12.0, -9.0]
    key = record_key("time-clock-entries", entry)
    (batch,) = [f for f in engine.batch(data) if f.record_key == key and f.anomaly_type == A.EARLY_CLOCK_IN]
    # When the Friday's clock-in is validated in real time, its slice holding that week alone
    record = plant.time_clock_entry(entry)
    found = engine.realtime(record, data.slice_for("E1", record.clockin_time.timestamp()), nightly)
    (live,) = [f for f in found if f.record_key == key and f.anomaly_type == A.EARLY_CLOCK_IN]
    # Then it counts the two days months ago, as the batch (whose norms hold the Friday itself) does
    assert live.evidence["features"]["history_half_as_early"] == batch.evidence["features"]["history_half_as_early"]
    assert live.evidence["features"]["history_half_as_early"] == 2
