"""Functions built by the one helper: runtime, tracing, logs, env, triggers, least privilege."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from infra_prefixes import GRANTED_PATTERNS

import plexlabor.platform.env as env_vars
from infra.app import add_stack, create_app, missing_settings_report
from infra.config import RETENTION_DAYS
from infra.constants import (
    ALLOCATION_REPORTS_PREFIX,
    ANALYTICS_REPORTS_PREFIX,
    BACKFILL_PREFIX,
    CREW_KEPT_PREFIX,
    CTX_ADVISORY_MODE,
    CTX_BUILD_DIR,
    CTX_DEFAULT_SUPERVISOR_ID,
    CTX_FUNCTIONS_ROOT,
    CTX_PLACEHOLDER_LAYERS,
    CTX_PLEX_SETTINGS,
    CTX_RESERVED_CONCURRENCY,
    CTX_SCHEDULES,
    CTX_TIMEZONE,
    DEFAULT_LOG_RETENTION_DAYS,
    ENV_QUEUE_URL,
    ENV_SECRET_ARN,
    INCIDENT_MODELS_PREFIX,
    INCIDENT_REPORTS_PREFIX,
    INCIDENT_RUNS_PREFIX,
    NORMS_PREFIX,
    SCORER_MODELS_PREFIX,
    SCORER_RUNS_PREFIX,
    SCORER_SALT_PREFIX,
    SKILLS_REPORTS_PREFIX,
    LayerName,
    QueueName,
    SecretName,
)
from infra.constructs.functions import RETENTION
from infra.function_specs import (
    BATCH,
    FUNCTION_SPECS,
    BucketAccess,
    FunctionSpec,
    Need,
    ReadSecret,
    Route,
    SendTo,
    TableAccess,
)
from infra.nag import flatten_reference
from infra.testing import Synthesized, actions, resources, synthesize, write_fake_functions
from infra.wiring import COMMON_SOURCES, OPTIONAL_SETTINGS, ROLLOUT_SETTINGS, environment_sources, resolve
from plexlabor.incidents.transcribe import AUDIO_PREFIX as RECORDINGS_PREFIX
from plexlabor.incidents.transcribe import JOB_PREFIX as TRANSCRIPTION_JOB_PREFIX
from plexlabor.incidents.transcribe import TRANSCRIPT_PREFIX
from plexlabor.platform.retrainruns import LAST_RUN_KEY

SPECS = {spec.name: spec for spec in FUNCTION_SPECS}
LOGS_AND_XRAY = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def _function(synthesized: Synthesized, name: str) -> dict[str, Any]:
    return synthesized.function(name)


def _statements(synthesized: Synthesized, name: str) -> list[dict[str, Any]]:
    """Every statement of the policies attached to this function's role."""
    return synthesized.function_statements(name)


_actions = actions
_resources = resources


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

    assert {name: env[name] for name in COMMON_SOURCES} == {
        "POWERTOOLS_SERVICE_NAME": "plexlabor",
        "POWERTOOLS_METRICS_NAMESPACE": "plexlabor",
        "LOG_LEVEL": "INFO",
        "PLEXLABOR_STAGE": "dev",
    }
    tables = {access for access in spec.access if isinstance(access, TableAccess)}
    assert (env_vars.AUDIT_TABLE_NAME in env) == bool(tables & {TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ})
    assert (env_vars.STATE_TABLE_NAME in env) == bool(tables & {TableAccess.STATE_READ, TableAccess.STATE_READ_WRITE})
    assert (env_vars.IDEMPOTENCY_TABLE_NAME in env) == (TableAccess.IDEMPOTENCY in tables)
    for queue in QueueName:
        assert (ENV_QUEUE_URL[queue] in env) == (SendTo(queue) in spec.access)
    for secret in SecretName:
        assert (ENV_SECRET_ARN[secret] in env) == (ReadSecret(secret) in spec.access)
    assert (env_vars.PLEX_BASE_URL in env) == spec.reads_plex


