"""Validating one punch against its batch's context: the domain side of `punch_validator`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plexlabor.intake.context import BatchContext
from plexlabor.intake.messages import PunchMessage
from plexlabor.intake.recording import FindingRecorder
from plexlabor.validation.engine import ValidationEngine


@dataclass
class PunchValidator:
    engine: ValidationEngine
    recorder: FindingRecorder

    def validate(self, message: PunchMessage, context: BatchContext) -> dict[str, Any]:
        """Run the real-time checks on the message's record, record every finding; return a JSON-safe
        summary (the idempotency layer stores it as this record version's result)."""
        data, norms = context.for_entry(message.entry)
        findings = self.engine.realtime(message.entry, data, norms)
        recorded = [self.recorder.record(finding, data) for finding in findings]
        return {
            "record_key": message.record_key,
            "version": message.version.version,
            "norms_version": norms.version,
            "findings": [
                {
                    "finding_id": r.finding_id,
                    "route": r.route,
                    "new": r.new,
                    "approval_started": r.approval_started,
                }
                for r in recorded
            ],
        }
