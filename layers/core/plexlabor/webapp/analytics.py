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
from plexlabor.analytics.report import MeasureScore, MeasureSummary, PartSummary, UnitScores
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


def _share(value: float) -> str:
    """A part's share as the notes write it: one place (entries with scrap, stops with a reason), two below 10 %."""
    return f"{value * 100:.2f} %" if value < 0.1 else f"{value * 100:.1f} %"


def _points(spread: float) -> str:
    """A spread between people in a share, in percentage points."""
    return f"{spread * 100:.2f} percentage points"


def spread_text(name: str, summary: MeasureSummary) -> str:
    """The measure's spread between people, as the page's first line says it."""
    spread = shown(name, summary.spread)
    return f"a typical person differs from it by about {spread} (the spread between people, one standard deviation)"


def funnel_spread_text(name: str, summary: MeasureSummary) -> str:
    """What spread between people the funnel limits allow for, and why it is not the first line's figure
    when it differs (ux_s13 17g: "spread between people 0.07", then "differs by about 0.08" two lines on)."""
    if summary.funnel_spread <= 0:
        return (
            "; these people differ from each other no more than chance explains, so chance is all the limits allow for"
        )
    funnel, spread = shown(name, summary.funnel_spread), shown(name, summary.spread)
    how = (
        f"; this is the spread above, {spread}, estimated again"
        if funnel == spread
        else f"; this is the spread above estimated a second way, which gives {funnel} here, not {spread}: the "
        f"{spread} counts every person fully and is what each estimate is shrunk with, the {funnel} is estimated"
    )
    return (
        f" and for the ordinary spread between this plant's people: a typical person differs from the plant by about "
        f"{funnel} (one standard deviation), so the limits sit about three of those either side of the plant and, "
        f"where this spread outweighs chance, hardly widen with fewer entries{how} from these weeks' data with the "
        "people furthest out set aside, so that they cannot widen the limits meant to find them"
    )


@dataclass(frozen=True)
class TwoPartWords:
    """How a two-part measure's parts read (`analytics.shrinkage.product`): how often, how much."""

    often: str
    """'{hits} of their {n} entries recorded scrap'."""
    much: str
    """'their {n} entries with scrap lost {share} of their pieces'."""
    often_driver: str
    much_driver: str
    often_noun: str
    much_noun: str


TWO_PARTS = {
    "scrap_share": TwoPartWords(
        "{hits} of their {n} entries recorded scrap ({share}",
        "their {n} entries with scrap lost {share} of those entries' pieces (plant {plant}",
        "how often their entries record scrap",
        "how much they scrap when they do",
        "how often an entry records scrap",
        "the share of its pieces an entry with scrap loses",
    ),
    "caused_stops_per_entry": TwoPartWords(
        "{hits} of their {n} entries had a machine stop ({share}",
        "{hits} of their {n} stops had an operator reason ({share}; plant {plant}",
        "how often their entries have a stop",
        "the share of their stops with an operator reason",
        "how often an entry has a machine stop",
        "the share of stops with an operator reason",
    ),
}
"""The measures whose estimate is how often times how much, each part shrunk on its own."""
CORRELATED = 0.2
"""Below this correlation between people, nonconformances are said to be read on their own."""


def model_text(name: str, summary: MeasureSummary) -> str:
    """What each estimate of a measure is, as the page says it (docs/analytics.md's models)."""
    luck = "so few entries cannot put anyone at the top or the bottom by luck."
    if name == "efficiency":
        return (
            "Each estimate is the person's typical pace (the robust middle of their entries' paces, which a few long "
            "or miscounted entries do not move) shrunk toward the plant as much as their entries are few, "
            + luck
            + " The raw value is the plain ratio of all their hours: where a few entries pull it away from their "
            "usual pace, the estimate lies beyond it, and the row says so."
        )
    words, often, much = TWO_PARTS.get(name), summary.parts.get("often"), summary.parts.get("much")
    if words and often and much:
        return (
            f"Each estimate is {words.often_noun} times {words.much_noun}, each part shrunk toward the plant's on "
            f"its own: {words.often_noun}, plant {_share(often.target)}, a typical person differing from it by "
            f"about {_points(often.spread)}; {words.much_noun}, plant {_share(much.target)}, by about "
            f"{_points(much.spread)}. A part in which people here differ little against chance is counted near the "
            "plant's value for everyone (their own count of it is mostly luck), and the estimate follows the part "
            f"in which they differ, {luck} So an estimate can lie beyond the raw value, above or below it; the row "
            "says so and which part moved it."
        )
    older = " (this report was made before the page kept what each estimate rests on, so the rows cannot say why)"
    if words:
        return (
            f"Each estimate is {words.often_noun} times {words.much_noun}, each part shrunk toward the plant's on its "
            "own: a part in which people differ little against chance is counted near the plant's value for everyone, "
            f"{luck} So an estimate can lie beyond the raw value, above or below it{older}."
        )
    scrap = summary.parts.get("scrap")
    if name == "nonconformances_per_entry" and not (scrap and scrap.correlation is not None):
        return (
            "Each estimate is the person's nonconformance rate shrunk toward the plant, read together with their "
            f"scrap where this plant's people who scrap more are also found with more nonconformances, {luck} So an "
            f"estimate can lie beyond the raw value{older}."
        )
    if name == "nonconformances_per_entry" and scrap and scrap.correlation is not None:
        correlation = scrap.stated_correlation
        if correlation is None:
            return (
                "Each estimate is the person's nonconformance rate shrunk toward the plant and read together with "
                f"their scrap, {luck} Whether people here who scrap more are also found with more nonconformances "
                f"{_cannot_tell(scrap)}, so how far a person's scrap moves their estimate is not a finding either: "
                "an estimate can lie beyond the raw value (moved by their scrap); the row says so."
            )
        if abs(correlation) >= CORRELATED:
            more = "more" if correlation > 0 else "fewer"
            return (
                "Each estimate is the person's nonconformance rate shrunk toward the plant and read together with "
                "their scrap: people here who lose more of an entry's pieces when they scrap are also found with "
                f"{more} nonconformances (correlation {correlation:.2f} between people), so a person's scrap, "
                f"recorded far more often than a finding, moves their estimate, {luck} So an estimate can lie beyond "
                "the raw value (raised by scrap above the plant's, lowered by scrap below it); the row says so."
            )
        return (
            "Each estimate is the person's nonconformance rate shrunk toward the plant as much as their entries are "
            f"few, {luck} It is read together with their scrap, but here the two hardly go together (correlation "
            f"{correlation:.2f} between people), so their scrap moves it little."
        )
    return f"Each estimate is the person's raw value shrunk toward the plant as much as their volume is small, {luck}"


