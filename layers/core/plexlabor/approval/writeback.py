"""plex_writeback's logic: apply an approved correction, keep what it replaced, and undo it.

`apply` (one write-back-queue message):
1. idempotent: a finding that already has a `writeback` event of this decision is done (an incident the
   EHS lead corrects later is decided again: each decision is written once, and only the newest is written);
2. the audit must show the decision: if the callback could not record it, it is recorded here from
   the message (same stable event id, so never twice);
3. a field update reads the record's current values through the labor-data port first; those are
   the `previous_values` of the `writeback` event (a value Plex already holds is not written again);
4. one write through `PlexWriter` in the configured mode (`dry_run` by default); a `direct` field
   update first appends `writeback_attempt` with the values read in step 3, so if its answer is lost
   after Plex applied it (a read timeout), the retry, finding the new values already in Plex, records
   the write-back with the values they replaced instead of none;
5. the `writeback` event: mode, path, what was sent, and `previous_values`.
Every record written carries the approval it carries out (`approval.approved.approval_columns` of the decision in
step 2: who, when, the reason, the item and its model version), whatever its kind and write mode; a `direct` write to
a Plex resource sends Plex's own body and keeps them in the `writeback` event's `approval`.
Failures are never silent: a write that can never succeed (a rejected request, a record that is
gone, no path configured for direct mode) appends `writeback_failed` at once and is not retried;
anything else (Plex unavailable, throttled, the audit table busy) raises so SQS retries the message
after its visibility timeout, and the attempt that reaches `max_receive_count` first looks the record
up when a direct field update was sent (its answer may be lost after Plex applied it): if Plex holds
the values, the `writeback` is recorded (with the values its `writeback_attempt` kept) and the message
is done; otherwise it appends `writeback_failed` before raising, so the dead-letter queue and the
audit table agree.

`revert`: restore a write-back's `previous_values` through the same writer and append `revert`.

An approved crew removal (`crew_removal`: the person of an accepted seat called off, `plexlabor.crew.removals`)
posts the `withdrawn` record a revert posts (`_withdrawn`) for the assignment it removes, in the write mode of the
day (`dry_run` by default), its `writeback` event naming the assignment's item and write-back; refused (as a revert
is) when the assignment was written in another write mode (`_other_mode`: a dry-run assignment never reached Plex),
when it was closed before it was written (`_refuse_closed_removal`: superseded by a re-plan, expired), and when
another removal of the seat carries it out (`_refuse_removed_elsewhere`: one `withdrawn` per assignment).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from plexlabor.approval.approved import approval_columns
from plexlabor.approval.callback import decision_event
from plexlabor.approval.corrections import FieldUpdate, Suggestion, plan_correction
from plexlabor.approval.errors import (
    CLOSED_ALREADY,
    REMOVED_ALREADY,
    WITHDRAWN_ALREADY,
    NothingToRevertError,
    RecordNotFoundError,
    WritebackRefusedError,
)
from plexlabor.approval.messages import Decision, RecommendationWriteback, WritebackMessage
from plexlabor.approval.recommendations import (
    CREW_ASSIGNMENT,
    CREW_REMOVAL,
    INCIDENT_CODING,
    NONCONFORMANCE_ACTION,
    UNALLOCATED_TIME,
    WRITABLE_KINDS,
    Recommended,
    assignment_record,
    incident_record,
    nonconformance_record,
    recommendation_decision,
)
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
from plexlabor.audit.events import replaced, withdrawal
from plexlabor.models import LaborEntry, TimeClockEntry
from plexlabor.models.types import parse_plex_datetime
from plexlabor.platform.clock import utc_now
from plexlabor.plex.errors import PlexDataError, PlexNotFoundError, PlexRequestError
from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.writeback import PlexWriter, WriteKeys, WriteRequest, WriteResult
from plexlabor.validation.findings import Finding

logger = logging.getLogger(__name__)

ACTOR = "plex_writeback"
LOOKUP_MARGIN = timedelta(days=2)
LABOR_ENTRY_LOOKBACK = timedelta(hours=16)
"""How long before an unallocated stretch a labor entry covering it may have started: one shift of up to
12 h and 4 h of overtime. Plex's labor-entries read has no employee filter (`docs/plex-integration.md`), so
its window is what keeps the read small: the stretch and this much before it, not days of the plant."""
LABOR_ENTRY_ACTION = "labor-entry-create"
"""The logical resource an approved unallocated stretch's labor entry is POSTed to (`PlexSettings.resource_paths`)."""
INDIRECT_LABOR_RECORD = "indirect-labor-entry"
"""The `action` of the suggestions custom object's record of unallocated time coded to an indirect code."""
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


