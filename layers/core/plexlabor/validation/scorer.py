"""Stage 3: turn a candidate's evidence into a calibrated confidence.

A logistic model per evidence family (trained with scikit-learn in `training.py`, exported as plain
coefficients) and, for rule-defined types, the rule's measured precision. Scoring is plain Python so
the real-time Lambda never imports scikit-learn.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from plexlabor.validation.checks.base import BUDDY, OFFSET, PRODUCTIVITY, RULE, Candidate

PACKAGED_MODEL = "scorer_model.json"
UNTRAINED_PRIOR = 0.5


@dataclass(frozen=True)
class Logistic:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, values: Mapping[str, float]) -> float:
        z = self.intercept + sum(
            c * ((values.get(name, 0.0) - m) / s)
            for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        )
        return 1 / (1 + math.exp(-max(-35.0, min(35.0, z))))


def family_of(features: Mapping[str, float]) -> str:
    """The evidence family a finding's recorded features belong to (what `Candidate.family` was)."""
    if not features:
        return RULE
    if "geofence_ratio" in features:
        return BUDDY
    if "abs_log_deviation" in features:
        return PRODUCTIVITY
    return OFFSET


@dataclass(frozen=True)
class ScorerModel:
    version: str
    priors: dict[str, float] = field(default_factory=dict)  # anomaly type -> measured precision
    families: dict[str, Logistic] = field(default_factory=dict)
    trained_on: dict[str, Any] = field(default_factory=dict)

    def confidence(self, candidate: Candidate) -> float:
        return self._confidence(candidate.family, candidate.anomaly.value, candidate.features)

    def recorded_confidence(self, anomaly_type: str, features: Mapping[str, float]) -> float:
        """The confidence in a finding from what it recorded (its type and evidence features), e.g. a
        shadow model's score of a live finding or a candidate's of a decided one."""
        return self._confidence(family_of(features), anomaly_type, features)

    def _confidence(self, family: str, anomaly_type: str, features: Mapping[str, float]) -> float:
        if family == RULE or family not in self.families:
            return self.priors.get(anomaly_type, UNTRAINED_PRIOR)
        return self.families[family].probability(features)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "priors": self.priors,
            "families": {
                name: {
                    "features": list(m.features),
                    "mean": list(m.mean),
                    "scale": list(m.scale),
                    "coef": list(m.coef),
                    "intercept": m.intercept,
                }
                for name, m in self.families.items()
            },
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScorerModel:
        return cls(
            data["version"],
            {k: float(v) for k, v in data.get("priors", {}).items()},
            {
                name: Logistic(
                    tuple(m["features"]),
                    tuple(m["mean"]),
                    tuple(m["scale"]),
                    tuple(m["coef"]),
                    float(m["intercept"]),
                )
                for name, m in data.get("families", {}).items()
            },
            dict(data.get("trained_on", {})),
        )

    def save(self, path: Path | str) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | str | None = None) -> ScorerModel:
        """Load a model file, or the packaged one."""
        if path is None:
            text = resources.files("plexlabor.validation").joinpath(PACKAGED_MODEL).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return cls.from_json(json.loads(text))
