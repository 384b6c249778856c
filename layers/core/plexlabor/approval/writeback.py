"""plex_writeback's logic: apply an approved correction, keep what it replaced, and undo it.

`apply` (one write-back-queue message):
1. idempotent: a finding that already has a `writeback` event is done;
2. the audit must show the decision: if the callback could not record it, it is recorded here from
   the message (same stable event id, so never twice);
3. a field update reads the record's current values through the labor-data port first; those are
   the `previous_values` of the `writeback` event (a value Plex already holds is not written again);
4. one write through `PlexWriter` in the configured mode (`dry_run` by default);
5. the `writeback` event: mode, path, what was sent, and `previous_values`.
Failures are never silent: a write that can never succeed (a rejected request, a record that is
gone, no path configured for direct mode) appends `writeback_failed` at once and is not retried;
anything else (Plex unavailable, throttled, the audit table busy) raises so SQS retries the message
after its visibility timeout, and the attempt that reaches `max_receive_count` appends
`writeback_failed` before raising, so the dead-letter queue and the audit table agree.

`revert`: restore a write-back's `previous_values` through the same writer and append `revert`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from plexlabor.approval.callback import decision_event
from plexlabor.approval.corrections import FieldUpdate, Suggestion, plan_correction
from plexlabor.approval.errors import NothingToRevertError, RecordNotFoundError, WritebackRefusedError
from plexlabor.approval.messages import WritebackMessage
from plexlabor.audit import (
    ApprovalAction,
    AuditConflictError,
    AuditEvent,
    AuditEventType,
    AuditStatus,
    AuditStore,
    append_once,
    format_audit_time,
    stable_event_id,
)
from plexlabor.models import TimeClockEntry
from plexlabor.models.types import parse_plex_datetime
from plexlabor.platform.clock import utc_now
from plexlabor.plex.errors import PlexDataError, PlexNotFoundError, PlexRequestError
from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.writeback import PlexWriter, WriteRequest, WriteResult
from plexlabor.validation.findings import Finding

logger = logging.getLogger(__name__)

ACTOR = "plex_writeback"
LOOKUP_MARGIN = timedelta(days=2)
MAX_ERROR_CHARS = 500
MAX_RESPONSE_CHARS = 2000

PERMANENT_ERRORS: tuple[type[Exception], ...] = (
    WritebackRefusedError,
    PlexRequestError,
    PlexNotFoundError,
    PlexDataError,
    KeyError,
)
"""Errors a retry cannot fix. Everything else (throttling, 5xx, timeouts, connection and auth
failures, a busy audit table) is retried by SQS and, after the last attempt, dead-lettered."""

_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

Outcome = Literal["written", "already_written", "already_applied", "refused"]


@dataclass(frozen=True)
class WritebackOutcome:
    outcome: Outcome
    event: AuditEvent | None = None


def _time_hints(finding: Finding) -> list[datetime]:
    values = [*finding.evidence.values(), *(finding.suggested_correction or {}).values()]
    hints = []
    for value in values:
        if isinstance(value, str) and _ISO_TIME.match(value):
            try:
                hints.append(parse_plex_datetime(value))
            except ValueError:
                continue
    return [hint for hint in hints if isinstance(hint, datetime)]


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, str) and isinstance(wanted, str) and _ISO_TIME.match(current) and _ISO_TIME.match(wanted):
        try:
            return parse_plex_datetime(current) == parse_plex_datetime(wanted)
        except ValueError:
            return False
    return bool(current == wanted)


def _brief(response: Any) -> Any:
    """Keep a small JSON answer in the audit payload; drop a large or odd one."""
    if isinstance(response, dict | list | str | int | float | bool) or response is None:
        try:
            return response if len(json.dumps(response)) <= MAX_RESPONSE_CHARS else "(omitted: large)"
        except (TypeError, ValueError):
            return "(omitted)"
    return "(omitted)"


def _result_payload(result: WriteResult) -> dict[str, Any]:
    return {
        "mode": result.mode,
        "method": result.method,
        "path": result.path,
        "sent": result.sent,
        "status": result.status,
        "idempotency_key": result.idempotency_key,
        "response": _brief(result.response),
    }


@dataclass
class WritebackService:
    audit: AuditStore
    writer: PlexWriter
    plex: LaborDataPort
    max_receive_count: int = 5
    clock: Callable[[], datetime] = utc_now

    # -- apply ------------------------------------------------------------------------------------
    def apply(self, message: WritebackMessage, *, message_id: str, receive_count: int = 1) -> WritebackOutcome:
        finding, decision = message.request.finding, message.decision
        history = [e for e in self.audit.history(finding.record_key) if e.finding_id == finding.finding_id]
        done = [e for e in history if e.event_type is AuditEventType.WRITEBACK]
        if done:
            logger.info("already written back", extra={"finding_id": finding.finding_id})
            return WritebackOutcome("already_written", done[-1])
        try:
            if decision.action is not ApprovalAction.APPROVE:
                raise WritebackRefusedError(f"the decision was '{decision.action.value}', not approve")
            if not any(e.event_type is AuditEventType.DECISION for e in history):
                logger.warning(
                    "decision missing from the audit; recording it", extra={"finding_id": finding.finding_id}
                )
                append_once(self.audit, decision_event(finding, decision, self.clock(), None))
            event = self._write(message)
        except PERMANENT_ERRORS as error:
            logger.error("write-back refused", extra={"finding_id": finding.finding_id, "error": type(error).__name__})
            failed = self._failure_event(message, error, message_id, receive_count, retryable=False)
            append_once(self.audit, failed)
            return WritebackOutcome("refused", failed)
        except Exception as error:
            if receive_count >= self.max_receive_count:
                logger.error(
                    "write-back failed on the last attempt; the message goes to the dead-letter queue",
                    extra={"finding_id": finding.finding_id, "attempts": receive_count},
                )
                try:
                    append_once(self.audit, self._failure_event(message, error, message_id, receive_count, True))
                except Exception:
                    logger.exception("writeback_failed not recorded", extra={"finding_id": finding.finding_id})
            raise
        return WritebackOutcome("already_applied" if event.payload.get("already_applied") else "written", event)

    def _write(self, message: WritebackMessage) -> AuditEvent:
        finding = message.request.finding
        plan = plan_correction(finding, message.decision)
        key = f"plexlabor-writeback-{finding.finding_id}"
        if isinstance(plan, Suggestion):
            result = self.writer.record(plan.record, idempotency_key=key, reference=finding.finding_id)
            return self._append_writeback(message, {"kind": "suggestion", **_result_payload(result)}, {})

        current, unread = self._current_values(plan, finding)
        previous = {name: current.get(name) for name in plan.fields}
        target = {"action": plan.action, "path_params": plan.path_params}
        if all(_same(current.get(name), value) for name, value in plan.fields.items()):
            # Plex already holds these values: an earlier attempt landed, or someone fixed it by hand.
            return self._append_writeback(
                message,
                {
                    "kind": "field_update",
                    "target": target,
                    "fields": plan.fields,
                    "already_applied": True,
                    "sent": False,
                    "mode": self.writer.mode,
                },
                {},
            )
        result = self.writer.write(
            WriteRequest(
                action=plan.action,
                path_params=plan.path_params,
                payload=plan.fields,
                idempotency_key=key,
                reference=finding.finding_id,
            )
        )
        payload = {"kind": "field_update", "target": target, "fields": plan.fields, "unread_fields": unread}
        return self._append_writeback(message, payload | _result_payload(result), previous)

    def _current_values(self, plan: FieldUpdate, finding: Finding) -> tuple[dict[str, Any], list[str]]:
        """The record's current values (Plex's camelCase JSON) and the correction fields the
        client's model does not carry (recorded as unknown: None)."""
        if plan.resource != TimeClockEntry.resource:
            raise WritebackRefusedError(f"cannot read {plan.resource} records before writing")
        hints = _time_hints(finding)
        if not hints or not finding.employee_id:
            raise RecordNotFoundError(f"{finding.record_key}: no employee or time to look the record up by")
        entries = self.plex.time_clock_entries(
            min(hints) - LOOKUP_MARGIN, max(hints) + LOOKUP_MARGIN, employee_id=finding.employee_id
        )
        entry = next((e for e in entries if e.id == plan.record_id), None)
        if entry is None:
            raise RecordNotFoundError(f"{finding.record_key} was not found in Plex")
        current = entry.to_plex()
        return current, sorted(name for name in plan.fields if name not in current)

    def _append_writeback(
        self, message: WritebackMessage, payload: dict[str, Any], previous: dict[str, Any]
    ) -> AuditEvent:
        finding = message.request.finding
        event = self._event(
            message,
            AuditEventType.WRITEBACK,
            AuditStatus.WRITTEN,
            model_version=finding.model_version,
            payload={"anomaly_type": finding.anomaly_type.value, **payload},
            previous_values=previous,
        )
        append_once(self.audit, event)
        logger.info(
            "written back",
            extra={"finding_id": finding.finding_id, "mode": payload.get("mode"), "sent": payload.get("sent")},
        )
        return event

    def _failure_event(
        self, message: WritebackMessage, error: BaseException, message_id: str, attempts: int, retryable: bool
    ) -> AuditEvent:
        return self._event(
            message,
            AuditEventType.WRITEBACK_FAILED,
            AuditStatus.WRITE_FAILED,
            message_id,
            payload={
                "error": type(error).__name__,
                "message": str(error)[:MAX_ERROR_CHARS],
                "attempts": attempts,
                "retryable": retryable,
                "dead_lettered": retryable,
                "mode": self.writer.mode,
            },
        )

    def _event(
        self, message: WritebackMessage, kind: AuditEventType, status: AuditStatus, *id_parts: str, **fields: Any
    ) -> AuditEvent:
        """An event of this function about the message's finding, its id stable on `id_parts`."""
        finding = message.request.finding
        return AuditEvent(
            record_key=finding.record_key,
            event_id=stable_event_id(finding.finding_id, kind.value, *id_parts),
            event_type=kind,
            status=status,
            occurred_at=self.clock(),
            actor=ACTOR,
            finding_id=finding.finding_id,
            supervisor_id=message.decision.supervisor_id,
            employee_id=finding.employee_id,
            **fields,
        )

    # -- revert -----------------------------------------------------------------------------------
    def revert(self, finding_id: str, *, actor: str) -> AuditEvent:
        """Restore the previous values of a finding's write-back; return the `revert` event.
        Raises NothingToRevertError (with the reason) when there is nothing to undo."""
        located = self.audit.for_finding(finding_id)
        if not located:
            raise NothingToRevertError(f"no audit events for finding {finding_id}")
        history = [e for e in self.audit.history(located[0].record_key) if e.finding_id == finding_id]
        writebacks = [e for e in history if e.event_type is AuditEventType.WRITEBACK]
        if not writebacks:
            latest = history[-1] if history else located[-1]
            raise NothingToRevertError(
                f"finding {finding_id} has no write-back (latest event: {latest.event_type.value}, "
                f"status {latest.status.value})"
            )
        written = writebacks[-1]
        reverted = [
            e for e in history if e.event_type is AuditEventType.REVERT and e.occurred_at >= written.occurred_at
        ]
        if reverted:
            raise NothingToRevertError(
                f"finding {finding_id} was already reverted at {format_audit_time(reverted[-1].occurred_at)} "
                f"by {reverted[-1].actor}"
            )
        payload = written.payload
        if payload.get("kind") != "field_update" or not written.previous_values:
            why = (
                "Plex already held the corrected values, so nothing was replaced"
                if payload.get("already_applied")
                else "it wrote a suggestion record and replaced no Plex value"
            )
            raise NothingToRevertError(f"finding {finding_id}: nothing to revert: {why}")
        if not payload.get("sent"):
            raise NothingToRevertError(f"finding {finding_id}: the write-back was a dry run; Plex was not changed")
        if payload.get("mode") != self.writer.mode:
            raise NothingToRevertError(
                f"finding {finding_id} was written in {payload.get('mode')} mode but the writer is in "
                f"{self.writer.mode} mode; set PLEXLABOR_PLEX_WRITE_MODE={payload.get('mode')} to revert it"
            )
        target = payload["target"]
        result = self.writer.write(
            WriteRequest(
                action=target["action"],
                path_params=target["path_params"],
                payload=written.previous_values,
                idempotency_key=f"plexlabor-revert-{written.event_id}",
                reference=finding_id,
            )
        )
        event = AuditEvent(
            record_key=written.record_key,
            event_id=stable_event_id(finding_id, AuditEventType.REVERT.value, written.event_id),
            event_type=AuditEventType.REVERT,
            status=AuditStatus.REVERTED,
            occurred_at=self.clock(),
            actor=actor,
            finding_id=finding_id,
            employee_id=written.employee_id,
            payload={
                "reverted_event_id": written.event_id,
                "restored": written.previous_values,
                **_result_payload(result),
            },
            previous_values=payload.get("fields") or {},
        )
        try:
            self.audit.append(event)
        except AuditConflictError:
            raise NothingToRevertError(f"finding {finding_id} was already reverted") from None
        return event