@pytest.mark.parametrize("spec", FUNCTION_SPECS, ids=lambda spec: spec.name)
def test_env_vars_are_exactly_what_the_wiring_lists(synthesized: Synthesized, spec: FunctionSpec) -> None:
    """A configured deployment (timezone, sender, default supervisor set) leaves no variable out; an
    optional setting it does not configure (no pilot: plant-wide) is left out, as on AWS."""
    env = _function(synthesized, spec.name)["Properties"]["Environment"]["Variables"]
    resources = synthesized.stack.resources
    unset = {
        name
        for name, source in environment_sources(spec).items()
        if source in OPTIONAL_SETTINGS and resolve(source, resources) is None
    }

    assert unset <= {name for name, source in environment_sources(spec).items() if source in ROLLOUT_SETTINGS}
    assert set(env) == (set(environment_sources(spec)) - unset) | set(spec.environment)


def test_needs_become_their_variables(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    env = {name: _function(synthesized, name)["Properties"]["Environment"]["Variables"] for name in SPECS}
    state_machine = {"Ref": synthesized.logical_id(stack.approval.state_machine)}
    bucket = {"Ref": synthesized.logical_id(stack.artifacts.bucket)}

    for name in ("punch_validator", "norms_refresh"):
        assert env[name][env_vars.APPROVAL_STATE_MACHINE_ARN] == state_machine
        assert env[name][env_vars.ARTIFACTS_BUCKET_NAME] == bucket
        assert env[name][env_vars.DEFAULT_SUPERVISOR_ID] == "SUP-0001"
        assert env[name]["APPROVAL_WAIT_SECONDS"] == str(8 * 3600)
    for name in ("punch_poller", "punch_validator", "norms_refresh"):
        assert env[name][env_vars.TIMEZONE] == "America/Detroit"
    assert env["approval_notify"][env_vars.NOTIFY_SENDER] == "approvals@plant.example.com"
    assert env["plex_writeback"][env_vars.MAX_RECEIVE_COUNT] == "5"
    assert all(
        env_vars.APPROVAL_STATE_MACHINE_ARN not in env[name] for name in ("approval_callback", "approval_notify")
    )


def test_max_receive_count_is_the_write_back_queues_own(synthesized: Synthesized) -> None:
    queue = synthesized.template["Resources"][
        synthesized.logical_id(synthesized.stack.queues.queues[QueueName.WRITEBACK])
    ]
    redrive = queue["Properties"]["RedrivePolicy"]["maxReceiveCount"]
    env = _function(synthesized, "plex_writeback")["Properties"]["Environment"]["Variables"]

    assert env[env_vars.MAX_RECEIVE_COUNT] == str(redrive)


def test_approval_links_point_at_the_api_stage(synthesized: Synthesized) -> None:
    """`<base>/approvals/<token>` must be the approval route: the base is the stage URL itself."""
    api = synthesized.stack.api
    assert api is not None
    base = _function(synthesized, "approval_notify")["Properties"]["Environment"]["Variables"][
        env_vars.APPROVAL_BASE_URL
    ]
    rendered = repr(base)

    assert synthesized.logical_id(api.rest_api) in rendered
    assert rendered.endswith("'/dev/']]}")  # the stage's name, not its resource: see infra/constructs/api.py
    assert "approvals" not in rendered
    assert Route("GET", "/approvals/{token}") in api.routes


def test_bucket_access_is_per_prefix_and_never_delete(synthesized: Synthesized) -> None:
    bucket = synthesized.logical_id(synthesized.stack.artifacts.bucket)
    objects = f"<{bucket}.Arn>/{NORMS_PREFIX}*"
    flat = {name: synthesized.granted(name, "s3:GetObject", flatten=True) for name in SPECS}

    forecasts = f"<{bucket}.Arn>/models/forecast/*"
    reports = f"<{bucket}.Arn>/{SKILLS_REPORTS_PREFIX}*"
    registry = f"<{bucket}.Arn>/{SCORER_MODELS_PREFIX}*"  # scorer_retrain's (test_infra_scorer_reads)
    scorer = [f"<{bucket}.Arn>/{SCORER_MODELS_PREFIX}{key}" for key in ("latest.json", "shadow.json", "*/model.json")]
    salts = f"<{bucket}.Arn>/{SCORER_SALT_PREFIX}*"
    forecasters = ("forecast_nightly", "forecast_refresh")
    analytics = f"<{bucket}.Arn>/{ANALYTICS_REPORTS_PREFIX}*"
    readers = {"punch_validator", "norms_refresh", *forecasters, "skills_daily", "web_app", "scorer_retrain"}
    readers.add("validation_backfill")  # the norms it computes first (norms_refresh's wiring)
    readers |= {"copilot_ask", "copilot_index"}  # the index, the procedures (test_infra_copilot.py)
    readers |= {"analytics_nightly", "incident_trends", "allocation_nightly"}
    readers |= {"incident_log", "incident_retrain"}  # the incident models (plexlabor.incidents.registry)
    readers.add("crew_replan")  # the shifts and days it stores for the next container (plexlabor.crew.snapshots)
    assert {name for name, found in flat.items() if found} == readers
    # norms, and the scorer model in force: every function that scores findings (plexlabor.validation.registry)
    assert sorted(flat["norms_refresh"]) == sorted([objects, *scorer])
    extracts = f"<{bucket}.Arn>/{BACKFILL_PREFIX}*"  # each backfill slice, read from Plex once (test_infra_backfill)
    assert sorted(flat["validation_backfill"]) == sorted([objects, extracts, *scorer])
    assert sorted(flat["punch_validator"]) == sorted([objects, *scorer])
    assert sorted(flat["scorer_retrain"]) == sorted([registry, salts])  # the salts: only scorer_retrain
    puts = synthesized.granted("scorer_retrain", "s3:PutObject", flatten=True)
    assert sorted(puts) == sorted([registry, salts])
    assert flat["forecast_nightly"] == [forecasts]
    assert synthesized.granted("forecast_nightly", "s3:PutObject", flatten=True) == [forecasts]
    # forecast_refresh also refreshes the coverage report on its read (plexlabor.intraday)
    assert sorted(flat["forecast_refresh"]) == sorted([forecasts, reports])
    assert sorted(synthesized.granted("forecast_refresh", "s3:PutObject", flatten=True)) == sorted([forecasts, reports])
    assert flat["skills_daily"] == [reports]
    incidents = f"<{bucket}.Arn>/{INCIDENT_REPORTS_PREFIX}*"
    allocation = f"<{bucket}.Arn>/{ALLOCATION_REPORTS_PREFIX}*"
    runs = [f"<{bucket}.Arn>/{prefix}last.json" for prefix in (SCORER_RUNS_PREFIX, INCIDENT_RUNS_PREFIX)]
    folder = LAST_RUN_KEY.rpartition("/")[0]  # where the retrains put their last run (plexlabor.platform.retrainruns)
    assert f"{SCORER_MODELS_PREFIX}{folder}/" == SCORER_RUNS_PREFIX
    assert f"{INCIDENT_MODELS_PREFIX}{folder}/" == INCIDENT_RUNS_PREFIX
    assert sorted(flat["web_app"]) == sorted([reports, forecasts, analytics, incidents, allocation, *runs])
    assert flat["allocation_nightly"] == [allocation]
    assert synthesized.granted("allocation_nightly", "s3:PutObject", flatten=True) == [allocation]
    assert flat["incident_trends"] == [incidents]
    incident_models = f"<{bucket}.Arn>/{INCIDENT_MODELS_PREFIX}*"
    spoken = [f"<{bucket}.Arn>/{RECORDINGS_PREFIX}*", f"<{bucket}.Arn>/{TRANSCRIPT_PREFIX}*"]  # test_infra_transcribe
    assert sorted(flat["incident_log"]) == sorted([incident_models, *spoken])
    assert flat["incident_retrain"] == [incident_models]
    assert sorted(synthesized.granted("incident_log", "s3:PutObject", flatten=True)) == sorted(spoken)
    puts = synthesized.granted("incident_retrain", "s3:PutObject", flatten=True)
    assert puts == [incident_models]
    assert synthesized.granted("incident_trends", "s3:PutObject", flatten=True) == [incidents]
    assert flat["analytics_nightly"] == [analytics]
    assert synthesized.granted("analytics_nightly", "s3:PutObject", flatten=True) == [analytics]
    kept = [f"<{bucket}.Arn>/{CREW_KEPT_PREFIX}*"]
    assert flat["crew_replan"] == kept and synthesized.granted("crew_replan", "s3:PutObject", flatten=True) == kept
    assert synthesized.granted("punch_validator", "s3:PutObject") == []
    assert synthesized.granted("web_app", "s3:PutObject") == []
    assert synthesized.granted("norms_refresh", "s3:PutObject", flatten=True) == [objects]
    backfill_puts = synthesized.granted("validation_backfill", "s3:PutObject", flatten=True)
    assert sorted(backfill_puts) == sorted([objects, extracts])  # the scorer's registry: read only
    assert synthesized.granted("skills_daily", "s3:PutObject", flatten=True) == [reports]
    web_app = [s for s in _statements(synthesized, "web_app") if "s3:GetObject" in _actions(s)]
    assert web_app and all(_actions(s) == {"s3:GetObject"} for s in web_app)  # read only, every prefix
    for name in readers:  # a missing key must be a 404, not a 403
        assert synthesized.granted(name, "s3:ListBucket", flatten=True) == [f"<{bucket}.Arn>"]
    for name in SPECS:
        assert not any(
            a.startswith("s3:Delete") for statement in _statements(synthesized, name) for a in _actions(statement)
        )


def test_state_machine_grants_are_start_for_intake_and_task_response_for_the_deciders(
    synthesized: Synthesized,
) -> None:
    state_machine = {"Ref": synthesized.logical_id(synthesized.stack.approval.state_machine)}
    starters = {name for name in SPECS if synthesized.granted(name, "states:StartExecution")}
    responders = {name for name in SPECS if synthesized.granted(name, "states:SendTaskSuccess")}

    assert starters == {"punch_validator", "norms_refresh", "validation_backfill"}
    assert responders == {"approval_callback", "web_app"}  # a mailed link, or the review queue
    for name in starters:
        assert synthesized.granted(name, "states:StartExecution") == [state_machine]
    assert synthesized.granted("approval_callback", "states:SendTaskFailure") == [state_machine]


@pytest.mark.parametrize("name", ["approval_notify", "review_sweep"])
def test_only_the_notifiers_send_mail_and_only_as_the_sender(synthesized: Synthesized, name: str) -> None:
    senders = [spec for spec in SPECS if synthesized.granted(spec, "ses:SendEmail")]
    [statement] = [s for s in _statements(synthesized, name) if "ses:SendEmail" in _actions(s)]
    identities = [flatten_reference(r) for r in _resources(statement)]

    assert senders == ["approval_notify", "review_sweep"]
    assert _actions(statement) == {"ses:SendEmail"}
    assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": "approvals@plant.example.com"}}
    assert [i.rsplit(":identity/", 1)[1] for i in identities] == ["approvals@plant.example.com", "plant.example.com"]


def test_unused_grants_are_gone(synthesized: Synthesized) -> None:
    """Each handler's settings decide: no idempotency table for the approval consumers; the sweep appends
    findings (and reads a finding's history when it records it again: tests/infra/test_infra_audit_reads.py). The
    validator and the sweep write the state table only for the punches they count (a marker Put and a counter
    Update, one transaction), and the sweep queries it only for the markers of its window."""
    env = {name: _function(synthesized, name)["Properties"]["Environment"]["Variables"] for name in SPECS}

    assert env_vars.IDEMPOTENCY_TABLE_NAME not in env["approval_notify"]
    assert env_vars.IDEMPOTENCY_TABLE_NAME not in env["plex_writeback"]
    audit = synthesized.logical_id(synthesized.stack.storage.audit_table)
    state = synthesized.logical_id(synthesized.stack.storage.state_table)
    assert any(_refers_to(r, audit) for r in synthesized.granted("norms_refresh", "dynamodb:PutItem"))
    for name in ("punch_validator", "norms_refresh"):
        assert env_vars.STATE_TABLE_NAME in env[name]
        for action in ("dynamodb:PutItem", "dynamodb:UpdateItem"):
            assert any(_refers_to(r, state) for r in synthesized.granted(name, action))
        assert not any(_refers_to(r, audit) for r in synthesized.granted(name, "dynamodb:UpdateItem"))
    assert any(_refers_to(r, state) for r in synthesized.granted("norms_refresh", "dynamodb:Query"))


def test_no_role_uses_managed_policies_or_wildcards_beyond_xray_transcribe_and_object_prefixes(
    synthesized: Synthesized,
) -> None:
    bucket = synthesized.logical_id(synthesized.stack.artifacts.bucket)
    for role in synthesized.resources("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]
    for name in SPECS:
        for statement in _statements(synthesized, name):
            assert statement["Effect"] == "Allow"
            assert not any("*" in action for action in _actions(statement))
            for resource in _resources(statement):
                flat = flatten_reference(resource)
                if flat == "*" and "transcribe:StartTranscriptionJob" in _actions(statement):
                    assert (name, set(statement["Condition"])) == ("incident_log", {"StringEquals", "StringLike"})
                elif flat == "*":
                    assert _actions(statement) == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
                elif flat.endswith(f":transcription-job/{TRANSCRIPTION_JOB_PREFIX}*"):
                    assert _actions(statement) == {"transcribe:GetTranscriptionJob"}  # incident_log's own jobs
                elif "*" in flat:
                    assert flat in {f"<{bucket}.Arn>/{pattern}" for pattern in GRANTED_PATTERNS}, flat
                    assert _actions(statement) <= {"s3:GetObject", "s3:PutObject"}


def test_webhook_may_only_enqueue_punches_read_the_hmac_secret_and_use_delivery_nonces(
    synthesized: Synthesized,
) -> None:
    statements = _statements(synthesized, "punch_webhook")
    actions = set().union(*(_actions(s) for s in statements))

    assert actions - LOGS_AND_XRAY == {
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",  # a delivery's nonce, on condition that it is new
        "dynamodb:UpdateItem",  # released when its records could not be enqueued
    }
    stack = synthesized.stack
    punch_queue = synthesized.logical_id(stack.queues.queues[QueueName.PUNCH])
    hmac = synthesized.logical_id(stack.secrets.secrets[SecretName.WEBHOOK_HMAC])
    state = synthesized.logical_id(stack.storage.state_table)
    for statement in statements:
        if _actions(statement) & {"sqs:SendMessage"}:
            assert all(_refers_to(r, punch_queue) for r in _resources(statement))
        if _actions(statement) & {"secretsmanager:GetSecretValue"}:
            assert all(_refers_to(r, hmac) for r in _resources(statement))
        if _actions(statement) & {"dynamodb:PutItem"}:
            assert all(_refers_to(r, state) for r in _resources(statement))


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
    context = {
        CTX_RESERVED_CONCURRENCY: "false",
        CTX_PLEX_SETTINGS: '{"TENANT_ID": "t-1"}',
        CTX_SCHEDULES: '{"punch_poller": "disabled", "norms_refresh": "rate(1 hour)"}',
    }
    partial = synthesize(tmp_path, ["punch_poller", "punch_validator"], **context)

    assert set(partial.stack.functions.functions) == {"punch_poller", "punch_validator"}
    assert set(partial.stack.functions.skipped) == set(SPECS) - {"punch_poller", "punch_validator"}
    partial.assertions.resource_count_is("AWS::Lambda::Function", 2)
    # no batch function yet, so the heavy layer is not in the template
    assert set(partial.stack.layers.created) == {LayerName.CORE, LayerName.DEPS_LIGHT}
    poller = _function(partial, "punch_poller")["Properties"]
    assert "ReservedConcurrentExecutions" not in poller
    assert poller["Environment"]["Variables"]["PLEXLABOR_PLEX_TENANT_ID"] == "t-1"
    # no routed function: no API; the plant settings are not configured: reported, not invented
    assert partial.stack.api is None
    partial.assertions.resource_count_is("AWS::ApiGateway::RestApi", 0)
    assert partial.stack.missing_settings() == {
        "punch_poller": [env_vars.TIMEZONE],
        "punch_validator": [env_vars.DEFAULT_SUPERVISOR_ID, env_vars.TIMEZONE],
    }
    assert env_vars.TIMEZONE not in poller["Environment"]["Variables"]
    assert (
        env_vars.DEFAULT_SUPERVISOR_ID
        not in _function(partial, "punch_validator")["Properties"]["Environment"]["Variables"]
    )
    assert missing_settings_report(partial.stack)[0].startswith("[app] WARNING: punch_poller will fail")
    # a disabled schedule keeps its rule (turning it back on is an update); absent functions get none
    [rule] = partial.resources("AWS::Events::Rule").values()
    assert (rule["Properties"]["State"], rule["Properties"]["ScheduleExpression"]) == ("DISABLED", "rate(5 minutes)")


def test_the_default_supervisor_is_missing_unless_the_plant_runs_advisory(tmp_path: Path) -> None:
    # Given the validator deployed without a default supervisor: reported, with how to set it
    required = synthesize(tmp_path / "required", ["punch_validator"], **{CTX_TIMEZONE: "America/Detroit"})
    assert required.stack.missing_settings() == {"punch_validator": [env_vars.DEFAULT_SUPERVISOR_ID]}
    [warning] = missing_settings_report(required.stack)
    assert f"-c {CTX_DEFAULT_SUPERVISOR_ID}=" in warning
    # while in advisory mode, where nobody is asked, it is not needed
    advisory = synthesize(
        tmp_path / "advisory", ["punch_validator"], **{CTX_TIMEZONE: "America/Detroit", CTX_ADVISORY_MODE: "true"}
    )
    assert advisory.stack.missing_settings() == {}


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
    with pytest.raises(ValueError, match="consumed queue"):
        FunctionSpec(name="late", description="x", needs=(Need.REDRIVE_LIMIT,))
    with pytest.raises(ValueError, match="schedule"):
        FunctionSpec(name="cron", description="x", schedule="every day")
    with pytest.raises(ValueError, match="duplicate route"):
        FunctionSpec(name="api", description="x", routes=(Route("GET", "/a"), Route("GET", "/a")))
    with pytest.raises(ValueError, match="route path"):
        Route("GET", "/a/")
    with pytest.raises(ValueError, match="prefix"):
        BucketAccess.read("norms")
    with pytest.raises(ValueError, match="relative key patterns"):
        BucketAccess.read("models/scorer/", "/latest.json")
    with pytest.raises(ValueError, match="whole prefix"):
        BucketAccess("models/scorer/", write=True, keys=("latest.json",))
    assert BucketAccess.read("a/").keys == ("*",) and BucketAccess.read("a/", "x.json").keys == ("x.json",)
    with pytest.raises(ValueError, match="one bucket access per prefix"):
        FunctionSpec(name="twice", description="x", needs=(BucketAccess.read("a/"), BucketAccess.read_write("a/")))
    with pytest.raises(ValueError, match="none inside another"):
        FunctionSpec(name="nested", description="x", needs=(BucketAccess.read("a/"), BucketAccess.read("a/b/")))
    assert FunctionSpec(name="two", description="x", needs=(BucketAccess.read("a/"), BucketAccess.read("b/")))
    assert FunctionSpec(name="norms_refresh", description="x", flavour=BATCH).handler == (
        "functions.norms_refresh.handler.handler"
    )