class AssignmentNotWrittenError(Exception):
    """A removal's assignment has no write-back yet (its message is on its way): retried by SQS, not refused."""


def _withdrawn(written: AuditEvent, status: str = "withdrawn") -> dict[str, Any]:
    """The custom-object record a write-back posted, with another `status`: what a revert of it posts, and an
    approved crew removal."""
    return {**written.payload["record"], "status": status}


@dataclass(frozen=True)
class WritebackOutcome:
    outcome: Outcome
    event: AuditEvent | None = None


def _reason(error: BaseException) -> dict[str, str]:
    """A refusal's reason code (`refused_because`) and its facts, for the `writeback_failed` payload; {}: none."""
    if isinstance(error, WritebackRefusedError) and error.because:
        return {**error.facts, "refused_because": error.because}
    return {}


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


def _applied_after_all(look_up: Callable[[], AuditEvent | None] | None, subject: _Subject) -> AuditEvent | None:
    """What `look_up` found and recorded (the write landed; its answer was lost), or None, also when
    the look-up itself fails: then the failure is recorded as it would have been."""
    if look_up is None:
        return None
    try:
        found = look_up()
    except Exception:
        logger.exception("write not looked up on the last attempt", extra={"finding_id": subject.item_id})
        return None
    if found is not None:
        logger.warning(
            "the last attempt's answer was lost, but Plex holds the write", extra={"finding_id": subject.item_id}
        )
    return found


def _item_keys(item_id: str, revision: str | None = None) -> WriteKeys:
    """A decided item's write-back: one idempotency key per item and decision (a redelivery writes nothing
    twice; a later decision, `revision`, is a write of its own)."""
    key = f"plexlabor-writeback-{item_id}" + (f"-{revision}" if revision else "")
    return {"idempotency_key": key, "reference": item_id}


def _refuse_closed(history: list[AuditEvent], item_id: str) -> None:
    """WritebackRefusedError (recorded, nothing written) for an incident closed since it was confirmed: withdrawn, set
    aside by the EHS lead or replaced by its reporter's corrected report (review_s13 #3: a redriven or queued message
    wrote a report set aside as not an incident to Plex)."""
    closing = next((e for e in history if e.finding_id == item_id and (replaced(e) or withdrawal(e))), None)
    if closing is None:
        return
    said = withdrawal(closing) or {}
    how = f"withdrawn ({said.get('ground') or 'sent by mistake'}: {said.get('reason')})" if said else "replaced"
    at = format_audit_time(closing.occurred_at)
    raise WritebackRefusedError(f"the report was {how} by {closing.actor} at {at}: nothing written to Plex")


def _refuse_closed_removal(record: list[AuditEvent], item_id: str) -> None:
    """WritebackRefusedError (`CLOSED_ALREADY`, recorded, nothing written) for the crew removal `item_id` when its
    history holds a closing, whatever its order with the approval: superseded by a re-plan (its person back on the
    shift: the call-off undone, a clock-in, the leave gone) or expired undecided (review_s14 #5: an approval from the
    queue, which reads the item through an index that lags the re-plan's closing, was recorded beside it, and the
    assignment of a person back at work was withdrawn from Plex). The incidents' guard is `_refuse_closed`."""
    closing = next((e for e in record if e.finding_id == item_id and e.event_type is AuditEventType.EXPIRED), None)
    if closing is None:
        return
    at = format_audit_time(closing.occurred_at)
    if replaced(closing):
        after = closing.payload.get("replaced_after")
        how = f"closed by the re-plan at {at}" + (f" ({after})" if after else "")
    else:
        how = f"expired undecided at {at}"
    raise WritebackRefusedError(
        f"the removal was {how} before it was written: the assignment stays in Plex; nothing written",
        because=CLOSED_ALREADY,
        closed_at=at,
        closed_by=closing.actor,
    )


