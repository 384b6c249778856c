"""crew_planner's run: plan a day's crews, summarise the plan, publish its suggestions.

The request is an EventBridge scheduled event; `detail` may carry `{"date": "YYYY-MM-DD", "shift": "1",
"days_ahead": 1, "time_limit_s": 60, "publish": true}`. Without `date` the day planned is the event's
`time` in the plant's zone plus `days_ahead` (default 1: tomorrow); without `shift`, every shift of it. Neither
may be more than `PLAN_HORIZON_DAYS` after the event's day (a 4xx-like validation error naming the field): the
crew board lists the days planned from `PLAN_LOOKBACK` before today (a day's own read takes its plan-day partition
whole, `crew.suggestions.read_day`).
The summary holds the plan's size, solver status, proven gap, objective against the baselines and what
was published (`published`, `already_published` for a re-run, `invalid`). Ids and counts only.

A run that publishes then marks the audit table's plan-day index complete when no marker covers the days from the
day before yesterday on (`crew.suggestions.reindex_if_unmarked`: a new stack's table, or one updated to the index and
not yet reindexed, whose crew events from `PLAN_LOOKBACK` before then it indexes first), so the day reads of
crew_replan and the crew board stop looking for crew events written before the index (summary `plan_day_index`).
"""

from __future__ import annotations

import time
from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, model_validator

from plexlabor.audit.errors import AuditError
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.suggestions import PLAN_HORIZON_DAYS, Commitment, DayReader, commitments, reindex_if_unmarked
from plexlabor.crew.wiring import ACTOR, Dependencies
from plexlabor.platform import deadline
from plexlabor.platform.observability import logger, metrics

if TYPE_CHECKING:
    from plexlabor.crew.models import CrewPlan


