"""The generator's `difficulty`: anomaly magnitudes that come closer to normal variation, and label noise."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from plexlabor.models import record_key
from plexlabor.plant import PlantFolder
from plexlabor_dev.simulator.anomalies import LaborDraft
from plexlabor_dev.simulator.anomalies.buddy_punch import BUDDY_PUNCH
from plexlabor_dev.simulator.anomalies.improbable_duration import FACTORS, IMPROBABLE_DURATION
from plexlabor_dev.simulator.anomalies.punch_offsets import LATE_CLOCK_IN
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.difficulty import (
    DIFFICULTIES,
    LABEL_NOISE,
    NOISE_FILE,
    NOISE_TYPES,
    Difficulty,
    difficulty_flag,
    read_noise,
)
from plexlabor_dev.simulator.generator import PlantSpec, build_plant, generate_plant, iter_label_keys
from plexlabor_dev.simulator.workday import run_day
from plexlabor_dev.simulator.world import Person, ShiftDay
from plexlabor_dev.simulator.writer import PlantWriter
from tests.support import generated_plant

DRAWS = 300
SMALL_PLANT = PlantSpec(employees=30, weeks=2, seed=42, anomaly_rate=0.5)


def built(tmp_path: Path, difficulty: Difficulty) -> Iterator[Sim]:
    with PlantWriter(PlantFolder(tmp_path / difficulty)) as out:
        sim = Sim(replace(SMALL_PLANT, difficulty=difficulty), out)
        build_plant(sim)
        yield sim


@pytest.fixture(params=DIFFICULTIES)
def sim_at(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Sim]:
    yield from built(tmp_path, request.param)


def on_time_operator(sim: Sim) -> Person:
    """An hourly operator at a wall clock who usually arrives within a few minutes of the start."""
    return next(p for p in sim.world.hourly if p.home_wc and not p.mobile and -2 <= p.mu_in <= 4)


def late_offsets(sim: Sim, person: Person) -> list[float]:
    """Minutes past the shift start of `DRAWS` injected late clock-ins."""
    day = sim.start_date + timedelta(days=1)
    start, end = sim.shift_window(day, person.shift)
    offsets = []
    for _ in range(DRAWS):
        shift_day = ShiftDay(person, day, start, end, person.home_wc)
        LATE_CLOCK_IN.shift_offsets(sim, shift_day)
        offsets.append(shift_day.off_in)
    return offsets


def test_late_clock_ins_stay_past_the_grace_and_come_closer_to_the_habit_as_it_gets_harder(tmp_path: Path) -> None:
    medians, least_sds = {}, {}
    for difficulty in DIFFICULTIES:
        for sim in built(tmp_path, difficulty):
            person = on_time_operator(sim)
            offsets = late_offsets(sim, person)
            assert min(offsets) > sim.policy.grace_minutes, f"{difficulty}: a late clock-in inside the grace"
            medians[difficulty] = statistics.median(offsets)
            least_sds[difficulty] = min((o - person.mu_in) / person.sd_in for o in offsets)
    assert medians["easy"] > medians["realistic"] > medians["hard"]
    # Normal days reach 2.5 personal standard deviations: easy never comes near, hard does
    assert least_sds["easy"] >= 3.5
    assert least_sds["hard"] < 2.5


def test_improbable_durations_draw_their_factor_from_the_difficulty(sim_at: Sim) -> None:
    machinist = on_time_operator(sim_at)
    (low, high), (more_low, more_high) = FACTORS[sim_at.difficulty]
    factors = []
    for _ in range(DRAWS):
        draft = LaborDraft(machinist, machinist.home_wc or "", 1000.0, 1000.0, charged=None)  # type: ignore[arg-type]
        IMPROBABLE_DURATION.apply(sim_at, draft)
        factors.append(draft.reported / 1000)
    assert all(low - 0.001 <= f <= high + 0.001 or more_low - 0.001 <= f <= more_high + 0.001 for f in factors)
    assert any(f < 1 for f in factors) and any(f > 1 for f in factors)


def test_a_hard_buddy_punch_scores_among_the_normal_low_reads(tmp_path: Path) -> None:
    for sim in built(tmp_path, "hard"):
        person = next(p for p in sim.world.hourly if not p.mobile and p.device.startswith("CLK"))
        day = sim.start_date + timedelta(days=1)
        scores = []
        for _ in range(40):
            shift_day = ShiftDay(person, day, *sim.shift_window(day, person.shift), person.home_wc)
            run_day(sim, BUDDY_PUNCH, shift_day)
            scores += [r["biometricScore"] for r in shift_day.records if r["biometricScore"] is not None]
        assert scores, "no biometric clock punched"
        assert min(scores) >= 0.55  # easy draws 0.1-0.55; normal low reads are 0.6-0.85


@pytest.fixture(scope="module")
def noisy_plant(tmp_path_factory: pytest.TempPathFactory) -> PlantFolder:
    spec = PlantSpec(employees=40, weeks=6, seed=7, anomaly_rate=0.3, difficulty="hard")
    return PlantFolder(generated_plant(tmp_path_factory, "noisy", spec))


def test_label_noise_drops_some_true_labels_and_marks_some_normal_days(noisy_plant: PlantFolder) -> None:
    changes = read_noise(noisy_plant.path)
    labels = {(label.record_key, label.anomaly_type.value): label for label in noisy_plant.labels()}
    dropped = [(c["record_key"], c["anomaly_type"]) for c in changes if c["change"] == "dropped"]
    added = [(c["record_key"], c["anomaly_type"]) for c in changes if c["change"] == "added"]
    assert dropped and added
    assert not set(dropped) & set(labels), "a dropped label is still in labels.jsonl"
    assert all((detail := labels[key].detail) is not None and detail.startswith("label noise") for key in added)
    assert {anomaly for _, anomaly in added} <= {anomaly.value for anomaly in NOISE_TYPES}
    # About the difficulty's share of the true labels is dropped (4 % at hard; a loose bound on a small plant)
    true_labels = len(labels) - len(added) + len(dropped)
    assert 0.5 * LABEL_NOISE["hard"] < len(dropped) / true_labels < 2 * LABEL_NOISE["hard"]
    # And every label still points at a record of the plant
    keys = set(iter_label_keys(noisy_plant))
    assert all(key in keys for key, _ in labels)
    assert all(key.startswith(record_key("time-clock-entries", "")) for key, _ in added)


def test_easy_is_the_default_and_writes_no_noise(tmp_path: Path) -> None:
    assert PlantSpec().difficulty == "easy" and LABEL_NOISE["easy"] == 0
    generate_plant(PlantSpec(employees=10, weeks=1, seed=3, anomaly_rate=0.3), tmp_path)
    assert not (tmp_path / NOISE_FILE).exists()


def test_the_same_spec_gives_the_same_noisy_plant(tmp_path: Path) -> None:
    spec = PlantSpec(employees=15, weeks=2, seed=5, anomaly_rate=0.3, difficulty="realistic")
    generate_plant(spec, tmp_path / "a")
    generate_plant(spec, tmp_path / "b")
    for name in ("labels.jsonl", NOISE_FILE, "time-clock-entries.jsonl", "labor-entries.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_an_unknown_difficulty_is_refused_naming_it() -> None:
    assert difficulty_flag("hard") == "hard"
    with pytest.raises(ValueError, match="--difficulty 'brutal': must be one of easy, realistic, hard"):
        difficulty_flag("brutal")
    with pytest.raises(ValueError, match="difficulty"):
        PlantSpec(difficulty="brutal")  # type: ignore[arg-type]
