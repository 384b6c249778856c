"""Fault injection on the approval path (moto, the real handlers and state machine, the Plex simulator):
each dependency fails (Plex 5xx and timeouts, DynamoDB throttling, SES refusing, Step Functions
throttled), the work is retried as SQS and the callers retry it, and then the invariants hold over the
audit table, the queues and the simulator's recorded writes:

- every approval ends in exactly one decision, and an approved one in exactly one `writeback` event,
  which records the values it replaced;
- Plex received each write once (by its idempotency key: a retry the simulator saw twice is reported);
- nothing is left on a queue or in a dead-letter queue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from approval_aws import SUPERVISORS, Stack
from test_approval_workflow import RECORD_KEY, request

from plexlabor.audit import AuditEventType
from tests.fault_injection import failing


def plex_writes(stack: Stack) -> Counter[str]:
    """Writes the simulator applied, by idempotency key (one key per finding; the simulator, like a
    Plex that honours `Idempotency-Key`, applies a repeated key once)."""
    return Counter(str(write["idempotencyKey"]) for write in stack.sim.writes())


def write_requests(stack: Stack) -> int:
    """POSTs that reached the simulator's custom objects, applied or answered from the key."""
    return sum(1 for r in stack.sim.requests() if r["method"] == "POST" and "/custom-objects/" in r["path"])


def assert_invariants(stack: Stack, finding_id: str, *, approved: bool) -> None:
    events = [e for e in stack.audit.history(RECORD_KEY) if e.finding_id == finding_id]
    kinds = Counter(e.event_type for e in events)
    assert kinds[AuditEventType.DECISION] == 1, kinds
    assert kinds[AuditEventType.WRITEBACK] == (1 if approved else 0), kinds
    if approved:
        [written] = [e for e in events if e.event_type is AuditEventType.WRITEBACK]
        assert written.previous_values, "a write-back records the values it replaced"
    assert all(count == 1 for count in plex_writes(stack).values()), plex_writes(stack)
    for queue in ("notify", "writeback", "notify-dlq", "writeback-dlq"):
        assert stack.depth(queue) == 0, queue


def approve(stack: Stack, finding_id: str) -> str:
    execution = stack.start(request(finding_id))
    assert stack.notify() == 1
    [token] = stack.links_for(SUPERVISORS["E0001"])
    assert stack.decide(token, action="approve")["statusCode"] == 200
    return execution


def test_plex_failing_twice_then_answering_writes_once(stack: Stack) -> None:
    execution = approve(stack, "f-fault-plex50000000000001")
    stack.sim.set_faults(rate_500=1.0)
    assert stack.write_back() == 1 and stack.write_back() == 1  # two attempts fail, the message comes back
    stack.sim.set_faults(rate_500=0.0)
    assert stack.write_back() == 1
    assert stack.wait_for_execution(execution)["status"] == "SUCCEEDED"
    assert_invariants(stack, "f-fault-plex50000000000001", approved=True)
    assert len(plex_writes(stack)) == 1


def test_the_audit_table_throttled_after_plex_applied_the_write_writes_once(stack: Stack) -> None:
    # Given an approved finding, when the write-back's audit event is throttled after Plex took the write
    approve(stack, "f-fault-dynamo0000000000001")
    with failing("TransactWriteItems", 1) as injected:
        assert stack.write_back() == 1
    assert injected["TransactWriteItems"] == 1
    # Then the retried message records the write-back, and Plex applied the write once: the retry sent it
    # again with the same Idempotency-Key (a Plex that did not honour the key would hold two suggestions)
    assert stack.write_back() == 1
    assert_invariants(stack, "f-fault-dynamo0000000000001", approved=True)
    assert (write_requests(stack), sum(plex_writes(stack).values())) == (2, 1)


def test_step_functions_throttled_during_the_decision_decides_once(stack: Stack) -> None:
    execution = stack.start(request("f-fault-sfn00000000000001"))
    assert stack.notify() == 1
    [token] = stack.links_for(SUPERVISORS["E0001"])
    with failing("SendTaskSuccess", 1):
        assert stack.decide(token, action="approve")["statusCode"] == 500
    assert stack.decide(token, action="approve")["statusCode"] == 200  # the link was released: the retry decides
    assert stack.write_back() == 1
    assert stack.wait_for_execution(execution)["status"] == "SUCCEEDED"
    assert_invariants(stack, "f-fault-sfn00000000000001", approved=True)


def test_ses_refusing_the_digest_retries_and_records_one_notification(stack: Stack) -> None:
    stack.start(request("f-fault-ses00000000000001"))
    with failing("SendEmail", 1, "ServiceUnavailable"):
        assert stack.notify() == 1  # the send fails: the message is reported failed and comes back
    assert stack.mails() == []
    assert stack.notify() == 1
    notifications = [e for e in stack.audit.history(RECORD_KEY) if e.event_type is AuditEventType.NOTIFICATION]
    assert len(notifications) == 1 and len(stack.mails()) == 1
    [token] = stack.links_for(SUPERVISORS["E0001"])
    assert stack.decide(token, action="reject", reason="the badge reader was down")["statusCode"] == 200
    assert_invariants(stack, "f-fault-ses00000000000001", approved=False)


@pytest.fixture(autouse=True)
def _no_leftover_faults(stack: Stack) -> Iterator[None]:
    yield
    stack.sim.set_faults(rate_500=0.0)
