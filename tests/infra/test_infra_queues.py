"""Queues: one DLQ each, SSE, TLS-only policies, visibility vs consumer timeout, DLQ alarms."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aws_cdk import App, Duration, Stack
from aws_cdk.assertions import Template

from infra.constants import DEFAULT_MAX_RECEIVE_COUNT, METRICS_NAMESPACE, SERVICE_NAME, QueueName
from infra.constructs.alarms import UNROUTABLE_FINDINGS_METRIC, Alarms
from infra.constructs.queues import REPLANS_DROPPED_METRIC, Queues
from infra.function_specs import (
    FIFO_HOLD_LIMIT_S,
    FIFO_VISIBILITY_FACTOR,
    FUNCTION_SPECS,
    VISIBILITY_TIMEOUT_FACTOR,
    max_receive_counts,
    visibility_timeouts,
)
from infra.testing import Synthesized
from plexlabor.crew.delivery import DROPPED_METRIC
from plexlabor.intake.recording import UNROUTABLE_METRIC


def _resource(synthesized: Synthesized, construct: Any) -> dict[str, Any]:
    return synthesized.template["Resources"][synthesized.logical_id(construct)]


def test_four_work_queues_and_four_dead_letter_queues(synthesized: Synthesized) -> None:
    queues = synthesized.stack.queues

    synthesized.assertions.resource_count_is("AWS::SQS::Queue", 8)
    assert set(queues.queues) == set(queues.dead_letter_queues) == set(QueueName)


@pytest.mark.parametrize("name", list(QueueName))
def test_each_queue_redrives_to_its_own_dlq(synthesized: Synthesized, name: QueueName) -> None:
    queues = synthesized.stack.queues
    properties = _resource(synthesized, queues.queues[name])["Properties"]

    assert properties["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [synthesized.logical_id(queues.dead_letter_queues[name]), "Arn"]},
        "maxReceiveCount": max_receive_counts(FUNCTION_SPECS, DEFAULT_MAX_RECEIVE_COUNT)[name],
    }
    dlq_properties = _resource(synthesized, queues.dead_letter_queues[name])["Properties"]
    assert dlq_properties["MessageRetentionPeriod"] > properties["MessageRetentionPeriod"]


def test_every_queue_is_encrypted_and_denies_plain_http(synthesized: Synthesized) -> None:
    queues = synthesized.resources("AWS::SQS::Queue")
    policies = synthesized.resources("AWS::SQS::QueuePolicy")

    assert all(queue["Properties"]["SqsManagedSseEnabled"] is True for queue in queues.values())
    protected = set()
    for policy in policies.values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}:
                protected.add(statement["Resource"]["Fn::GetAtt"][0])
    assert protected == set(queues)


@pytest.mark.parametrize("spec", [s for s in FUNCTION_SPECS if s.consumes], ids=lambda s: s.name)
def test_visibility_timeout_is_six_times_the_consumer_timeout(synthesized: Synthesized, spec: Any) -> None:
    queue = synthesized.stack.queues.queues[spec.consumes]
    visibility = _resource(synthesized, queue)["Properties"]["VisibilityTimeout"]

    factor = FIFO_VISIBILITY_FACTOR if spec.consumes.fifo else VISIBILITY_TIMEOUT_FACTOR
    assert visibility == factor * spec.timeout_s + spec.max_batching_window_s


@pytest.mark.parametrize("timeout_s", [None, 60, 300])
def test_a_failing_replan_holds_the_fifo_queue_minutes_not_an_hour(timeout_s: int | None) -> None:
    """One message group: a message that keeps failing holds every re-plan behind it until it reaches the DLQ
    (review_close_s15 #2: 5 x 720 s). Visibility and receive count follow crew_replan's timeout, whatever it is."""
    specs = [
        replace(spec, timeout_s=timeout_s or spec.timeout_s) if spec.consumes is QueueName.REPLAN else spec
        for spec in FUNCTION_SPECS
    ]
    consumer = next(spec for spec in specs if spec.consumes is QueueName.REPLAN)
    stack = Stack(App(), "QueuesOnly")
    Queues(
        stack,
        "Queues",
        visibility_timeouts={name: Duration.seconds(s) for name, s in visibility_timeouts(specs).items()},
        max_receive_counts=max_receive_counts(specs, DEFAULT_MAX_RECEIVE_COUNT),
        alarms=Alarms(stack, "Alarms", stage="test", email=None),
    )
    [replan] = [
        queue
        for queue in Template.from_stack(stack).find_resources("AWS::SQS::Queue").values()
        if queue["Properties"].get("FifoQueue") and "RedrivePolicy" in queue["Properties"]
    ]
    visibility = replan["Properties"]["VisibilityTimeout"]
    receives = replan["Properties"]["RedrivePolicy"]["maxReceiveCount"]

    assert consumer.timeout_s < visibility <= 2 * consumer.timeout_s  # time for one re-plan, not 6 x
    assert 2 <= receives <= DEFAULT_MAX_RECEIVE_COUNT  # a transient error is retried
    assert receives * visibility <= max(FIFO_HOLD_LIMIT_S, 2 * visibility)  # held minutes, then the DLQ alarms


def test_visibility_timeouts_need_exactly_one_consumer_per_queue() -> None:
    without_writeback = [s for s in FUNCTION_SPECS if s.consumes is not QueueName.WRITEBACK]

    with pytest.raises(ValueError, match="writeback"):
        visibility_timeouts(without_writeback)
    with pytest.raises(ValueError, match="two consumers"):
        visibility_timeouts([*FUNCTION_SPECS, next(s for s in FUNCTION_SPECS if s.consumes)])


def test_each_dlq_alarms_on_depth_above_zero_to_the_alarm_topic(synthesized: Synthesized) -> None:
    alarms = synthesized.resources("AWS::CloudWatch::Alarm")
    topic_ref = {"Ref": synthesized.logical_id(synthesized.stack.alarms.topic)}
    watched = set()
    for alarm in alarms.values():
        properties = alarm["Properties"]
        if properties["MetricName"] != "ApproximateNumberOfMessagesVisible":
            continue
        assert properties["Threshold"] == 0
        assert properties["ComparisonOperator"] == "GreaterThanThreshold"
        assert properties["AlarmActions"] == [topic_ref]
        [dimension] = properties["Dimensions"]
        watched.add(dimension["Value"]["Fn::GetAtt"][0])
    dlqs = synthesized.stack.queues.dead_letter_queues.values()
    assert watched == {synthesized.logical_id(dlq) for dlq in dlqs}


def test_alarm_topic_is_encrypted_tls_only_and_cloudwatch_may_use_its_key(synthesized: Synthesized) -> None:
    alarms = synthesized.stack.alarms
    topic = _resource(synthesized, alarms.topic)["Properties"]
    key = _resource(synthesized, alarms.key)["Properties"]

    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": [synthesized.logical_id(alarms.key), "Arn"]}
    assert key["EnableKeyRotation"] is True
    principals = [s["Principal"] for s in key["KeyPolicy"]["Statement"]]
    assert {"Service": "cloudwatch.amazonaws.com"} in principals
    synthesized.assertions.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Action": "sns:Publish",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ]
            }
        },
    )


