"""Publishing to the audit table once: the one loop behind every capability that records suggestions.

A capability (crew plans, skills alerts, forecast alerts) turns its result into audit events with
deterministic ids and hands them, or the callables that build them, to `publish_once`:
- an event whose id is already recorded (a retried Lambda, a second run the same day) meets
  `AuditConflictError` and is counted in `already_published`, never recorded twice;
- a builder that raises `ValidationError` (an id the audit table refuses: whitespace, `@`, `#`) is
  counted once in `invalid` and skipped, with every event it would have built;
- `AuditUnavailableError` (throttling, an outage) propagates: the caller retries the whole run, and the
  deterministic ids make that safe.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from plexlabor.audit.errors import AuditConflictError
from plexlabor.audit.events import AuditEvent, AuditStatus
from plexlabor.audit.store import AuditStore
from plexlabor.platform.pilot import Hold, PilotScope, Place

logger = logging.getLogger(__name__)

EventBuilder = Callable[[], AuditEvent | Iterable[AuditEvent]]
"""Builds one event, or several that stand or fall together (one `invalid` if any cannot be built)."""


def review_status(
    review: bool, scope: PilotScope, kind: str, place: Place | None = None
) -> tuple[AuditStatus, Hold | None]:
    """The status a suggestion of `kind` at `place` is published with: `pending_approval` when it
    wants `review` and the pilot scope lets it go (the review queue), else `logged`; and why the
    scope held it back, if it did (its `Hold.payload()` goes into the event's payload)."""
    if not review:
        return AuditStatus.LOGGED, None
    held = scope.hold(kind, place)
    return (AuditStatus.LOGGED, held) if held else (AuditStatus.PENDING_APPROVAL, None)


@dataclass
class PublishResult:
    published: int = 0
    already_published: int = 0
    invalid: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    """Events published, by their status (`logged`, `pending_approval`)."""
    by_kind: Counter[str] = field(default_factory=Counter)
    """Events published, by `payload["kind"]` (events without one are not counted here)."""

    def as_dict(self) -> dict[str, int]:
        """The three counts, for a run's summary."""
        return {"published": self.published, "already_published": self.already_published, "invalid": self.invalid}


def append_once(store: AuditStore, event: AuditEvent) -> bool:
    """Append `event`; False when its (stable) event id is already recorded (a redelivery, a rerun)."""
    try:
        store.append(event)
    except AuditConflictError:
        logger.debug("audit event already recorded", extra={"event_type": event.event_type.value})
        return False
    return True


def _build(item: AuditEvent | EventBuilder) -> list[AuditEvent]:
    built = item if isinstance(item, AuditEvent) else item()
    return [built] if isinstance(built, AuditEvent) else list(built)


def publish_once(store: AuditStore, events: Iterable[AuditEvent | EventBuilder]) -> PublishResult:
    """Append each event once, in order; count what was new, already there, or could not be built."""
    result = PublishResult()
    for item in events:
        try:
            batch = _build(item)
        except ValidationError:
            result.invalid += 1
            continue
        for event in batch:
            if not append_once(store, event):
                result.already_published += 1
                continue
            result.published += 1
            result.by_status[event.status.value] += 1
            if "kind" in event.payload:
                result.by_kind[str(event.payload["kind"])] += 1
    return result
