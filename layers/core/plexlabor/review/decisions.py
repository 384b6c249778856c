"""Deciding a suggestion from the queue: one decision, whichever way it is made.

A punch finding waits in its approval workflow (Step Functions, a task token, a mailed link): the
queue resumes that same workflow through `CallbackService.decide_in_queue`; one whose workflow failed
(an `approval_failed` event: no execution waits any more) is decided here as the workflow would have:
an approval's write-back message first, then the `decision` event. A recommendation gets
its `decision` audit event directly (`approval.recommendations.recommendation_decision`); an
approved crew assignment is first put on the write-back queue (`WritebackSender`), so a decision
is never recorded without its write on the way (plex_writeback records a missing decision from the
message, and refuses to write one the audit shows rejected). Bulk decisions are one decision per
item; one that fails does not stop the others and is reported with its reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from plexlabor.approval.callback import CLOSING_EVENTS, CallbackService, decision_event
from plexlabor.approval.errors import ApprovalError, WritebackNotQueuedError
from plexlabor.approval.messages import Decision, RecommendationWriteback, WritebackMessage
from plexlabor.approval.ports import WritebackSender
from plexlabor.approval.recommendations import (
    INCIDENT_CODING,
    UNALLOCATED_TIME,
    WRITTEN_KINDS,
    Recommended,
    recommendation_decision,
)
from plexlabor.approval.request import ApprovalRequest
from plexlabor.audit import ApprovalAction, AuditEvent, AuditEventType, AuditStatus, AuditStore
from plexlabor.audit.errors import AuditConflictError
from plexlabor.audit.events import replaced
from plexlabor.platform.clock import utc_now
from plexlabor.review.groups import GROUP_KEY
from plexlabor.review.items import PUNCH, ReviewItem, item_from_event
from plexlabor.review.queue import ReviewQueue, Viewer
from plexlabor.validation.findings import Finding

logger = logging.getLogger(__name__)

BULK_WORKERS = 8
"""Decisions of one bulk form made at once: each waits on a few DynamoDB and Step Functions round trips,
which overlap; 8 stays within boto3's 10 pooled connections per client."""


class ItemNotFoundError(ApprovalError):
    """The item is closed, unknown, or not one this person may see (never told apart: 404)."""

    http_status = 404


class NothingToApproveError(ApprovalError):
    """An approval of unallocated time with no job to charge it to: approving it would change nothing, so it is
    coded instead (an indirect code or a job, `allocation.coding`: the item page's "Code it"), or rejected."""

    http_status = 400


class NothingToConfirmError(ApprovalError):
    """An approval of an incident in the queue: its codes and what its text says are confirmed on the
    incident's page, the one path that writes it to Plex (`approval.recommendations.CONFIRMED_KINDS`); or a rejection
    of one nothing was proposed for: it is coded (or set aside) on that page."""

    http_status = 400


class SeatAddedError(ApprovalError):
    """A decision of a group of short seats (`review.groups`) whose open seats include one the page did not show
    (a re-plan published it meanwhile): nothing is decided, so nobody acknowledges a seat they have not seen
    (review_s16 #1)."""

    http_status = 409


class PartlyDecidedError(ApprovalError):
    """A decision of a group of short seats recorded for some of its seats, not for the others (an error of the audit
    table, a refusal of one seat): they stay open, to be decided again (review_s16 #3: it said "not recorded")."""

    http_status = 503

    def __init__(self, decided: int, of: int) -> None:
        super().__init__(f"{decided} of {of} seats decided; the rest could not be recorded, try again.")
        self.decided = decided
        self.of = of


class UnfinishedSwapError(ApprovalError):
    """An approval in the queue of a swap chosen on the crew board and not finished (its write to Plex could not be
    queued: `approve_new`) while the suggestion it replaces still waits: it is finished on the board ("Finish the
    swap", `webapp.crewboard.plan_swap`), which also rejects that one and re-plans the rest of the shift."""

    http_status = 409


class SwapReplacedError(ApprovalError):
    """An approval in the queue of a swap chosen on the crew board and not finished whose replaced suggestion a
    re-plan closed since (`ReviewService.swap_replaced`): the re-plan planned that seat again, so the choice is only
    rejected (review_close_s15, after 43db6603)."""

    http_status = 409


