"""The validation quality targets per anomaly group (README, issue 11), read by the validation benches.

Structural types follow from the records alone, context types from the plant's other records and
policy, history types from the person's own past (and the fixed-grace baseline is the yardstick).
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.scoring import ScoreReport, TypeScore

STRUCTURAL = frozenset(
    {A.OUT_BEFORE_IN, A.DUPLICATE_PUNCH, A.OVERLAPPING_ENTRIES, A.JOB_CODE_MISMATCH, A.UNCERTIFIED_OPERATOR}
)
CONTEXT = frozenset(
    {
        A.MISSED_PUNCH,
        A.EXCESSIVE_OVERTIME,
        A.MISSED_BREAK,
        A.MACHINE_LOGIN_MISMATCH,
        A.UNATTENDED_MACHINE,
        A.EARLY_CLOCK_OUT_ACTIVE_JOB,
        A.LABOR_OUTSIDE_OPERATION,
    }
)
HISTORY = frozenset(set(A) - STRUCTURAL - CONTEXT)
"""Early/late clock-in/out, improbable duration, buddy punch."""
HISTORY_F1, HISTORY_OVER_BASELINE = 0.85, 1.5
STRUCTURAL_MIN, CONTEXT_MIN = 0.99, 0.95
"""Precision and recall both at least this."""


def type_target(anomaly: A, ours: TypeScore, baseline: TypeScore) -> tuple[str, bool]:
    """The target of one type, as printed, and whether it is met."""
    if anomaly in HISTORY:
        ratio = ours.f1 / baseline.f1 if baseline.f1 else float("inf")
        met = ours.f1 >= HISTORY_F1 and ratio >= HISTORY_OVER_BASELINE
        return f"F1 >= {HISTORY_F1} and {ratio:.1f}x baseline (>= {HISTORY_OVER_BASELINE})", met
    least = STRUCTURAL_MIN if anomaly in STRUCTURAL else CONTEXT_MIN
    return f"P,R >= {least}", min(ours.precision, ours.recall) >= least


def flagged_share_target(report: ScoreReport, limit: float) -> tuple[str, bool]:
    """Flagged share against `limit` times the true share."""
    flagged, true = report.flagged_share or 0.0, report.true_share or 0.0
    ratio = flagged / true if true else float("inf")
    return f"flagged {flagged:.4f} = {ratio:.2f}x true {true:.4f} (target <= {limit}x)", ratio <= limit
