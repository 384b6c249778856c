"""The approval state machine: the shared ASL file, a role that may only send to two queues,
logging without execution data, tracing, and an alarm on failed executions."""

from __future__ import annotations

import json
import re

from infra.constants import APPROVAL_DEFINITION, APPROVAL_SUBSTITUTIONS, QueueName
from infra.testing import Synthesized, actions, resources


def _state_machine(synthesized: Synthesized) -> dict:
    logical_id = synthesized.logical_id(synthesized.stack.approval.state_machine)
    return synthesized.resources("AWS::StepFunctions::StateMachine")[logical_id]["Properties"]


def test_it_is_the_shared_definition_with_both_queue_urls_substituted(synthesized: Synthesized) -> None:
    properties = _state_machine(synthesized)
    queues = synthesized.stack.queues.queues
    placeholders = set(re.findall(r"\$\{(\w+)\}", APPROVAL_DEFINITION.read_text()))

    # DefinitionBody.from_file: the file ships as an asset, byte for byte, and is referenced by S3 location
    asset = synthesized.outdir / f"asset.{properties['DefinitionS3Location']['Key']}"

    assert properties["StateMachineType"] == "STANDARD"
    assert json.loads(asset.read_text()) == json.loads(APPROVAL_DEFINITION.read_text())
    assert placeholders == set(APPROVAL_SUBSTITUTIONS) == set(properties["DefinitionSubstitutions"])
    assert properties["DefinitionSubstitutions"] == {
        "NotifyQueueUrl": {"Ref": synthesized.logical_id(queues[QueueName.NOTIFY])},
        "WritebackQueueUrl": {"Ref": synthesized.logical_id(queues[QueueName.WRITEBACK])},
    }


def test_its_role_may_send_to_the_notify_and_write_back_queues_only(synthesized: Synthesized) -> None:
    approval = synthesized.stack.approval
    statements = synthesized.role_statements(synthesized.logical_id(approval.role))
    queues = synthesized.stack.queues.queues
    sqs = [s for s in statements if any(a.startswith("sqs:") for a in actions(s))]

    assert _state_machine(synthesized)["RoleArn"] == {"Fn::GetAtt": [synthesized.logical_id(approval.role), "Arn"]}
    assert [actions(s) for s in sqs] == [{"sqs:SendMessage"}]
    assert resources(sqs[0]) == [
        {"Fn::GetAtt": [synthesized.logical_id(queues[queue]), "Arn"]}
        for queue in (QueueName.NOTIFY, QueueName.WRITEBACK)
    ]
    others = set().union(*(actions(s) for s in statements if s not in sqs))
    assert all(a.startswith(("logs:", "xray:")) for a in others)  # log delivery and tracing, on '*'


def test_it_logs_every_transition_but_no_execution_data_and_traces(synthesized: Synthesized) -> None:
    properties = _state_machine(synthesized)
    log_group = synthesized.logical_id(synthesized.stack.approval.log_group)

    assert properties["LoggingConfiguration"] == {
        "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": [log_group, "Arn"]}}}],
        "IncludeExecutionData": False,  # findings carry employee ids, punch times, evidence
        "Level": "ALL",
    }
    assert properties["TracingConfiguration"] == {"Enabled": True}
    assert synthesized.template["Resources"][log_group]["Properties"]["RetentionInDays"] == 30


def test_a_failed_execution_alarms_the_topic(synthesized: Synthesized) -> None:
    topic = {"Ref": synthesized.logical_id(synthesized.stack.alarms.topic)}
    state_machine = {"Ref": synthesized.logical_id(synthesized.stack.approval.state_machine)}

    synthesized.assertions.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/States",
            "MetricName": "ExecutionsFailed",
            "Dimensions": [{"Name": "StateMachineArn", "Value": state_machine}],
            "Statistic": "Sum",
            "Period": 300,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": [topic],
            "OKActions": [topic],
            "TreatMissingData": "notBreaching",
        },
    )
    synthesized.assertions.has_resource_properties(
        "AWS::CloudWatch::Alarm", {"MetricName": "ApproximateNumberOfMessagesVisible", "AlarmActions": [topic]}
    )


def test_the_state_machines_log_under_vendedlogs(synthesized: Synthesized) -> None:
    """Outside /aws/vendedlogs/ each log group takes room in the account's 5,120-character CloudWatch Logs resource
    policy, and a busy account's deploy can fail on it (review_infra_s17 #8)."""
    stack = synthesized.stack
    assert stack.backfill is not None
    names = {
        kind: synthesized.template["Resources"][synthesized.logical_id(group)]["Properties"].get("LogGroupName")
        for kind, group in (("approval", stack.approval.log_group), ("backfill", stack.backfill.log_group))
    }
    assert names == {kind: f"/aws/vendedlogs/states/plexlabor-dev-{kind}" for kind in names}