@dataclass(frozen=True)
class Outcome:
    item_id: str
    action: str | None
    problem: str | None = None
    """Why the decision was not recorded (None when it was)."""
    own_page: bool = False
    """Not decided because its kind is decided on its own page (an incident's codes), not in the queue."""
    partly: tuple[int, int] | None = None
    """A group decided for some of its seats only: how many, of how many (`PartlyDecidedError`)."""


class ApprovalGuard(Protocol):
    """What approving a suggestion holds that no other decision may hold at the same time (a crew seat: one person
    in one seat at a time, `crew.claims.SeatClaims`), taken by a conditional write before the approval is recorded."""

    def hold(
        self, kind: str, item_id: str, employee_id: str | None, details: Mapping[str, Any], by: str, now: datetime
    ) -> Callable[[], None]:
        """Holds it (raises an `ApprovalError` saying who holds it instead) and returns what lets it go."""


@dataclass(frozen=True)
class ApprovalGuards:
    """Several guards held as one (`ApprovalGuard`): each in turn, and when one refuses, those held already are let
    go; what is held is let go in the reverse order."""

    guards: tuple[ApprovalGuard, ...]

    def hold(
        self, kind: str, item_id: str, employee_id: str | None, details: Mapping[str, Any], by: str, now: datetime
    ) -> Callable[[], None]:
        held: list[Callable[[], None]] = []

        def release_all() -> None:
            for release in reversed(held):
                release()

        try:
            for guard in self.guards:
                held.append(guard.hold(kind, item_id, employee_id, details, by, now))
        except BaseException:
            release_all()
            raise
        return release_all


