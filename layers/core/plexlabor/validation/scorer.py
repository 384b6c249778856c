"""Stage 3: turn a candidate's evidence into a calibrated confidence.

A logistic model per evidence family (trained with scikit-learn in `training.py`, exported as plain
coefficients) and, for rule-defined types, the rule's measured precision. Scoring is plain Python so
the real-time Lambda never imports scikit-learn.

A model may also carry a plant's learned cuts (`MagnitudeCut`, learned by `plexlabor.learning.cuts` from
its supervisors' decisions): a finding of the type measuring below the cut is not sent for review.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from plexlabor.validation.checks.base import BUDDY, OFFSET, PRODUCTIVITY, RULE, Candidate

PACKAGED_MODEL = "scorer_model.json"
MODEL_FILE = "model.json"
"""The file a `ScorerModel` is kept as in each version of the registry (`validation.registry`)."""
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


LOG_FLOOR_MINUTES = 0.1  # the least minutes a log feature reads


def scored_features(family: str, features: Mapping[str, float]) -> Mapping[str, float]:
    """What a family's model reads: the features as recorded, and for an early/late offset its deviation and
    spread on a log scale as well (`log_deviation`, `log_spread`, the spread being deviation / z), so that the
    learned boundary may be deviation >= c * spread ** k where a z-score cut is k = 1: how far past their spread
    is unusual differs between steady and loose habits. Derived here, not by the check, so that findings recorded
    before (a plant's decisions refit by the learning loop) are read the same way."""
    if family != OFFSET or "deviation_min" not in features or not features.get("z"):
        return features
    deviation = max(features["deviation_min"], LOG_FLOOR_MINUTES)
    return {
        **features,
        "log_deviation": math.log(deviation),
        "log_spread": math.log(max(deviation / features["z"], LOG_FLOOR_MINUTES)),
    }


MAGNITUDE = {OFFSET: "beyond_grace_min", PRODUCTIVITY: "abs_log_deviation", BUDDY: "signal_count"}
"""The feature that measures how large a finding of each learned family is (rule types have none)."""


@dataclass(frozen=True)
class MagnitudeCut:
    """A plant's minimum for one finding type, learned from its supervisors' decisions: a finding measuring
    below `minimum` on `feature` is not sent for review (logged as a trend). The counts are of the training
    decisions of the type it was fitted on (`below`: under the minimum; `upheld_below`: of those, upheld)."""

    feature: str
    minimum: float
    decisions: int
    below: int
    upheld_below: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def content_version(
    priors: Mapping[str, float], families: Mapping[str, Logistic], cuts: Mapping[str, MagnitudeCut] | None = None
) -> str:
    """A model's version from what it scores with: the priors, each model's coefficients, intercept and means,
    and the plant's cuts. The same content gives the same version; models that differ in an intercept alone
    (a review cut, `training.fit_scorer`) do not share one."""
    body = {
        "priors": dict(priors),
        "families": {k: [v.coef, v.intercept, v.mean] for k, v in sorted(families.items())},
        **({"cuts": {k: [c.feature, c.minimum] for k, c in sorted(cuts.items())}} if cuts else {}),
    }
    return "scorer-" + hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:10]


def family_of(features: Mapping[str, float]) -> str:
    """The evidence family a finding's recorded features belong to (what `Candidate.family` was)."""
    if not features:
        return RULE
    if "geofence_ratio" in features:
        return BUDDY
    if "abs_log_deviation" in features:
        return PRODUCTIVITY
    return OFFSET


def type_family(family: str, anomaly_type: str) -> str:
    """The key of a model of one anomaly type of a family (e.g. "offset:LATE_CLOCK_OUT"), which takes the
    family's place for that type when a model has one (`training.fit_scorer`'s review_cuts)."""
    return f"{family}:{anomaly_type}"


@dataclass(frozen=True)
class ScorerModel:
    version: str
    priors: dict[str, float] = field(default_factory=dict)  # anomaly type -> measured precision
    families: dict[str, Logistic] = field(default_factory=dict)
    trained_on: dict[str, Any] = field(default_factory=dict)
    cuts: dict[str, MagnitudeCut] = field(default_factory=dict)  # anomaly type -> the plant's learned minimum

    def below_cut(self, anomaly_type: str, features: Mapping[str, float]) -> MagnitudeCut | None:
        """The plant's cut that keeps this finding from review, if any (a finding lacking the cut's feature
        is never cut)."""
        cut = self.cuts.get(anomaly_type)
        if cut is None or cut.feature not in features:
            return None
        return cut if features[cut.feature] < cut.minimum else None

    def confidence(self, candidate: Candidate) -> float:
        return self._confidence(candidate.family, candidate.anomaly.value, candidate.features)

    def recorded_confidence(self, anomaly_type: str, features: Mapping[str, float]) -> float:
        """The confidence in a finding from what it recorded (its type and evidence features), e.g. a
        shadow model's score of a live finding or a candidate's of a decided one."""
        return self._confidence(family_of(features), anomaly_type, features)

    def _confidence(self, family: str, anomaly_type: str, features: Mapping[str, float]) -> float:
        model = self.families.get(type_family(family, anomaly_type)) or self.families.get(family)
        if family == RULE or model is None:
            return self.priors.get(anomaly_type, UNTRAINED_PRIOR)
        return model.probability(scored_features(family, features))

    def to_json(self) -> dict[str, Any]:
        cuts = {"cuts": {name: cut.to_json() for name, cut in sorted(self.cuts.items())}} if self.cuts else {}
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
            **cuts,
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
            {name: MagnitudeCut(**cut) for name, cut in data.get("cuts", {}).items()},
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
