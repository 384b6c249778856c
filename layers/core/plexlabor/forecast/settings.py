"""What the forecasts are tuned with: one frozen pydantic model, defaults chosen on development seeds.

Everything has a default, so `ForecastSettings()` is a working configuration. Values were tuned on
plants generated with seeds 501-503 only (`docs/forecast.md`); the bench reports on other seeds.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ForecastSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # ---- history and training ------------------------------------------------------------
    lookback_weeks: int = Field(default=8, ge=1, le=52, description="trailing weeks behind pace and ratio features")
    training_weeks: int = Field(default=26, ge=1, le=104, description="weeks of completed operations that train")
    min_training_operations: int = Field(
        default=150, ge=10, description="fewer completed operations than this: no model, the standard is the forecast"
    )
    calibration_share: float = Field(
        default=0.2, gt=0, lt=0.5, description="latest share of training operations that calibrates the interval"
    )
    interval_coverage: float = Field(default=0.8, gt=0.5, lt=1, description="P10-P90 is an 80% interval")
    max_iter: int = Field(default=250, ge=10, le=2000)
    learning_rate: float = Field(default=0.05, gt=0, le=1)
    max_leaf_nodes: int = Field(default=7, ge=2)
    min_samples_leaf: int = Field(default=80, ge=1)
    l2_regularization: float = Field(default=1.0, ge=0)
    random_state: int = 0

    # ---- forecasting ---------------------------------------------------------------------
    horizon_days: int = Field(default=14, ge=1, le=60, description="operations scheduled this far ahead")
    accuracy_weeks: int = Field(
        default=2,
        ge=0,
        le=8,
        description="the nightly run also trains as it did this many weeks ago and scores that model on the "
        "operations finished since (the page's accuracy of the model in force); 0: not measured",
    )
    fallback_band: tuple[float, float] = Field(
        default=(0.9, 1.3), description="P10 and P90 as multiples of the standard when no model is trained"
    )

    # ---- variance alerts -----------------------------------------------------------------
    alert_margin: float = Field(default=0.15, ge=0, le=5, description="alert when P50 > standard x (1 + margin)")
    alert_min_hours: float = Field(default=1.0, ge=0, description="... and P50 exceeds standard by this many hours")
    alert_horizon_days: int = Field(default=3, ge=1, le=60, description="alert on operations starting this soon")
    max_alerts: int = Field(default=100, ge=0, description="largest overruns first; the rest stay in the forecasts")
    max_drivers: int = Field(default=3, ge=1, le=10)
    alert_status: Literal["logged", "pending_approval"] = "pending_approval"
    """`pending_approval`: alerts wait in the review queue (inside the pilot scope; review_sweep tells
    planners); `logged`: recorded only."""

    # ---- overtime ------------------------------------------------------------------------
    overtime_premium: float = Field(default=1.5, ge=1, description="overtime pay multiple")
    habit_weeks: int = Field(default=8, ge=1, le=52, description="weeks of punches behind each person's habit")
    overtime_weeks_ahead: int = Field(default=1, ge=0, le=8, description="weeks projected after the current one")
    overtime_alert_min_hours: float = Field(default=8.0, ge=0, description="publish a department-week above this")
    unplanned_leave_types: tuple[str, ...] = Field(
        default=("Sick",), description="leave recorded on the day: not known in advance, so not used before it"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        low, high = self.fallback_band
        if not 0 < low <= 1 <= high:
            raise ValueError("fallback_band: need 0 < P10 multiple <= 1 <= P90 multiple")
        return self


QUANTILES = (0.1, 0.5, 0.9)
"""The forecast quantiles: P10, P50, P90."""
