"""Functions built by the one helper: runtime, tracing, logs, env, triggers, least privilege."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.app import add_stack, create_app
from infra.config import RETENTION_DAYS
from infra.constants import (
    COMMON_ENV_NAMES,
    CTX_BUILD_DIR,
    CTX_FUNCTIONS_ROOT,
    CTX_PLACEHOLDER_LAYERS,
    CTX_PLEX_SETTINGS,
    CTX_RESERVED_CONCURRENCY,
    DEFAULT_LOG_RETENTION_DAYS,
    ENV_AUDIT_TABLE_NAME,
    ENV_IDEMPOTENCY_TABLE_NAME,
    ENV_PLEX_BASE_URL,
    ENV_QUEUE_URL,
    ENV_SECRET_ARN,
    ENV_STATE_TABLE_NAME,
    LayerName,
    QueueName,
    SecretName,
)
from infra.constructs.functions import RETENTION
from infra.function_specs import (
    BATCH,
    FUNCTION_SPECS,
    FunctionSpec,
    ReadSecret,
    SendTo,
    TableAccess,
)
from infra.testing import Synthesized, synthesize, write_fake_functions

SPECS = {spec.name: spec for spec in FUNCTION_SPECS}
LOGS_AND_XRAY = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def _function(synthesized: Synthesized, name: str) -> dict[str, Any]:
    function = synthesized.stack.functions.functions[name]
    return synthesized.template["Resources"][synthesized.logical_id(function)]


def _statements(synthesized: Synthesized, name: str) -> list[dict[str, Any]]:
    """Every statement of the policies attached to this function's role."""
    role_id = _function(synthesized, name)["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = []
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _resources(statement: dict[str, Any]) -> list[Any]:
    resources = statement["Resource"]
    return resources if isinstance(resources, list) else [resources]


def _refers_to(resource: Any, logical_id: str) -> bool:
    return logical_id in repr(resource)


def test_every_spec_with_a_handler_becomes_one_function(synthesized: Synthesized) -> None:
    synthesized.assertions.resource_count_is("AWS::Lambda::Function", len(FUNCTION_SPECS))
    assert set(synthesized.stack.functions.functions) == set(SPECS)
    assert synthesized.stack.functions.skipped == ()


@pytest.mark.parametrize("spec", FUNCTION_SPECS, ids=lambda spec: spec.name)
def test_function_settings_come_from_its_spec(synthesized: Synthesized, spec: FunctionSpec) -> None:
    properties = _function(synthesized, spec.name)["Properties"]

    assert properties["Handler"] == f"functions.{spec.name}.handler.handler"
    assert properties["Runtime"] == f"python{spec.flavour.python.value}"
    assert properties["Architectures"] == ["x86_64"]
    assert properties["TracingConfig"] == {"Mode": "Active"}
    assert properties["MemorySize"] == spec.memory_mb
    assert properties["Timeout"] == spec.timeout_s
    assert properties.get("ReservedConcurrentExecutions") == spec.reserved_concurrency
    layers = synthesized.stack.layers.created
    assert properties["Layers"] == [{"Ref": synthesized.logical_id(layers[name])} for name in spec.flavour.layers]


@pytest.mark.parametrize("spec", FUNCTION_SPECS, ids=lambda spec: spec.name)
def test_each_function_logs_to_its_own_group_with_retention(synthesized: Synthesized, spec: FunctionSpec) -> None:
    log_group_ref = _function(synthesized, spec.name)["Properties"]["LoggingConfig"]["LogGroup"]
    log_group = synthesized.template["Resources"][log_group_ref["Ref"]]

    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == DEFAULT_LOG_RETENTION_DAYS
    writes = [s for s in _statements(synthesized, spec.name) if _actions(s) & {"logs:PutLogEvents"}]
    assert [_resources(s) for s in writes] == [[{"Fn::GetAtt": [log_group_ref["Ref"], "Arn"]}]]


@pytest.mark.parametrize("spec", FUNCTION_SPECS, ids=lambda spec: spec.name)
def test_env_vars_are_powertools_plus_only_granted_resources(synthesized: Synthesized, spec: FunctionSpec) -> None:
    env = _function(synthesized, spec.name)["Properties"]["Environment"]["Variables"]

    assert {name: env[name] for name in COMMON_ENV_NAMES} == {
        "POWERTOOLS_SERVICE_NAME": "plexlabor",
        "POWERTOOLS_METRICS_NAMESPACE": "plexlabor",
        "LOG_LEVEL": "INFO",
        "PLEXLABOR_STAGE": "dev",
    }
    tables = {access for access in spec.access if isinstance(access, TableAccess)}
    assert (ENV_AUDIT_TABLE_NAME in env) == bool(tables & {TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ})
    assert (ENV_STATE_TABLE_NAME in env) == bool(tables & {TableAccess.STATE_READ, TableAccess.STATE_READ_WRITE})
    assert (ENV_IDEMPOTENCY_TABLE_NAME in env) == (TableAccess.IDEMPOTENCY in tables)
    for queue in QueueName:
        assert (ENV_QUEUE_URL[queue] in env) == (SendTo(queue) in spec.access)
    for secret in SecretName:
        assert (ENV_SECRET_ARN[secret] in env) == (ReadSecret(secret) in spec.access)
    assert (ENV_PLEX_BASE_URL in env) == spec.reads_plex


def test_no_role_uses_managed_policies_or_wildcards_beyond_xray(synthesized: Synthesized) -> None:
    for role in synthesized.resources("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]
    for name in SPECS:
        for statement in _statements(synthesized, name):
            assert statement["Effect"] == "Allow"
            assert not any("*" in action for action in _actions(statement))
            if "*" in _resources(statement):
                assert _actions(statement) == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def test_webhook_may_only_enqueue_punches_and_read_the_hmac_secret(synthesized: Synthesized) -> None:
    statements = _statements(synthesized, "punch_webhook")
    actions = set().union(*(_actions(s) for s in statements))

    assert actions - LOGS_AND_XRAY == {
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
    }
    stack = synthesized.stack
    punch_queue = synthesized.logical_id(stack.queues.queues[QueueName.PUNCH])
    hmac = synthesized.logical_id(stack.secrets.secrets[SecretName.WEBHOOK_HMAC])
    for statement in statements:
        if _actions(statement) & {"sqs:SendMessage"}:
            assert all(_refers_to(r, punch_queue) for r in _resources(statement))
        if _actions(statement) & {"secretsmanager:GetSecretValue"}:
            assert all(_refers_to(r, hmac) for r in _resources(statement))


def test_nobody_may_update_or_delete_audit_events(synthesized: Synthesized) -> None:
    audit = synthesized.logical_id(synthesized.stack.storage.audit_table)
    for name in SPECS:
        for statement in _statements(synthesized, name):
            if any(_refers_to(r, audit) for r in _resources(statement)):
                assert _actions(statement) <= {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"}


def test_audit_readers_get_each_index_by_name_not_a_wildcard(synthesized: Synthesized) -> None:
    statements = _statements(synthesized, "approval_callback")
    rendered = repr([_resources(s) for s in statements if "dynamodb:Query" in _actions(s)])

    for index in synthesized.stack.storage.audit_index_names:
        assert f"/index/{index}" in rendered
    assert "/index/*" not in rendered


@pytest.mark.parametrize("spec", FUNCTION_SPECS, ids=lambda spec: spec.name)
def test_queue_consumers_report_partial_batch_failures(synthesized: Synthesized, spec: FunctionSpec) -> None:
    function_id = synthesized.logical_id(synthesized.stack.functions.functions[spec.name])
    mappings = [
        m["Properties"]
        for m in synthesized.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function_id}
    ]

    if spec.consumes is None:
        assert mappings == []
        return
    [mapping] = mappings
    queue_id = synthesized.logical_id(synthesized.stack.queues.queues[spec.consumes])
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == spec.batch_size


def test_function_asset_holds_only_its_own_code(synthesized: Synthesized) -> None:
    asset = synthesized.build_dir / "functions" / "punch_webhook"
    files = sorted(str(path.relative_to(asset)) for path in asset.rglob("*") if path.is_file())

    assert files == [
        "functions/__init__.py",
        "functions/punch_webhook/__init__.py",
        "functions/punch_webhook/handler.py",
    ]


def test_only_specs_with_a_handler_are_built(tmp_path: Path) -> None:
    context = {CTX_RESERVED_CONCURRENCY: "false", CTX_PLEX_SETTINGS: '{"TENANT_ID": "t-1"}'}
    partial = synthesize(tmp_path, ["punch_poller", "punch_validator"], **context)

    assert set(partial.stack.functions.functions) == {"punch_poller", "punch_validator"}
    assert set(partial.stack.functions.skipped) == set(SPECS) - {"punch_poller", "punch_validator"}
    partial.assertions.resource_count_is("AWS::Lambda::Function", 2)
    # no batch function yet, so the heavy layer is not in the template
    assert set(partial.stack.layers.created) == {LayerName.CORE, LayerName.DEPS_LIGHT}
    poller = _function(partial, "punch_poller")["Properties"]
    assert "ReservedConcurrentExecutions" not in poller
    assert poller["Environment"]["Variables"]["PLEXLABOR_PLEX_TENANT_ID"] == "t-1"


def test_the_helper_refuses_managed_env_overrides_and_duplicates(tmp_path: Path) -> None:
    root = write_fake_functions(tmp_path / "src", ["punch_webhook"])
    context = {CTX_PLACEHOLDER_LAYERS: True, CTX_FUNCTIONS_ROOT: str(root), CTX_BUILD_DIR: str(tmp_path / "b")}
    functions = add_stack(create_app(context, outdir=str(tmp_path / "out"))).functions

    with pytest.raises(ValueError, match="LOG_LEVEL"):
        functions.add_function(FunctionSpec(name="extra", description="x", environment={"LOG_LEVEL": "DEBUG"}))
    with pytest.raises(ValueError, match="twice"):
        functions.add_function(SPECS["punch_webhook"])


def test_log_retention_choices_match_cloudwatch() -> None:
    assert set(RETENTION) == set(RETENTION_DAYS)


def test_spec_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="identifier"):
        FunctionSpec(name="Punch-Webhook", description="x")
    with pytest.raises(ValueError, match="timeout"):
        FunctionSpec(name="slow", description="x", timeout_s=901)
    with pytest.raises(ValueError, match="batching window"):
        FunctionSpec(name="big", description="x", batch_size=100)
    with pytest.raises(ValueError, match="reserved concurrency"):
        FunctionSpec(name="off", description="x", reserved_concurrency=0)
    assert FunctionSpec(name="norms_refresh", description="x", flavour=BATCH).handler == (
        "functions.norms_refresh.handler.handler"
    )
