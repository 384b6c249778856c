"""What the skill coverage and certification pages show, built from an indexed skills report.

Pure: no request, no I/O. `dashboards` turns a request into a `Scope` and a query, calls
`coverage_view` or `timeline_view`, and renders the result; the chart data (`chart`) goes into the
page as JSON for the charting script, and the same numbers go into the tables.

Who sees what: planners, HR and admins the whole plant; a supervisor the workcenters of their
departments (`custom:departments`, department codes) and the certifications of the people of those
departments or reporting to them. People are named by the caller's `who` (the people display).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from plexlabor.review.queue import Role
from plexlabor.skills.artifact import ShiftRef
from plexlabor.skills.compliance import DEFAULT_WINDOWS as WINDOW_DAYS
from plexlabor.skills.report import (
    Bottleneck,
    CertificationAlert,
    CoverageRow,
    TrainingRecommendation,
    Unqualified,
)
from plexlabor.webapp.crewgaps import PlanGap, PlanGaps
from plexlabor.webapp.plantfilters import unknown_department
from plexlabor.webapp.reports import CellKey, SkillsIndex
from plexlabor.webapp.viewer import Reach

HEATMAP_ROWS = 30
"""Workcenters per heatmap page, most hours at risk first."""
LISTED = 15
"""Bottlenecks and workcenters with cross-training candidates listed on the coverage page."""
TIMELINE_ROWS = 100
"""Certifications per page of the timeline's table (the chart shows every one that matches)."""
AXIS_MARGIN_DAYS = 3
"""The timeline's axis runs from the report day (or the oldest lapse) to the end of the longest expiry
window (or the latest expiry), this many days more each side."""
CAUSES = {
    "lapsed_certification": "lapsed certification",
    "not_certified": "not certified",
    "leave": "leave",
    "not_planned": "nobody planned",
}

Who = Callable[[str | None], str]


class Scope(Reach):
    """What one viewer may see of a skills report: planners, HR and admins the whole plant; a supervisor
    also sees the people they supervise."""

    plant_wide_roles = frozenset({Role.PLANNER, Role.HR, Role.ADMIN})

    def workcenter(self, index: SkillsIndex, workcenter_id: str) -> bool:
        return self.sees(index.department(workcenter_id))

    def employee(self, index: SkillsIndex, employee_id: str) -> bool:
        if self.plant_wide:
            return True
        ref = index.artifact.employees.get(employee_id)
        if ref is None:
            return False
        return self.sees(ref.department) or ref.supervisor_id == self.user_id


class CertificationScope(Scope):
    """What one viewer may see of the certification timeline: as `Scope`, and the EHS lead the whole plant's, since
    safety certifications (forklift, lockout/tagout) are theirs to follow (ux_s17 L11: the ehs role got a 403)."""

    plant_wide_roles = Scope.plant_wide_roles | {Role.EHS}


# -- coverage -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageQuery:
    department: str | None = None
    page: int = 1
    cell: CellKey | None = None


@dataclass(frozen=True)
class HeatCell:
    """One workcenter shift with work: the heatmap's point and the table's cell."""

    hours_at_risk: float
    crew_needed: int
    qualified: int
    standard_hours: float
    url: str
    plan: PlanGap | None = None
    """The crew plan's empty seats there (`webapp.crewgaps`; None: none, or no plan)."""


@dataclass
class HeatRow:
    workcenter_id: str
    code: str
    department: str | None
    hours_at_risk: float
    cells: list[HeatCell | None]


@dataclass
class Blocked:
    employee: str
    missing: list[str]
    certifications: list[str]


@dataclass
class CellDetail:
    key: CellKey
    code: str
    department: str | None
    shift: ShiftRef
    row: CoverageRow
    cause: str | None
    required: list[str]
    qualified: list[str]
    on_leave: list[str]
    blocked: list[Blocked]
    cover: list[str]
    planned: bool = False
    """Whether a crew plan exists for the shift (the viewer's part of it)."""
    plan: PlanGap | None = None
    """Its empty seats at this workcenter (None: it fills every seat there, or there is no plan)."""


@dataclass
class Candidate:
    employee_id: str
    employee: str
    training: str
    coverage_gain_hours: float
    effort_levels: float
    score: float
    reason: str


