"""The labor-hours model: three quantile gradient-boosting models of log(actual / standard hours).

P10, P50 and P90 of the ratio actual/standard come from `HistGradientBoostingRegressor(loss="quantile")`,
one per quantile; hours are the ratio times the operation's standard hours. Quantile loss is
invariant to the log, so the quantiles of the log ratio are the logs of the ratio's quantiles.

The P10-P90 interval is then calibrated on time (conformalized quantile regression): the models are
first fit on the older part of the training operations, the newest `calibration_share` measures how
far actuals fall outside the interval, and the final models (fit on everything) widen or narrow their
interval by that amount, so it covers about `interval_coverage` of later actuals. Crossing quantiles
are put back in order (P10 <= P50 <= P90).

Artifacts are pickles (`platform.modelfile`); they are only ever read
back from plexlabor's own private bucket, and `from_bytes` checks the SHA-256 the pointer recorded.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from plexlabor.forecast.errors import ArtifactError
from plexlabor.forecast.features import CATEGORICAL, FEATURES
from plexlabor.forecast.settings import QUANTILES, ForecastSettings
from plexlabor.platform.modelfile import model_bytes, model_from_bytes

ARTIFACT_FORMAT = "plexlabor.forecast.labor-hours/1"
THREADS = 1
"""OpenMP threads per fit. Measured on a 2-vCPU machine with 6,000 rows: 1 thread 1 s, 2 threads 7-23 s
(thread synchronisation dominates trees this small, and worse when the CPU is shared)."""


def _regressor(quantile: float, settings: ForecastSettings, categorical: list[bool]) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(
        loss="quantile",
        quantile=quantile,
        max_iter=settings.max_iter,
        learning_rate=settings.learning_rate,
        max_leaf_nodes=settings.max_leaf_nodes,
        min_samples_leaf=settings.min_samples_leaf,
        l2_regularization=settings.l2_regularization,
        categorical_features=categorical,
        early_stopping=False,
        random_state=settings.random_state,
    )


def _interval_shift(
    X: np.ndarray,
    y: np.ndarray,
    fit_rows: np.ndarray,
    cal_rows: np.ndarray,
    settings: ForecastSettings,
    categorical: list[bool],
) -> float:
    """How far the calibration rows' actuals fall outside the P10-P90 interval of models fit on the
    older rows (0 when too few rows are left to fit on)."""
    if len(fit_rows) < 2:
        return 0.0
    low = _regressor(QUANTILES[0], settings, categorical).fit(X[fit_rows], y[fit_rows])
    high = _regressor(QUANTILES[-1], settings, categorical).fit(X[fit_rows], y[fit_rows])
    lo, hi = low.predict(X[cal_rows]), high.predict(X[cal_rows])
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
    scores = np.maximum(lo - y[cal_rows], y[cal_rows] - hi)
    level = min(1.0, math.ceil((len(scores) + 1) * settings.interval_coverage) / len(scores))
    return float(np.quantile(scores, level))


@dataclass
class LaborHoursModel:
    """Fitted quantile models plus what is needed to use and explain them."""

    estimators: list[HistGradientBoostingRegressor]
    vocabulary: dict[str, dict[str, int]]
    interval_shift: float  # added to P90 and taken from P10, in log-ratio units
    reference: dict[str, float]  # median of each feature in training (the "typical" operation)
    trained_on: int
    calibrated_on: int
    as_of: float
    feature_names: tuple[str, ...] = FEATURES
    quantiles: tuple[float, ...] = QUANTILES
    version: str = "unsaved"
    training_stats: dict[str, float] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        X: np.ndarray,
        y: np.ndarray,
        order: np.ndarray,
        vocabulary: dict[str, dict[str, int]],
        settings: ForecastSettings,
        as_of: float,
    ) -> LaborHoursModel:
        """Fit on rows `X`, log ratios `y`; `order` (when the work began) sets the calibration split."""
        if len(y) < 2:
            raise ValueError("training set: at least two operations are needed")
        categorical = [name in CATEGORICAL for name in FEATURES]
        chronological = np.argsort(order, kind="stable")
        n_cal = max(1, round(len(y) * settings.calibration_share))
        fit_rows, cal_rows = chronological[:-n_cal], chronological[-n_cal:]
        with threadpool_limits(THREADS):
            shift = _interval_shift(X, y, fit_rows, cal_rows, settings, categorical)
            estimators = [_regressor(q, settings, categorical).fit(X, y) for q in QUANTILES]
        reference = {
            name: float(np.nanmedian(X[:, i])) if np.isfinite(X[:, i]).any() else math.nan
            for i, name in enumerate(FEATURES)
        }
        ratio = np.exp(y)
        return cls(
            estimators=estimators,
            vocabulary=vocabulary,
            interval_shift=shift,
            reference=reference,
            trained_on=len(y),
            calibrated_on=len(cal_rows),
            as_of=as_of,
            training_stats={
                "median_ratio": float(np.median(ratio)),
                "p10_ratio": float(np.quantile(ratio, 0.1)),
                "p90_ratio": float(np.quantile(ratio, 0.9)),
            },
        )

    def predict_log_ratio(self, X: np.ndarray) -> np.ndarray:
        """(n, 3) log ratios for P10, P50, P90, ordered."""
        if len(X) == 0:
            return np.zeros((0, len(self.quantiles)))
        with threadpool_limits(THREADS):
            raw = np.column_stack([estimator.predict(X) for estimator in self.estimators])
        raw[:, 0] -= self.interval_shift
        raw[:, -1] += self.interval_shift
        return np.sort(raw, axis=1)

    def predict_ratio(self, X: np.ndarray) -> np.ndarray:
        return np.exp(self.predict_log_ratio(X))

    # ---- artifact ----------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        return model_bytes(ARTIFACT_FORMAT, "model", {k: v for k, v in self.__dict__.items() if k != "version"})

    def seal(self, prefix: str) -> tuple[bytes, str]:
        """Serialize, name the version after the content (`<prefix>-<sha256[:12]>`), return (bytes, sha256)."""
        blob = self.to_bytes()
        digest = hashlib.sha256(blob).hexdigest()
        self.version = f"{prefix}-{digest[:12]}"
        return blob, digest

    @classmethod
    def from_bytes(cls, blob: bytes, sha256: str, version: str) -> LaborHoursModel:
        """Load an artifact written by `seal`; refuse one whose digest differs from the pointer's."""
        if hashlib.sha256(blob).hexdigest() != sha256:
            raise ArtifactError(f"model artifact {version}: SHA-256 differs from the one recorded; not loaded")
        fields = model_from_bytes(
            blob,
            ARTIFACT_FORMAT,
            "model",
            what="a labor-hours model",
            source=f"model artifact {version}",
            error=ArtifactError,
        )
        model = cls(**fields)
        model.version = version
        return model
