"""A write-back to a stalled Plex fails while the function still has time to record `writeback_failed`, instead of
Lambda's timeout cutting it off with nothing in the audit (review_infra_s17 #6): plex_writeback as Lambda calls it,
its Plex calls over HTTP to the simulator, bounded by the context's remaining time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from functions.plex_writeback.handler import handler
from plexlabor.approval.corrections import with_fallback_paths
from plexlabor.approval.messages import Decision, WritebackMessage
from plexlabor.approval.writeback import WritebackService
from plexlabor.audit import ApprovalAction, AuditEventType, InMemoryAuditStore
from plexlabor.plex import PlexWriter
from plexlabor.plex.transport import DEADLINE_MARGIN_S
from plexlabor_dev.simulator.sample_plant import write_sample_plant
from plexlabor_dev.simulator.server import SimulatorServer
from tests.support import FakeLambdaContext, make_request
from tests.unit.approval.approval_fakes import FakePlex, open_entry, sqs_event

TIMEOUT_S = DEADLINE_MARGIN_S + 2
"""The function's time: 2 s for Plex once the margin is kept."""


@pytest.fixture
def stalled_plex(tmp_path: Path) -> Iterator[SimulatorServer]:
    """A simulator answering each call 4 s late: past what the function has left for it."""
    write_sample_plant(tmp_path, employees=1, days=2)
    with SimulatorServer(tmp_path, rate_limit=0) as server:
        server.set_faults(latency_ms=4000)
        yield server


def test_the_last_attempt_against_a_stalled_plex_records_writeback_failed_before_the_timeout(
    stalled_plex: SimulatorServer,
) -> None:
    # Given plex_writeback's Plex settings (a 30 s read timeout) and an approval's write-back on its last receive
    settings = with_fallback_paths(stalled_plex.settings(write_mode="custom_object", rate_limit_per_minute=0))
    assert settings.timeout_s >= 30
    audit = InMemoryAuditStore()
    plex: Any = FakePlex(entries=[open_entry()])  # the values it replaces, read before the write
    service = WritebackService(audit=audit, writer=PlexWriter(settings), plex=plex, max_receive_count=3)
    request = make_request()
    decision = Decision(action=ApprovalAction.APPROVE, supervisor_id="E0001")
    approved = WritebackMessage(request=request, decision=decision)
    started = time.monotonic()
    # When the function handles it
    response = handler(
        sqs_event(approved.model_dump_json(), receive_count=3),
        FakeLambdaContext("plex_writeback", timeout_s=TIMEOUT_S),
        dependencies=service,
    )
    # Then it gave up on Plex with the margin still left, and the audit says the write-back failed
    assert time.monotonic() - started < TIMEOUT_S - DEADLINE_MARGIN_S + 1
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-0"}]}
    kinds = {e.event_type: e for e in audit.for_finding(request.finding.finding_id)}
    failed = kinds[AuditEventType.WRITEBACK_FAILED]
    assert (failed.payload["error"], failed.payload["dead_lettered"]) == ("PlexTimeoutError", True)
    assert AuditEventType.WRITEBACK not in kinds