class CrewPlannerDetail(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    day: date | None = Field(default=None, alias="date")
    shift: str | None = Field(default=None, min_length=1, max_length=16)
    days_ahead: int = Field(default=1, ge=0, le=PLAN_HORIZON_DAYS)
    time_limit_s: float | None = Field(default=None, gt=0, le=800)
    publish: bool = True


class CrewPlannerEvent(EventBridgeModel):
    detail: CrewPlannerDetail = CrewPlannerDetail()

    @model_validator(mode="after")
    def _within_horizon(self) -> CrewPlannerEvent:
        farthest = self.time.astimezone(UTC).date() + timedelta(days=PLAN_HORIZON_DAYS)
        if self.detail.day is not None and self.detail.day > farthest:
            raise ValueError(
                f"date {self.detail.day} is more than {PLAN_HORIZON_DAYS} days after the run ({self.time:%Y-%m-%d}):"
                f" plan it on {self.detail.day - timedelta(days=PLAN_HORIZON_DAYS)} or later"
            )
        return self


REINDEX_RESERVE_S = 60.0
"""What a run keeps of the function's time left for the rest when it reindexes after publishing (`_mark_index`): the
reindex begins no page read nor `suggestions.REINDEX_CHUNK` events after that many seconds before the timeout, but
the first of the first status with something to do (`index_plan_days`: a run left less than this still moves on)."""


def run(deps: Dependencies, request: CrewPlannerEvent) -> dict[str, Any]:
    """Build the day's problem, solve it, publish the plan if asked; the JSON-safe summary. The seconds the function
    has left (`platform.deadline`, set from the Lambda context) bound the plan-day index's migration (`_mark_index`);
    outside an invocation it is unbounded."""
    from plexlabor.crew.board import swap_candidates
    from plexlabor.crew.build import build_problem  # SciPy loads here, not when the handler is imported
    from plexlabor.crew.optimizer import solve
    from plexlabor.crew.pairs import compile_problem
    from plexlabor.crew.stretches import with_commitments

    detail = request.detail
    timezone = deps.source.timezone
    day = detail.day or request.time.astimezone(ZoneInfo(timezone)).date() + timedelta(days=detail.days_ahead)
    logger.append_keys(plan_day=day.isoformat(), shift=detail.shift or "all")

    started = time.perf_counter()
    problem = build_problem(
        deps.source.port,
        day,
        detail.shift,
        timezone=timezone,
        job_lead_days=deps.source.job_lead_days,
        policy=deps.policy,
    )
    compiled = with_commitments(compile_problem(problem), _neighbours(deps, day, detail.shift))
    plan = solve(compiled, detail.time_limit_s or deps.time_limit_s, build_seconds=time.perf_counter() - started)
    summary = plan_summary(day, plan)
    if detail.publish:
        departments = {job.place.workcenter_id: job.place.department_code for job in problem.jobs}
        summary |= _publish(plan, deps, departments, swap_candidates(compiled, plan))
        first_day = request.time.astimezone(UTC).date() - timedelta(days=2)
        summary["plan_day_index"] = _mark_index(deps, first_day)
    logger.info("crew planned", **summary)
    metrics.add_metric(name="CrewSeatsUnstaffed", unit=MetricUnit.Count, value=summary["unstaffed_seats"])
    metrics.add_metric(name="CrewPlanSeconds", unit=MetricUnit.Seconds, value=summary["seconds"])
    return summary


def _neighbours(deps: Dependencies, day: date, shift: str | None) -> list[Commitment]:
    """The seats suggested (still open) or accepted in the shifts next to the plan's: the day before's and after's,
    and for a plan of one shift the day's other shifts (`stretches.with_commitments` counts them)."""
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    days = (before, after) if shift is None else (day, before, after)
    reads = DayReader(deps.store).read_days(days, deps.clock())  # one read of each status index for the three days
    found = [] if shift is None else commitments(reads[day], day, {shift})
    for next_to in (before, after):
        found += commitments(reads[next_to], next_to)
    return found


def _mark_index(deps: Dependencies, first_day: date) -> str:
    """`reindex_if_unmarked` from `first_day` (the plant's yesterday may be the day before the UTC one: the day reads
    of today's shifts start there), after the plan is published, so an audit-table error here holds back no plan
    (logged; the next run tries again); until `REINDEX_RESERVE_S` before the function's timeout (review_s16 lead 2: a
    timeout retried the whole plan run), the next run going on from where it stopped. What it did, in words."""
    left = deadline.remaining_s()
    ends_at = None if left is None else time.monotonic() + left - REINDEX_RESERVE_S
    try:
        done = reindex_if_unmarked(deps.store, first_day, deps.clock(), ACTOR, ends_at)
    except AuditError as error:
        logger.warning("plan-day index not marked", error=type(error).__name__)
        return "not marked: the audit table did not answer"
    if done is None:
        return "marked already"
    if done.complete:
        return f"{done.added} added, marked"
    return f"{done.added} added, not marked: cut (time or pages), the next run goes on from where it stopped"


def plan_summary(day: date, plan: CrewPlan) -> dict[str, Any]:
    """The plan in ids and counts: size, solver, objective against the baselines, unstaffed seats."""
    greedy = plan.baseline("greedy")
    supervisor = plan.baseline("supervisor")
    return {
        "day": day.isoformat(),
        "shifts": list(plan.shift_codes),
        "jobs": plan.size.jobs,
        "seats": plan.size.seats,
        "seats_filled": plan.breakdown.seats_filled,
        "operators": plan.size.operators,
        "solver": plan.solver.method,
        "status": plan.solver.status,
        "proven_gap": plan.solver.proven_gap,
        "seconds": round(plan.solver.build_seconds + plan.solver.solve_seconds, 2),
        "objective": plan.breakdown.objective,
        "vs_greedy": None if greedy is None else greedy.improvement,
        "vs_supervisor": None if supervisor is None else supervisor.improvement,
        "unstaffed_seats": sum(seat.seats for seat in plan.unstaffed),
    }


def _publish(
    plan: CrewPlan, deps: Dependencies, departments: dict[str, str | None], candidates: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """Publish the plan's suggestions (`departments`: each workcenter's, for the pilot scope) with what the crew
    board shows beside them (`crew.board`: the swap candidates, the plan's figures against the baselines)."""
    from plexlabor.crew.board import plan_figures

    result = publish_plan(
        plan,
        deps.store,
        deps.clock(),
        actor=ACTOR,
        approval=deps.approval,
        scope=deps.scope,
        departments=departments,
        candidates=candidates,
        figures=plan_figures(plan),
    )
    metrics.add_metric(name="CrewSuggestionsPublished", unit=MetricUnit.Count, value=result.published)
    if result.invalid:
        logger.error("suggestions with ids the audit table refuses were skipped", invalid=result.invalid)
    return {**result.as_dict(), "published_by_status": dict(sorted(result.by_status.items()))}