def _cannot_tell(scrap: PartSummary) -> str:
    """Why the correlation between people of nonconformances and scrap is not stated
    (`PartSummary.stated_correlation`)."""
    people = f"these {scrap.people} people" if scrap.people is not None else "this plant's people"
    return f"cannot be estimated from {people}"


@dataclass(frozen=True)
class EstimateNote:
    """Why an estimate lies beyond the raw value: a short phrase for the table's row, the sentence for the card."""

    short: str
    full: str


def estimate_note(name: str, score: MeasureScore, summary: MeasureSummary) -> EstimateNote | None:
    """For an estimate beyond its raw value (not between it and the plant's, where plain shrinkage puts
    it), what moved it there, from the parts the estimate was built from; None otherwise."""
    target, tolerance = summary.target, 0.005 * abs(summary.target)
    if score.volume <= 0 or min(score.raw, target) - tolerance <= score.estimate <= max(score.raw, target) + tolerance:
        return None
    up = score.estimate > score.raw
    direction = "above" if up else "below"
    if name == "efficiency" and score.funnel_value is not None:
        return EstimateNote(
            f"{direction} raw: their typical pace is {score.funnel_value:.2f}",
            f"The estimate {shown(name, score.estimate)} lies {direction} their raw value {shown(name, score.raw)}, "
            f"the plain ratio of all their hours: it is their typical pace, {score.funnel_value:.2f} (the robust "
            "middle of their entries' paces, which a few long or miscounted entries do not move), shrunk toward the "
            f"plant's {shown(name, target)}.",
        )
    words = TWO_PARTS.get(name)
    often, much = score.parts.get("often"), score.parts.get("much")
    often_fit, much_fit = summary.parts.get("often"), summary.parts.get("much")
    if words and often and much and often_fit and much_fit:
        sides = {words.often_driver: (often, often_fit), words.much_driver: (much, much_fit)}
        pulls = {driver: part.estimate / fit.target - 1 if fit.target else 0.0 for driver, (part, fit) in sides.items()}
        driver = (max if up else min)(pulls, key=pulls.__getitem__)
        part, fit = sides[driver]
        moved = f"{'raised' if up else 'lowered'} by {driver}"
        how_often = words.often.format(
            hits=f"{often.raw * often.volume:.0f}", n=f"{often.volume:.0f}", share=_share(often.raw)
        )
        how_much = (
            words.much.format(
                hits=f"{much.raw * much.volume:.0f}",
                n=f"{much.volume:.0f}",
                share=_share(much.raw),
                plant=_share(much_fit.target),
            )
            + f"), counted at {_share(much.estimate)}"
            if much.volume > 0
            else f"none to tell {words.much_noun}: counted at {_share(much.estimate)}"
        )
        return EstimateNote(
            f"{moved} ({_share(part.raw if part.volume else part.estimate)}, plant {_share(fit.target)})",
            f"The estimate {shown(name, score.estimate)} lies {direction} their raw value {shown(name, score.raw)} "
            f"and the plant's {shown(name, target)}, {moved}: {how_often}; plant {_share(often_fit.target)}), "
            f"counted at {_share(often.estimate)}; {how_much}. The estimate is the two counted values multiplied: "
            f"{_share(often.estimate)} × {_share(much.estimate)} = {shown(name, score.estimate)}.",
        )
    alone, scrap, scrap_fit = score.parts.get("alone"), score.parts.get("scrap"), summary.parts.get("scrap")
    if name == "nonconformances_per_entry" and alone and scrap and scrap_fit:
        moved = "raised" if score.estimate > alone.estimate else "lowered"
        their_scrap = (
            f"their {scrap.volume:.0f} entries with scrap lost {_share(scrap.raw)} of those entries' pieces (plant "
            f"{_share(scrap_fit.target)})"
            if scrap.volume > 0
            else "they recorded no scrap"
        )
        correlation = scrap_fit.stated_correlation
        how_together = (
            f"people here who scrap more are also found with {'more' if correlation > 0 else 'fewer'} "
            f"nonconformances (correlation {correlation:.2f} between people)"
            if correlation is not None
            else f"whether people here who scrap more are also found with more nonconformances "
            f"{_cannot_tell(scrap_fit)}, so how far their scrap moved the estimate is not a finding either"
        )
        return EstimateNote(
            f"{moved} by their scrap",
            f"The estimate {shown(name, score.estimate)} lies {direction} their raw value {shown(name, score.raw)} "
            f"({alone.raw * alone.volume:.0f} of {alone.volume:.0f} entries), {moved} by their scrap: on their "
            f"nonconformances alone it would be {shown(name, alone.estimate)}; {their_scrap}, and {how_together}.",
        )
    return None


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
