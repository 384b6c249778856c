"""Approval timeouts end to end: an unanswered request escalates to the supervisor's own supervisor,
then expires; an escalated request can still be decided by the escalation supervisor.

Waits are seconds here (`APPROVAL_WAIT_SECONDS`); on AWS they are hours.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from plexlabor.audit.events import AuditStatus
from plexlabor_dev.local.scenario import Supervisor, labelled_punches
from plexlabor_dev.local.stack import LocalStack

WAIT_S = 3
"""Seconds per stage: long enough for approval_notify to mail a stage before it times out on a busy
2-core machine (at 1 s a loaded run expired a request before its escalation mail was recorded)."""


@pytest.fixture(scope="module")
def stack(e2e_plant: Path) -> Iterator[LocalStack]:
    with LocalStack(e2e_plant, approval_wait_s=WAIT_S) as started:
        yield started


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    person = Supervisor()
    yield person
    person.close()


def _new_finding(stack: LocalStack, punch: dict) -> str:
    """Send one anomalous punch; the id of the finding it opens for review."""
    known = {e.finding_id for e in stack.audit().findings(AuditStatus.PENDING_APPROVAL)}
    assert stack.send_punches([punch]).sent == 1
    stack.runtime.drain(timeout_s=60)
    new = [e.finding_id for e in stack.audit().findings(AuditStatus.PENDING_APPROVAL) if e.finding_id not in known]
    assert len(new) == 1, f"expected one new finding for review, got {new}"
    return str(new[0])


def test_unanswered_request_escalates_then_expires(stack: LocalStack, busy_days: list[date], supervisor: Supervisor):
    # Given a finding nobody answers
    finding_id = _new_finding(stack, labelled_punches(stack.plant_dir, busy_days[1])[0])
    view = stack.audit()
    # When both waits pass
    stack.runtime.wait_for(lambda: "expired" in view.event_types(finding_id), timeout_s=60, what="the expiry")
    # Then it was escalated to another supervisor (a fresh link by e-mail), then expired
    events = view.for_finding(finding_id)
    assert [e.event_type.value for e in events] == ["finding", "notification", "escalated", "notification", "expired"]
    first, escalated = events[1], events[3]
    assert escalated.supervisor_id != first.supervisor_id
    assert events[2].payload["from_supervisor_id"] == first.supervisor_id
    links = [link for link in stack.approval_links() if link.finding_id == finding_id]
    assert [link.supervisor_id for link in links] == [first.supervisor_id, escalated.supervisor_id]
    assert links[0].to != links[1].to
    # and no link works any more: expired (410), and nothing was written
    for link in links:
        assert supervisor.open(link.url).status == 410
        assert supervisor.submit(link.url, "approve").status == 410
    assert [e.status for e in view.for_finding(finding_id)][-1] is AuditStatus.EXPIRED
    assert stack.simulator.writes() == []


def test_escalation_supervisor_can_still_decide(stack: LocalStack, busy_days: list[date], supervisor: Supervisor):
    # Given longer waits, so that the escalation supervisor has time to act
    stack.runtime.set_environment({"APPROVAL_WAIT_SECONDS": "3"}, functions=["punch_validator"])
    try:
        finding_id = _new_finding(stack, labelled_punches(stack.plant_dir, busy_days[1])[1])
    finally:
        stack.runtime.set_environment({"APPROVAL_WAIT_SECONDS": str(WAIT_S)}, functions=["punch_validator"])
    view = stack.audit()
    # When the first supervisor lets it pass and their manager approves from the escalation e-mail
    escalated = stack.runtime.wait_for(
        lambda: [link for link in stack.approval_links() if link.finding_id == finding_id][1:],
        timeout_s=60,
        what="the escalation e-mail",
    )[0]
    assert supervisor.approve(escalated.url).status == 200
    # Then the decision is the manager's and the correction is written back
    stack.runtime.wait_for(lambda: "writeback" in view.event_types(finding_id), timeout_s=60, what="the write-back")
    types = view.event_types(finding_id)
    assert types == ["finding", "notification", "escalated", "notification", "decision", "writeback"]
    decision = view.for_finding(finding_id)[4]
    assert decision.status is AuditStatus.APPROVED and decision.actor == escalated.supervisor_id
    first = next(link for link in stack.approval_links() if link.finding_id == finding_id)
    assert supervisor.open(first.url).status in (403, 410)  # superseded by the escalation, then decided