def test_max_receive_count_and_alarm_email_come_from_configuration() -> None:
    stack = Stack(App(), "QueuesOnly")
    alarms = Alarms(stack, "Alarms", stage="test", email="ops@example.com")
    Queues(
        stack,
        "Queues",
        visibility_timeouts={name: Duration.seconds(60) for name in QueueName},
        max_receive_counts=dict.fromkeys(QueueName, 3),
        alarms=alarms,
    )
    template = Template.from_stack(stack)

    for queue in template.find_resources("AWS::SQS::Queue").values():
        redrive = queue["Properties"].get("RedrivePolicy")
        assert redrive is None or redrive["maxReceiveCount"] == 3
    template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com"})


def test_findings_nobody_can_approve_alarm_the_topic(synthesized: Synthesized) -> None:
    # punch_validator and norms_refresh count review findings recorded unrouted (no supervisor, no default)
    assert UNROUTABLE_FINDINGS_METRIC == UNROUTABLE_METRIC
    topic = {"Ref": synthesized.logical_id(synthesized.stack.alarms.topic)}
    synthesized.assertions.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": METRICS_NAMESPACE,
            "MetricName": UNROUTABLE_METRIC,
            "Dimensions": [{"Name": "service", "Value": SERVICE_NAME}],
            "Statistic": "Sum",
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [topic],
        },
    )


