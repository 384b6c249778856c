"""The local runtime batches its queues as AWS does (ux_s14 #14): a burst of approval notices waits for
approval_notify's window, so a supervisor gets one digest, not one mail per batch of a second."""

from __future__ import annotations

import uuid

import boto3
import pytest
from moto import mock_aws

from infra.constants import QueueName
from infra.function_specs import FUNCTION_SPECS
from plexlabor_dev.local.resources import create_queues
from plexlabor_dev.local.runtime import BATCHING_WINDOW_ENV, LocalRuntime
from plexlabor_dev.local.sqs import QueuePoller
from tests.support import REGION, use_fake_aws

SPECS = {spec.name: spec for spec in FUNCTION_SPECS}


def test_without_a_cap_each_queue_batches_for_its_specs_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BATCHING_WINDOW_ENV, raising=False)
    runtime = LocalRuntime()
    assert runtime.batching_window_s(SPECS["approval_notify"]) == 60
    assert runtime.batching_window_s(SPECS["punch_validator"]) == 5


def test_a_cap_given_or_set_for_the_tests_shortens_every_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BATCHING_WINDOW_ENV, "0.5")
    assert LocalRuntime().batching_window_s(SPECS["approval_notify"]) == 0.5
    assert LocalRuntime(max_batching_window_s=2).batching_window_s(SPECS["approval_notify"]) == 2
    assert LocalRuntime(max_batching_window_s=2).batching_window_s(SPECS["punch_validator"]) == 2


def test_each_local_queue_stays_invisible_through_its_consumers_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BATCHING_WINDOW_ENV, raising=False)
    # as the stack's: the consumer's run (1 s locally) + its batching window (ux_s16 #3)
    assert LocalRuntime().visibility_s(QueueName.NOTIFY) == 61
    assert LocalRuntime(max_batching_window_s=0.5).visibility_s(QueueName.NOTIFY) == 2


def test_a_batch_that_waits_out_its_window_is_deleted_not_dead_lettered(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the local notify queue of a runtime whose approval_notify batches for 2.5 s, two receives to the DLQ
    use_fake_aws(monkeypatch, REGION)
    runtime = LocalRuntime(max_batching_window_s=2.5, max_receive_count=2)
    spec = SPECS["approval_notify"]
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        stage = f"t{uuid.uuid4().hex[:8]}"  # queues of its own in moto's shared backend
        urls, arns, dlq_urls, _ = create_queues(
            sqs, stage, max_receive_count=2, visibility_timeouts={q: runtime.visibility_s(q) for q in QueueName}
        )
        sqs.send_message(QueueUrl=urls[QueueName.NOTIFY], MessageBody="approval")
        handled: list[int] = []
        poller = QueuePoller(
            sqs=sqs,
            function=spec.name,
            queue_url=urls[QueueName.NOTIFY],
            queue_arn=arns[QueueName.NOTIFY],
            region=REGION,
            invoke=lambda name, event, count: handled.append(count),
            batch_size=spec.batch_size,
            wait_s=0,
            batching_window_s=runtime.batching_window_s(spec),
        )
        # When the poller collects its batch for the whole window and the handler succeeds
        assert poller.poll_once() == 1
        # Then the message is deleted: it was not received again meanwhile, so it is not in the DLQ either
        assert handled == [1] and poller.deleted == 1
        dlq = sqs.receive_message(QueueUrl=dlq_urls[QueueName.NOTIFY], WaitTimeSeconds=0).get("Messages", [])
        assert dlq == []
