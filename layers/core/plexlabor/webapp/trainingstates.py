"""What became of the skills suggestions the dashboards show: each cross-training candidate's on the skill coverage
page (ux164 #5), each lapsed or expiring certification's on the certification timeline (ux164 #10).

A candidate's `cross_training` suggestion (skills_daily's, or a person's "Propose training": one id per
workcenter, person and ISO week, `skills.publish.training_id`) waits in HR's review queue, or was approved,
rejected or expired there; so does a certification's alert (`certification_expiring`, once per alert window;
`certification_lapsed`, once per ISO week), in HR's queue and its supervisor's. A page reads the kind index once
per kind and request (`AuditStore.by_kind`: the suggestions, their decisions, expiries and escalations of the
queue's lookback carry the kind) and shows on the row what became of the latest one, with who decided it and when,
in the words every page uses (`approval.pages.what_happened`), or whose queue it waits in. "Propose training" is
offered only where it would record something: not while one waits, not after an approval (the training is
planned), and not after this week's rejection or expiry (this week's id is taken; next week a new one is recorded).
A certification's row links a waiting alert to its item page for whom the queue shows it, and nothing once decided.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
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
CERTIFICATION_KINDS = ("certification_expiring", "certification_lapsed")
"""The suggestions of a certification the timeline shows a row for (`skills.publish`)."""
READ_LIMIT = 10_000
"""Events of one kind read per page: a plant's 30 days hold a few hundred cross-training events (25 workcenters a
week), and a few per certification that is lapsed (one a week) or expiring (one per alert window)."""


@dataclass(frozen=True)
class SuggestionState:
    """The latest suggestion about one thing (a candidate, a certification), and what became of it."""

    item_id: str
    opening: AuditEvent
    closing: AuditEvent | None
    words: Markup
    """What the row says of it."""

    @property
    def waiting(self) -> bool:
        return self.closing is None and self.opening.status is AuditStatus.PENDING_APPROVAL

    @property
    def approved(self) -> bool:
        return self.closing is not None and self.closing.status is AuditStatus.APPROVED


@dataclass(frozen=True)
class TrainingState(SuggestionState):
    """The latest cross-training suggestion of one candidate, and what became of it."""

    this_week: bool
    """Its id is this ISO week's (of the report), which a proposal now would take."""

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


@dataclass(frozen=True)
class _Item:
    """One suggestion's events among those read."""

    item_id: str
    opening: AuditEvent
    closing: AuditEvent | None
    escalation: AuditEvent | None


def _items(events: Iterable[AuditEvent]) -> Iterator[_Item]:
    """The suggestions among `events` whose opening was read (an older one has expired by then), each with what
    closed it (`approval.pages.closing_event`) and its escalation."""
    by_item: dict[str, list[AuditEvent]] = defaultdict(list)
    for event in events:
        if event.finding_id:
            by_item[event.finding_id].append(event)
    for item_id, found in by_item.items():
        opening = next((e for e in found if e.event_type is AuditEventType.RECOMMENDATION), None)
        if opening is not None:
            escalation = next((e for e in found if e.event_type is AuditEventType.ESCALATED), None)
            yield _Item(item_id, opening, closing_event(found, item_id), escalation)


def training_states(events: Iterable[AuditEvent], as_of: date, reader: Reader) -> TrainingStates:
    """The states of the `cross_training` suggestions among `events` (their openings and closings), for the
    report of `as_of`; decisions and times named as `reader` names them."""
    states = TrainingStates(as_of)
    for item in _items(events):
        item_id, opening, closing = item.item_id, item.opening, item.closing
        if opening.employee_id is None or not opening.record_key.startswith("workcenters:"):
            continue  # names no candidate
        workcenter_id = opening.record_key.removeprefix("workcenters:")
        this_week = item_id == training_id(as_of, workcenter_id, opening.employee_id)
        words = _words(opening, closing, this_week, reader)
        state = TrainingState(item_id, opening, closing, words, this_week)
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


@dataclass
class CertificationStates:
    """The latest alert in the review queue of each certification read, and what became of it."""

    latest: dict[str, SuggestionState] = field(default_factory=dict)
    """Certification id -> its latest alert."""

    def of(self, certification_id: str) -> SuggestionState | None:
        return self.latest.get(certification_id)


def certification_states(events: Iterable[AuditEvent], reader: Reader) -> CertificationStates:
    """The states of the certification alerts among `events` (openings, closings, escalations): each
    certification's latest, in words naming whose queue it waits in or who decided it, when and why, and a waiting
    alert the decision on the one before it (an expiry approved at 60 days, then its 30-day alert)."""
    items = [item for item in _items(events) if item.opening.record_key.startswith("certifications:")]
    states = CertificationStates()
    decided: dict[str, AuditEvent] = {}
    for item in sorted(items, key=lambda found: found.opening.occurred_at):  # the latest last
        certification_id = item.opening.record_key.removeprefix("certifications:")
        words = _alert_words(item, decided.get(certification_id), reader)
        states.latest[certification_id] = SuggestionState(item.item_id, item.opening, item.closing, words)
        if item.closing is not None and item.closing.event_type is AuditEventType.DECISION:
            decided[certification_id] = item.closing
    return states


def _alert_words(item: _Item, before: AuditEvent | None, reader: Reader) -> Markup:
    """A certification's row in the review queue's words: "Approved by <who> on <when> (<reason>).", "Waiting in
    the review queue of supervisor <who> and HR." (and whom it was escalated to), escaped as `_words`."""
    if item.closing is not None:
        return Markup("{}").format(what_happened(item.closing, reader))
    if item.opening.status is not AuditStatus.PENDING_APPROVAL:
        return Markup("Only logged, outside the review queue (the pilot scope).")
    recipients = item.opening.payload.get("recipients") or []
    whose = " and ".join(reader.recipient(str(r.get("role")), str(r.get("id"))) for r in recipients) or "HR"
    words = f"Waiting in the review queue of {whose}"
    if item.escalation is not None:
        escalated = item.escalation
        words += f", escalated to {reader.person(escalated.supervisor_id)} on {reader.time(escalated.occurred_at)}"
    words += "."
    if before is not None:
        happened = what_happened(before, reader)
        words += f" The alert before it was {happened[0].lower()}{happened[1:]}"
    return Markup("{}").format(words)


def read_certification_states(audit: AuditStore, since: datetime, reader: Reader) -> CertificationStates:
    """The certification alerts, decisions, expiries and escalations since `since`, one read of the kind index per
    kind of alert."""
    events: list[AuditEvent] = []
    for kind in CERTIFICATION_KINDS:
        found = audit.by_kind(kind, since=since, limit=READ_LIMIT)
        if len(found) >= READ_LIMIT:
            logger.error("certification page: %d %s events read, not all of them", len(found), kind)
        events += found
    return certification_states(events, reader)