def _concurrent_batches(mapping: dict[str, Any], queue: dict[str, Any]) -> int:
    """How many batches the event source may hand its function at once: one on a FIFO queue (its senders use one
    message group: tests/integration/platform/test_sqs_sender.py), else its MaximumConcurrency (unset: Lambda's
    1,000 pollers)."""
    if queue["Properties"].get("FifoQueue"):
        return 1
    return int((mapping["Properties"].get("ScalingConfig") or {}).get("MaximumConcurrency", 1000))


def test_no_event_source_hands_its_consumer_more_batches_than_it_may_run(synthesized: Synthesized) -> None:
    """Event source mappings do not count reserved concurrency: a batch beyond it is throttled, comes back after the
    visibility timeout and counts as a receive, until it lands in the DLQ without having failed (review_s15 #1)."""
    resources = synthesized.template["Resources"]
    over = []
    for mapping in synthesized.resources("AWS::Lambda::EventSourceMapping").values():
        function = resources[mapping["Properties"]["FunctionName"]["Ref"]]
        queue = resources[mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]]
        reserved = function["Properties"].get("ReservedConcurrentExecutions")
        if reserved is not None and _concurrent_batches(mapping, queue) > reserved:
            over.append((function["Properties"]["Description"][:40], _concurrent_batches(mapping, queue), reserved))
    assert over == []


def test_the_replan_queue_and_its_dlq_are_fifo(synthesized: Synthesized) -> None:
    """crew_replan runs one re-plan at a time, each from the plan the previous one left: one message group of a FIFO
    queue orders and serializes them whatever the function's reservation."""
    queues = synthesized.stack.queues
    for name in QueueName:
        for queue in (queues.queues[name], queues.dead_letter_queues[name]):
            assert _resource(synthesized, queue)["Properties"].get("FifoQueue", False) is name.fifo


def test_a_consumer_of_a_standard_queue_reserving_less_than_its_event_source_can_poll_is_refused() -> None:
    replan = next(spec for spec in FUNCTION_SPECS if spec.consumes is QueueName.REPLAN)
    punch = next(spec for spec in FUNCTION_SPECS if spec.consumes is QueueName.PUNCH)

    with pytest.raises(ValueError, match="FIFO"):
        replace(punch, reserved_concurrency=1)
    assert replace(replan, reserved_concurrency=1).reserved_concurrency == 1  # FIFO: one batch at a time


def test_replan_messages_crew_replan_drops_alarm_the_topic(synthesized: Synthesized) -> None:
    """A dropped message no longer reaches the DLQ (it would hold the FIFO queue): its count alarms instead."""
    assert REPLANS_DROPPED_METRIC == DROPPED_METRIC
    topic = {"Ref": synthesized.logical_id(synthesized.stack.alarms.topic)}
    synthesized.assertions.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": METRICS_NAMESPACE,
            "MetricName": DROPPED_METRIC,
            "Dimensions": [{"Name": "service", "Value": SERVICE_NAME}],
            "Statistic": "Sum",
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": [topic],
        },
    )
