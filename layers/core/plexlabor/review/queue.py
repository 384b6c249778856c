"""Which open suggestions a person sees, in what order: the scoping rule and the filters."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from plexlabor.audit.events import AuditStatus
from plexlabor.audit.store import AuditStore
from plexlabor.platform.clock import utc_now
from plexlabor.review.items import PUNCH, ReviewItem, item_from_event

CLOSED_STATUSES = (AuditStatus.APPROVED, AuditStatus.REJECTED, AuditStatus.EXPIRED)
"""A suggestion with a decision or an expiry is no longer in the queue."""


class Role(StrEnum):
    """The Cognito groups of the web app."""

    SUPERVISOR = "supervisor"
    PLANNER = "planner"
    HR = "hr"
    ADMIN = "admin"


ROLE_KINDS: dict[Role, frozenset[str]] = {
    Role.PLANNER: frozenset({"crew_assignment", "crew_unstaffed", "labor_variance", "overtime_projection"}),
    Role.HR: frozenset(
        {"certification_expiring", "certification_lapsed", "certification_used_while_lapsed", "cross_training"}
    ),
}
"""Beyond what their departments show them, the kinds planners and HR decide plant-wide."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in person: their id (a supervisor's is their Plex employee id), roles and departments."""

    user_id: str
    roles: frozenset[Role]
    departments: frozenset[str] = frozenset()

    def may_see(self, item: ReviewItem) -> bool:
        """A supervisor sees the items routed to them or about their departments; planners and HR see
        their kinds plant-wide; an admin sees everything."""
        if Role.ADMIN in self.roles:
            return True
        if any(item.kind in ROLE_KINDS.get(role, frozenset()) for role in self.roles):
            return True
        if Role.SUPERVISOR not in self.roles:
            return False
        ours = item.department is not None and item.department in self.departments
        return item.supervisor_id == self.user_id or ours


@dataclass(frozen=True)
class Filters:
    """What a person narrowed the queue to; an empty field does not filter."""

    kind: str | None = None
    type: str | None = None
    department: str | None = None
    shift: str | None = None
    employee_id: str | None = None
    day: date | None = None

    def keep(self, item: ReviewItem) -> bool:
        wanted: tuple[tuple[object, object], ...] = (
            (self.kind, item.kind),
            (self.type, item.type),
            (self.department, item.department),
            (self.shift, item.shift),
            (self.employee_id, item.employee_id),
            (self.day, item.day),
        )
        return all(want is None or want == have for want, have in wanted)


@dataclass
class ReviewQueue:
    """The open suggestions in the audit table, read through its status index."""

    audit: AuditStore
    lookback: timedelta = timedelta(days=30)
    """How far back an open suggestion is looked for (older ones have expired by then)."""
    limit: int = 20_000
    clock: Callable[[], datetime] = field(default=utc_now)

    def open_items(self) -> list[ReviewItem]:
        """Every open suggestion (no decision, no expiry yet), highest rank first."""
        since = self.clock() - self.lookback
        opened = [item_from_event(e) for e in self.audit.by_status(AuditStatus.PENDING_APPROVAL, since, self.limit)]
        closed = {
            event.finding_id
            for status in CLOSED_STATUSES
            for event in self.audit.by_status(status, since, self.limit)
        }
        items = {item.item_id: item for item in opened if item is not None and item.item_id not in closed}
        return sorted(items.values(), key=lambda item: (-item.rank, item.created_at, item.item_id))

    def for_viewer(self, viewer: Viewer, filters: Filters | None = None) -> list[ReviewItem]:
        """What `viewer` may see and decide, narrowed by `filters`, highest rank first."""
        chosen = filters or Filters()
        return [item for item in self.open_items() if viewer.may_see(item) and chosen.keep(item)]

    def item(self, viewer: Viewer, item_id: str) -> ReviewItem | None:
        """One open item the viewer may see (None when it is closed, unknown or not theirs)."""
        events = self.audit.for_finding(item_id)
        if any(event.status in CLOSED_STATUSES for event in events):
            return None
        opening = (item_from_event(e) for e in events if e.status is AuditStatus.PENDING_APPROVAL)
        found = next((item for item in opening if item is not None), None)
        return found if found is not None and viewer.may_see(found) else None


def kinds_of(items: Iterable[ReviewItem]) -> dict[str, int]:
    """How many items of each kind, punch findings first, for the queue's filter bar."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda pair: (pair[0] != PUNCH, pair[0])))