def _refuse_removed_elsewhere(record: list[AuditEvent], item_id: str, removes: str) -> None:
    """WritebackRefusedError (recorded, nothing written) for the crew removal `item_id` of the assignment `removes`
    when the crew board sent it again (a removal naming it `retry_of`: the retry writes it), or when another removal
    of the assignment was written and not reverted (`REMOVED_ALREADY`): one `withdrawn` per assignment whichever path
    runs (review_s14 #1: a removal dead-lettered after Plex was unreachable read "refused" on the board, which sent
    it again; the retry written and the dead-letter queue redriven, `withdrawn` was posted twice). `record`: the
    assignment's Plex record's history, which holds its removals, their write-backs and reverts."""
    retries = (e for e in record if e.event_type is AuditEventType.RECOMMENDATION and e.payload.get("retry_of"))
    retry = next((e for e in retries if e.payload["retry_of"] == item_id), None)
    if retry is not None:
        raise WritebackRefusedError(
            f"the removal was sent again from the crew board by {retry.actor} at {format_audit_time(retry.occurred_at)}"
            f" ({retry.finding_id or retry.event_id}), which writes it: nothing written"
        )
    undone = {e.payload.get("reverted_event_id") for e in record if e.event_type is AuditEventType.REVERT}
    done = next(
        (
            e
            for e in record
            if e.event_type is AuditEventType.WRITEBACK
            and e.payload.get("kind") == CREW_REMOVAL
            and e.payload.get("removes") == removes
            and e.finding_id != item_id
            and e.event_id not in undone
        ),
        None,
    )
    if done is not None:
        raise WritebackRefusedError(
            f"assignment {removes} was removed from Plex already by removal {done.finding_id} (written at "
            f"{format_audit_time(done.occurred_at)}): nothing written",
            because=REMOVED_ALREADY,
            removed_by=str(done.finding_id),
        )


def _stretch(entry: dict[str, Any]) -> tuple[datetime, datetime]:
    """The start and end of a labor or indirect entry to write (Plex's UTC form); refused when they do not parse."""
    start, end = (parse_plex_datetime(entry[name]) for name in ("startTime", "endTime"))
    if not (isinstance(start, datetime) and isinstance(end, datetime)):
        raise WritebackRefusedError("the entry's times do not parse: nothing written")
    return start, end


def _result_payload(result: WriteResult) -> dict[str, Any]:
    return {
        "mode": result.mode,
        "method": result.method,
        "path": result.path,
        "sent": result.sent,
        "status": result.status,
        "idempotency_key": result.idempotency_key,
        "response": _brief(result.response),
        **({"approval": result.approval} if result.approval else {}),
    }


@dataclass(frozen=True)
class _Subject:
    """What a write-back is about: a finding's or a recommendation's record, item and decider."""

    record_key: str
    item_id: str
    employee_id: str | None
    decision: Decision
    revision: str | None = None
    """The later decision this write carries out (`RecommendationWriteback.decision_id`); None: the first."""
    kind: str | None = None
    """A recommendation's kind (`AuditEvent.kind` of its opening), put on its `writeback_failed` so the kind index
    holds the failure beside the item's other events; None for a finding."""


