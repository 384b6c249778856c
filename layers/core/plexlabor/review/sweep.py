"""review_sweep's logic: tell people about the recommendations waiting for them, escalate, expire.

A punch finding has its own approval workflow (Step Functions, a signed link per finding). A
recommendation (crew assignment, short seat, certification alert, cross-training, forecast alert) is
decided in the review queue, and this sweep gives it the workflow's guarantees on a schedule; so it
does for a punch finding whose workflow failed (`approval_failed`: its notify step failed, so the
workflow will neither mail, escalate nor expire it):

- **notify**: an open recommendation nobody has been told about goes, in one e-mail per recipient
  per run, to the supervisor it is addressed to and to the addresses configured for its kind (HR for
  certification alerts and cross-training, planners for crew and forecast kinds: `ROLE_KINDS`). The
  digest groups the items by kind with counts, the first few notes, and a link to the queue filtered
  to that kind; a `notification` event per item and recipient follows the sent mail;
- **escalate**: still open `wait` after the first notice, it goes to the supervisor's own supervisor
  (Plex employees), with an `escalated` event;
- **expire**: still open `wait` after its last notice (or after it was published, when nobody could
  be told), it gets an `expired` event and leaves the queue. A crew seat, or its removal from Plex
  (`SEAT_KINDS`), expires when its time is over, whatever it was told (payload `ended`: its end; ux141 #5:
  ended seats were accepted and written to Plex days later; the approval refuses them too, `crew.claims`), and an
  overtime projection when its week is over (payload `ended`: Monday 00:00 plant time after it began).
- **incidents** (`UNTIL_DECIDED`: an incident's codes must be settled however long it takes, so they neither
  escalate nor expire) are told apart: every incident waiting for the EHS lead, in the queue or coded automatically
  and awaiting confirmation, however long ago it was reported (`incidents`, the `IncidentWaitlist` port:
  `plexlabor.incidents.waiting`), goes in one digest per run to the EHS addresses (`role_addresses[Role.EHS]`), each
  incident once: its `notification` event (recipient `ehs`) is what the next run reads to leave it out.
Event ids are stable (per item, stage and recipient), so a second run never records a step twice. A
mail that was sent but whose events were not recorded (the audit table refused) is sent again on the
next run: at least once, never silently lost. Pure: the mail, the directory and the audit are ports.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from plexlabor.approval.digest import EmailContent
from plexlabor.approval.display import Reader
from plexlabor.approval.messages import Stage
from plexlabor.approval.notified import Sent, record_sent
from plexlabor.approval.ports import SupervisorDirectory
from plexlabor.approval.recommendations import INCIDENT_CODING
from plexlabor.audit import AuditStatus, AuditStore, append_once
from plexlabor.audit.events import expiry_event
from plexlabor.platform.clock import utc_now
from plexlabor.review.escalations import HeldEscalations
from plexlabor.review.items import PUNCH, ReviewItem
from plexlabor.review.notices import compose_notice
from plexlabor.review.queue import ROLE_KINDS, ReviewQueue, Role
from plexlabor.review.told import record_told, to_read

logger = logging.getLogger(__name__)

ACTOR = "review_sweep"
READ_LIMIT = 50_000
"""At most this many `approval_failed` events are read per run (30 days of them, oldest first; a workflow failure
is rare, and the read logs when it reaches this)."""

SEAT_KINDS = frozenset({"crew_assignment", "crew_unstaffed", "crew_removal"})
"""Kinds about a seat of a shift: they expire at the seat's end (`payload.end`), not worth deciding after it (a removal
from Plex too, review_s14 L10: one still waiting after its seat ended was approved later and withdrew a past seat)."""
OVERTIME_PROJECTION = "overtime_projection"
"""A department's overtime projection for a week (`forecast.alerts.overtime_event`): it expires when its week ends."""
UNTIL_DECIDED = frozenset({INCIDENT_CODING})
"""Kinds that stay in the queue until someone decides them (an incident's codes are training data that must not
lapse): told of in the EHS lead's own digest (`IncidentWaitlist`), never escalated or expired."""


