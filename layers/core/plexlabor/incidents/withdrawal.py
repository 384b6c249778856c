"""Withdrawing a report sent by mistake, and the EHS lead's word that a report is not an incident to count.

A report sent by mistake is withdrawn by its reporter (or an admin: the web app's rule), with a reason, before anyone
decided it and before any write to Plex. The EHS lead (or an admin) may also **set a report aside** at any time after:
*not an incident* (a drill, a test, nothing the plant counts) or *a duplicate* of another live report here, which is
the one counted. That is what a rejection of the codes in the review queue never says: a rejection means the proposed
codes were wrong, and the report still counts, uncoded or under the codes the EHS lead gives it later (ux164 #8: a near
miss rejected as "duplicate of a phone report" stayed in the rates). A report is set aside unless its reporter's
corrected report replaced it, it was withdrawn or set aside already, its confirmation is on its way to Plex, or Plex
holds it (written, not withdrawn there: withdraw the record in Plex first).

Either is the incident's `expired` event, its payload naming who in role words, why and on what ground (`WITHDRAWN`:
`{"by", "reason", "ground", "duplicate_of"}`). Its event id is the incident's next answer (`answer_id`): the id the
EHS lead's next decision would take (the first confirmation's, or a correction's of the decision the page showed), so
a confirmation and a withdrawal at the same moment cannot both be recorded: the audit store's conditional write lets
one in and the other meets `AuditConflictError` (refused with the reason, 409). A corrected resend's closing takes it
too (`service.close_replaced`), so a resend and a withdrawal of the same report close it once. It closes the incident's
review queue item (the queue reads an `expired` event as closing), the incident list shows it
(`listing.Standing.RETRACTED`), the trends do not count it and it is no training row (`called_back`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from plexlabor.approval.messages import MAX_REASON_CHARS
from plexlabor.approval.recommendations import INCIDENT_CODING
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, AuditStore, append_once
from plexlabor.audit.events import WITHDRAWN, WITHDRAWN_BY, expiry_event, replaced, stable_event_id, withdrawal
from plexlabor.platform.text import unreadable_character

MISTAKE, DUPLICATE, NOT_INCIDENT = "mistake", "duplicate", "not_incident"
GROUNDS = {MISTAKE: "sent by mistake", DUPLICATE: "a duplicate of another report", NOT_INCIDENT: "not an incident"}
SET_ASIDE = frozenset({DUPLICATE, NOT_INCIDENT})
"""The grounds only the EHS lead or an admin gives, whatever was decided before (`set_aside_refusal`)."""
INCIDENT_ID = re.compile(r"inc-[0-9a-f]{20}")
ROLE_WORDS = WITHDRAWN_BY
"""Who withdrew a report, as the page and the list say it (`audit.events.WITHDRAWN_BY`, where the queue reads it)."""
PLEX_EVENTS = frozenset(
    {AuditEventType.WRITEBACK, AuditEventType.WRITEBACK_ATTEMPT, AuditEventType.WRITEBACK_FAILED, AuditEventType.REVERT}
)


class WithdrawalRefused(Exception):
    """The report can no longer be withdrawn (decided, written to Plex, replaced, withdrawn): the message says why."""


class WithdrawalFormError(ValueError):
    """A withdrawal whose reason is missing or unreadable; the message names the field."""


def called_back(event: AuditEvent) -> bool:
    """Whether `event` closed an incident its reporter took back: replaced by their corrected report, or withdrawn.
    Such a report is not counted in the trends nor learnt from, and a resend does not replace it again."""
    return replaced(event) or withdrawal(event) is not None


def withdrawn_words(event: AuditEvent) -> str:
    """ "its reporter", "the EHS lead" or "an admin": who withdrew the report, as people read it."""
    return ROLE_WORDS.get(str((withdrawal(event) or {}).get("by")), "someone")


def ground_of(event: AuditEvent) -> str:
    """Why the closing took the report out: a key of GROUNDS (sent by mistake when it names none)."""
    ground = (withdrawal(event) or {}).get("ground")
    return ground if ground in GROUNDS else MISTAKE


ANOTHER_REPORT = "another report here, the one counted"
"""The report a duplicate repeats, as it is named to a viewer who may not see it (review_s13 #2: its reporter saw whose
report it was, when and where)."""


def closing_words(event: AuditEvent, *, named: bool = True) -> str:
    """The closing as the page and the list lead with it: "Withdrawn by its reporter", "Not an incident, said the EHS
    lead", "A duplicate of inc-…, said the EHS lead" (`named` False: "A duplicate of another report here, …", for a
    viewer who may not see that report)."""
    who = withdrawn_words(event)
    ground = ground_of(event)
    if ground == NOT_INCIDENT:
        return f"Not an incident, said {who}"
    if ground == DUPLICATE:
        other = (withdrawal(event) or {}).get("duplicate_of") if named else ANOTHER_REPORT
        return f"A duplicate of {other}, said {who}"
    return f"Withdrawn by {who}"


def withdrawal_of(events: Sequence[AuditEvent], identifier: str) -> AuditEvent | None:
    """The incident's withdrawal among its record's events, or None."""
    return next((e for e in events if e.finding_id == identifier and withdrawal(e) is not None), None)


def _said(closing: AuditEvent) -> str:
    """ "not an incident, said the EHS lead": a setting aside in a sentence's middle."""
    words = closing_words(closing)
    return words[0].lower() + words[1:]


