"""`assess_skills`: skill matrix, coverage, compliance and cross-training in one report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from plexlabor.skills.certs import CertIndex, Qualification
from plexlabor.skills.compliance import DEFAULT_WINDOWS, compute_compliance
from plexlabor.skills.coverage import Coverage, Instance, compute_coverage
from plexlabor.skills.data import SkillsInput
from plexlabor.skills.report import (
    Bottleneck,
    CellPeople,
    CoverageRow,
    Gap,
    SkillBottleneck,
    SkillCell,
    SkillsReport,
    SkillsTotals,
    Unqualified,
)
from plexlabor.skills.training import recommend_training

CAUSE_PRIORITY = ("lapsed_certification", "not_certified", "leave", "not_planned")


@dataclass(frozen=True)
class SkillsOptions:
    expiry_windows: tuple[int, ...] = DEFAULT_WINDOWS
    candidates_per_gap: int = 3
    training: bool = True

    def __post_init__(self) -> None:
        if not self.expiry_windows or min(self.expiry_windows) < 1:
            raise ValueError("expiry_windows: at least one window of 1 day or more")
        if self.candidates_per_gap < 1:
            raise ValueError("candidates_per_gap must be at least 1")


def skill_matrix(data: SkillsInput, index: CertIndex | None = None, on: date | None = None) -> list[SkillCell]:
    """Employees x skills on `on` (default as_of): the valid certification with the highest level,
    else the latest one (lapsed, or not yet valid). Active employees only, ordered by employee, skill."""
    index = index or CertIndex(data.certifications)
    day = on or data.as_of
    cells = []
    for (employee, skill), certs in sorted(index.by_pair.items()):
        info = data.employees.get(employee)
        if info is not None and not info.active:
            continue
        best = index.best_valid(employee, skill, day)
        if best is not None:
            shown, status, level = best, "valid", best.level
        else:
            started = [c for c in certs if c.issued <= day]
            shown = max(started, key=lambda c: (c.expires or date.max, c.id)) if started else certs[0]
            status, level = ("lapsed" if started else "not_yet_valid"), None
        cells.append(
            SkillCell(
                employee_id=employee,
                skill_id=skill,
                skill_code=data.skill_code(skill),
                status=status,
                level=level,
                certification_id=shown.id,
                issued=shown.issued,
                expires=shown.expires,
                days_to_expiry=(shown.expires - day).days if shown.expires else None,
            )
        )
    return cells


def _cause(instance: Instance, index: CertIndex, qualification: Qualification) -> tuple[str, list[Unqualified]]:
    lapsed = not_certified = 0
    rows = []
    for employee, missing in instance.unqualified:
        blockers = index.blockers(employee, missing, qualification, instance.workcenter_id, instance.work_date)
        if all(blockers):
            lapsed += 1
        else:
            not_certified += 1
        rows.append(
            Unqualified(
                employee_id=employee,
                missing_skills=list(missing),
                lapsed_certification_ids=[b.id for b in blockers if b is not None],
            )
        )
    not_planned = max(0, instance.needed - len(instance.planned) - len(instance.leave))
    counts = dict(zip(CAUSE_PRIORITY, (lapsed, not_certified, len(instance.leave), not_planned), strict=True))
    cause = max(CAUSE_PRIORITY, key=lambda c: (counts[c], -CAUSE_PRIORITY.index(c)))
    return cause, rows


Causes = dict[tuple[str, date, str], tuple[str, list[Unqualified]]]
"""Per workcenter shift: the gap's cause (were it one) and the planned operators who are not qualified."""


def _causes(coverage: Coverage, index: CertIndex, qualification: Qualification) -> Causes:
    return {key: _cause(instance, index, qualification) for key, instance in coverage.instances.items()}


def _gaps(data: SkillsInput, coverage: Coverage, causes: Causes) -> list[Gap]:
    gaps = []
    for instance in coverage.gaps():
        cause, unqualified = causes[instance.key]
        gaps.append(
            Gap(
                **instance.report_fields(data),
                crew_needed=instance.needed,
                planned=len(instance.planned),
                on_leave=list(instance.leave),
                qualified=list(instance.qualified),
                unqualified=unqualified,
                shortfall=instance.shortfall,
                hours_at_risk=round(instance.hours_at_risk, 2),
                cause=cause,  # type: ignore[arg-type]
                cover=list(instance.cover),
                hours_at_risk_after_cover=round(instance.hours_after_cover, 2),
            )
        )
    gaps.sort(
        key=lambda g: (
            -g.hours_at_risk,
            -g.hours_at_risk_after_cover,
            g.work_date,
            g.shift_code,
            g.workcenter_code,
            g.workcenter_id,
        )
    )
    return gaps