class WaitingIncident(Protocol):
    """An incident waiting for the EHS lead, as the sweep needs it (`incidents.waiting.WaitingIncident`)."""

    @property
    def incident_id(self) -> str: ...
    @property
    def record_key(self) -> str: ...
    @property
    def told(self) -> frozenset[str]:
        """The recipients told of it already."""
        ...


W = TypeVar("W", bound=WaitingIncident)


class IncidentWaitlist(Protocol[W]):
    """The incidents waiting for the EHS lead and their digest (`incidents.waiting.IncidentWaitlist`): a port, since
    the review package does not import the incidents package beside it."""

    def waiting(self, now: datetime) -> Sequence[W]: ...

    def notice(self, new: Sequence[W], waiting: Sequence[W], now: datetime) -> EmailContent: ...


class Mailer(Protocol):
    def send_email(self, address: str, content: EmailContent) -> str | None:
        """Send one e-mail; the channel's message id. Raise when it is not sent."""
        ...


@dataclass(frozen=True)
class Recipient:
    """Who is told: a supervisor (their Plex employee id) or a role (`hr`, `planner`, `ehs`)."""

    recipient_id: str
    address: str
    role: Role = Role.SUPERVISOR
    """What the notice may show them (names only to the roles `SHOW_NAMES_TO` lists)."""


@dataclass(frozen=True)
class SweepResult:
    notified: int = 0
    """Notices recorded (one per item and recipient)."""
    escalated: int = 0
    expired: int = 0
    mails: int = 0
    unsent: int = 0
    """Items whose mail or events failed this run (the next run tries again)."""
    unrouted: int = 0
    """Items with nobody to tell (no supervisor address, no role address for the kind)."""

    def summary(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class _Told:
    """What the audit says each open item's recipients were told."""

    first: dict[str, datetime] = field(default_factory=dict)
    """item id -> the first notification's time."""
    escalated: dict[str, datetime] = field(default_factory=dict)
    recipients: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))
    """item id -> {(stage, recipient id)} already notified."""


