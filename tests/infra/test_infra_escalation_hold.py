"""approval_notify reads the audit table for the escalation hold (`approval.notify`, one mail per person per sweep):
each escalated person's `notified` events, through the supervisor index. Without the read grant the hold's query was
refused on AWS and every notify batch carrying an escalation failed (review_s13 #6, found while fixing it)."""

from __future__ import annotations

from infra.testing import Synthesized
from plexlabor.audit.schema import GSI_SUPERVISOR


def test_approval_notify_may_query_the_audit_tables_supervisor_index(synthesized: Synthesized) -> None:
    granted = repr(synthesized.granted("approval_notify", "dynamodb:Query"))

    assert synthesized.logical_id(synthesized.stack.storage.audit_table) in granted
    assert f"/index/{GSI_SUPERVISOR}" in granted