def _bottlenecks(data: SkillsInput, gaps: list[Gap], qualification: Qualification) -> list[Bottleneck]:
    by_wc: dict[str, list[Gap]] = defaultdict(list)
    for gap in gaps:
        by_wc[gap.workcenter_id].append(gap)
    found = []
    for wc, items in by_wc.items():
        causes: dict[str, int] = defaultdict(int)
        for gap in items:
            causes[gap.cause] += 1
        found.append(
            Bottleneck(
                workcenter_id=wc,
                workcenter_code=data.workcenter_code(wc),
                required=[data.skill_label(s, lv) for s, lv in qualification.signature(wc)],
                gap_shifts=len(items),
                hours_at_risk=round(sum(g.hours_at_risk for g in items), 2),
                hours_at_risk_after_cover=round(sum(g.hours_at_risk_after_cover for g in items), 2),
                causes=dict(sorted(causes.items())),
            )
        )
    found.sort(key=lambda b: (-b.hours_at_risk_after_cover, -b.hours_at_risk, b.workcenter_code, b.workcenter_id))
    return found


def _skill_bottlenecks(
    data: SkillsInput, gaps: list[Gap], index: CertIndex, qualification: Qualification
) -> list[SkillBottleneck]:
    hours: dict[tuple[str, int], float] = defaultdict(float)
    wcs: dict[tuple[str, int], set[str]] = defaultdict(set)
    for gap in gaps:
        if gap.hours_at_risk_after_cover <= 0:
            continue
        for skill, level in qualification.signature(gap.workcenter_id):
            hours[(skill, level)] += gap.hours_at_risk_after_cover
            wcs[(skill, level)].add(gap.workcenter_id)
    levels: dict[str, list[int]] = defaultdict(list)
    for (employee, skill), _certs in index.by_pair.items():
        info = data.employees.get(employee)
        if info is None or info.active:
            levels[skill].append(index.valid_level(employee, skill, data.as_of))
    found = [
        SkillBottleneck(
            skill_id=skill,
            skill_code=data.skill_code(skill),
            min_level=level,
            workcenters=len(wcs[(skill, level)]),
            hours_at_risk_after_cover=round(total, 2),
            holders=sum(1 for held in levels.get(skill, ()) if held >= level),
        )
        for (skill, level), total in hours.items()
    ]
    found.sort(key=lambda b: (-b.hours_at_risk_after_cover, b.skill_code, b.min_level))
    return found


def assess_skills(data: SkillsInput, options: SkillsOptions | None = None) -> SkillsReport:
    """The whole analysis of one snapshot. Pure: no I/O, no clock, deterministic."""
    options = options or SkillsOptions()
    index = CertIndex(data.certifications)
    qualification = Qualification(data)
    coverage = compute_coverage(data, qualification)
    compliance = compute_compliance(data, index, qualification, coverage, options.expiry_windows)
    training = (
        recommend_training(data, index, qualification, coverage, options.candidates_per_gap) if options.training else []
    )
    causes = _causes(coverage, index, qualification)
    gaps = _gaps(data, coverage, causes)
    rows = sorted(
        (
            CoverageRow(
                workcenter_id=i.workcenter_id,
                work_date=i.work_date,
                shift_id=i.shift_id,
                operations=len(i.operations),
                standard_hours=round(i.hours, 2),
                hours_beyond_seats=round(i.hours_beyond_seats, 2),
                crew_needed=i.needed,
                planned=len(i.planned),
                qualified=len(i.qualified),
                shortfall=i.shortfall,
                hours_at_risk=round(i.hours_at_risk, 2),
                hours_at_risk_after_cover=round(i.hours_after_cover, 2),
                people=CellPeople(
                    qualified=list(i.qualified),
                    on_leave=list(i.leave),
                    unqualified=causes[i.key][1],
                    cover=list(i.cover),
                ),
            )
            for i in coverage.instances.values()
        ),
        key=lambda r: (r.work_date, r.shift_id, r.workcenter_id),
    )
    matrix = skill_matrix(data, index)
    windows = sorted(options.expiry_windows)
    totals = SkillsTotals(
        employees=sum(1 for e in data.employees.values() if e.active),
        certifications=len(data.certifications),
        coverage_rows=len(rows),
        gaps=len(gaps),
        hours_scheduled=round(sum(r.standard_hours for r in rows), 2),
        hours_beyond_seats=round(sum(r.hours_beyond_seats for r in rows), 2),
        hours_at_risk=round(sum(g.hours_at_risk for g in gaps), 2),
        hours_at_risk_after_cover=round(sum(g.hours_at_risk_after_cover for g in gaps), 2),
        expiring={str(w): sum(1 for a in compliance.expiring if a.window_days == w) for w in windows},
        expiring_blocking=sum(1 for a in compliance.expiring if a.blocked),
        lapsed=len(compliance.lapsed),
        lapsed_blocking=sum(1 for a in compliance.lapsed if a.blocked),
        lapse_uses=len(compliance.lapse_uses),
        uncertified_uses=len(compliance.uncertified_uses),
        training_recommendations=len(training),
    )
    return SkillsReport(
        as_of=data.as_of,
        horizon_days=data.horizon_days,
        lookback_days=data.lookback_days,
        timezone=data.timezone,
        totals=totals,
        matrix=matrix,
        coverage=rows,
        gaps=gaps,
        bottlenecks=_bottlenecks(data, gaps, qualification),
        skill_bottlenecks=_skill_bottlenecks(data, gaps, index, qualification),
        expiring=compliance.expiring,
        lapsed=compliance.lapsed,
        lapse_uses=compliance.lapse_uses,
        uncertified_uses=compliance.uncertified_uses,
        training=training,
    )
