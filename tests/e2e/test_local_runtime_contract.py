"""The local runtime cannot drift from the infrastructure: each function's environment variables
are `infra.wiring`'s (what CDK deploys), plus only the local-only plant folder; the routes are the
specs'; the ASL is the one CDK reads, with every placeholder filled. Also the pure pieces:
batch-failure rules and definition rendering."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from infra.constants import QueueName, SecretName
from infra.function_specs import FUNCTION_SPECS, Need
from infra.wiring import ROLLOUT_SETTINGS, environment_sources
from plexlabor.platform import env
from plexlabor.plex.settings import plex_settings_from_env
from plexlabor_dev.local.contract import ENV_PLANT_DIR, EXTRA_ACCESS, EXTRA_VARIABLES
from plexlabor_dev.local.environment import LocalResources, PlexEnvironment, function_environment
from plexlabor_dev.local.project import approval_definition_path
from plexlabor_dev.local.resources import definition_substitutions, render_definition
from plexlabor_dev.local.sqs import failed_message_ids

FAKE = LocalResources(
    region="us-east-1",
    audit_table="audit",
    state_table="state",
    idempotency_table="idempotency",
    queue_urls={queue: f"https://sqs/{queue.value}" for queue in QueueName},
    queue_arns={queue: f"arn:{queue.value}" for queue in QueueName},
    dlq_urls={queue: f"https://sqs/{queue.value}-dlq" for queue in QueueName},
    dlq_arns={queue: f"arn:{queue.value}-dlq" for queue in QueueName},
    secret_arns={secret: f"arn:secret:{secret.value}" for secret in SecretName},
    artifacts_bucket="bucket",
    notify_sender="sender@example.com",
    state_machine_arn="arn:states:approval",
    api_url="https://api/dev",
    timezone="America/Detroit",
    default_supervisor_id="SUP-1",
    user_pool_id="us-east-1_pool",
    user_pool_client_id="client",
    hosted_ui_url="https://api/dev/login",
    show_names_to="supervisor,hr,admin",
    review_hr_emails=("hr@example.com",),
    review_planner_emails=("planning@example.com",),
    review_ehs_emails=("ehs@example.com",),
    incident_transcribe_language="en-US",
    copilot_bedrock_model_id="anthropic.claude-3-haiku-20240307-v1:0",
    chat_webhook_url="https://chat.plant.example.com/hooks/approvals",
    validation_policy='{"pay_week_starts":"sunday"}',
    rollout={
        "pilot_departments": ("MACH", "ASSY"),
        "pilot_workcenters": ("CNC-01",),
        "pilot_shifts": ("1",),
        "notify_kinds": ("punch_finding",),
        "advisory_mode": False,
    },
)


@pytest.mark.parametrize("spec", FUNCTION_SPECS, ids=lambda spec: spec.name)
def test_local_variables_are_the_wiring_ones(spec: Any) -> None:
    """`infra.wiring` is what CDK resolves (tests/infra/test_infra_wiring.py checks it against the
    synthesized stack); locally every one of its variables gets a value (the rollout settings when
    configured), and nothing else is added but the spec's own fixed `environment`."""
    plex = PlexEnvironment("http://sim", settings={"TENANT_ID": "t-1"})
    local = function_environment(spec, FAKE, plex, stage="dev", log_level="INFO")
    assert set(local) == set(environment_sources(spec, plex.settings.keys())) | set(spec.environment)
    assert all(local.values())


def test_show_names_to_not_configured_is_left_out() -> None:
    """As on AWS: nobody said who sees names, no SHOW_NAMES_TO (every role then sees them)."""
    unset = dataclasses.replace(FAKE, show_names_to=None)
    for spec in FUNCTION_SPECS:
        names = set(function_environment(spec, unset, PlexEnvironment("http://sim"), stage="dev", log_level="INFO"))
        assert "SHOW_NAMES_TO" not in names, spec.name


def test_transcription_not_configured_is_left_out() -> None:
    """As on AWS without plexlabor:incidentTranscribeLanguage, and the local default: incident_log gets no
    INCIDENT_TRANSCRIBE_LANGUAGE (it then refuses recordings)."""
    incident_log = next(spec for spec in FUNCTION_SPECS if spec.name == "incident_log")
    unset = dataclasses.replace(FAKE, incident_transcribe_language=None)
    default = dataclasses.fields(LocalResources)
    plex = PlexEnvironment("http://sim")

    assert next(f for f in default if f.name == "incident_transcribe_language").default is None
    assert "INCIDENT_TRANSCRIBE_LANGUAGE" in function_environment(
        incident_log, FAKE, plex, stage="dev", log_level="INFO"
    )
    assert "INCIDENT_TRANSCRIBE_LANGUAGE" not in function_environment(
        incident_log, unset, plex, stage="dev", log_level="INFO"
    )


