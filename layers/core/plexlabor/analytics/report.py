"""The scores report: what analytics_nightly stores and the web app's pages and the CLI show."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from plexlabor.models.types import UtcDatetime

if TYPE_CHECKING:  # the web app reads reports without loading NumPy and SciPy
    from plexlabor.analytics.shrinkage import Estimate

UnitKind = Literal["operator", "crew", "shift"]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


class EstimatePart(BaseModel):
    """One part an estimate was built from (`MeasureSummary.parts` names and describes it): the unit's own
    value of it, its shrunk estimate and the volume it rests on (0: the unit has none of it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    raw: float
    estimate: float
    volume: float


class PartSummary(BaseModel):
    """The plant's side of a part: its value, the spread between people in it, and their correlation
    between people with the measure, for a part read together with it (nonconformances with scrap)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target: float
    spread: float
    correlation: float | None = None
    people: int | None = None
    """How many people the correlation was estimated from (None: a report made before it was kept)."""

    @property
    def stated_correlation(self) -> float | None:
        """The correlation between people as a finding the page may state; None when there is none or it
        cannot be estimated from these people: at the edge (|r| >= `EDGE_CORRELATION`, where the moment
        estimate of the covariance was clipped to a valid one, so it says the data could not place it, not
        that the two move as one) or from fewer than `MIN_CORRELATION_PEOPLE` people."""
        if self.correlation is None or abs(self.correlation) >= EDGE_CORRELATION:
            return None
        if self.people is not None and self.people < MIN_CORRELATION_PEOPLE:
            return None
        return self.correlation


EDGE_CORRELATION = 0.99
"""A correlation between people this close to +-1 is a boundary estimate, not a finding."""
MIN_CORRELATION_PEOPLE = 30
"""Fewer people than this cannot place a correlation between them: even from exact values the 95 %
interval of a correlation of 0 from 30 people is -0.36 to 0.36 (Fisher's z), and these values are
estimates with their own noise."""


class MeasureScore(BaseModel):
    """One measure of one person or team."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    raw: float
    estimate: float
    low: float
    high: float
    """The estimate's 95 % interval."""
    volume: float
    """Pieces for scrap share, labor entries for efficiency and per-entry rates, worked days for findings."""
    funnel_low: float | None
    funnel_high: float | None
    """The 99.8 % funnel limits at this volume (None: no data)."""
    funnel_value: float | None = None
    """The value the funnel tests and plots when it is not the raw one: efficiency's robust pace (Huber's
    location of the person's entries), which one miscounted entry does not move."""
    outside_funnel: Literal["high", "low"] | None
    rank: int | None
    """The estimate's place among every unit scored, 1 = best (the order of the page's table); None where
    the data does not separate this unit from the field."""
    rank_low: int
    rank_high: int
    """The 90 % interval of the rank over the posterior draws (widened to hold `rank`)."""
    parts: dict[str, EstimatePart] = {}
    """What a combined estimate was built from: two-part rates' `often` and `much`, nonconformances'
    estimate `alone` and the `scrap` read with it (`MeasureSummary.parts`); none for a plain shrinkage."""

    @classmethod
    def of(cls, estimate: Estimate, rank: int | None, rank_low: int, rank_high: int) -> MeasureScore:
        return cls(
            raw=estimate.raw,
            estimate=estimate.estimate,
            low=estimate.low,
            high=estimate.high,
            volume=estimate.volume,
            funnel_low=_finite(estimate.funnel_low),
            funnel_high=_finite(estimate.funnel_high),
            funnel_value=estimate.funnel_value,
            outside_funnel=estimate.outside_funnel if estimate.volume > 0 else None,
            rank=rank,
            rank_low=rank_low,
            rank_high=rank_high,
            parts={name: EstimatePart(raw=p.raw, estimate=p.estimate, volume=p.volume) for name, p in estimate.parts},
        )


class MeasureSummary(BaseModel):
    """One measure over one kind of unit: the plant's value and what the estimates rest on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    higher_is_better: bool
    target: float
    spread: float
    """Between units (the prior's standard deviation)."""
    dispersion: float
    """Within units: phi for rates (1 = binomial), the entry-level variance for efficiency."""
    funnel_spread: float = 0.0
    """The spread between units the funnel limits allow for besides chance (0: chance alone)."""
    outside_funnel: int
    ranked: int
    parts: dict[str, PartSummary] = {}
    """The plant's side of the parts the estimates were built from (`MeasureScore.parts`)."""


class UnitScores(BaseModel):
    """A person, a crew (one supervisor's people) or a shift, with every measure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: UnitKind
    key: str
    """Employee id of an operator or a crew's supervisor, or a shift code."""
    label: str
    """Employee number, "<supervisor's number> crew", or "shift <code>": never a Plex id."""
    department: str | None
    members: int
    entries: int
    measures: dict[str, MeasureScore]
    findings_upheld: int | None = None
    findings_rejected: int | None = None
    """Validation findings about the unit's people supervisors upheld and rejected in the window (None:
    upheld findings are not scored, `ScoresReport.absent`)."""


class AbsentMeasure(BaseModel):
    """A measure left out of a window, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    reason: str


class ScoresReport(BaseModel):
    """Scores of one window."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    begin: UtcDatetime
    end: UtcDatetime
    measures: dict[str, dict[UnitKind, MeasureSummary]]
    absent: dict[str, AbsentMeasure] = {}
    """Measures not scored in this window (upheld findings without supervisors' decisions), and why."""
    operators: list[UnitScores]
    crews: list[UnitScores]
    shifts: list[UnitScores]
