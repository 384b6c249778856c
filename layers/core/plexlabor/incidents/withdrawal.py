"""Withdrawing a report sent by mistake: its reporter (or the EHS lead, or an admin) closes it, with a reason, before
anyone decided it and before any write to Plex.

The withdrawal is the incident's `expired` event (`audit.events.expiry_event`: the id the corrected resend's closing
has too, so an incident is closed once, by whichever comes first), its payload naming who withdrew it in role words
and why (`WITHDRAWN`). It closes the incident's review queue item (the queue reads an `expired` event as closing), the
incident list shows it as withdrawn (`listing.Standing.RETRACTED`), the trends do not count it and it is no training
row. After a decision (confirmed on the incident's page, or answered in the review queue), a write to Plex, a
replacement by the reporter's corrected report or an earlier withdrawal, it is refused with the reason
(`WithdrawalRefused`: the web app's 409), nothing recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from plexlabor.approval.messages import MAX_REASON_CHARS
from plexlabor.approval.recommendations import INCIDENT_CODING
from plexlabor.audit import AuditEvent, AuditEventType, AuditStore, append_once
from plexlabor.audit.events import expiry_event, replaced
from plexlabor.platform.text import unreadable_character

WITHDRAWN = "withdrawn"
"""The key of the closing `expired` event's payload: `{"by": a key of ROLE_WORDS, "reason": the reason}`."""
ROLE_WORDS = {"reporter": "its reporter", "ehs": "the EHS lead", "admin": "an admin"}
"""Who withdrew a report, as the page and the list say it ("Withdrawn by its reporter at …")."""
PLEX_EVENTS = frozenset(
    {AuditEventType.WRITEBACK, AuditEventType.WRITEBACK_ATTEMPT, AuditEventType.WRITEBACK_FAILED, AuditEventType.REVERT}
)


class WithdrawalRefused(Exception):
    """The report can no longer be withdrawn (decided, written to Plex, replaced, withdrawn): the message says why."""


class WithdrawalFormError(ValueError):
    """A withdrawal whose reason is missing or unreadable; the message names the field."""


def withdrawal(event: AuditEvent) -> dict[str, Any] | None:
    """What a withdrawal's closing says (`{"by": ..., "reason": ...}`), or None when `event` is not one."""
    found = event.payload.get(WITHDRAWN) if event.event_type is AuditEventType.EXPIRED else None
    return dict(found) if isinstance(found, dict) else None


def called_back(event: AuditEvent) -> bool:
    """Whether `event` closed an incident its reporter took back: replaced by their corrected report, or withdrawn.
    Such a report is not counted in the trends nor learnt from, and a resend does not replace it again."""
    return replaced(event) or withdrawal(event) is not None


def withdrawn_words(event: AuditEvent) -> str:
    """ "its reporter", "the EHS lead" or "an admin": who withdrew the report, as people read it."""
    return ROLE_WORDS.get(str((withdrawal(event) or {}).get("by")), "someone")


def withdrawal_of(events: Sequence[AuditEvent], identifier: str) -> AuditEvent | None:
    """The incident's withdrawal among its record's events, or None."""
    return next((e for e in events if e.finding_id == identifier and withdrawal(e) is not None), None)


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


def refusal(events: Sequence[AuditEvent], identifier: str) -> str | None:
    """Why the incident cannot be withdrawn now (its record's `events`), or None when it can."""
    own = [e for e in events if e.finding_id == identifier]
    if any(withdrawal(e) is not None for e in own):
        return "It was withdrawn already."
    if any(replaced(e) for e in own):
        return "Its reporter's corrected report replaced it already: withdraw that one, if it was sent by mistake."
    if any(e.event_type in PLEX_EVENTS for e in own):
        return "It was sent to Plex already: the EHS lead corrects it, or withdraws the record in Plex."
    if any(e.event_type is AuditEventType.DECISION for e in own):
        return "The EHS lead decided it already: ask them to correct it on this page."
    return None


def withdraw(
    audit: AuditStore, opening_event: AuditEvent, *, by: str, role: str, reason: str, at: datetime
) -> AuditEvent:
    """Close the incident `opening_event` records as withdrawn by `by` (`role`: a key of ROLE_WORDS) for `reason`;
    WithdrawalRefused when it cannot be (`refusal`), or when something closed it while this was recorded."""
    identifier = str(opening_event.finding_id)
    refused = refusal(audit.history(opening_event.record_key), identifier)
    if refused is not None:
        raise WithdrawalRefused(refused)
    event = expiry_event(
        opening_event.record_key,
        identifier,
        occurred_at=at,
        actor=by,
        payload={"kind": INCIDENT_CODING, WITHDRAWN: {"by": role, "reason": reason}},
    )
    if not append_once(audit, event):  # the corrected resend's closing (the same id) came first
        closed = refusal(audit.history(opening_event.record_key), identifier)
        raise WithdrawalRefused(closed or "It was closed already.")
    return event