@dataclass
class WritebackService:
    audit: AuditStore
    writer: PlexWriter
    plex: LaborDataPort
    max_receive_count: int = 5
    clock: Callable[[], datetime] = utc_now

    # -- apply ------------------------------------------------------------------------------------
    def apply(
        self, message: WritebackMessage | RecommendationWriteback, *, message_id: str, receive_count: int = 1
    ) -> WritebackOutcome:
        """Write one approved item (a finding's correction, a crew assignment, a confirmed incident) to Plex, once."""
        if isinstance(message, RecommendationWriteback):
            return self._apply_recommendation(message, message_id, receive_count)
        finding = message.request.finding
        subject = _Subject(finding.record_key, finding.finding_id, finding.employee_id, message.decision)
        return self._guarded(
            subject,
            lambda: decision_event(finding, message.decision, self.clock(), None),
            lambda approval: self._write(message, approval),
            message_id,
            receive_count,
            look_up=lambda: self._look_up(message),
        )

    def _apply_recommendation(
        self, message: RecommendationWriteback, message_id: str, receive_count: int
    ) -> WritebackOutcome:
        events = self.audit.for_finding(message.item_id)
        opening = next((e for e in events if e.event_type is AuditEventType.RECOMMENDATION), None)
        if opening is None or opening.payload.get("kind") not in WRITABLE_KINDS:
            # No record to hang an audit event on: say so in the log, and do not retry.
            logger.error("no written recommendation with this id", extra={"item_id": message.item_id})
            return WritebackOutcome("refused")
        subject = _Subject(
            opening.record_key,
            message.item_id,
            opening.employee_id,
            message.decision,
            message.decision_id,
            opening.kind,
        )
        return self._guarded(
            subject,
            lambda: recommendation_decision(Recommended.of(opening), message.decision, self.clock(), "writeback"),
            lambda approval: self._write_record(opening, message.decision, approval, message.decision_id),
            message_id,
            receive_count,
        )

    def _guarded(
        self,
        subject: _Subject,
        decision: Callable[[], AuditEvent],
        write: Callable[[dict[str, Any]], AuditEvent],
        message_id: str,
        receive_count: int,
        look_up: Callable[[], AuditEvent | None] | None = None,
    ) -> WritebackOutcome:
        """`write` once per decision, after the audit shows the approval (`decision` builds it when missing), with
        that decision's `approval_columns` (who approved it, when, why: every record written carries them);
        the item's newest decision judges (a message of a decision a later one replaced writes nothing: the
        later one's own message writes it); a permanent failure is recorded at once, a transient one on the
        last attempt, unless `look_up` finds that Plex applied the write all the same (its answer lost) and
        records it."""
        history = [e for e in self.audit.history(subject.record_key) if e.finding_id == subject.item_id]
        done = [
            e
            for e in history
            if e.event_type is AuditEventType.WRITEBACK and e.payload.get("decision_id") == subject.revision
        ]
        if done:
            logger.info("already written back", extra={"finding_id": subject.item_id})
            return WritebackOutcome("already_written", done[-1])
        recorded = [e for e in history if e.event_type is AuditEventType.DECISION]
        if recorded and recorded[-1].event_id != (subject.revision or recorded[0].event_id):
            logger.info("a later decision replaces this one: not written", extra={"finding_id": subject.item_id})
            return WritebackOutcome("refused")
        try:
            if subject.decision.action is not ApprovalAction.APPROVE:
                raise WritebackRefusedError(f"the decision was '{subject.decision.action.value}', not approve")
            if recorded and recorded[-1].status is not AuditStatus.APPROVED:
                raise WritebackRefusedError("the audit records a rejection of this item")
            if not recorded:
                logger.warning("decision missing from the audit; recording it", extra={"finding_id": subject.item_id})
                recorded = [decision()]
                append_once(self.audit, recorded[0])
            event = write(approval_columns(recorded[-1]))
        except PERMANENT_ERRORS as error:
            logger.error("write-back refused", extra={"finding_id": subject.item_id, "error": type(error).__name__})
            # its own id: a refusal of a redriven message (its id kept) is recorded beside the dead-lettered failure
            failed = self._failure_event(subject, error, f"{message_id}/refused", receive_count, retryable=False)
            append_once(self.audit, failed)
            return WritebackOutcome("refused", failed)
        except Exception as error:
            if receive_count >= self.max_receive_count:
                found = _applied_after_all(look_up, subject)
                if found is not None:
                    return WritebackOutcome("already_applied", found)
                logger.error(
                    "write-back failed on the last attempt; the message goes to the dead-letter queue",
                    extra={"finding_id": subject.item_id, "attempts": receive_count},
                )
                try:
                    append_once(self.audit, self._failure_event(subject, error, message_id, receive_count, True))
                except Exception:
                    logger.exception("writeback_failed not recorded", extra={"finding_id": subject.item_id})
            raise
        return WritebackOutcome("already_applied" if event.payload.get("already_applied") else "written", event)

    def _write_record(
        self, opening: AuditEvent, decision: Decision, approval: dict[str, Any], revision: str | None = None
    ) -> AuditEvent:
        """One record in a custom object: an `assigned` crew assignment, or a `confirmed` incident (`corrected`:
        a later decision of it, `revision`), with the `approval` columns."""
        item_id = opening.finding_id or opening.event_id
        kind = opening.payload.get("kind")
        if kind == UNALLOCATED_TIME:
            return self._write_labor_entry(opening, decision, approval)
        if kind == CREW_REMOVAL:
            return self._write_removal(opening, decision, approval)
        if kind == INCIDENT_CODING:
            _refuse_closed(self.audit.history(opening.record_key), str(item_id))
        if kind == INCIDENT_CODING and self.writer.settings.incident_write_target == "nonconformance":
            return self._write_nonconformance(opening, decision, approval, revision)
        if kind == INCIDENT_CODING:
            name = self.writer.settings.incident_custom_object_name
            record = incident_record(opening, decision) | ({"status": "corrected"} if revision else {}) | approval
        else:
            name = self.writer.settings.crew_custom_object_name
            record = assignment_record(opening, "assigned") | approval
        result = self.writer.record(record, name=name, **_item_keys(item_id, revision))
        subject = _Subject(opening.record_key, item_id, opening.employee_id, decision, revision)
        payload = {
            "kind": kind,
            "custom_object": name,
            "record": record,
            "decision_id": revision,
            **_result_payload(result),
        }
        event = self._written(subject, opening.model_version, payload, {})
        logger.info(
            "record written", extra={"finding_id": item_id, "kind": kind, "mode": result.mode, "sent": result.sent}
        )
        return event

    def _write_removal(self, opening: AuditEvent, decision: Decision, approval: dict[str, Any]) -> AuditEvent:
        """The `withdrawn` record of the accepted assignment the removal names (`payload.removes`), as a revert posts
        it but with the removal's `approval` columns, in the write mode; refused when that assignment was never written
        or its write was reverted (nothing in Plex to remove; review_s13 #1: a second `withdrawn`, whose revert then
        posted the assignment IT had withdrawn back), when it was closed (`_refuse_closed_removal`) or another removal
        of the seat carries it out (`_refuse_removed_elsewhere`), retried while its write-back is still on its way."""
        item_id = opening.finding_id or opening.event_id
        removes = str(opening.payload.get("removes") or "")
        plex_record = self.audit.history(opening.record_key)
        _refuse_closed_removal(plex_record, item_id)
        _refuse_removed_elsewhere(plex_record, item_id, removes)
        history = [e for e in plex_record if removes and e.finding_id == removes]
        written = [e for e in history if e.event_type is AuditEventType.WRITEBACK]
        if not written:
            if any(e.event_type is AuditEventType.WRITEBACK_FAILED for e in history):
                raise WritebackRefusedError(f"assignment {removes} was never written to Plex: nothing to remove")
            raise AssignmentNotWrittenError(f"assignment {removes} has no write-back yet")
        assigned = written[-1]
        undone = next((e for e in history if e.payload.get("reverted_event_id") == assigned.event_id), None)
        if undone is not None:
            at = format_audit_time(undone.occurred_at)
            raise WritebackRefusedError(
                f"assignment {removes} was withdrawn from Plex already (reverted at {at} by {undone.actor}): "
                "nothing to remove",
                because=WITHDRAWN_ALREADY,
                withdrawn_at=at,
                withdrawn_by=undone.actor,
            )
        other_mode = self._other_mode(f"assignment {removes}", assigned, "remove")
        if other_mode:
            raise WritebackRefusedError(other_mode)
        record = _withdrawn(assigned) | approval
        name = str(assigned.payload["custom_object"])
        result = self.writer.record(record, name=name, **_item_keys(item_id))
        payload = {
            "kind": CREW_REMOVAL,
            "custom_object": name,
            "record": record,
            "removes": removes,
            "removes_writeback_event_id": assigned.event_id,
            **_result_payload(result),
        }
        subject = _Subject(opening.record_key, item_id, opening.employee_id, decision)
        event = self._written(subject, opening.model_version, payload, {"status": assigned.payload["record"]["status"]})
        logger.info("crew assignment withdrawn", extra={"finding_id": item_id, "mode": result.mode})
        return event

    def _write_labor_entry(self, opening: AuditEvent, decision: Decision, approval: dict[str, Any]) -> AuditEvent:
        """Approved unallocated time: the labor entry its suggestion carries, in the write mode. Plex is read
        first (the stretch and `LABOR_ENTRY_LOOKBACK` before it, kept to the person): their labor entries
        overlapping the stretch are the `previous_values` (normally none); one on the same job operation
        means it is there already (an earlier attempt, or entered by hand), one on another means the time
        was charged since, and nothing is written."""
        item_id = opening.finding_id or opening.event_id
        if isinstance(opening.payload.get("indirect_entry"), dict):
            return self._write_indirect(opening, decision, approval)
        entry = opening.payload.get("labor_entry")
        if not isinstance(entry, dict):
            raise WritebackRefusedError("no job to charge the time to: nothing written; code it in Plex")
        start, end = _stretch(entry)
        overlapping = self._labor_in(entry["employeeId"], start, end)
        previous = {"laborEntries": [found.to_plex() for found in overlapping]}
        same = [found for found in overlapping if found.job_operation_id == entry["jobOperationId"]]
        if overlapping and not same:
            raise WritebackRefusedError(
                f"Plex now holds {len(overlapping)} labor entr{'y' if len(overlapping) == 1 else 'ies'} of another "
                "job in this time: it was charged since the suggestion; nothing written"
            )
        subject = _Subject(opening.record_key, item_id, opening.employee_id, decision)
        payload: dict[str, Any] = {
            "kind": UNALLOCATED_TIME,
            "target": {"action": LABOR_ENTRY_ACTION},
            "labor_entry": entry,
        }
        if same:
            payload |= {"already_applied": True, "sent": False, "mode": self.writer.mode}
        else:
            request = WriteRequest(action=LABOR_ENTRY_ACTION, payload=entry, approval=approval, **_item_keys(item_id))
            payload |= _result_payload(self.writer.write(request))
        event = self._written(subject, opening.model_version, payload, previous)
        logger.info("labor entry written", extra={"finding_id": item_id, "mode": payload.get("mode")})
        return event

    def _labor_in(self, employee_id: str, start: datetime, end: datetime) -> list[LaborEntry]:
        """The person's labor entries overlapping the stretch (one read: `LABOR_ENTRY_LOOKBACK` before it)."""
        return [
            found
            for found in self.plex.labor_entries(start - LABOR_ENTRY_LOOKBACK, end)
            if found.employee_id == employee_id
            and found.start_time < end
            and (found.end_time is None or found.end_time > start)
        ]

    def _write_indirect(self, opening: AuditEvent, decision: Decision, approval: dict[str, Any]) -> AuditEvent:
        """Unallocated time a reviewer coded to an indirect code (`allocation.coding`): Plex has no public write of
        indirect labor, so it is one record of the suggestions custom object (action `INDIRECT_LABOR_RECORD`) for a
        person or a Process Flow to enter, in every write mode (`dry_run`: not sent). Plex is read first, as for a
        labor entry: the person's labor and indirect entries overlapping the stretch are the `previous_values`; an
        indirect entry of the same code there means it is there already, a labor entry or another code means the
        time was charged since, and nothing is written."""
        item_id = opening.finding_id or opening.event_id
        entry = opening.payload["indirect_entry"]
        start, end = _stretch(entry)
        labor = self._labor_in(entry["employeeId"], start, end)
        try:
            read = self.plex.indirect_labor_entries(start - LABOR_ENTRY_LOOKBACK, end)
        except (PlexNotFoundError, KeyError):  # the tenant records no indirect labor (or no data source id is set)
            read = []
        indirect = [
            found
            for found in read
            if found.employee_id == entry["employeeId"]
            and found.start_time < end
            and (found.end_time is None or found.end_time > start)
        ]
        other = [found for found in indirect if found.indirect_code != entry["indirectCode"]]
        if labor or other:
            raise WritebackRefusedError(
                f"Plex now holds {len(labor) + len(other)} other entr{'y' if len(labor) + len(other) == 1 else 'ies'} "
                "in this time: it was charged since the coding; nothing written"
            )
        previous = {"indirectLaborEntries": [found.to_plex() for found in indirect]}
        record = {"action": INDIRECT_LABOR_RECORD, **entry} | approval
        name = self.writer.settings.custom_object_name
        payload: dict[str, Any] = {"kind": UNALLOCATED_TIME, "custom_object": name, "record": record}
        if indirect:
            payload |= {"already_applied": True, "sent": False, "mode": self.writer.mode}
        else:
            payload |= _result_payload(self.writer.record(record, name=name, **_item_keys(item_id)))
        subject = _Subject(opening.record_key, item_id, opening.employee_id, decision)
        event = self._written(subject, opening.model_version, payload, previous)
        logger.info("indirect labor recorded", extra={"finding_id": item_id, "mode": payload.get("mode")})
        return event

    def _write_nonconformance(
        self, opening: AuditEvent, decision: Decision, approval: dict[str, Any], revision: str | None
    ) -> AuditEvent:
        """A confirmed incident as one nonconformance record with the `approval` columns (plexlabor's own record, so
        they are sent in `direct` mode too), POSTed to `nonconformance-create` in the write mode (a later correction,
        `revision`, as another record with the same external reference)."""
        item_id = opening.finding_id or opening.event_id
        record = nonconformance_record(opening, decision) | approval
        request = WriteRequest(
            action=NONCONFORMANCE_ACTION,
            payload=record,
            approval=approval,
            **_item_keys(item_id, revision),
        )
        result = self.writer.write(request)
        payload = {
            "kind": INCIDENT_CODING,
            "target": {"action": NONCONFORMANCE_ACTION},
            "record": record,
            "decision_id": revision,
            **_result_payload(result),
        }
        subject = _Subject(opening.record_key, item_id, opening.employee_id, decision, revision)
        event = self._written(subject, opening.model_version, payload, {})
        logger.info("nonconformance written", extra={"finding_id": item_id, "mode": result.mode, "sent": result.sent})
        return event

    def _write(self, message: WritebackMessage, approval: dict[str, Any]) -> AuditEvent:
        """A finding's correction with the `approval` columns: a suggestion record, or a field update (its
        custom-object record in `custom_object` mode carries them; `direct` sends Plex's own body)."""
        finding = message.request.finding
        plan = plan_correction(finding, message.decision)
        keys = _item_keys(finding.finding_id)
        if isinstance(plan, Suggestion):
            result = self.writer.record(plan.record | approval, **keys)
            return self._append_writeback(message, {"kind": "suggestion", **_result_payload(result)}, {})

        current, unread = self._current_values(plan, finding)
        previous = {name: current.get(name) for name in plan.fields}
        target = {"action": plan.action, "path_params": plan.path_params}
        subject = _Subject(finding.record_key, finding.finding_id, finding.employee_id, message.decision)
        applied = self._record_if_applied(message, plan, current)
        if applied is not None:
            return applied
        if self.writer.mode == "direct":  # Plex's record changes: keep what it held before sending
            attempt_event = self._event(
                subject,
                AuditEventType.WRITEBACK_ATTEMPT,
                AuditStatus.WRITING,
                payload={"target": target, "fields": plan.fields},
                previous_values=previous,
            )
            append_once(self.audit, attempt_event)
        result = self.writer.write(
            WriteRequest(
                action=plan.action,
                path_params=plan.path_params,
                payload=plan.fields,
                approval=approval,
                **keys,
            )
        )
        payload = {"kind": "field_update", "target": target, "fields": plan.fields, "unread_fields": unread}
        return self._append_writeback(message, payload | _result_payload(result), previous)

    def _record_if_applied(
        self, message: WritebackMessage, plan: FieldUpdate, current: dict[str, Any]
    ) -> AuditEvent | None:
        """The `writeback` recorded when Plex already holds the values (`current`) the plan writes: an
        earlier attempt landed (its answer lost), whose `writeback_attempt` kept the values it replaced,
        or someone fixed it by hand (nothing replaced); None when Plex does not hold them."""
        if not all(_same(current.get(name), value) for name, value in plan.fields.items()):
            return None
        finding = message.request.finding
        attempt = self._attempt(_Subject(finding.record_key, finding.finding_id, finding.employee_id, message.decision))
        payload = {
            "kind": "field_update",
            "target": {"action": plan.action, "path_params": plan.path_params},
            "fields": plan.fields,
            "already_applied": True,
            "applied_by_earlier_attempt": attempt is not None,
            "sent": False,
            "mode": self.writer.mode,
        }
        return self._append_writeback(message, payload, (attempt.previous_values or {}) if attempt else {})

    def _look_up(self, message: WritebackMessage) -> AuditEvent | None:
        """After a failure on the last attempt, whether a field update that was sent (it has a
        `writeback_attempt`) landed all the same: the record is read, nothing is sent."""
        finding = message.request.finding
        plan = plan_correction(finding, message.decision)
        subject = _Subject(finding.record_key, finding.finding_id, finding.employee_id, message.decision)
        if not isinstance(plan, FieldUpdate) or self._attempt(subject) is None:
            return None  # nothing sent that a read could find
        current, _ = self._current_values(plan, finding)
        return self._record_if_applied(message, plan, current)

    def _attempt(self, subject: _Subject) -> AuditEvent | None:
        """The first `writeback_attempt` of the item (a direct write sent before), if any."""
        attempts = [
            e
            for e in self.audit.history(subject.record_key)
            if e.finding_id == subject.item_id and e.event_type is AuditEventType.WRITEBACK_ATTEMPT
        ]
        return attempts[0] if attempts else None

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
        subject = _Subject(finding.record_key, finding.finding_id, finding.employee_id, message.decision)
        event = self._written(
            subject, finding.model_version, {"anomaly_type": finding.anomaly_type.value, **payload}, previous
        )
        logger.info(
            "written back",
            extra={"finding_id": finding.finding_id, "mode": payload.get("mode"), "sent": payload.get("sent")},
        )
        return event

    def _written(
        self, subject: _Subject, model_version: str | None, payload: dict[str, Any], previous: dict[str, Any]
    ) -> AuditEvent:
        """Record the `writeback` event (`written`) of the subject's item, once; return it."""
        event = self._event(
            subject,
            AuditEventType.WRITEBACK,
            AuditStatus.WRITTEN,
            model_version=model_version,
            payload=payload,
            previous_values=previous,
        )
        append_once(self.audit, event)
        return event

    def _failure_event(
        self, subject: _Subject, error: BaseException, message_id: str, attempts: int, retryable: bool
    ) -> AuditEvent:
        return self._event(
            subject,
            AuditEventType.WRITEBACK_FAILED,
            AuditStatus.WRITE_FAILED,
            message_id,
            payload={
                **({"kind": subject.kind} if subject.kind else {}),
                **_reason(error),
                "error": type(error).__name__,
                "message": str(error)[:MAX_ERROR_CHARS],
                "attempts": attempts,
                "retryable": retryable,
                "dead_lettered": retryable,
                "mode": self.writer.mode,
            },
        )

    def _event(
        self, subject: _Subject, kind: AuditEventType, status: AuditStatus, *id_parts: str, **fields: Any
    ) -> AuditEvent:
        """An event of this function about the subject's item, its id stable on `id_parts` (and on the later
        decision it carries out, if it does)."""
        revision = (subject.revision,) if subject.revision else ()
        return AuditEvent(
            record_key=subject.record_key,
            event_id=stable_event_id(subject.item_id, kind.value, *revision, *id_parts),
            event_type=kind,
            status=status,
            occurred_at=self.clock(),
            actor=ACTOR,
            finding_id=subject.item_id,
            supervisor_id=subject.decision.supervisor_id,
            employee_id=subject.employee_id,
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
        result, restored, replaced = self._undo(finding_id, written)
        event = AuditEvent(
            record_key=written.record_key,
            event_id=stable_event_id(finding_id, AuditEventType.REVERT.value, written.event_id),
            event_type=AuditEventType.REVERT,
            status=AuditStatus.REVERTED,
            occurred_at=self.clock(),
            actor=actor,
            finding_id=finding_id,
            employee_id=written.employee_id,
            payload={"reverted_event_id": written.event_id, "restored": restored, **_result_payload(result)},
            previous_values=replaced,
        )
        try:
            self.audit.append(event)
        except AuditConflictError:
            raise NothingToRevertError(f"finding {finding_id} was already reverted") from None
        return event

    def _other_mode(self, what: str, written: AuditEvent, to: str) -> str | None:
        """Why `written` may not be undone (`to`: what undoing it is called) in the writer's mode: it was written in
        another one (a revert's check, and an approved crew removal's); None: the same mode."""
        mode = written.payload.get("mode")
        if mode == self.writer.mode:
            return None
        return (
            f"{what} was written in {mode} mode but the writer is in {self.writer.mode} mode; "
            f"set PLEXLABOR_PLEX_WRITE_MODE={mode} to {to} it"
        )

    def _undo(self, finding_id: str, written: AuditEvent) -> tuple[WriteResult, dict[str, Any], dict[str, Any]]:
        """Undo one write-back: the write, what it restored and what it replaced. A field update
        gets its previous values back; a crew assignment or an incident gets a `withdrawn` record, a crew removal its
        assignment's `assigned` record again."""
        payload = written.payload
        if payload.get("kind") == UNALLOCATED_TIME:
            raise NothingToRevertError(
                f"finding {finding_id}: it created a labor entry, which plexlabor does not delete; remove it in Plex"
            )
        if payload.get("kind") == INCIDENT_CODING and "target" in payload:
            raise NothingToRevertError(
                f"finding {finding_id}: it created a nonconformance record, which plexlabor does not delete; "
                "close it in Plex"
            )
        custom_record = payload.get("kind") in (CREW_ASSIGNMENT, CREW_REMOVAL, INCIDENT_CODING)
        if not custom_record and (payload.get("kind") != "field_update" or not written.previous_values):
            why = (
                "Plex already held the corrected values, so nothing was replaced"
                if payload.get("already_applied")
                else "it wrote a suggestion record and replaced no Plex value"
            )
            raise NothingToRevertError(f"finding {finding_id}: nothing to revert: {why}")
        if not payload.get("sent"):
            raise NothingToRevertError(f"finding {finding_id}: the write-back was a dry run; Plex was not changed")
        other_mode = self._other_mode(f"finding {finding_id}", written, "revert")
        if other_mode:
            raise NothingToRevertError(other_mode)
        key = f"plexlabor-revert-{written.event_id}"
        if custom_record:  # a removal's revert posts the assignment again
            undone = _withdrawn(written, "assigned" if payload.get("kind") == CREW_REMOVAL else "withdrawn")
            result = self.writer.record(
                undone, name=payload["custom_object"], idempotency_key=key, reference=finding_id
            )
            return result, {"status": undone["status"]}, {"status": payload["record"].get("status")}
        target = payload["target"]
        result = self.writer.write(
            WriteRequest(
                action=target["action"],
                path_params=target["path_params"],
                payload=written.previous_values or {},
                idempotency_key=key,
                reference=finding_id,
            )
        )
        return result, written.previous_values or {}, payload.get("fields") or {}