@dataclass
class ReviewSweep:
    queue: ReviewQueue
    audit: AuditStore
    directory: SupervisorDirectory
    mailer: Mailer
    queue_url: str
    """The web app's review queue (`<WEB_APP_URL>/queue`)."""
    wait: timedelta
    role_addresses: Mapping[Role, Sequence[str]] = field(default_factory=dict)
    managers: Callable[[], Mapping[str, str]] = dict
    """Supervisor id -> their own supervisor (read once per run, when something escalates)."""
    reader: Reader = field(default_factory=Reader)
    """How people are named in notices (plant zone, `SHOW_NAMES_TO`); per recipient's role."""
    lookback: timedelta = timedelta(days=30)
    """How far back failed approvals are read (as far as the queue looks for open items)."""
    clock: Callable[[], datetime] = utc_now
    incidents: IncidentWaitlist[Any] | None = None
    """The incidents waiting for the EHS lead; None: no incident digest (the EHS lead finds them in the app)."""

    def run(self) -> SweepResult:
        now = self.clock()
        orphaned = self._failed_approvals(now)
        open_items = self.queue.open_items()
        items = to_read(
            [
                item
                for item in open_items
                if (item.kind != PUNCH or item.item_id in orphaned)
                and item.kind not in UNTIL_DECIDED  # the EHS lead's digest tells of it (`_tell_ehs`)
            ],
            "notices",
        )
        told = self._told(items)
        outbox: dict[Recipient, list[tuple[ReviewItem, Stage]]] = defaultdict(list)
        expired = unrouted = 0
        managers: Mapping[str, str] | None = None
        for item in items:
            if (ended := _time_over(item, self.reader.zone)) is not None and ended <= now:
                expired += self._expire(item, now, told, {"ended": ended.isoformat()})
                continue
            stage, recipients = Stage.FIRST, self._first_recipients(item)
            if item.item_id in told.escalated:
                if now - told.escalated[item.item_id] >= self.wait:
                    expired += self._expire(item, now, told)
                continue
            if item.item_id in told.first and now - told.first[item.item_id] >= self.wait:
                managers = self.managers() if managers is None else managers
                boss = managers.get(item.supervisor_id or "")
                address = self.directory.address_of(boss) if boss else None
                if not boss or not address:
                    expired += self._expire(item, now, told)
                    continue
                stage, recipients = Stage.ESCALATED, [Recipient(boss, address)]
            elif item.item_id not in told.first and not recipients:
                unrouted += 1
                if now - item.created_at >= self.wait:
                    expired += self._expire(item, now, told)
                continue
            for recipient in recipients:
                if (stage.value, recipient.recipient_id) not in told.recipients[item.item_id]:
                    outbox[recipient].append((item, stage))
        sent = self._send(outbox, now)
        ehs = self._tell_ehs(now)
        held = HeldEscalations(self.audit, self.directory, self.mailer, self.queue_url, self.reader)
        more = Counter(ehs) + Counter(held.mail(open_items, now))  # ux164 #15: the escalations approval_notify held
        totals = {name: sent[name] + more.get(name, 0) for name in sent}
        return SweepResult(expired=expired, unrouted=unrouted + more.get("unrouted", 0), **totals)

    def _tell_ehs(self, now: datetime) -> dict[str, int]:
        """One digest of the incidents waiting for the EHS lead that no earlier one named, to each EHS address; then a
        `notification` event per incident (recipient `ehs`: one for every address, as for HR and planners)."""
        if self.incidents is None:
            return {}
        who = Role.EHS.value
        waiting = self.incidents.waiting(now)
        new = [incident for incident in waiting if who not in incident.told]
        addresses = self.role_addresses.get(Role.EHS, ())
        if not new or not addresses:
            return {"unrouted": len(new)}
        content = self.incidents.notice(new, waiting, now)
        counts = {"notified": 0, "escalated": 0, "mails": 0, "unsent": 0}
        message_id: str | None = None
        for address in addresses:
            try:
                message_id = self.mailer.send_email(address, content)
            except Exception:
                logger.exception("incident notice not sent", extra={"recipient": who})
                continue
            counts["mails"] += 1
        if not counts["mails"]:
            return counts | {"unsent": len(new)}

        def record(incident: WaitingIncident) -> None:
            record_sent(
                self.audit,
                Sent(incident.record_key, incident.incident_id, None, who, Stage.FIRST, now, ACTOR, message_id),
                sending=(Stage.FIRST.value, who),
                escalated={},
                details={"recipient": who, "kind": INCIDENT_CODING},
            )

        told = record_told(new, record, lambda incident: incident.incident_id)
        counts["notified"] += len(told)
        counts["unsent"] += len(new) - len(told)
        return counts

    def _first_recipients(self, item: ReviewItem) -> list[Recipient]:
        found: list[Recipient] = []
        address = self.directory.address_of(item.supervisor_id) if item.supervisor_id else None
        if item.supervisor_id and address:
            found.append(Recipient(item.supervisor_id, address))
        for role, kinds in ROLE_KINDS.items():
            if item.kind in kinds:
                found += [Recipient(role.value, a, role) for a in self.role_addresses.get(role, ())]
        return found

    def _failed_approvals(self, now: datetime) -> set[str]:
        """The punch findings whose approval workflow failed: this sweep takes them on."""
        failed = self.audit.by_status(AuditStatus.APPROVAL_FAILED, now - self.lookback, READ_LIMIT)
        if len(failed) >= READ_LIMIT:
            logger.error("review sweep: the oldest %d approval_failed events read; newer ones not taken on", READ_LIMIT)
        return {event.finding_id for event in failed if event.finding_id}

    def _told(self, items: Sequence[ReviewItem]) -> _Told:
        """What `items` were told, each from its own events, oldest first (`review.told`: the plant's notices of
        the lookback, oldest first and capped, lost the newest past the cap, review_s13 L3)."""
        told = _Told()
        for item in items:
            for event in self.audit.for_finding(item.item_id):
                if event.status is AuditStatus.NOTIFIED and event.supervisor_id:
                    told.first.setdefault(item.item_id, event.occurred_at)
                    stage = str(event.payload.get("stage") or Stage.FIRST.value)
                    told.recipients[item.item_id].add((stage, event.payload.get("recipient") or event.supervisor_id))
                elif event.status is AuditStatus.ESCALATED:
                    told.escalated.setdefault(item.item_id, event.occurred_at)
        return told

    def _send(self, outbox: Mapping[Recipient, list[tuple[ReviewItem, Stage]]], now: datetime) -> dict[str, int]:
        counts = {"notified": 0, "escalated": 0, "mails": 0, "unsent": 0}
        escalated: set[str] = set()
        for recipient, entries in outbox.items():
            reader = self.reader.for_roles([recipient.role.value])
            content = compose_notice(
                [item for item, _ in entries], self.queue_url, reader, escalated=_any_escalated(entries)
            )
            try:
                message_id = self.mailer.send_email(recipient.address, content)
            except Exception:
                logger.exception("review notice not sent", extra={"recipient": recipient.recipient_id})
                counts["unsent"] += len(entries)
                continue
            counts["mails"] += 1
            record = partial(self._record, recipient=recipient, message_id=message_id, now=now)
            told = record_told(entries, record, lambda entry: entry[0].item_id)
            counts["unsent"] += len(entries) - len(told)
            for item, stage in told:
                if stage is Stage.ESCALATED:
                    escalated.add(item.item_id)
                else:
                    counts["notified"] += 1
        counts["escalated"] = len(escalated)
        return counts

    def _record(
        self, entry: tuple[ReviewItem, Stage], *, recipient: Recipient, message_id: str | None, now: datetime
    ) -> None:
        item, stage = entry
        who = recipient.recipient_id
        record_sent(
            self.audit,
            Sent(item.record_key, item.item_id, item.employee_id, who, stage, now, ACTOR, message_id),
            sending=(stage.value, who),
            escalated={"from_supervisor_id": item.supervisor_id, "kind": item.kind},
            details={"recipient": who, "kind": item.kind},
        )

    def _expire(self, item: ReviewItem, now: datetime, told: _Told, why: Mapping[str, str] | None = None) -> int:
        stages = sorted({stage for stage, _ in told.recipients.get(item.item_id, set())})
        append_once(
            self.audit,
            expiry_event(
                item.record_key,
                item.item_id,
                occurred_at=now,
                actor=ACTOR,
                supervisor_id=item.supervisor_id,
                employee_id=item.employee_id,
                payload={"stages": stages, "wait_seconds": int(self.wait.total_seconds()), "kind": item.kind}
                | dict(why or {}),
            ),
        )
        return 1


