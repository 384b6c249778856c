"""The backfill state machine: the shared ASL file, each slice extracted once, then a Distributed Map over
the shards, invoking validation_backfill only, allowed to run its own child executions and nothing else,
logged without data, alarmed; the function keeps the extracts under its own prefix of the bucket."""

from __future__ import annotations

import json

from infra.constants import BACKFILL_DEFINITION, BACKFILL_FUNCTION, BACKFILL_PREFIX
from infra.nag import flatten_reference
from infra.testing import Synthesized, actions, resources
from plexlabor.intake.backfill import EXTRACTS_PREFIX


def _properties(synthesized: Synthesized) -> dict:
    backfill = synthesized.stack.backfill
    assert backfill is not None  # the synthesized stack has the backfill function, so its state machine
    logical_id = synthesized.logical_id(backfill.state_machine)
    return synthesized.resources("AWS::StepFunctions::StateMachine")[logical_id]["Properties"]


def test_it_is_the_shared_definition_a_distributed_map_over_the_planned_shards(synthesized: Synthesized) -> None:
    properties = _properties(synthesized)
    asset = synthesized.outdir / f"asset.{properties['DefinitionS3Location']['Key']}"
    definition = json.loads(asset.read_text())
    function = synthesized.logical_id(synthesized.stack.functions.functions[BACKFILL_FUNCTION])

    assert definition == json.loads(BACKFILL_DEFINITION.read_text())
    assert properties["StateMachineType"] == "STANDARD"
    assert properties["DefinitionSubstitutions"] == {"BackfillFunctionArn": {"Fn::GetAtt": [function, "Arn"]}}
    plan, extracts = definition["States"]["Plan"], definition["States"]["ExtractSlices"]
    shards = definition["States"]["ValidateShards"]
    assert definition["StartAt"] == "Plan" and plan["Next"] == "ExtractSlices"
    assert extracts["Next"] == "ValidateShards" and extracts["ResultPath"] is None  # the keys are not kept
    assert extracts["Type"] == "Map" and extracts["ItemProcessor"]["ProcessorConfig"]["Mode"] == "INLINE"
    assert extracts["MaxConcurrency"] == 1  # every read shares Plex's call limit
    assert extracts["ItemsPath"] == "$.planned.slices" and extracts["ItemSelector"] == {
        "extract.$": "$$.Map.Item.Value"
    }
    assert shards["Type"] == "Map" and shards["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert shards["ItemsPath"] == "$.planned.shards" and shards["MaxConcurrencyPath"] == "$.planned.max_concurrency"
    assert set(plan["ResultSelector"]) == {"slices.$", "shards.$", "max_concurrency.$"}


def test_the_function_reads_and_writes_the_extracts_under_their_prefix_only(synthesized: Synthesized) -> None:
    bucket = synthesized.logical_id(synthesized.stack.artifacts.bucket)
    assert BACKFILL_PREFIX == EXTRACTS_PREFIX
    extracts = f"<{bucket}.Arn>/{BACKFILL_PREFIX}*"
    granted = {
        action: {
            name
            for name in synthesized.stack.functions.functions
            if extracts in synthesized.granted(name, action, flatten=True)
        }
        for action in ("s3:GetObject", "s3:PutObject")
    }
    assert granted == {"s3:GetObject": {BACKFILL_FUNCTION}, "s3:PutObject": {BACKFILL_FUNCTION}}


def test_its_role_invokes_the_backfill_function_and_runs_its_own_executions_only(synthesized: Synthesized) -> None:
    backfill = synthesized.stack.backfill
    assert backfill is not None
    statements = synthesized.role_statements(synthesized.logical_id(backfill.role))
    function = synthesized.logical_id(synthesized.stack.functions.functions[BACKFILL_FUNCTION])
    by_action = {frozenset(actions(s)): [flat(synthesized, r) for r in resources(s)] for s in statements}
    name = _properties(synthesized)["StateMachineName"]
    own = f"arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:{name}"

    assert name.endswith("-backfill")
    assert by_action.pop(frozenset({"lambda:InvokeFunction"})) == [f"<{function}.Arn>"]
    assert by_action.pop(frozenset({"states:StartExecution"})) == [own]  # the map's child executions
    assert by_action.pop(frozenset({"states:DescribeExecution", "states:StopExecution"})) == [
        own.replace(":stateMachine:", ":execution:") + "/*"
    ]
    others = set().union(*by_action)
    assert all(a.startswith(("logs:", "xray:")) for a in others)  # log delivery and tracing, on '*'


def flat(synthesized: Synthesized, resource: object) -> str:
    return flatten_reference(synthesized.stack.resolve(resource))


def test_it_logs_without_execution_data_traces_and_alarms_on_failure(synthesized: Synthesized) -> None:
    properties = _properties(synthesized)
    topic = {"Ref": synthesized.logical_id(synthesized.stack.alarms.topic)}
    backfill = synthesized.stack.backfill
    assert backfill is not None
    state_machine = {"Ref": synthesized.logical_id(backfill.state_machine)}

    assert properties["LoggingConfiguration"]["IncludeExecutionData"] is False
    assert properties["LoggingConfiguration"]["Level"] == "ALL"
    assert properties["TracingConfiguration"] == {"Enabled": True}
    synthesized.assertions.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "MetricName": "ExecutionsFailed",
            "Dimensions": [{"Name": "StateMachineArn", "Value": state_machine}],
            "AlarmActions": [topic],
        },
    )
