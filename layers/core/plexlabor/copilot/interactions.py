"""Every copilot question and its answer, logged: one audit event, and one record against the job in Plex.

The audit event (`interaction`, status `answered`, also for a refusal) is keyed to the job's Plex
record (`jobs:<job id>`; a question asked without a job: `copilot-operators:<operator id>`), its actor
is the signed-in operator, and its payload keeps the question, the answer's kind and text, the procedure
and the cited passages with their text (the web app's copilot page shows an answer from this event
alone), the operation and lot asked about, and what happened in Plex. Its `finding_id` is the
interaction's id, so the page finds it with `AuditStore.for_finding`.

Plex: the interaction goes to the copilot custom object (`PlexSettings.copilot_custom_object_name`) through
`PlexWriter.record` in the configured write mode: `dry_run` (the default) sends nothing and says so. A
question asked without a job is not sent to Plex (it has no job record). A Plex failure does not lose the
answer: the event records that the write failed (and which error), and the operator still gets the answer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plexlabor.audit import AuditEvent
from plexlabor.audit.events import AuditEventType, AuditStatus, format_audit_time, new_event_id
from plexlabor.audit.store import AuditStore
from plexlabor.plex.errors import PlexError
from plexlabor.plex.writeback import PlexWriter

logger = logging.getLogger(__name__)

RECORD_TYPE = "copilot_interaction"
NO_JOB_RESOURCE = "copilot-operators"


@dataclass(frozen=True)
class Asked:
    """What an operator asked, and where: who asks is the signed-in person, never a field of a request."""

    question: str
    operator_id: str
    job_id: str | None = None
    operation: str | None = None
    lot_id: str | None = None
    part: str | None = None


def record_key(asked: Asked) -> str:
    """The Plex record the interaction belongs to: the job, or (no job) the operator."""
    return f"jobs:{asked.job_id}" if asked.job_id else f"{NO_JOB_RESOURCE}:{asked.operator_id}"


def cited_ids(answer: dict[str, Any]) -> list[str]:
    """The answer's cited passages as `<procedure>#<step>` (a refusal cites none)."""
    if answer["kind"] == "refused":
        return []
    return [f"{step['procedure_id']}#{step['step']}" for step in answer["steps"]]


@dataclass
class InteractionLog:
    audit: AuditStore
    writer: PlexWriter | None
    """None: this deployment writes nothing to Plex (recorded as `plex: {"sent": false, "mode": null}`)."""
    clock: Callable[[], datetime]

    def record(self, asked: Asked, answer: dict[str, Any]) -> AuditEvent:
        """Log one interaction (Plex first, then the audit event that says how Plex went)."""
        interaction_id = new_event_id()
        at = self.clock()
        cited = cited_ids(answer)
        plex = self._to_plex(interaction_id, at, asked, answer, cited)
        event = AuditEvent(
            record_key=record_key(asked),
            event_id=interaction_id,
            event_type=AuditEventType.INTERACTION,
            status=AuditStatus.ANSWERED,
            occurred_at=at,
            actor=asked.operator_id,
            finding_id=interaction_id,
            payload={
                "question": asked.question,
                "job_id": asked.job_id,
                "operation": asked.operation,
                "part": asked.part,
                "lot_id": asked.lot_id,
                "answer": answer,
                "cited": cited,
                "plex": plex,
            },
        )
        self.audit.append(event)
        return event

    def _to_plex(
        self, interaction_id: str, at: datetime, asked: Asked, answer: dict[str, Any], cited: list[str]
    ) -> dict[str, Any]:
        if self.writer is None:
            return {"mode": None, "sent": False, "reason": "Plex is not configured"}
        if asked.job_id is None:
            return {"mode": self.writer.mode, "sent": False, "reason": "no job"}
        record = {
            "recordType": RECORD_TYPE,
            "interactionId": interaction_id,
            "jobId": asked.job_id,
            "operation": asked.operation,
            "partNo": asked.part,
            "lotId": asked.lot_id,
            "operatorId": asked.operator_id,
            "askedAt": format_audit_time(at),
            "question": asked.question,
            "answerKind": answer["kind"],
            "procedureId": answer.get("procedure_id"),
            "citedJson": json.dumps(cited, separators=(",", ":")),
        }
        name = self.writer.settings.copilot_custom_object_name
        try:
            result = self.writer.record(record, name=name, idempotency_key=interaction_id, reference=interaction_id)
        except PlexError as error:  # the answer stands; the failure is recorded with it
            logger.warning("copilot interaction not written to Plex", extra={"error": type(error).__name__})
            return {"mode": self.writer.mode, "sent": False, "error": type(error).__name__}
        return {"mode": result.mode, "sent": result.sent, "path": result.path, "status": result.status}