@dataclass
class ReviewService:
    queue: ReviewQueue
    audit: AuditStore
    callback: CallbackService
    writeback: WritebackSender
    clock: Callable[[], datetime] = field(default=utc_now)
    guard: ApprovalGuard | None = None
    """Held on every approval of a recommendation, let go when it is not recorded (None: nothing held)."""

    def decide(
        self,
        viewer: Viewer,
        item_id: str,
        action: str | None,
        reason: str | None,
        correction: dict[str, Any] | None = None,
        seats: Collection[str] = (),
        *,
        group: str | None = None,
    ) -> Outcome:
        """Record `viewer`'s decision on one item (raises the approval errors, e.g. a missing reason);
        `correction` is a punch finding's suggested correction as they edited it (`review.edits`); `seats` the seats
        of a group the page showed (`_decide_group`); `group` the group a seat is decided with, kept in its decision
        (`GROUP_KEY`). The item leaves this container's queue at once (`ReviewQueue.mark_closed`)."""
        item = self.queue.item(viewer, item_id)
        if item is None:
            raise ItemNotFoundError("this suggestion is no longer open, or it is not yours to decide")
        if item.members:
            return self._decide_group(viewer, item, action, reason, seats)
        if item.kind == PUNCH:
            opening = self._failed_approval(item_id)
            if opening is None:
                decision, _ = self.callback.decide_in_queue(item_id, action, reason, viewer.user_id, correction)
                self.queue.mark_closed(item_id)
                return Outcome(item_id, decision.action.value)
            return self._decide_failed_approval(opening, viewer, action, reason, correction)
        decision = CallbackService.read_form(action, reason, viewer.user_id)
        if decision.action is ApprovalAction.REJECT and item.kind == INCIDENT_CODING and not item.evidence.get("codes"):
            raise NothingToConfirmError(  # ux_s14 #8: a rejected report with no codes fell out of every waiting view
                "Not rejected: nothing was proposed for this incident (no coding model was in force), so there is "
                "nothing to reject. Open the incident to code it, or set it aside there if it is not an incident "
                "or a duplicate."
            )
        if decision.action is ApprovalAction.APPROVE and item.kind == INCIDENT_CODING:
            raise NothingToConfirmError(
                "Not approved: this incident has no codes to confirm (no coding model was in force). "
                "Open the incident to enter its codes."
                if not item.evidence.get("codes")
                else "Not approved here: an incident's codes are confirmed on its own page, with what its text "
                "says, and written to Plex from there. Open the incident to confirm them."
            )
        if decision.action is ApprovalAction.APPROVE and item.kind == UNALLOCATED_TIME and item.proposed is None:
            raise NothingToApproveError(
                "Not approved: no job was scanned near this time, so approving would change nothing. Code it on its "
                "page (an indirect code or the job), or reject it with the reason."
            )
        if decision.action is ApprovalAction.APPROVE and self.unfinished_swap(item):
            raise UnfinishedSwapError(
                f"Not accepted here: {item.employee_id} was chosen on the crew board in place of "
                f"{item.evidence['swapped_for']}, whose suggestion still waits, and accepting this alone would leave "
                'it waiting and the shift not re-planned. Press "Finish the swap" beside it on the crew board: it '
                "accepts this choice, rejects the other and re-plans the rest of the shift, once"
            )
        if decision.action is ApprovalAction.APPROVE and (why := self.swap_replaced(item)):
            raise SwapReplacedError(f"Not approved: {why}")
        # a kind Plex gets, when the item proposes something to write
        written = decision.action is ApprovalAction.APPROVE and item.kind in WRITTEN_KINDS and item.proposed is not None
        recommended = Recommended(item_id, item.record_key, item.kind, item.employee_id, item.model_version)
        event = recommendation_decision(recommended, decision, self.clock(), "queue")
        if group is not None:  # one action of its reviewer with the group's other seats (`review.kpis`)
            event = event.model_copy(update={"payload": {**event.payload, GROUP_KEY: group}})
        with self._holding(item if decision.action is ApprovalAction.APPROVE else None, viewer):
            return self._record(
                decision, RecommendationWriteback(item_id=item_id, decision=decision) if written else None, event
            )

    def _decide_group(
        self, viewer: Viewer, group: ReviewItem, action: str | None, reason: str | None, shown: Collection[str]
    ) -> Outcome:
        """The same decision of each seat of a group still open (`review.groups`: a workcenter shift's short seats),
        each recorded on its own seat as a decision of it alone would be; one decided meanwhile (its own page, another
        person) is left as it was. Refused as a whole (the form's errors, a rejection without a reason, an open seat
        not among those the page showed: `shown`) before any seat is decided; not found when every seat was decided
        meanwhile. A seat whose decision fails leaves the others decided: `PartlyDecidedError` says how many were (the
        seat's own error when none was)."""
        decision = CallbackService.read_form(action, reason, viewer.user_id)
        if any(member.item_id not in shown for member in group.members):
            raise SeatAddedError("A seat was added since you opened this: check it and decide again.")
        decided, failures = 0, []
        for member in group.members:  # each on its own: one that fails leaves the others decided (review_s16 #3)
            try:
                self.decide(viewer, member.item_id, action, reason, group=group.item_id)
            except ItemNotFoundError:
                continue
            except Exception as error:
                logger.exception("short seat not decided", extra={"finding_id": member.item_id})
                failures.append(error)
                continue
            decided += 1
        if failures and decided:
            raise PartlyDecidedError(decided, decided + len(failures))
        if failures:
            raise failures[0]
        if not decided:
            raise ItemNotFoundError("these short seats were decided a moment ago")
        return Outcome(group.item_id, decision.action.value)

    def approve_new(self, viewer: Viewer, opening: AuditEvent, via: str) -> Outcome:
        """Record a recommendation `viewer` made themselves (a swap on the crew board: `opening`, waiting)
        and approve it as `decide` approves one: its write on the way first, then its `decision` event.
        The same choice recorded before is approved if nobody decided it yet (its write could not be queued
        then, or the caller recorded it: a coding taking its stretch, `allocation.coding.take_stretch`), else refused
        with nothing written. What approving it holds (`guard`) is held before it is recorded. A write that cannot be
        queued leaves it recorded, waiting (`WritebackNotQueuedError`): the caller posts it again or `let_go`es it."""
        with self._holding(item_from_event(opening), viewer):
            try:
                self.audit.append(opening)
            except AuditConflictError:
                events = self.audit.for_finding(opening.event_id)
                if any(event.event_type is AuditEventType.DECISION for event in events):
                    raise ItemNotFoundError("this choice was decided a moment ago") from None
            decision = CallbackService.read_form(ApprovalAction.APPROVE.value, None, viewer.user_id)
            recommended = Recommended.of(opening)
            written = recommended.kind in WRITTEN_KINDS
            try:
                return self._record(
                    decision,
                    RecommendationWriteback(item_id=recommended.item_id, decision=decision) if written else None,
                    recommendation_decision(recommended, decision, self.clock(), via),
                )
            except WritebackNotQueuedError as error:  # its opening stays recorded (review_s13 #5: "nothing recorded")
                raise WritebackNotQueuedError(
                    "the change could not be sent on its way to Plex, so it was not approved: it waits in the review "
                    "queue, to be approved there in a moment"
                ) from error.__cause__

    def unfinished_swap(self, item: ReviewItem) -> bool:
        """Whether `item` is a swap chosen on the crew board (`swapped_for`) whose replaced suggestion (`replaces`) is
        still open: the swap is not finished, and `decide` refuses its approval (`UnfinishedSwapError`); the item page
        offers no Approve for it, asking for "Finish the swap" on the board (one place for the rule)."""
        replaces = item.evidence.get("replaces")
        if not replaces or not item.evidence.get("swapped_for"):
            return False
        events = self.audit.for_finding(str(replaces))
        return bool(events) and not any(event.event_type in CLOSING_EVENTS for event in events)

    def swap_replaced(self, item: ReviewItem) -> str | None:
        """Why `item`, a swap chosen on the crew board (`swapped_for`) and not finished, can no longer be approved
        when a re-plan closed the suggestion it replaces (`replaces`: its `expired` event `replaced`, the re-plan's
        `supersede` refusing the swap's claims), in words for its refusal and its page; None otherwise, and None when
        the re-plan kept this choice in that seat (its closing's `kept_choices`: issue 16). Until
        2026-12-06 it stayed open behind an Approve refused in words about the replaced suggestion ("this suggestion
        was just replaced by the re-plan ..."), a dead end until rejected or expired."""
        replaces = item.evidence.get("replaces")
        if not replaces or not item.evidence.get("swapped_for"):
            return None
        closing = next((e for e in self.audit.for_finding(str(replaces)) if replaced(e)), None)
        if closing is None or item.item_id in (closing.payload.get("kept_choices") or ()):
            return None  # not closed, or the re-plan kept this choice in the seat in its place: approved as any
        after, at = closing.payload.get("replaced_after") or "an event", f"{closing.occurred_at:%H:%M} UTC"
        return (
            f"this swap's choice can no longer be written: the re-plan after {after} at {at} "
            f"closed the suggestion of {item.evidence['swapped_for']} it was to replace and planned that seat again; "
            "reject it to close it"
        )

    def let_go(self, viewer: Viewer, opening: AuditEvent, reason: str, via: str) -> bool:
        """Close a recommendation `viewer` recorded themselves whose approval was not recorded (`approve_new` raised
        `WritebackNotQueuedError`), as their own rejection with `reason`, so nothing of it waits in the queue and a
        write that reached the write-back queue after all is refused by plex_writeback (it writes nothing the audit
        shows rejected). False when it was approved meanwhile (plex_writeback recorded the approval of such a write
        first: the two share the decision's id), so it stands."""
        decision = CallbackService.read_form(ApprovalAction.REJECT.value, reason, viewer.user_id)
        try:
            self.audit.append(recommendation_decision(Recommended.of(opening), decision, self.clock(), via))
        except AuditConflictError:
            item = item_from_event(opening)
            if item is not None and self._approved(item):
                return False
        self.queue.mark_closed(opening.event_id)
        return True

    @contextmanager
    def _holding(self, item: ReviewItem | None, viewer: Viewer) -> Iterator[None]:
        """What approving `item` holds (`guard`; None: an item not approved), let go when the approval is not
        recorded, unless the item was approved meanwhile by another decision (then what it holds stays held)."""
        if self.guard is None or item is None:
            yield
            return
        release = self.guard.hold(
            item.kind, item.item_id, item.employee_id, item.evidence, viewer.user_id, self.clock()
        )
        try:
            yield
        except BaseException:
            if not self._approved(item):
                release()
            raise

    def _approved(self, item: ReviewItem) -> bool:
        """Whether the item's record holds an approval of it (read with strong consistency)."""
        return any(
            event.event_type is AuditEventType.DECISION
            and event.finding_id == item.item_id
            and event.status is AuditStatus.APPROVED
            for event in self.audit.history(item.record_key)
        )

    def workflow_failed(self, finding_id: str) -> bool:
        """Whether the punch finding's approval workflow failed (no mail went out: decide it here)."""
        return self._failed_approval(finding_id) is not None

    def _failed_approval(self, finding_id: str) -> AuditEvent | None:
        """The finding's opening event when its approval workflow failed (`approval_failed`), else None."""
        events = self.audit.for_finding(finding_id)
        if not any(event.event_type is AuditEventType.APPROVAL_FAILED for event in events):
            return None
        return next((event for event in events if event.event_type is AuditEventType.FINDING), None)

    def _decide_failed_approval(
        self,
        opening: AuditEvent,
        viewer: Viewer,
        action: str | None,
        reason: str | None,
        correction: dict[str, Any] | None,
    ) -> Outcome:
        """What the workflow would have done with the decision: an approval goes to the write-back queue
        (as the request the validator started), then the `decision` event."""
        finding = Finding.model_validate(opening.payload)
        decision = CallbackService.read_form(action, reason, viewer.user_id, correction)
        self.callback.approvable(finding, decision)
        request = ApprovalRequest(finding=finding, supervisor_id=opening.supervisor_id or viewer.user_id)
        approved = decision.action is ApprovalAction.APPROVE
        return self._record(
            decision,
            WritebackMessage(request=request, decision=decision) if approved else None,
            decision_event(finding, decision, self.clock(), None),
        )

    def _record(
        self, decision: Decision, writeback: RecommendationWriteback | WritebackMessage | None, event: AuditEvent
    ) -> Outcome:
        """A decision made here: its write on the way first (if it writes), then its one `decision` event."""
        if writeback is not None:
            try:
                self.writeback.send(writeback)
            except Exception as error:
                raise WritebackNotQueuedError(
                    "the change could not be sent on its way to Plex, so nothing was recorded: try again"
                ) from error
        try:
            self.audit.append(event)
        except AuditConflictError:
            raise ItemNotFoundError("this suggestion was decided a moment ago") from None
        item_id = str(event.finding_id)
        self.queue.mark_closed(item_id)
        return Outcome(item_id, decision.action.value)

    def decide_many(
        self,
        viewer: Viewer,
        item_ids: Iterable[str],
        action: str | None,
        reason: str | None,
        seats: Collection[str] = (),
    ) -> list[Outcome]:
        """The same decision on each item (a repeated id once), up to BULK_WORKERS at a time; each
        item's outcome, in the order given (`seats`: the seats of the groups the page showed, `decide`). One that
        fails does not stop the others: an approval error is reported with its reason, anything else is logged and
        reported as not recorded."""
        shown = frozenset(seats)
        chosen = list(dict.fromkeys(item_ids))

        def one(item_id: str) -> Outcome:
            try:
                outcome = self.decide(viewer, item_id, action, reason, seats=shown)
            except NothingToConfirmError as error:
                return Outcome(item_id, None, str(error), own_page=True)
            except PartlyDecidedError as error:
                return Outcome(item_id, None, str(error), partly=(error.decided, error.of))
            except ApprovalError as error:
                return Outcome(item_id, None, str(error))
            except Exception:
                logger.exception("bulk decision not recorded", extra={"finding_id": item_id})
                return Outcome(item_id, None, "not recorded: something went wrong on our side (logged); try again")
            return outcome

        if len(chosen) <= 1:
            return [one(item_id) for item_id in chosen]
        with ThreadPoolExecutor(max_workers=min(BULK_WORKERS, len(chosen)), thread_name_prefix="decide") as pool:
            return list(pool.map(one, chosen))