def _time_over(item: ReviewItem, zone: ZoneInfo) -> datetime | None:
    """When an item's time is over: a crew seat's (`_seat_end`), or an overtime projection's week's end, Monday 00:00
    plant time after its `week_start` (ux_s17 M4: a projection still waited once its week was over); None: another
    kind, or one without a time."""
    if item.kind == OVERTIME_PROJECTION:
        try:
            return datetime.fromisoformat(str(item.evidence["week_start"])).astimezone(zone) + timedelta(days=7)
        except (KeyError, TypeError, ValueError):
            return None
    return _seat_end(item)


def _seat_end(item: ReviewItem) -> datetime | None:
    """When a crew seat's time is over: its `end`, else its `start` plus its `hours` (an empty seat published before
    its `end` was, review 155 R5); None: not a seat, or one without a time."""
    if item.kind not in SEAT_KINDS:
        return None
    evidence = item.evidence
    try:
        if evidence.get("end"):
            return datetime.fromisoformat(str(evidence["end"]))
        if evidence.get("start") and evidence.get("hours"):
            return datetime.fromisoformat(str(evidence["start"])) + timedelta(hours=float(evidence["hours"]))
    except (TypeError, ValueError):
        return None
    return None


def _any_escalated(entries: Sequence[tuple[ReviewItem, Stage]]) -> int:
    return sum(1 for _, stage in entries if stage is Stage.ESCALATED)
