"""What became of each cross-training candidate's suggestion, for the skill coverage page (ux164 #5).

A candidate's `cross_training` suggestion (skills_daily's, or a person's "Propose training": one id per
workcenter, person and ISO week, `skills.publish.training_id`) waits in HR's review queue, or was approved,
rejected or expired there. The page reads the kind index once per request (`AuditStore.by_kind`: the
suggestions, their decisions and expiries of the queue's lookback carry the kind) and shows on the
candidate's row what became of the latest one, with who decided it and when, in the words every page uses
(`approval.pages.what_happened`). "Propose training" is offered only where it would record something: not
while one waits, not after an approval (the training is planned), and not after this week's rejection or
expiry (this week's id is taken; next week a new one is recorded).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup

from plexlabor.approval.display import Reader
from plexlabor.approval.pages import closing_event, what_happened
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.store import AuditStore
from plexlabor.skills.publish import training_id

logger = logging.getLogger(__name__)

CROSS_TRAINING = "cross_training"
READ_LIMIT = 10_000
"""Cross-training events read per page: a plant's 30 days hold a few hundred (25 workcenters a week)."""


@dataclass(frozen=True)
class TrainingState:
    """The latest cross-training suggestion of one candidate, and what became of it."""

    item_id: str
    opening: AuditEvent
    closing: AuditEvent | None
    this_week: bool
    """Its id is this ISO week's (of the report), which a proposal now would take."""
    words: Markup
    """What the row says in place of (or beside) the button."""

    @property
    def waiting(self) -> bool:
        return self.closing is None and self.opening.status is AuditStatus.PENDING_APPROVAL

    @property
    def approved(self) -> bool:
        return self.closing is not None and self.closing.status is AuditStatus.APPROVED

    @property
    def proposable(self) -> bool:
        """Whether "Propose training" would record a suggestion HR has not yet had or decided for good."""
        return not (self.waiting or self.approved or self.this_week)


@dataclass
class TrainingStates:
    """The states of the cross-training suggestions read, by candidate and by item id."""

    as_of: date
    by_item: dict[str, TrainingState] = field(default_factory=dict)
    latest: dict[tuple[str, str], TrainingState] = field(default_factory=dict)
    """(workcenter id, employee id) -> the latest suggestion of that candidate."""

    def of(self, workcenter_id: str, employee_id: str) -> TrainingState | None:
        """The candidate's suggestion of this week, else their latest one (None: never suggested)."""
        found = self.by_item.get(training_id(self.as_of, workcenter_id, employee_id))
        return found or self.latest.get((workcenter_id, employee_id))


def training_states(events: Iterable[AuditEvent], as_of: date, reader: Reader) -> TrainingStates:
    """The states of the `cross_training` suggestions among `events` (their openings and closings), for the
    report of `as_of`; decisions and times named as `reader` names them."""
    by_item: dict[str, list[AuditEvent]] = defaultdict(list)
    for event in events:
        if event.finding_id:
            by_item[event.finding_id].append(event)
    states = TrainingStates(as_of)
    for item_id, found in by_item.items():
        opening = next((e for e in found if e.event_type is AuditEventType.RECOMMENDATION), None)
        if opening is None or opening.employee_id is None or not opening.record_key.startswith("workcenters:"):
            continue  # its opening is older than the read (it has expired by then) or names no candidate
        workcenter_id = opening.record_key.removeprefix("workcenters:")
        closing = closing_event(found, item_id)
        this_week = item_id == training_id(as_of, workcenter_id, opening.employee_id)
        state = TrainingState(item_id, opening, closing, this_week, _words(opening, closing, this_week, reader))
        states.by_item[item_id] = state
        key = (workcenter_id, opening.employee_id)
        if key not in states.latest or states.latest[key].opening.occurred_at < opening.occurred_at:
            states.latest[key] = state
    return states


def _words(opening: AuditEvent, closing: AuditEvent | None, this_week: bool, reader: Reader) -> Markup:
    """The row's words, escaped where they quote a person (a rejection's reason), so a page shows them as they are."""
    if closing is not None:
        happened = what_happened(closing, reader)
        then = "Training " if closing.event_type is AuditEventType.DECISION else "Proposed, then "
        return Markup("{}{}").format(then, happened[0].lower() + happened[1:])
    if opening.status is AuditStatus.PENDING_APPROVAL:
        return Markup("Proposed: in HR's review queue")
    when = "this week" if this_week else f"on {reader.time(opening.occurred_at)}"
    return Markup("Suggested by the daily run {} and only logged, outside the review queue (the pilot scope)").format(
        when
    )


def read_training_states(audit: AuditStore, since: datetime, as_of: date, reader: Reader) -> TrainingStates:
    """The cross-training suggestions, decisions and expiries since `since`, one read of the kind index."""
    events = audit.by_kind(CROSS_TRAINING, since=since, limit=READ_LIMIT)
    if len(events) >= READ_LIMIT:
        logger.error("skills page: %d cross-training events read, not all of them", len(events))
    return training_states(events, as_of, reader)