@dataclass
class TrainingRow:
    workcenter_id: str
    code: str
    required: list[str]
    hours_at_risk_after_cover: float
    candidates: list[Candidate]


@dataclass
class CoverageView:
    columns: list[tuple[date, ShiftRef]]
    rows: list[HeatRow]
    chart: dict[str, Any]
    page: int
    pages: int
    workcenters: int
    """Workcenters with work that match the scope and filter (all pages)."""
    hours_scheduled: float
    hours_at_risk: float
    departments: list[str]
    bottlenecks: list[Bottleneck]
    training: list[TrainingRow]
    cell: CellDetail | None = None
    first: int = 1


def column_label(day: date, shift: ShiftRef) -> str:
    return f"{day:%a %m-%d} {shift.code}"


def _visible(index: SkillsIndex, scope: Scope, department: str | None) -> list[str]:
    return [
        wc
        for wc in index.ranked
        if scope.workcenter(index, wc) and (department is None or index.department(wc) == department)
    ]


def coverage_view(
    index: SkillsIndex,
    scope: Scope,
    query: CoverageQuery,
    who: Who,
    cell_link: Callable[[CellKey], str],
    plans: PlanGaps | None = None,
) -> CoverageView:
    """The heatmap page: `HEATMAP_ROWS` workcenters a page (most hours at risk first) x every shift of
    the horizon; bottlenecks and cross-training of the workcenters in view; the chosen cell's people; where a crew
    plan exists (`plans`), the seats it left empty beside each cell."""
    plans = plans or PlanGaps()
    visible = _visible(index, scope, query.department)
    pages = max(1, -(-len(visible) // HEATMAP_ROWS))
    page = min(max(query.page, 1), pages)
    chosen = visible[(page - 1) * HEATMAP_ROWS : page * HEATMAP_ROWS]
    columns = index.columns()
    rows: list[HeatRow] = []
    points: list[dict[str, Any]] = []
    for y, wc in enumerate(chosen):
        cells: list[HeatCell | None] = []
        for x, (day, shift) in enumerate(columns):
            row = index.cells.get((wc, day, shift.id))
            plan = plans.of((index.code(wc), day, shift.code))
            cell = None if row is None else _heat_cell(row, cell_link((wc, day, shift.id)), plan)
            cells.append(cell)
            if cell is not None:
                value = [x, y, cell.hours_at_risk, cell.crew_needed, cell.qualified, cell.standard_hours]
                points.append({"value": value, "url": cell.url, **({"plan": plan.words} if plan else {})})
        rows.append(HeatRow(wc, index.code(wc), index.department(wc), index.risk.get(wc, 0.0), cells))
    in_view = set(visible)
    scoped = [wc for wc in index.ranked if scope.workcenter(index, wc)]
    chart = {
        "x": [column_label(day, shift) for day, shift in columns],
        "y": [row.code for row in rows],
        "max": max((p["value"][2] for p in points), default=0.0),
        "points": points,
    }
    return CoverageView(
        columns=columns,
        rows=rows,
        chart=chart,
        page=page,
        pages=pages,
        workcenters=len(visible),
        hours_scheduled=round(
            sum(c["standard_hours"] for c in index.cells.values() if c["workcenter_id"] in in_view), 2
        ),
        hours_at_risk=round(sum(index.risk.get(wc, 0.0) for wc in visible), 2),
        departments=sorted({d for wc in scoped if (d := index.department(wc))}),
        bottlenecks=_bottlenecks(index, in_view),
        training=_training(index, in_view, who),
        cell=_cell(index, scope, query.cell, who, plans) if query.cell else None,
        first=(page - 1) * HEATMAP_ROWS + 1,
    )


def _heat_cell(row: dict[str, Any], url: str, plan: PlanGap | None) -> HeatCell:
    """A coverage row as read (`CoverageRow` JSON) in the few numbers the heatmap shows, with the crew plan's empty
    seats there."""
    return HeatCell(
        float(row["hours_at_risk"]),
        int(row["crew_needed"]),
        int(row["qualified"]),
        float(row["standard_hours"]),
        url,
        plan,
    )


def _bottlenecks(index: SkillsIndex, in_view: set[str]) -> list[Bottleneck]:
    found = [b for b in index.artifact.report.bottlenecks if b.workcenter_id in in_view]
    found.sort(key=lambda b: (-b.hours_at_risk, -b.hours_at_risk_after_cover, b.workcenter_code, b.workcenter_id))
    return found[:LISTED]


def _training(index: SkillsIndex, in_view: set[str], who: Who) -> list[TrainingRow]:
    rows = []
    for recommendation in index.artifact.report.training:
        if recommendation.workcenter_id not in in_view:
            continue
        rows.append(_training_row(recommendation, who))
        if len(rows) == LISTED:
            break
    return rows


def _training_row(recommendation: TrainingRecommendation, who: Who) -> TrainingRow:
    return TrainingRow(
        workcenter_id=recommendation.workcenter_id,
        code=recommendation.workcenter_code,
        required=recommendation.required,
        hours_at_risk_after_cover=recommendation.hours_at_risk_after_cover,
        candidates=[
            Candidate(
                employee_id=c.employee_id,
                employee=who(c.employee_id),
                training=", ".join(c.training),
                coverage_gain_hours=c.coverage_gain_hours,
                effort_levels=c.effort_levels,
                score=c.score,
                reason=c.reason,
            )
            for c in recommendation.candidates
        ],
    )


def _missing_labels(index: SkillsIndex, workcenter_id: str, person: Unqualified) -> list[str]:
    ref = index.artifact.workcenters.get(workcenter_id)
    required = ref.required if ref else []
    labels = []
    for skill_id in person.missing_skills:
        code = index.artifact.skills.get(skill_id, skill_id)
        labels.append(next((label for label in required if label.split(":L")[0] == code), code))
    return labels


def _cell(index: SkillsIndex, scope: Scope, key: CellKey, who: Who, plans: PlanGaps) -> CellDetail | None:
    if not scope.workcenter(index, key[0]):
        return None
    row = index.cell(key)
    shift = next((s for s in index.artifact.shifts if s.id == key[2]), None)
    if row is None or shift is None:
        return None
    cause = index.causes.get(key)
    ref = index.artifact.workcenters.get(key[0])
    people = row.people
    return CellDetail(
        key=key,
        code=index.code(key[0]),
        department=index.department(key[0]),
        shift=shift,
        row=row,
        cause=CAUSES.get(cause, cause) if cause else None,
        required=ref.required if ref else [],
        qualified=[who(e) for e in people.qualified],
        on_leave=[who(e) for e in people.on_leave],
        blocked=[
            Blocked(who(p.employee_id), _missing_labels(index, key[0], p), list(p.lapsed_certification_ids))
            for p in people.unqualified
        ],
        cover=[who(e) for e in people.cover],
        planned=plans.has_plan(key[1], shift.code),
        plan=plans.of((index.code(key[0]), key[1], shift.code)),
    )


def find_candidate(
    index: SkillsIndex, scope: Scope, workcenter_id: str, employee_id: str
) -> tuple[TrainingRecommendation, int] | None:
    """The report's cross-training recommendation for the workcenter and the candidate's rank (1 =
    best), when the viewer may see that workcenter; None when the report has no such candidate."""
    recommendation = index.training.get(workcenter_id)
    if recommendation is None or not scope.workcenter(index, workcenter_id):
        return None
    for rank, candidate in enumerate(recommendation.candidates, start=1):
        if candidate.employee_id == employee_id:
            return recommendation, rank
    return None


# -- certification timeline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineQuery:
    department: str | None = None
    workcenter: str | None = None
    """A workcenter code: certifications required there or blocking work there."""
    employee_id: str | None = None
    page: int = 1


@dataclass
class BlockedWork:
    code: str
    day: date
    shift: str
    hours: float
    hours_secured_by_renewal: float


@dataclass
class AlertRow:
    alert: CertificationAlert
    employee: str
    department: str | None
    required_at: list[str]
    blocked: list[BlockedWork]


@dataclass
class TimelineView:
    rows: list[AlertRow]
    chart: dict[str, Any]
    matching: int
    lapsed: int
    expiring: int
    hours_blocked: float
    page: int
    pages: int
    departments: list[str]
    workcenters: list[str]
    first: int = 1


def department_problem(index: SkillsIndex, department: str | None) -> str | None:
    """Why `department` names no department of the report's plant (its people's and workcenters'), in words naming
    the field, or None: it does, or none is asked for. The coverage page and the timeline say it alike."""
    artifact = index.artifact
    departments = {e.department for e in artifact.employees.values()} | {
        w.department for w in artifact.workcenters.values()
    }
    return None if department is None or department in departments else unknown_department(department)


def unknown_filters(index: SkillsIndex, query: TimelineQuery) -> dict[str, str]:
    """The timeline's department and workcenter filters that name nothing in the report's plant, by query name, each
    in words naming its field (a 400, in the queue's words: `webapp.plantfilters`, ux141 #13); the employee filter
    is judged by the people directory, as on the queue (`plantfilters.employee_problem`). A filter the plant knows
    that matches nothing in the viewer's view is no problem: the page says "No items match"."""
    artifact = index.artifact
    problems: dict[str, str] = {}
    if (department := department_problem(index, query.department)) is not None:
        problems["department"] = department
    if query.workcenter is not None and query.workcenter not in {w.code for w in artifact.workcenters.values()}:
        problems["workcenter"] = (
            f"Workcenter: '{query.workcenter[:40]}' is not a workcenter of this plant: choose one from the list."
        )
    return problems


def _alert_codes(index: SkillsIndex, alert: CertificationAlert) -> set[str]:
    return {index.code(wc) for wc in alert.required_at} | {b.workcenter_code for b in alert.blocked}


def _keep(index: SkillsIndex, alert: CertificationAlert, query: TimelineQuery) -> bool:
    if query.employee_id is not None and alert.employee_id != query.employee_id:
        return False
    if query.department is not None and _employee_department(index, alert.employee_id) != query.department:
        return False
    return query.workcenter is None or query.workcenter in _alert_codes(index, alert)


def _employee_department(index: SkillsIndex, employee_id: str) -> str | None:
    ref = index.artifact.employees.get(employee_id)
    return ref.department if ref else None


def timeline_view(index: SkillsIndex, scope: Scope, query: TimelineQuery, who: Who) -> TimelineView:
    """Lapsed and expiring certifications of the people in scope that match the filters, by expiry, with
    the planned work each blocks; the chart shows every match, the table `TIMELINE_ROWS` a page."""
    scoped = [a for a in index.alerts if scope.employee(index, a.employee_id)]
    matching = [a for a in scoped if _keep(index, a, query)]
    pages = max(1, -(-len(matching) // TIMELINE_ROWS))
    page = min(max(query.page, 1), pages)
    names: dict[str, str] = {}

    def named(employee_id: str) -> str:
        if employee_id not in names:
            names[employee_id] = who(employee_id)
        return names[employee_id]

    series: dict[str, list[dict[str, Any]]] = {"lapsed": [], "expiring": []}
    for alert in matching:
        series[alert.kind].append(
            {
                "value": [alert.expires.isoformat(), alert.hours_blocked],
                "name": f"{alert.skill_code} L{alert.level} · {named(alert.employee_id)}",
                "blocked": len(alert.blocked),
                "id": alert.certification_id,
            }
        )
    expiries = [alert.expires for alert in matching]
    start = min([index.as_of, *expiries]) - timedelta(days=AXIS_MARGIN_DAYS)
    end = max([index.as_of + timedelta(days=max(WINDOW_DAYS)), *expiries]) + timedelta(days=AXIS_MARGIN_DAYS)
    rows = [
        AlertRow(
            alert=alert,
            employee=named(alert.employee_id),
            department=_employee_department(index, alert.employee_id),
            required_at=sorted({index.code(wc) for wc in alert.required_at}),
            blocked=[
                BlockedWork(b.workcenter_code, b.work_date, b.shift_code, b.standard_hours, b.hours_secured_by_renewal)
                for b in alert.blocked
            ],
        )
        for alert in matching[(page - 1) * TIMELINE_ROWS : page * TIMELINE_ROWS]
    ]
    return TimelineView(
        rows=rows,
        chart={"as_of": index.as_of.isoformat(), "start": start.isoformat(), "end": end.isoformat(), "series": series},
        matching=len(matching),
        lapsed=len(series["lapsed"]),
        expiring=len(series["expiring"]),
        hours_blocked=round(sum(a.hours_blocked for a in matching), 2),
        page=page,
        pages=pages,
        departments=sorted({d for a in scoped if (d := _employee_department(index, a.employee_id))}),
        workcenters=sorted({code for a in scoped for code in _alert_codes(index, a)}),
        first=(page - 1) * TIMELINE_ROWS + 1,
    )
