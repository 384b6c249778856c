"""A shadow candidate is scored beside the model in force on every finding, inside the candidate's own
floor and ceiling (a decisive signal, a thin history), and never routes one."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.checks.base import OFFSET, Candidate
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.scorer import ScorerModel

PACKAGED = ScorerModel.load()
NORMS: Any = SimpleNamespace(version="norms-1")


def _candidate(**changes: Any) -> Candidate:
    base = Candidate(
        record_key="time-clock-entries:1",
        employee=None,
        anomaly=AnomalyType.EARLY_CLOCK_IN,
        family=OFFSET,
        features={"beyond_grace_min": 40.0, "deviation_min": 47.0, "z": 6.0},
        evidence={},
        note="Clock-in 40 min before shift start",
        correction=None,
        severity="medium",
    )
    return replace(base, **changes)


def _never() -> ScorerModel:
    """A candidate scorer that sends nothing: every prior and family at the floor."""
    flat = {name: replace(m, coef=tuple(0.0 for _ in m.coef), intercept=-30.0) for name, m in PACKAGED.families.items()}
    return ScorerModel("scorer-never0001", {name: 0.0 for name in PACKAGED.priors}, flat)


def test_the_shadow_is_recorded_and_the_model_in_force_routes() -> None:
    engine = ValidationEngine(PACKAGED)
    engine.shadow = _never()
    [finding] = engine.findings([_candidate()], None, NORMS)  # type: ignore[arg-type]
    assert finding.route == "review" and finding.confidence >= 0.7
    assert finding.evidence["shadow"] == {"model_version": "scorer-never0001", "confidence": 0.0, "would_review": False}


def test_the_shadow_score_keeps_the_candidates_floor_and_ceiling() -> None:
    engine = ValidationEngine(PACKAGED)
    # a decisive signal: even a shadow that sends nothing scores it at the candidate's floor
    engine.shadow = _never()
    [decisive] = engine.findings([_candidate(floor=0.9)], None, NORMS)  # type: ignore[arg-type]
    assert decisive.evidence["shadow"] == {"model_version": "scorer-never0001", "confidence": 0.9, "would_review": True}
    # a thin history: the same model in shadow is held under review by the candidate's ceiling, as in force
    engine.shadow = replace(PACKAGED, version="scorer-same0001")
    [thin] = engine.findings([_candidate(ceiling=0.5)], None, NORMS)  # type: ignore[arg-type]
    assert thin.route == "trend" and thin.evidence["shadow"]["confidence"] == thin.confidence <= 0.5
    assert thin.evidence["shadow"]["would_review"] is False


def test_without_a_shadow_nothing_is_added() -> None:
    [finding] = ValidationEngine(PACKAGED).findings([_candidate()], None, NORMS)  # type: ignore[arg-type]
    assert "shadow" not in finding.evidence
