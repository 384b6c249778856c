"""The scores page's data: analytics_nightly's newest report, kept per warm container, and what one viewer sees.

analytics_nightly leaves its report under `reports/analytics/` (`analytics.artifact`: `latest.json`
pointing at `<as_of>.json`). `AnalyticsReports.current()` reads the pointer at most every `ttl_s`
seconds and the report only when the pointer names another one, checked against its sha256 and
validated once; a page request never recomputes a score.

Who sees what (`AnalyticsScope`): individual scores are personal data about a person's performance, so
they are shown only to the roles that already handle it for everyone, admins and HR (the whole plant:
every operator, crew and shift), and to supervisors for the people they answer for: operators of their
departments and their own crew. Planners, EHS leads and anyone else get a 403: planning and safety need
no individual's score (the forecasts and the crew board use their own data). Shift scores pool several
departments, so only plant-wide viewers see them.

`scores_view` and `operator_card` are pure: rows sorted best first, paged, people named by the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from plexlabor.analytics.artifact import AnalyticsArtifact, read_artifact
from plexlabor.analytics.report import MeasureScore, MeasureSummary, UnitScores
from plexlabor.platform.artifacts import ReportPointer
from plexlabor.review.queue import Role
from plexlabor.webapp.latest import LatestReport
from plexlabor.webapp.viewer import Reach

ROWS_PER_PAGE = 100
"""Operators per page of a measure's table: a page stays small whatever the plant's size."""
RATIO_MEASURES = frozenset({"efficiency"})
"""Measures shown as a ratio (1.00 = standard); the others are shares, shown in per cent."""
VOLUMES = {"scrap_share": "pieces", "upheld_findings_per_day": "worked days"}
"""What a measure's volume counts (the funnel's x axis); labor entries when not named here."""


@dataclass
class AnalyticsIndex:
    """One stored scores report, indexed for the page."""

    pointer: ReportPointer
    artifact: AnalyticsArtifact
    by_number: dict[str, UnitScores] = field(default_factory=dict)
    """Operators by employee number (the page's `?employee=`: never a Plex id)."""

    @classmethod
    def of(cls, artifact: AnalyticsArtifact, pointer: ReportPointer) -> AnalyticsIndex:
        return cls(pointer, artifact, {unit.label: unit for unit in artifact.report.operators})

    @property
    def measures(self) -> list[str]:
        """The measures scored for operators, in the report's order."""
        return [name for name, kinds in self.artifact.report.measures.items() if "operator" in kinds]


class AnalyticsReports(LatestReport[AnalyticsIndex]):
    """The newest scores report of one store (rooted at `reports/analytics/`), kept between requests."""

    what = "scores report"

    def read(self, pointer: ReportPointer) -> AnalyticsIndex:
        return AnalyticsIndex.of(read_artifact(self.store, pointer), pointer)


class AnalyticsScope(Reach):
    """Admins and HR see every score; supervisors their departments' operators and their own crew."""

    plant_wide_roles = frozenset({Role.ADMIN, Role.HR})

    def operator(self, unit: UnitScores) -> bool:
        return self.sees(unit.department)

    def crew(self, unit: UnitScores) -> bool:
        return self.sees(unit.department) or unit.key == self.user_id


def shown(name: str, value: float | None) -> str:
    """A measure's value as the page writes it: a ratio to two places, a share in per cent."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.2f}" if name in RATIO_MEASURES else f"{value * 100:.2f} %"


@dataclass(frozen=True)
class ScoreRow:
    unit: UnitScores
    score: MeasureScore


@dataclass(frozen=True)
class ScoresView:
    measure: str
    summary: MeasureSummary
    operators: list[ScoreRow]
    """This page of the operators the viewer may see, best estimate first."""
    matching: int
    page: int
    pages: int
    crews: list[ScoreRow]
    shifts: list[ScoreRow]
    funnel: dict[str, Any]
    """The funnel plot's data (every operator in view, not one page): `funnel_chart`."""

    @property
    def first(self) -> int:
        return (self.page - 1) * ROWS_PER_PAGE + 1


def _rows(units: list[UnitScores], measure: str, higher_is_better: bool) -> list[ScoreRow]:
    rows = [ScoreRow(unit, unit.measures[measure]) for unit in units if measure in unit.measures]
    rows.sort(key=lambda row: (-row.score.estimate if higher_is_better else row.score.estimate, row.unit.label))
    return rows


def scores_view(index: AnalyticsIndex, scope: AnalyticsScope, measure: str, page: int) -> ScoresView:
    """One measure's table of the operators, crews and shifts the viewer may see (`measure` must be scored)."""
    report = index.artifact.report
    summary = report.measures[measure]["operator"]
    operators = _rows([u for u in report.operators if scope.operator(u)], measure, summary.higher_is_better)
    pages = max(1, math.ceil(len(operators) / ROWS_PER_PAGE))
    page = min(max(page, 1), pages)
    return ScoresView(
        measure=measure,
        summary=summary,
        operators=operators[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE],
        matching=len(operators),
        page=page,
        pages=pages,
        crews=_rows([u for u in report.crews if scope.crew(u)], measure, summary.higher_is_better),
        shifts=_rows(report.shifts, measure, summary.higher_is_better) if scope.plant_wide else [],
        funnel=funnel_chart(operators, measure, summary),
    )


def funnel_chart(rows: list[ScoreRow], measure: str, summary: MeasureSummary) -> dict[str, Any]:
    """Each operator's value the funnel tests (the raw one; efficiency's robust pace) at their volume with
    the 99.8 % limits at it, and the plant's value; shares in per cent, as the table shows them
    (`static/dashboards.js` draws it). The limits are drawn per person, not as a curve: for scrap share
    they rest on each person's effective count, which the pieces shown as volume do not determine."""
    scale = 1.0 if measure in RATIO_MEASURES else 100.0
    drawn = [r for r in rows if r.score.volume > 0 and r.score.funnel_low is not None]
    return {
        "volume": VOLUMES.get(measure, "labor entries"),
        "unit": "" if scale == 1.0 else "%",
        "target": summary.target * scale,
        "points": [
            [r.score.volume, tested(r.score) * scale, r.unit.label, r.score.outside_funnel or ""] for r in drawn
        ],
        "low": [[r.score.volume, (r.score.funnel_low or 0.0) * scale] for r in drawn],
        "high": [[r.score.volume, (r.score.funnel_high or 0.0) * scale] for r in drawn],
    }


def tested(score: MeasureScore) -> float:
    """The value the funnel tests: the raw one, or efficiency's robust pace."""
    return score.raw if score.funnel_value is None else score.funnel_value


@dataclass(frozen=True)
class CardLine:
    measure: str
    summary: MeasureSummary
    score: MeasureScore
    crew: MeasureScore | None
    """The operator's crew on the same measure, when the viewer may see it."""


def operator_card(
    index: AnalyticsIndex, scope: AnalyticsScope, number: str
) -> tuple[UnitScores, list[CardLine]] | None:
    """An operator's every measure beside the plant and their crew; None when unknown or not the viewer's to see."""
    unit = index.by_number.get(number)
    if unit is None or not scope.operator(unit):
        return None
    report = index.artifact.report
    crew_key = index.artifact.crew_of.get(unit.key)
    crew = next((c for c in report.crews if c.key == crew_key and scope.crew(c)), None)
    lines = [
        CardLine(name, report.measures[name]["operator"], score, crew.measures.get(name) if crew else None)
        for name, score in unit.measures.items()
        if "operator" in report.measures.get(name, {})
    ]
    return unit, lines
