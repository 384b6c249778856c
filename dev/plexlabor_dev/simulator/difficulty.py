"""How hard the injected anomalies are to tell from normal days: `PlantSpec(difficulty=...)`, `--difficulty`.

- `easy` (the default): the magnitudes the generator always had, separable from normal variation by
  construction (a late clock-in is 3.5 personal standard deviations past the habit and past the
  grace); no label noise. A plant is byte-identical to one generated before this setting existed.
- `realistic`: magnitudes drawn from distributions that overlap the tail of normal variation (a
  clock-in a few minutes past the grace for someone usually on time, a buddy punch with fewer and
  weaker signals, a labor entry 1.4-2.5x its usual time), and 2 % label noise.
- `hard`: magnitudes inside normal variation's tail (1.5 standard deviations, a minute or two past
  the grace, one weak buddy-punch signal, 1.25-1.6x), and 4 % label noise.

Each injector keeps its own magnitudes per difficulty, beside what it does (`anomalies/`); this module
holds the names and the label noise (`LabelNoise`). docs/data-format.md ("Difficulty") lists them.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Literal, get_args

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.jsonlines import read_lines, write_lines

Difficulty = Literal["easy", "realistic", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = get_args(Difficulty)
LABEL_NOISE: dict[Difficulty, float] = {"easy": 0.0, "realistic": 0.02, "hard": 0.04}
"""Share of labels dropped (an anomaly nobody marked); about as many normal shift-days get a wrong label."""
NOISE_FILE = "label-noise.jsonl"
NOISE_TYPES = (
    AnomalyType.EARLY_CLOCK_IN,
    AnomalyType.LATE_CLOCK_IN,
    AnomalyType.EARLY_CLOCK_OUT,
    AnomalyType.LATE_CLOCK_OUT,
)
"""What a normal shift-day is wrongly labelled as: its first entry for a clock-in type, else its last."""


def difficulty_flag(text: str) -> Difficulty:
    """`--difficulty`: one of `DIFFICULTIES`, or a message naming the flag and the choices."""
    for name in DIFFICULTIES:
        if text == name:
            return name
    raise ValueError(f"--difficulty {text!r}: must be one of {', '.join(DIFFICULTIES)}")


class LabelNoise:
    """The labels as a person would have marked them: a share dropped, about as many normal days
    mislabelled. Draws from a stream of its own (`label-noise:<seed>`), so the records do not change;
    every change is written to `label-noise.jsonl` (none at `easy`, and then no file)."""

    def __init__(self, seed: int, difficulty: Difficulty) -> None:
        self.share = LABEL_NOISE[difficulty]
        self.rng = random.Random(f"label-noise:{seed}")
        self.changes: list[dict[str, str]] = []

    def drops(self, record_key: str, anomaly: AnomalyType) -> bool:
        """Whether this true label is left out (noted as dropped)."""
        if not self.share or self.rng.random() >= self.share:
            return False
        self.changes.append({"record_key": record_key, "anomaly_type": anomaly.value, "change": "dropped"})
        return True

    def wrong_type(self, day_anomaly_rate: float) -> AnomalyType | None:
        """The type a normal shift-day is wrongly labelled as, or None (most days). At `share` times the
        plant's day-level anomaly rate, about as many days as labels of day-level types are dropped."""
        if not self.share or self.rng.random() >= self.share * day_anomaly_rate:
            return None
        return self.rng.choice(NOISE_TYPES)

    def added(self, record_key: str, anomaly: AnomalyType) -> None:
        self.changes.append({"record_key": record_key, "anomaly_type": anomaly.value, "change": "added"})

    def write(self, folder: Path) -> None:
        if not self.share:
            return
        write_lines(folder / NOISE_FILE, self.changes)


def read_noise(folder: Path | str) -> list[dict[str, str]]:
    """The label changes of a generated plant (`record_key`, `anomaly_type`, `change`: dropped|added)."""
    return read_lines(Path(folder) / NOISE_FILE)