def read_reason(typed: str | None) -> str:
    """The reason a withdrawal form sends (as long and as readable as a decision's reason), on one line; checked as
    typed (WithdrawalFormError naming the field)."""
    typed = typed or ""
    if len(typed) > MAX_REASON_CHARS:
        raise WithdrawalFormError(f"Why: at most {MAX_REASON_CHARS} characters")
    if problem := unreadable_character(typed):
        raise WithdrawalFormError(f"Why: {problem}")
    reason = " ".join(typed.split())
    if not reason:
        raise WithdrawalFormError("Why: say why the report is withdrawn (sent by mistake, a duplicate, ...)")
    return reason


def read_ground(form: Mapping[str, str]) -> tuple[str, str | None]:
    """The ground a withdrawal form names (`ground`; none: sent by mistake) and, for a duplicate, the id of the report
    it duplicates (`duplicate_of`, as the incident's address ends); WithdrawalFormError naming the field."""
    ground = (form.get("ground") or MISTAKE).strip()
    if ground not in GROUNDS:
        raise WithdrawalFormError("What it is: choose not an incident, or a duplicate of another report")
    if ground != DUPLICATE:
        return ground, None
    typed = (form.get("duplicate_of") or "").strip().rsplit("/", 1)[-1]
    if not INCIDENT_ID.fullmatch(typed):
        raise WithdrawalFormError(
            "Duplicate of: give the id of the report it duplicates, as its address ends (inc- and 20 letters, digits)"
        )
    return ground, typed


def refusal(events: Sequence[AuditEvent], identifier: str) -> str | None:
    """Why the incident cannot be withdrawn as sent by mistake now (its record's `events`), or None when it can."""
    own = [e for e in events if e.finding_id == identifier]
    if closed := _closed(own):
        return closed
    if any(e.event_type in PLEX_EVENTS for e in own):
        return "It was sent to Plex already: the EHS lead corrects it, or withdraws the record in Plex."
    if any(e.event_type is AuditEventType.DECISION for e in own):
        return "The EHS lead decided it already: ask them to correct it on this page."
    return None


def set_aside_refusal(events: Sequence[AuditEvent], identifier: str) -> str | None:
    """Why the EHS lead cannot set the incident aside (not an incident, a duplicate) now, or None when they can:
    whatever was decided, unless it is closed already, Plex holds a record of it (`plex_holds`: any write sent, a
    correction's failed write does not take the first one out of Plex) or its confirmation is on its way to Plex."""
    own = [e for e in events if e.finding_id == identifier]
    if closed := _closed(own):
        return closed
    if plex_holds(own):
        return "Plex holds it: withdraw the record in Plex first (plexlabor writeback revert), then set it aside here."
    decisions = [e for e in own if e.event_type is AuditEventType.DECISION]
    if not decisions or decisions[-1].status is not AuditStatus.APPROVED:
        return None
    if decisions[-1].payload.get("via") != "incident_page":
        return None  # confirmed in the queue: nothing goes to Plex
    answered = [
        e
        for e in own
        if e.event_type in PLEX_EVENTS - {AuditEventType.WRITEBACK_ATTEMPT} and e.event_sk > decisions[-1].event_sk
    ]
    if not answered:
        return "Its confirmation is on its way to Plex: open it again in a minute, then set it aside."
    return None  # written in a dry run, failed, or withdrawn in Plex (and nothing earlier is held there)


