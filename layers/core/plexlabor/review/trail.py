"""An item's trail, as the audit table holds it: found, mailed (to whom, the link valid until when),
escalated, decided, written to Plex (or the write failed, with its reason, or a dry run), reverted,
expired; one line each, oldest first, for the item page (ux119 #7).

People and times are named as the page's `display.Reader` names them; a write-back's words say what Plex
got (a custom-object record, the record itself, nothing in a dry run), as the incident page's "In Plex" does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from plexlabor.approval.display import Reader, parse_time, producer
from plexlabor.approval.pages import replaced_words, what_happened, withdrawn_words
from plexlabor.approval.recommendations import CREW_ASSIGNMENT, INCIDENT_CODING, UNALLOCATED_TIME
from plexlabor.audit import AuditEvent, AuditEventType
from plexlabor.audit.events import replaced
from plexlabor.review.edits import decision_values

MAX_REASON_CHARS = 200
"""A failed write's reason is cut here on the page (the audit keeps it whole)."""


@dataclass(frozen=True)
class Step:
    when: str
    """Plant time, as the reader shows times."""
    what: str
    kind: str
    """The audit event type (the page's class for the line)."""


def trail(events: Iterable[AuditEvent], item_id: str, reader: Reader) -> list[Step]:
    """The item's events in words, oldest first; events that say nothing to a person (a write about to be
    sent) are left out."""
    steps = []
    for event in sorted((e for e in events if e.finding_id == item_id), key=lambda e: e.occurred_at):
        words = _WORDS.get(event.event_type)
        what = words(event, reader) if words else None
        if what:
            steps.append(Step(reader.time(event.occurred_at), what, event.event_type.value))
    return steps


def _opened(event: AuditEvent, reader: Reader) -> str:
    if event.payload.get("kind") == INCIDENT_CODING:
        return f"Reported by {reader.person(event.actor)}; codes proposed by {producer(event.model_version)}."
    verb = "Found" if event.event_type is AuditEventType.FINDING else "Suggested"
    sent = " and sent for review" if event.status.value == "pending_approval" else " (logged, not sent for review)"
    return f"{verb} by {producer(event.model_version)}{sent}."


def _notified(event: AuditEvent, reader: Reader) -> str:
    payload = event.payload
    recipient = str(payload.get("recipient") or event.supervisor_id or "")
    stage = " (escalated)" if payload.get("stage") == "escalated" else ""
    until = payload.get("link_expires_at")
    expires = parse_time(str(until)) if until else None
    link = f"; its link valid until {reader.time(expires)}" if expires else ""
    how = "Mailed with an approval link" if expires else "In the e-mail notice"
    return f"{how} to {reader.person(recipient)}{stage}{link}."


def _escalated(event: AuditEvent, reader: Reader) -> str:
    earlier = event.payload.get("from_supervisor_id")
    waited = f" (no decision by {reader.person(str(earlier))} in time)" if earlier else ""
    return f"Escalated to {reader.person(event.supervisor_id)}{waited}."


WRITTEN_AS = {
    "suggestion": "as a suggestion record for a person or a Process Flow to act on",
    "field_update": "to the record itself",
    UNALLOCATED_TIME: "as a new labor entry",
    CREW_ASSIGNMENT: "as an assignment record",
    INCIDENT_CODING: "as an incident record",
}
"""What Plex got, per `writeback` payload kind, when the write was sent."""


def _written(event: AuditEvent, reader: Reader) -> str:
    payload = event.payload
    if payload.get("already_applied"):
        return "Plex already held these values: recorded as written, nothing sent again."
    if not payload.get("sent"):
        return "Dry run: nothing was sent to Plex (the write mode is dry run); what would have been sent is kept here."
    kind, mode = payload.get("kind"), str(payload.get("mode") or "")
    if mode == "custom_object" and kind in ("field_update", UNALLOCATED_TIME):  # PlexWriter makes it a suggestion
        kind = "suggestion"
    status = f", Plex answered {payload['status']}" if payload.get("status") else ""
    written_as = f" {WRITTEN_AS[str(kind)]}" if str(kind) in WRITTEN_AS else ""
    return f"Written to Plex{written_as} ({mode.replace('_', ' ')} mode{status})."


def _failed(event: AuditEvent, reader: Reader) -> str:
    payload = event.payload
    reason = str(payload.get("message") or payload.get("error") or "no reason recorded")[:MAX_REASON_CHARS]
    again = " It was tried again until the retries ran out." if payload.get("dead_lettered") else ""
    return f"The write to Plex failed: {reason}.{again} Nothing was changed in Plex by it."


def _decided(event: AuditEvent, reader: Reader) -> str:
    """Who decided, and for an approval that set the record's fields, which values (ux_s17 H1: "Clock-out set to
    Tue 2026-11-24 14:40 EST (suggested 14:42)")."""
    said = what_happened(event, reader).replace(f" on {reader.time(event.occurred_at)}", "")
    values = decision_values(event, reader)
    return f"{said} {values}." if values else said


def _expired(event: AuditEvent, reader: Reader) -> str:
    if withdrawn := withdrawn_words(event, reader):  # taken back by its reporter: nothing for anyone to follow up
        return f"{withdrawn.rstrip('.')}."
    if replaced(event) and event.payload.get("kind") == INCIDENT_CODING:  # it may have been written before
        return f"{replaced_words(event, reader)}: no longer confirmed or written to Plex."
    if replaced(event):  # not for anyone to enter by hand: the re-plan's own suggestions took its place
        return f"{replaced_words(event, reader)}, before anyone decided it: nothing was written to Plex for it."
    return "Expired before anyone decided it: nothing was written to Plex."


_WORDS: dict[AuditEventType, Callable[[AuditEvent, Reader], str | None]] = {
    AuditEventType.FINDING: _opened,
    AuditEventType.RECOMMENDATION: _opened,
    AuditEventType.NOTIFICATION: _notified,
    AuditEventType.ESCALATED: _escalated,
    AuditEventType.APPROVAL_FAILED: lambda e, r: "The e-mail asking for a decision could not be sent.",
    AuditEventType.DECISION: _decided,
    AuditEventType.WRITEBACK: _written,
    AuditEventType.WRITEBACK_FAILED: _failed,
    AuditEventType.REVERT: lambda e, r: f"Reverted in Plex by {r.person(e.actor)}.",
    AuditEventType.EXPIRED: _expired,
}
