"""Approval executions whose notify step fails for a reason other than its timeout: the failure is
recorded (audit `approval_failed`), the execution fails loudly (the ExecutionsFailed alarm), and the
finding stays decidable in the review queue."""

from __future__ import annotations

import json
from typing import Any

from approval_aws import Stack
from test_approval_workflow import RECORD_KEY, request


def _fail_the_waiting_notify_step(stack: Stack, error: str, cause: str) -> dict[str, Any]:
    """Take the notify step's message off the queue before approval_notify sees it and fail its task,
    as Step Functions does when the step fails for a reason other than its timeout (the send failed
    past its retries, a worker reported failure); return the message's body."""
    [message] = stack.sqs.receive_message(QueueUrl=stack.queues["notify"], WaitTimeSeconds=5)["Messages"]
    stack.sqs.delete_message(QueueUrl=stack.queues["notify"], ReceiptHandle=message["ReceiptHandle"])
    body: dict[str, Any] = json.loads(message["Body"])
    stack.sfn.send_task_failure(taskToken=body["taskToken"], error=error, cause=cause)
    return body


def test_a_notify_step_that_fails_is_recorded_and_the_execution_fails_loudly(stack: Stack) -> None:
    # Given an approval waiting on its first notice
    execution = stack.start(request("f-notifyfail0000000000001"))
    # When the notify step fails with something other than States.Timeout
    _fail_the_waiting_notify_step(stack, "SQS.KmsDisabled", "KMS key disabled")
    # Then the execution fails (the ExecutionsFailed alarm), naming why
    described = stack.wait_for_execution(execution)
    assert described["status"] == "FAILED" and described.get("error") == "Approval.NotifyFailed"
    # and approval_notify records the failure in the audit, so the finding is not silently stuck
    assert stack.notify() == 1
    assert stack.story(RECORD_KEY) == ["finding", "approval_failed"]
    failed = stack.audit.history(RECORD_KEY)[-1]
    assert failed.status.value == "approval_failed" and failed.supervisor_id == "E0001"
    assert failed.payload["stage"] == "first" and failed.payload["error"] == "SQS.KmsDisabled"
    # (moto's SendTaskFailure drops the cause; tests/unit/approval/test_notify.py records one)
    assert stack.mails() == []


def test_a_failed_escalation_is_recorded_for_the_escalation_supervisor(stack: Stack) -> None:
    # Given an approval whose first notice was mailed and timed out, escalating to E0003
    execution = stack.start(request("f-escalfail0000000000001", wait_seconds=3, escalate_to="E0003"))
    assert stack.notify() == 1
    # When the escalation's notify step fails
    body = _fail_the_waiting_notify_step(stack, "Notify.WorkerFailed", "boom")
    assert body["stage"] == "escalated"
    # Then the execution fails and the failure is recorded against the escalation stage
    assert stack.wait_for_execution(execution)["status"] == "FAILED"
    assert stack.notify() == 1
    assert stack.story(RECORD_KEY) == ["finding", "notification", "approval_failed"]
    failed = stack.audit.history(RECORD_KEY)[-1]
    assert failed.payload["stage"] == "escalated" and failed.supervisor_id == "E0003"