def plex_holds(own: Sequence[AuditEvent]) -> bool:
    """Whether Plex holds a record of the incident whose events are `own`: a write-back was sent (not a dry run) and
    no revert (the record withdrawn in Plex) came after it. A later write that failed or was a dry run leaves the
    record an earlier write sent in Plex; a revert withdraws the incident's record, whichever write it undid."""
    plex = [
        e
        for e in own
        if e.event_type is AuditEventType.REVERT or (e.event_type is AuditEventType.WRITEBACK and e.payload.get("sent"))
    ]
    return bool(plex) and max(plex, key=lambda e: e.event_sk).event_type is AuditEventType.WRITEBACK


def _closed(own: Sequence[AuditEvent]) -> str | None:
    """Why the incident is closed already (withdrawn, set aside, replaced), or None."""
    closing = next((e for e in own if withdrawal(e) is not None), None)
    if closing is not None:
        return (
            "It was withdrawn already."
            if ground_of(closing) == MISTAKE
            else f"It was set aside already: {_said(closing)}."
        )
    if any(replaced(e) for e in own):
        return "Its reporter's corrected report replaced it already: withdraw that one, if it was sent by mistake."
    return None


def answer_id(identifier: str, newest_decision: AuditEvent | None) -> str:
    """The event id the incident's next answer takes: the first decision's (`approval.messages.Decision`'s stable id)
    while none was made, else the id of a decision replacing `newest_decision` (`service.correct_codes`). A withdrawal
    or setting aside, and a corrected resend's closing (`service.superseding_event`), take it too, so any two of them
    made at the same moment meet the audit store's conflict."""
    if newest_decision is None:
        return stable_event_id(identifier, AuditEventType.DECISION.value)
    return stable_event_id(identifier, AuditEventType.DECISION.value, newest_decision.event_id)


def withdraw(
    audit: AuditStore,
    opening_event: AuditEvent,
    *,
    by: str,
    role: str,
    reason: str,
    at: datetime,
    ground: str = MISTAKE,
    duplicate_of: AuditEvent | None = None,
) -> AuditEvent:
    """Close the incident `opening_event` records as withdrawn by `by` (`role`: a key of ROLE_WORDS) for `reason`, on
    `ground` (a key of GROUNDS; a duplicate names the opening of the live report it duplicates); WithdrawalRefused when
    it cannot be (`refusal`, or `set_aside_refusal` for the grounds of SET_ASIDE), or when a decision or another
    closing was recorded while this was."""
    identifier = str(opening_event.finding_id)
    events = audit.history(opening_event.record_key)
    check = set_aside_refusal if ground in SET_ASIDE else refusal
    refused = check(events, identifier)
    if refused is not None:
        raise WithdrawalRefused(refused)
    if ground == DUPLICATE:
        _check_duplicate(audit, identifier, duplicate_of)
    decisions = [e for e in events if e.finding_id == identifier and e.event_type is AuditEventType.DECISION]
    said = {"by": role, "reason": reason}
    if ground != MISTAKE:
        said["ground"] = ground
    if duplicate_of is not None and ground == DUPLICATE:
        said["duplicate_of"] = str(duplicate_of.finding_id)
    event = expiry_event(
        opening_event.record_key,
        identifier,
        occurred_at=at,
        actor=by,
        payload={"kind": INCIDENT_CODING, WITHDRAWN: said},
    ).model_copy(update={"event_id": answer_id(identifier, decisions[-1] if decisions else None)})
    if not append_once(audit, event):  # a decision (or another closing) took the incident's next answer first
        closed = check(audit.history(opening_event.record_key), identifier)
        raise WithdrawalRefused(closed or "Someone decided it a moment ago: open it again.")
    return event


def _check_duplicate(audit: AuditStore, identifier: str, other: AuditEvent | None) -> None:
    """A duplicate names another report that stands (WithdrawalFormError naming the field): it is the one counted."""
    if other is None or other.finding_id is None:
        raise WithdrawalFormError("Duplicate of: no such report here: name a report of this plant that stands")
    if other.finding_id == identifier:
        raise WithdrawalFormError("Duplicate of: that is this report: name the report that stands")
    if closed := _closed([e for e in audit.history(other.record_key) if e.finding_id == other.finding_id]):
        raise WithdrawalFormError(
            f"Duplicate of: that report is not counted either ({closed}) Name the one that stands"
        )
