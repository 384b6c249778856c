"""The phase gate's figures: how the suggestions fare with the people who decide them.

Per kind/anomaly type and producer (`approval.display.producer`: "scorer + norms", "rules"; the exact
versions a row merges are listed on it, so weekly retrains do not split a type into rows that read alike):
suggestions made, sent for review, decided, expired (nobody decided them in
time), the approve rate (the precision supervisors observe), the median time from suggestion to
decision, corrections written and reverted. Approved, rejected, overridden, the approve rate and the time to
decision count the decisions of suggestions sent for review; a decision of one never sent (an auto-coded
incident the EHS lead confirmed on its page) is counted apart (`decided_unsent`). Approved is a suggestion
taken as it was made; overridden one a person replaced with their own choice (codes the EHS lead corrected, a
seat the planner swapped on the crew board): the model was wrong, so it counts against the approve rate. The
planner's own choice in a swap is no suggestion of the model: counted apart (`chosen_by_hand`, ux141 #10), and
so is a coding of what no model proposed (a stretch with no job scanned nearby, an incident no model coded:
`coded_without_proposal`, out of the approve rate, ux_s13 #17c). Every suggestion sent for review is in one
outcome column: approved, rejected, overridden, coded without a proposal, expired, withdrawn, replaced (a re-plan
superseded it, a removal was made moot, an incident report was replaced by its reporter's corrected resend) or still
waiting (ux_s13 #17a).
Per day and per person: items decided (a choice made by hand and the suggestion it replaced are one action,
ux_s13 #17b) and the time spent deciding them, so the brief's "30-60 min
a day before, 5-10 after" can be measured. Time spent is read from the decisions themselves: the gap
before each decision since the same person's previous one, counted only when it is under
`SESSION_GAP` (a longer gap starts a new sitting, whose first decision counts `FIRST_ITEM`).

The flagged share of all punches: per plant-local day, the punches (time-clock and labor entries)
validated that day (`plexlabor.audit.validations`, counted by the validators: a clean punch leaves no
audit event), the punches with a finding recorded that day (any status: sent for review, logged,
held by the pilot scope) and those sent for review; per punch anomaly type and producer, the
share of the period's validated punches it flagged. Only days with a count take part in a share, so
a period that starts before counting did is not diluted. A finding is about one record; a finding
about another record (a badge swipe, a machine run) is not a flagged punch.

The period is whole plant-local days: today and the `days - 1` before it. Each status is read to the end of it, page
after page (`read_pages`, at most `PAGES` pages, logged when cut): a read was one page, oldest first and capped, so in
a plant past the cap the newest events fell off (review_s13 L3: expired crew seats counted as waiting).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from plexlabor.approval.display import producer
from plexlabor.audit.events import (
    NO_PROPOSAL,
    AuditEvent,
    AuditEventType,
    AuditStatus,
    ran_out,
    replaced,
    withdrawal,
)
from plexlabor.audit.paging import read_to_end
from plexlabor.audit.store import AuditStore
from plexlabor.audit.validations import PUNCH_RESOURCES, DayCount, ValidationCounts, resource_of
from plexlabor.platform.clock import utc_now
from plexlabor.review.groups import GROUP_KEY
from plexlabor.review.items import PUNCH
from plexlabor.validation.exploration import recorded_only_as_eligible

logger = logging.getLogger(__name__)

PAGES = 20
"""At most this many pages per status read (of `compute_kpis`' `limit`, 50,000: a million events); a read cut there
is logged and leaves the newest out."""
SESSION_GAP = timedelta(minutes=10)
FIRST_ITEM = timedelta(minutes=1)
SAME_ACTION = timedelta(seconds=30)
"""The seats of a short-seat group decided at once are recorded one after another within this: one action."""
OPENING_STATUSES = (AuditStatus.PENDING_APPROVAL, AuditStatus.LOGGED)
DECIDED_STATUSES = (AuditStatus.APPROVED, AuditStatus.REJECTED)
NO_MODEL = "none"
"""The model version of an incident no model coded (`incidents.service.NO_MODEL`; review may not import incidents)."""


@dataclass
class KindFigures:
    """One row per (kind or anomaly type, producer): every model version of that producer merged."""

    kind: str
    type: str
    model: str
    """The producer, without the version hash: `scorer + norms`, `rules`, `crew-milp-2026.11`."""
    model_versions: set[str] = field(default_factory=set)
    """The exact versions whose suggestions this row counts."""
    suggested: int = 0
    sent_for_review: int = 0
    approved: int = 0
    rejected: int = 0
    overridden: int = 0
    """Decided by replacing the suggestion with the decider's own choice: the EHS lead corrected the codes, the
    planner swapped the seat (its suggestion rejected for the planner's choice)."""
    coded_without_proposal: int = 0
    """Decided by the decider's own choice where the model proposed nothing (a stretch with no job scanned nearby
    coded by hand, an incident no model coded): not the model wrong, so out of the approve rate (ux_s13 #17c)."""
    chosen_by_hand: int = 0
    """A person's own choice in place of a suggestion (a swap on the crew board, a coding of unallocated time),
    recorded and approved in one step: not a suggestion of the model, so in none of the counts above or below. One
    let go (rejected by its maker: its write could not be queued) is no choice made and not counted."""
    expired: int = 0
    """Sent for review, then expired: nobody decided them in time (not those a re-plan replaced, ux136 #2, nor
    those withdrawn: `audit.events.ran_out`)."""
    withdrawn: int = 0
    """Sent for review, then closed by a person before anyone decided them (`audit.events.withdrawal`): an incident
    report its reporter withdrew as sent by mistake, or the EHS lead set aside as not an incident or a duplicate (both
    counted here, as docs/web-app.md says: review_s13 #9); not expired, nobody let them run out (ux164 #17)."""
    replaced: int = 0
    """Sent for review, then closed undecided because something replaced it (`audit.events.replaced`, ux_s13 #17a): a
    re-plan superseded a crew suggestion; a crew removal was made moot (the call-off undone, the person clocked in,
    their leave taken out of Plex); an incident report was replaced by its reporter's corrected resend."""
    waiting: int = 0
    """Sent for review and neither decided nor closed yet."""
    decided_unsent: int = 0
    """Decided though never sent for review (an auto-coded incident the EHS lead confirmed or corrected on its
    page): not in approved / rejected, the approve rate or the time to decision, which are about the
    suggestions sent for review (ux119 #12)."""
    written: int = 0
    reverted: int = 0
    decision_minutes: list[float] = field(default_factory=list)
    punches_flagged: set[str] = field(default_factory=set)
    """Record keys of the punches this row flagged on days with a count."""
    punches_for_review: set[str] = field(default_factory=set)
    validated: int = 0
    """The punches validated on the period's days with a count: the shares' denominator."""

    @property
    def flagged_share(self) -> float | None:
        """Share of the validated punches this row flagged (None: no count, or no punch flagged)."""
        return _share(len(self.punches_flagged), self.validated) if self.punches_flagged else None

    @property
    def review_share(self) -> float | None:
        return _share(len(self.punches_for_review), self.validated) if self.punches_flagged else None

    @property
    def approve_rate(self) -> float | None:
        """Approved out of approved, rejected and overridden (a coding without a proposal is none of them)."""
        decided = self.approved + self.rejected + self.overridden
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


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@dataclass
class Share:
    """Punches validated, flagged and sent for review: one plant-local day, or the period (`day` None)."""

    day: date | None = None
    validated: int = 0
    flagged: int = 0
    sent_for_review: int = 0

    @property
    def flagged_share(self) -> float | None:
        return _share(self.flagged, self.validated)

    @property
    def review_share(self) -> float | None:
        return _share(self.sent_for_review, self.validated)


@dataclass(frozen=True)
class Kpis:
    since: datetime
    until: datetime
    by_kind: list[KindFigures]
    by_reviewer_day: list[ReviewerDay]
    by_day: list[Share] = field(default_factory=list)
    """The period's days with a count or a flagged punch, newest first."""
    total: Share = field(default_factory=Share)
    """Over the days with a count (flagged: distinct punches)."""
    validated_by_department: dict[str, int] = field(default_factory=dict)
    counts_configured: bool = False
    """False: nothing to read the counts from (the flagged share cannot be shown)."""


def _opening_key(event: AuditEvent) -> tuple[str, str, str]:
    kind = PUNCH if event.event_type is AuditEventType.FINDING else str(event.payload.get("kind") or "suggestion")
    return kind, str(event.payload.get("anomaly_type") or kind), producer(event.model_version)


def _only_eligible(opening: AuditEvent) -> bool:
    """Whether a punch finding was recorded only as eligible for the scorer's exploration and not drawn: the model
    in force would not have kept it, so it is none of its suggestions (`exploration.kept_only_as_eligible`)."""
    return recorded_only_as_eligible(opening.payload)


def _chosen_by_hand(opening: AuditEvent) -> bool:
    """Whether `opening` records a person's own choice, not the model's: a swap on the crew board
    (`webapp.crewboard.plan_swap` names the person it was swapped for), unallocated time coded by hand
    (`allocation.coding`)."""
    return bool(opening.payload.get("swapped_for") or opening.payload.get("chosen_by_hand"))


def _proposed_nothing(opening: AuditEvent, unproposed: set[str]) -> bool:
    """Whether the model proposed nothing in `opening`: an incident no model coded, or a suggestion a choice by hand
    flagged so (`unproposed`: `NO_PROPOSAL`)."""
    return opening.model_version == NO_MODEL or opening.finding_id in unproposed


def _overrides(decision: AuditEvent, swapped: set[str]) -> bool:
    """Whether `decision` replaced its suggestion with the decider's own choice: codes the EHS lead changed
    (`incidents.service.correct_codes` lists them), or the rejection of a seat swapped by hand (`swapped`)."""
    if decision.status is AuditStatus.APPROVED:
        return bool(decision.payload.get("changed"))
    return decision.finding_id in swapped


def read_pages(
    read: Callable[[datetime | None, int], list[AuditEvent]], status: AuditStatus, since: datetime, limit: int
) -> list[AuditEvent]:
    """Every event `read(since, limit)` (one status, oldest first, at most `limit`) answers from `since` on, read to
    the end (`audit.paging.read_to_end`); at most `PAGES` pages (logged when cut): the store answers one page per
    query."""
    pages = read_to_end(read, since, limit, PAGES)
    if not pages.complete:
        logger.error(
            "KPIs: %s events read up to %s, not to the end",
            AuditStatus(status).value,
            (pages.stopped_at or since).isoformat(),
        )
    return pages.events


def _read(audit: AuditStore, status: AuditStatus, since: datetime, limit: int) -> list[AuditEvent]:
    return read_pages(lambda start, size: audit.by_status(status, start, size), status, since, limit)


def _events(audit: AuditStore, statuses: Iterable[AuditStatus], since: datetime, limit: int) -> list[AuditEvent]:
    return [event for status in statuses for event in _read(audit, status, since, limit)]


def compute_kpis(
    audit: AuditStore,
    *,
    days: int = 28,
    zone: ZoneInfo | None = None,
    limit: int = 50_000,
    clock: Callable[[], datetime] = utc_now,
    counts: ValidationCounts | None = None,
) -> Kpis:
    """The figures over the last `days` plant-local days, today included (a decision counts on the day
    it was made, a finding on the day it was recorded, a punch on the day it was first validated). `limit`: the
    events per page of a status read (`read_pages`)."""
    zone = zone or ZoneInfo("UTC")
    until = clock()
    first_day = until.astimezone(zone).date() - timedelta(days=max(days, 1) - 1)
    since = datetime.combine(first_day, time.min, tzinfo=zone)
    openings = {e.finding_id: e for e in _events(audit, OPENING_STATUSES, since, limit) if e.finding_id}
    decisions = sorted(_events(audit, DECIDED_STATUSES, since, limit), key=lambda e: e.occurred_at)
    by_hand = {item_id: e for item_id, e in openings.items() if _chosen_by_hand(e)}
    let_go = {e.finding_id for e in decisions if e.status is AuditStatus.REJECTED and e.finding_id in by_hand}
    standing = [e for item_id, e in by_hand.items() if item_id not in let_go]
    swapped = {str(e.payload.get("replaces")) for e in standing}
    unproposed = {str(e.payload.get("replaces")) for e in standing if e.payload.get(NO_PROPOSAL)}
    opened = {item_id: e for item_id, e in openings.items() if item_id not in by_hand and not _only_eligible(e)}
    rows: dict[tuple[str, str, str], KindFigures] = {}
    for event in standing:
        rows.setdefault(_opening_key(event), KindFigures(*_opening_key(event))).chosen_by_hand += 1
    for event in opened.values():
        key = _opening_key(event)
        row = rows.setdefault(key, KindFigures(*key))
        if event.model_version:
            row.model_versions.add(event.model_version)
        row.suggested += 1
        row.sent_for_review += event.status is AuditStatus.PENDING_APPROVAL
    answered: set[str] = set()
    for event in decisions:
        opening = opened.get(event.finding_id or "")
        if opening is None or opening.finding_id in answered:
            continue  # an item's first answer counts: an incident the EHS lead corrects later is decided again
        answered.add(str(opening.finding_id))
        row = rows[_opening_key(opening)]
        if opening.status is not AuditStatus.PENDING_APPROVAL:
            row.decided_unsent += 1
            continue
        nothing_proposed = _proposed_nothing(opening, unproposed)
        if _overrides(event, swapped) and nothing_proposed:
            row.coded_without_proposal += 1
        elif _overrides(event, swapped):
            row.overridden += 1
        elif not nothing_proposed:  # rejecting nothing is not the model's (ux_s14 #8: "Approve rate 0%", model none)
            row.approved += event.status is AuditStatus.APPROVED
            row.rejected += event.status is AuditStatus.REJECTED
        row.decision_minutes.append((event.occurred_at - opening.occurred_at).total_seconds() / 60)
    closings = _read(audit, AuditStatus.EXPIRED, since, limit)
    expired = {e.finding_id or "" for e in closings if ran_out(e)} & opened.keys()
    for item_id in expired:  # once per item (the workflow and the sweep could both record an expiry)
        rows[_opening_key(opened[item_id])].expired += 1
    withdrawn = {e.finding_id or "" for e in closings if withdrawal(e) is not None} & (opened.keys() - answered)
    for item_id in withdrawn:
        rows[_opening_key(opened[item_id])].withdrawn += 1
    _count_replaced_and_waiting(rows, opened, answered, closings)
    for status, attribute in ((AuditStatus.WRITTEN, "written"), (AuditStatus.REVERTED, "reverted")):
        once: set[str] = set()  # once per item (a corrected incident is written again)
        for event in _read(audit, status, since, limit):
            opening = opened.get(event.finding_id or "")
            if opening is not None and opening.finding_id not in once:
                once.add(str(opening.finding_id))
                row = rows[_opening_key(opening)]
                setattr(row, attribute, getattr(row, attribute) + 1)
    by_kind = sorted(rows.values(), key=lambda r: (r.kind != PUNCH, r.kind, r.type, r.model))
    counted = counts.days(first_day, until.astimezone(zone).date()) if counts is not None else []
    by_day, total = _punch_shares(opened.values(), rows, counted, zone)
    return Kpis(
        since,
        until,
        by_kind,
        _reviewer_days([e for e in decisions if e.finding_id not in by_hand], zone),
        by_day,
        total,
        _by_department(counted),
        counts_configured=counts is not None,
    )


def _count_replaced_and_waiting(
    rows: dict[tuple[str, str, str], KindFigures],
    opened: dict[str, AuditEvent],
    answered: set[str],
    closings: list[AuditEvent],
) -> None:
    """Of the suggestions sent for review and not answered: those something replaced (`KindFigures.replaced`)
    and those still open, each in its column, so a row's outcomes add up to what it sent for review."""
    sent = {item_id for item_id, e in opened.items() if e.status is AuditStatus.PENDING_APPROVAL} - answered
    for item_id in {e.finding_id or "" for e in closings if replaced(e)} & sent:
        rows[_opening_key(opened[item_id])].replaced += 1
    for item_id in sent - {e.finding_id or "" for e in closings}:
        rows[_opening_key(opened[item_id])].waiting += 1


def _punch_shares(
    opened: Iterable[AuditEvent], rows: dict[tuple[str, str, str], KindFigures], counted: list[DayCount], zone: ZoneInfo
) -> tuple[list[Share], Share]:
    """Per day: punches validated, flagged, sent for review; the period's total; each punch row's share."""
    validated = {count.day: count.validated for count in counted if count.validated > 0}
    flagged: dict[date, set[str]] = defaultdict(set)
    for_review: dict[date, set[str]] = defaultdict(set)
    for event in opened:
        key = _opening_key(event)
        if key[0] != PUNCH or resource_of(event.record_key) not in PUNCH_RESOURCES:
            continue
        day = event.occurred_at.astimezone(zone).date()
        review = event.status is AuditStatus.PENDING_APPROVAL
        flagged[day].add(event.record_key)
        if review:
            for_review[day].add(event.record_key)
        if day in validated:
            rows[key].punches_flagged.add(event.record_key)
            if review:
                rows[key].punches_for_review.add(event.record_key)
    by_day = [
        Share(day, validated.get(day, 0), len(flagged[day]), len(for_review[day]))
        for day in sorted(set(validated) | set(flagged), reverse=True)
    ]
    total = Share(
        None,
        sum(validated.values()),
        len(set().union(*(flagged[day] for day in validated))),
        len(set().union(*(for_review[day] for day in validated))),
    )
    for row in rows.values():
        if row.kind == PUNCH:
            row.validated = total.validated
    return by_day, total


def _by_department(counted: list[DayCount]) -> dict[str, int]:
    departments: dict[str, int] = defaultdict(int)
    for count in counted:
        for department, number in count.by_department.items():
            departments[department] += number
    return dict(sorted(departments.items()))


def _reviewer_days(decisions: list[AuditEvent], zone: ZoneInfo) -> list[ReviewerDay]:
    """Items decided and minutes spent per reviewer per day: one decision, one action; the seats of a short-seat group
    decided at once (`review.groups.GROUP_KEY`, its seats recorded within `SAME_ACTION` of each other) one action
    (review_s16 #8: a 6-seat group counted 6); the same group decided again later, after a seat was added, another
    (review2_s16 #4)."""
    days: dict[tuple[date, str], ReviewerDay] = {}
    previous: dict[str, datetime] = defaultdict(lambda: datetime.min.replace(tzinfo=zone))
    group_seen: dict[tuple[str, str], datetime] = {}  # a reviewer's group: when its last seat was decided
    for event in decisions:
        who = event.actor
        group = event.payload.get(GROUP_KEY)
        if isinstance(group, str):
            last = group_seen.get((who, group))
            group_seen[who, group] = event.occurred_at
            if last is not None and event.occurred_at - last < SAME_ACTION:  # another seat of an action counted
                previous[who] = max(previous[who], event.occurred_at)
                continue
        gap = event.occurred_at - previous[who]
        spent = gap if gap < SESSION_GAP else FIRST_ITEM
        previous[who] = event.occurred_at
        day = event.occurred_at.astimezone(zone).date()
        row = days.setdefault((day, who), ReviewerDay(day, who))
        row.decided += 1
        row.minutes += spent.total_seconds() / 60
    return sorted(days.values(), key=lambda r: (r.day, r.reviewer), reverse=True)
