"""Publish a skills report as `recommendation` audit events (suggestions; Plex is never written here).

One event per:
- expiring certification that matters (required where the employee is home, planned or has worked,
  blocking planned work, or used while lapsed): once per alert window (90, 60, 30 days);
- lapsed certification still needed: once per ISO week while it stays lapsed;
- certification used while lapsed and since renewed (a past compliance breach): once;
- cross-training suggestion: the best candidate(s) of the workcenters with the most hours at risk,
  once per ISO week.

Each event waits for a decision in the review queue (`pending_approval`; `review_sweep` tells the
supervisor and HR), unless `PublishOptions.review` is off or the pilot scope holds it back (then it is
`logged` with the reason). Each event is addressed to the employee's supervisor (`supervisor_id`, from
employees.supervisorId) and to HR (`payload.recipients`), keyed to the Plex record it is about (`certifications:<id>` or
`workcenters:<id>`), with a deterministic event id: a re-run (a retried Lambda, a second run the same
day) meets `AuditConflictError` and records nothing twice. Payloads hold ids and codes, never names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from plexlabor.audit.events import AuditEvent, AuditStatus, recommendation_event, stable_event_id
from plexlabor.audit.publish import PublishResult, publish_once, review_status
from plexlabor.audit.store import AuditStore
from plexlabor.models import record_key
from plexlabor.platform.pilot import PLANT_WIDE, PilotScope, Place
from plexlabor.skills.report import (
    CertificationAlert,
    HeldCertification,
    LapseUse,
    SkillsReport,
    TrainingCandidate,
    TrainingRecommendation,
)

SKILLS_MODEL_VERSION = "skills-rules-2026.11"
DEFAULT_ACTOR = "skills_daily"
DEFAULT_HR_RECIPIENT = "hr"
MAX_BLOCKED_IN_PAYLOAD = 20
SOON_DAYS, LATER_DAYS = 30, 60
"""An expiring certification is high at most this many days out (or when it blocks planned work or was
used while lapsed), medium up to `LATER_DAYS`, low beyond (the 90-day window's rest)."""
URGENCY_HALF_DAYS = 90
"""An expiry this many days out weighs half of one today (`expiry_priority`)."""
LARGE_GAIN_HOURS, SMALL_GAIN_HOURS = 80.0, 16.0
"""A cross-training gain of at-risk hours is high from `LARGE_GAIN_HOURS` (ten shifts), medium from
`SMALL_GAIN_HOURS` (two), low below (`training_priority`)."""
HALF_WAY_GAIN_HOURS = 200.0
"""A gain of this many hours weighs 0.75: half way from none (0.5) to 1, which no gain reaches."""


def expiry_priority(alert: CertificationAlert) -> tuple[str, float]:
    """(severity, confidence) of an expiring certification for the review queue, which ranks by their
    product: sooner first, so any expiry ranks before a later one of the same kind. The rules are sure of
    the date; the confidence says how pressing it is: 1 on the day it expires, 0.5 at `URGENCY_HALF_DAYS`."""
    days = max(alert.days_to_expiry, 0)
    if alert.blocked or alert.in_use or days <= SOON_DAYS:
        severity = "high"
    else:
        severity = "medium" if days <= LATER_DAYS else "low"
    return severity, round(max(0.5, 1 - days / (2 * URGENCY_HALF_DAYS)), 3)


def training_priority(candidate: TrainingCandidate) -> tuple[str, float]:
    """(severity, confidence) of a cross-training suggestion: a larger gain of covered at-risk hours ranks
    first; the confidence grows from 0.5 (no gain) towards 1 without reaching it (0.75 at
    `HALF_WAY_GAIN_HOURS`), so it never caps and every larger gain ranks higher (a cap at 1 from 200 h ranked
    323 h and 833.6 h alike). Not rounded: two gains close together must not tie."""
    gain = max(candidate.coverage_gain_hours, 0.0)
    severity = "high" if gain >= LARGE_GAIN_HOURS else "medium" if gain >= SMALL_GAIN_HOURS else "low"
    return severity, 1 - 0.5 * HALF_WAY_GAIN_HOURS / (HALF_WAY_GAIN_HOURS + gain)


@dataclass(frozen=True)
class PublishOptions:
    actor: str = DEFAULT_ACTOR
    review: bool = True
    """Suggestions wait for a decision in the review queue (`pending_approval`); False: `logged` only."""
    scope: PilotScope = PLANT_WIDE
    """The phased rollout: what it holds back is `logged` with the reason (`platform.pilot`)."""
    hr_recipient: str = DEFAULT_HR_RECIPIENT
    training_workcenters: int = 25
    """Cross-training suggestions go out for this many workcenters (most hours at risk first)."""
    training_candidates: int = 1
    """... and this many candidates each."""


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _recipients(supervisor: str | None, options: PublishOptions) -> list[dict[str, str]]:
    found = [{"role": "supervisor", "id": supervisor}] if supervisor else []
    return [*found, {"role": "hr", "id": options.hr_recipient}]


def _blocked(alert: CertificationAlert) -> list[dict[str, Any]]:
    return [
        {
            "workcenter_id": b.workcenter_id,
            "workcenter_code": b.workcenter_code,
            "work_date": b.work_date.isoformat(),
            "shift_code": b.shift_code,
            "operation_ids": b.operation_ids,
            "standard_hours": b.standard_hours,
            "hours_secured_by_renewal": b.hours_secured_by_renewal,
        }
        for b in alert.blocked[:MAX_BLOCKED_IN_PAYLOAD]
    ]


def _place(payload: dict[str, Any]) -> Place:
    """Where a skills suggestion is, for the pilot scope: its workcenter when it names one (a
    cross-training suggestion, or the first blocked workcenter of an alert), else unknown."""
    blocked = payload.get("blocked") or []
    workcenter = payload.get("workcenter_code") or (blocked[0]["workcenter_code"] if blocked else None)
    return Place(workcenter=workcenter)


def _alert_note(alert: CertificationAlert) -> str:
    what = f"Certification {alert.skill_code} L{alert.level}"
    if alert.kind == "expiring":
        head = f"{what} expires {alert.expires.isoformat()} ({alert.days_to_expiry} days)"
    else:
        head = f"{what} lapsed on {alert.expires.isoformat()} and is not renewed"
    if alert.blocked:
        places = sorted({b.workcenter_code for b in alert.blocked})
        head += (
            f"; it blocks {len(alert.blocked)} planned shift(s) at {', '.join(places)} "
            f"({alert.hours_blocked:.1f} h scheduled, {alert.hours_at_risk:.1f} h at risk)"
        )
    if alert.in_use:
        head += "; worked at a workcenter requiring it while lapsed"
    return head + ". Renew or reassign."


def _recommendation(
    record: str,
    event_id: str,
    supervisor_id: str | None,
    employee_id: str | None,
    now: datetime,
    options: PublishOptions,
    payload: dict[str, Any],
) -> AuditEvent:
    """A skills recommendation for the review queue (its payload names the recipients), unless the
    options or the pilot scope keep it `logged`."""
    status, held = review_status(options.review, options.scope, str(payload["kind"]), _place(payload))
    if held is not None:
        payload = {**payload, **held.payload()}
    return recommendation_event(
        record,
        event_id,
        status=status,
        occurred_at=now,
        actor=options.actor,
        supervisor_id=supervisor_id,
        employee_id=employee_id,
        model_version=SKILLS_MODEL_VERSION,
        payload=payload,
    )


def _certification_event(
    held: HeldCertification,
    kind: str,
    event_id: str,
    now: datetime,
    options: PublishOptions,
    details: dict[str, Any],
) -> AuditEvent:
    """A recommendation about a certification: whose it is, of which skill and level, then `details`."""
    return _recommendation(
        record_key("certifications", held.certification_id),
        event_id,
        held.supervisor_id,
        held.employee_id,
        now,
        options,
        {
            "kind": kind,
            "recipients": _recipients(held.supervisor_id, options),
            "skill_id": held.skill_id,
            "skill_code": held.skill_code,
            "level": held.level,
            **details,
        },
    )


def _alert_events(
    report: SkillsReport, alert: CertificationAlert, now: datetime, options: PublishOptions
) -> list[AuditEvent]:
    if alert.kind == "expiring":
        kind, detail = "certification_expiring", f"window-{alert.window_days}"
    else:
        kind, detail = "certification_lapsed", _week(report.as_of)
    event_id = stable_event_id("skills", alert.certification_id, kind, detail)
    severity, confidence = expiry_priority(alert) if alert.kind == "expiring" else ("high", 1.0)
    event = _certification_event(
        alert,
        kind,
        event_id,
        now,
        options,
        {
            "as_of": report.as_of.isoformat(),
            "expires": alert.expires.isoformat(),
            "days_to_expiry": alert.days_to_expiry,
            "window_days": alert.window_days,
            "required_at": alert.required_at,
            "required_at_codes": alert.required_at_codes,
            "blocked": _blocked(alert),
            "blocked_shifts": len(alert.blocked),
            "hours_blocked": alert.hours_blocked,
            "hours_at_risk": alert.hours_at_risk,
            "in_use": alert.in_use,
            "severity": severity,
            "confidence": confidence,
            "note": _alert_note(alert),
        },
    )
    return [event]


def _use_events(use: LapseUse, now: datetime, options: PublishOptions) -> list[AuditEvent]:
    kind = "certification_used_while_lapsed"
    event_id = stable_event_id("skills", use.certification_id, kind)
    event = _certification_event(
        use,
        kind,
        event_id,
        now,
        options,
        {
            "expired": use.expired.isoformat(),
            "renewed_by": use.renewed_by,
            "renewed_on": use.renewed_on.isoformat() if use.renewed_on else None,
            "workcenter_ids": use.workcenter_ids,
            "workcenter_codes": use.workcenter_codes,
            "labor_entry_ids": use.labor_entry_ids[:200],
            "labor_entries": len(use.labor_entry_ids),
            "labor_hours": use.labor_hours,
            "logins": use.logins,
            "first_day": use.first_day.isoformat(),
            "last_day": use.last_day.isoformat(),
            "severity": "medium",  # a past breach, renewed since: the work done then is to review
            "note": (
                f"Worked {use.labor_hours:.1f} h at workcenters requiring {use.skill_code} L{use.level} between "
                f"{use.first_day.isoformat()} and {use.last_day.isoformat()} while the certification was lapsed"
                + (f" (renewed {use.renewed_on.isoformat()})" if use.renewed_on else "")
                + ". Review the work done then."
            ),
        },
    )
    return [event]


def training_id(as_of: date, workcenter_id: str, employee_id: str) -> str:
    """One cross-training suggestion per workcenter, candidate and ISO week (of `as_of`): the id skills_daily
    and a person's proposal give it, and the coverage page looks a candidate's up by."""
    return stable_event_id("skills", workcenter_id, employee_id, "cross_training", _week(as_of))


def _training_payload(
    as_of: date, recommendation: TrainingRecommendation, rank: int, options: PublishOptions
) -> dict[str, Any]:
    candidate = recommendation.candidates[rank - 1]
    severity, confidence = training_priority(candidate)
    return {
        "kind": "cross_training",
        "as_of": as_of.isoformat(),
        "recipients": _recipients(candidate.supervisor_id, options),
        "rank": rank,
        "workcenter_code": recommendation.workcenter_code,
        "required": recommendation.required,
        "hours_at_risk_after_cover": recommendation.hours_at_risk_after_cover,
        "training": candidate.training,
        "effort_levels": candidate.effort_levels,
        "adjacent": candidate.adjacent,
        "coverage_gain_hours": candidate.coverage_gain_hours,
        "score": candidate.score,
        "severity": severity,
        "confidence": confidence,
        "note": f"Cross-train for {recommendation.workcenter_code}: {candidate.reason}.",
    }


def _training_events(
    report: SkillsReport, recommendation: TrainingRecommendation, now: datetime, options: PublishOptions
) -> list[AuditEvent]:
    events = []
    for rank, candidate in enumerate(recommendation.candidates[: options.training_candidates], start=1):
        events.append(
            _recommendation(
                record_key("workcenters", recommendation.workcenter_id),
                training_id(report.as_of, recommendation.workcenter_id, candidate.employee_id),
                candidate.supervisor_id,
                candidate.employee_id,
                now,
                options,
                _training_payload(report.as_of, recommendation, rank, options),
            )
        )
    return events


def training_proposal(
    as_of: date,
    recommendation: TrainingRecommendation,
    rank: int,
    proposer: str,
    now: datetime,
    *,
    department: str | None = None,
    hr_recipient: str = DEFAULT_HR_RECIPIENT,
) -> AuditEvent:
    """A person's proposal (the coverage page's "Propose training") to cross-train the `rank`-th candidate
    (1 = best) of a report's recommendation: the `cross_training` suggestion skills_daily publishes for
    top candidates, with the same event id (a candidate already suggested this ISO week is not recorded
    twice), recorded by the proposer (`actor`, `payload.proposed_by`) and the workcenter's `department`.
    It always waits in the review queue for HR: a person asked for it, so the pilot scope, which holds
    back what the rules suggest on their own, does not apply."""
    if not 1 <= rank <= len(recommendation.candidates):
        raise ValueError(f"rank {rank} is not a candidate of {recommendation.workcenter_code}")
    candidate = recommendation.candidates[rank - 1]
    options = PublishOptions(actor=proposer, hr_recipient=hr_recipient)
    payload = {**_training_payload(as_of, recommendation, rank, options), "proposed_by": proposer}
    if department:
        payload["department"] = department
    return recommendation_event(
        record_key("workcenters", recommendation.workcenter_id),
        training_id(as_of, recommendation.workcenter_id, candidate.employee_id),
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=now,
        actor=proposer,
        supervisor_id=candidate.supervisor_id,
        employee_id=candidate.employee_id,
        model_version=SKILLS_MODEL_VERSION,
        payload=payload,
    )


def _matters(alert: CertificationAlert) -> bool:
    return bool(alert.required_at or alert.blocked or alert.in_use)


def _builders(report: SkillsReport, now: datetime, options: PublishOptions) -> list[Callable[[], list[AuditEvent]]]:
    builders: list[Callable[[], list[AuditEvent]]] = [
        partial(_alert_events, report, a, now, options) for a in report.expiring if _matters(a)
    ]
    builders += [partial(_alert_events, report, a, now, options) for a in report.lapsed]
    alerted = {a.certification_id for a in report.lapsed}
    builders += [partial(_use_events, u, now, options) for u in report.lapse_uses if u.certification_id not in alerted]
    builders += [
        partial(_training_events, report, r, now, options) for r in report.training[: options.training_workcenters]
    ]
    return builders


def report_events(report: SkillsReport, now: datetime, options: PublishOptions | None = None) -> list[AuditEvent]:
    """The audit events a report publishes (see the module docstring), in a stable order."""
    return [event for build in _builders(report, now, options or PublishOptions()) for event in build()]


def publish_report(
    report: SkillsReport, store: AuditStore, now: datetime, options: PublishOptions | None = None
) -> PublishResult:
    """Append the report's events to the audit store once (`audit.publish_once`): events already there
    are counted, not repeated; a builder whose ids the audit table refuses (e.g. with whitespace) is
    counted in `invalid` and skipped; `AuditUnavailableError` propagates (a retried run is safe)."""
    return publish_once(store, _builders(report, now, options or PublishOptions()))
