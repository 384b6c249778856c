"""The phase gate's figures: how the suggestions fare with the people who decide them.

Per kind/anomaly type and model version: suggestions made, decided, the approve rate (the precision
supervisors observe), the median time from suggestion to decision, corrections written and reverted.
Per day and per person: items decided and the time spent deciding them, so the brief's "30-60 min
a day before, 5-10 after" can be measured. Time spent is read from the decisions themselves: the gap
before each decision since the same person's previous one, counted only when it is under
`SESSION_GAP` (a longer gap starts a new sitting, whose first decision counts `FIRST_ITEM`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.store import AuditStore
from plexlabor.platform.clock import utc_now
from plexlabor.review.items import PUNCH

SESSION_GAP = timedelta(minutes=10)
FIRST_ITEM = timedelta(minutes=1)
OPENING_STATUSES = (AuditStatus.PENDING_APPROVAL, AuditStatus.LOGGED)
DECIDED_STATUSES = (AuditStatus.APPROVED, AuditStatus.REJECTED)


@dataclass
class KindFigures:
    """One row per (kind or anomaly type, model version)."""

    kind: str
    type: str
    model_version: str
    suggested: int = 0
    sent_for_review: int = 0
    approved: int = 0
    rejected: int = 0
    written: int = 0
    reverted: int = 0
    decision_minutes: list[float] = field(default_factory=list)

    @property
    def approve_rate(self) -> float | None:
        decided = self.approved + self.rejected
        return None if decided == 0 else self.approved / decided

    @property
    def median_minutes_to_decision(self) -> float | None:
        return median(self.decision_minutes) if self.decision_minutes else None


@dataclass
class ReviewerDay:
    """One row per (day, person)."""

    day: date
    reviewer: str
    decided: int = 0
    minutes: float = 0.0


@dataclass(frozen=True)
class Kpis:
    since: datetime
    until: datetime
    by_kind: list[KindFigures]
    by_reviewer_day: list[ReviewerDay]


def _opening_key(event: AuditEvent) -> tuple[str, str, str]:
    kind = PUNCH if event.event_type is AuditEventType.FINDING else str(event.payload.get("kind") or "suggestion")
    return kind, str(event.payload.get("anomaly_type") or kind), event.model_version or "rules"


def _events(audit: AuditStore, statuses: Iterable[AuditStatus], since: datetime, limit: int) -> list[AuditEvent]:
    return [event for status in statuses for event in audit.by_status(status, since, limit)]


def compute_kpis(
    audit: AuditStore,
    *,
    days: int = 28,
    zone: ZoneInfo | None = None,
    limit: int = 50_000,
    clock: Callable[[], datetime] = utc_now,
) -> Kpis:
    """The figures over the last `days` days (a decision counts on the plant-local day it was made)."""
    until = clock()
    since = until - timedelta(days=days)
    opened = {e.finding_id: e for e in _events(audit, OPENING_STATUSES, since, limit) if e.finding_id}
    rows: dict[tuple[str, str, str], KindFigures] = {}
    for event in opened.values():
        key = _opening_key(event)
        row = rows.setdefault(key, KindFigures(*key))
        row.suggested += 1
        row.sent_for_review += event.status is AuditStatus.PENDING_APPROVAL
    decisions = sorted(_events(audit, DECIDED_STATUSES, since, limit), key=lambda e: e.occurred_at)
    for event in decisions:
        opening = opened.get(event.finding_id or "")
        if opening is None:
            continue
        row = rows[_opening_key(opening)]
        row.approved += event.status is AuditStatus.APPROVED
        row.rejected += event.status is AuditStatus.REJECTED
        row.decision_minutes.append((event.occurred_at - opening.occurred_at).total_seconds() / 60)
    for status, attribute in ((AuditStatus.WRITTEN, "written"), (AuditStatus.REVERTED, "reverted")):
        for event in audit.by_status(status, since, limit):
            opening = opened.get(event.finding_id or "")
            if opening is not None:
                row = rows[_opening_key(opening)]
                setattr(row, attribute, getattr(row, attribute) + 1)
    by_kind = sorted(rows.values(), key=lambda r: (r.kind != PUNCH, r.kind, r.type, r.model_version))
    return Kpis(since, until, by_kind, _reviewer_days(decisions, zone or ZoneInfo("UTC")))


def _reviewer_days(decisions: list[AuditEvent], zone: ZoneInfo) -> list[ReviewerDay]:
    days: dict[tuple[date, str], ReviewerDay] = {}
    previous: dict[str, datetime] = defaultdict(lambda: datetime.min.replace(tzinfo=zone))
    for event in decisions:
        who = event.actor
        gap = event.occurred_at - previous[who]
        spent = gap if gap < SESSION_GAP else FIRST_ITEM
        previous[who] = event.occurred_at
        day = event.occurred_at.astimezone(zone).date()
        row = days.setdefault((day, who), ReviewerDay(day, who))
        row.decided += 1
        row.minutes += spent.total_seconds() / 60
    return sorted(days.values(), key=lambda r: (r.day, r.reviewer), reverse=True)