def test_bedrock_not_configured_is_left_out() -> None:
    """As on AWS without plexlabor:copilotBedrockModelId, and the local default: copilot_ask gets no
    COPILOT_BEDROCK_MODEL_ID (its answers are then extractive)."""
    copilot_ask = next(spec for spec in FUNCTION_SPECS if spec.name == "copilot_ask")
    plex = PlexEnvironment("http://sim")

    assert next(f for f in dataclasses.fields(LocalResources) if f.name == "copilot_bedrock_model_id").default is None
    assert "COPILOT_BEDROCK_MODEL_ID" in function_environment(copilot_ask, FAKE, plex, stage="dev", log_level="INFO")
    unset = dataclasses.replace(FAKE, copilot_bedrock_model_id=None)
    assert "COPILOT_BEDROCK_MODEL_ID" not in function_environment(
        copilot_ask, unset, plex, stage="dev", log_level="INFO"
    )


def test_a_validation_policy_not_configured_is_left_out() -> None:
    """As on AWS without plexlabor:validationPolicy, and the local default: no VALIDATION_POLICY (the code's policy)."""
    plex = PlexEnvironment("http://sim")
    unset = dataclasses.replace(FAKE, validation_policy=None)
    assert next(f for f in dataclasses.fields(LocalResources) if f.name == "validation_policy").default is None
    for spec in FUNCTION_SPECS:
        configured = function_environment(spec, FAKE, plex, stage="dev", log_level="INFO")
        assert ("VALIDATION_POLICY" in configured) == (Need.VALIDATION_POLICY in spec.needs), spec.name
        assert "VALIDATION_POLICY" not in function_environment(spec, unset, plex, stage="dev", log_level="INFO")


def test_rollout_settings_not_configured_are_left_out() -> None:
    """As on AWS: no pilot configured, no pilot variable (the functions then run plant-wide)."""
    plex = PlexEnvironment("http://sim")
    plant_wide = dataclasses.replace(FAKE, rollout={})
    for spec in FUNCTION_SPECS:
        names = set(function_environment(spec, plant_wide, plex, stage="dev", log_level="INFO"))
        rollout = {name for name, source in environment_sources(spec).items() if source in ROLLOUT_SETTINGS}
        assert not names & rollout, spec.name


@pytest.mark.parametrize("spec", FUNCTION_SPECS, ids=lambda spec: spec.name)
def test_local_extras_are_only_what_aws_never_has(spec: Any) -> None:
    """Fails once infra grants an extra access: then delete it from plexlabor/local/contract.py."""
    assert not set(EXTRA_ACCESS.get(spec.name, ())) & set(spec.access)
    assert set(EXTRA_VARIABLES[spec.name]) <= {ENV_PLANT_DIR}
    assert not set(EXTRA_VARIABLES[spec.name]) & set(environment_sources(spec))


def test_the_cdk_definition_renders_with_every_placeholder_filled() -> None:
    template = approval_definition_path().read_text()
    rendered = json.loads(render_definition(template, definition_substitutions(FAKE)))
    text = json.dumps(rendered)
    assert "${" not in text
    assert FAKE.queue_urls[QueueName.NOTIFY] in text and FAKE.queue_urls[QueueName.WRITEBACK] in text
    with pytest.raises(ValueError, match="Unknown"):
        render_definition('{"a": "${Unknown}"}', {})


@pytest.mark.parametrize(
    ("result", "failed"),
    [
        (None, set()),
        ({}, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": None}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, {"a", "b"}),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, {"a", "b"}),
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, {"a", "b"}),
        ({"batchItemFailures": [{"messageId": "a"}]}, {"a", "b"}),
        ("not an object", {"a", "b"}),
    ],
)
def test_batch_failure_rules_follow_lambda(result: Any, failed: set[str]) -> None:
    assert failed_message_ids(result, ["a", "b"]) == failed


def test_definition_file_is_the_one_cdk_reads() -> None:
    assert approval_definition_path() == Path(__file__).resolve().parents[2] / "infra/statemachines/approval.asl.json"


def test_every_function_reading_plex_reads_the_data_source_api_of_the_simulator() -> None:
    """The web app's and incident_log's shifts come from the Data Source API: locally from the simulator,
    never from cloud.plex.com (the default of a deployed stack), unless a setting says otherwise."""
    simulator = "http://127.0.0.1:8990"
    plex = PlexEnvironment(simulator, settings={"TENANT_ID": "t-1"})
    reading = [spec for spec in FUNCTION_SPECS if env.PLEX_BASE_URL in environment_sources(spec)]
    assert {"web_app", "incident_log"} <= {spec.name for spec in reading}
    for spec in reading:
        local = function_environment(spec, FAKE, plex, stage="dev", log_level="INFO")
        local[f"{env.PLEX_PREFIX}API_KEY"] = "key"  # a secret: read from Secrets Manager at run time
        settings = plex_settings_from_env(local)
        assert settings.datasource_base_url == settings.base_url == simulator, spec.name
    other = PlexEnvironment(simulator, settings={"DATASOURCE_BASE_URL": "http://127.0.0.1:8991"})
    assert other.settings["DATASOURCE_BASE_URL"] == "http://127.0.0.1:8991"
