"""The app entry point: cdk.json, configuration from context, offline env-agnostic synth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import Token

from infra.app import CDK_JSON, add_stack, cdk_json_context, concurrency_report, create_app, reserved_concurrency
from infra.config import ConfigError, DeployConfig
from infra.constants import (
    CTX_ACCOUNT,
    CTX_API_GATEWAY_ACCOUNT_ROLE,
    CTX_APPROVAL_WAIT_SECONDS,
    CTX_BUILD_DIR,
    CTX_FUNCTIONS_ROOT,
    CTX_MAX_RECEIVE_COUNT,
    CTX_PLACEHOLDER_LAYERS,
    CTX_PLEX_SETTINGS,
    CTX_REGION,
    CTX_STAGE,
    REPO_ROOT,
)
from infra.testing import Synthesized, write_fake_functions


def test_cdk_json_runs_the_app_with_recommended_flags(tmp_path: Path) -> None:
    cdk_json = json.loads(CDK_JSON.read_text())
    context = cdk_json["context"]

    assert cdk_json["app"] == "python3 infra/app.py"
    assert context["@aws-cdk/aws-iam:minimizePolicies"] is True
    assert context["@aws-cdk/core:checkSecretUsage"] is True
    assert context["@aws-cdk/aws-lambda:recognizeLayerVersion"] is True
    DeployConfig.from_node(create_app(outdir=str(tmp_path)).node)  # the committed defaults are valid


def test_app_applies_cdk_json_context_and_lets_callers_override(tmp_path: Path) -> None:
    app = create_app({CTX_STAGE: "qa"}, outdir=str(tmp_path))

    assert app.node.try_get_context("@aws-cdk/aws-iam:minimizePolicies") is True
    assert DeployConfig.from_node(app.node).stage == "qa"
    assert cdk_json_context()[CTX_STAGE] == "dev"


def test_stack_is_environment_agnostic_by_default(synthesized: Synthesized) -> None:
    assert Token.is_unresolved(synthesized.stack.account)
    assert Token.is_unresolved(synthesized.stack.region)
    manifest = json.loads((synthesized.outdir / "manifest.json").read_text())
    assert manifest["artifacts"]["plexlabor-dev"]["environment"] == "aws://unknown-account/unknown-region"


def test_account_and_region_come_from_context_only_together(tmp_path: Path) -> None:
    context = {CTX_PLACEHOLDER_LAYERS: True, CTX_FUNCTIONS_ROOT: str(tmp_path), CTX_BUILD_DIR: str(tmp_path)}
    stack = add_stack(
        create_app({**context, CTX_ACCOUNT: "123456789012", CTX_REGION: "us-east-2"}, outdir=str(tmp_path))
    )

    assert (stack.account, stack.region) == ("123456789012", "us-east-2")
    with pytest.raises(ConfigError, match="both"):
        add_stack(create_app({**context, CTX_ACCOUNT: "123456789012"}, outdir=str(tmp_path)))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stage", "Prod-1"),
        ("log_level", "LOUD"),
        ("log_retention_days", 31),
        ("max_receive_count", 0),
        ("plex_write_mode", "yolo"),
        ("plex_base_url", "http://connect.plex.com"),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "EST5EDT/../x"),
        ("approval_wait_seconds", 0),
        ("approval_wait_seconds", 8 * 24 * 3600),  # longer than the handlers accept
        ("notify_sender", "not-an-address"),
        ("api_rate_limit", 0),
        ("api_burst_limit", 10),  # below the rate limit
    ],
)
def test_invalid_configuration_is_rejected(field: str, value: object) -> None:
    with pytest.raises(ConfigError):
        DeployConfig(**{field: value})  # type: ignore[arg-type]


def test_plex_settings_pass_through_but_never_secrets(tmp_path: Path) -> None:
    assert DeployConfig(plex_settings={"TENANT_ID": "t-1"}).plex_settings == {"TENANT_ID": "t-1"}
    for key in ("API_KEY", "DATASOURCE_PASSWORD", "BASE_URL", "tenant_id"):
        with pytest.raises(ConfigError):
            DeployConfig(plex_settings={key: "x"})
    with pytest.raises(ConfigError, match="JSON object"):
        DeployConfig.from_node(create_app({CTX_PLEX_SETTINGS: "not json"}, outdir=str(tmp_path)).node)


def test_context_strings_from_the_command_line_are_parsed(tmp_path: Path) -> None:
    context = {
        CTX_MAX_RECEIVE_COUNT: "3",
        CTX_PLACEHOLDER_LAYERS: "true",
        CTX_APPROVAL_WAIT_SECONDS: "3600",
        CTX_API_GATEWAY_ACCOUNT_ROLE: "false",
    }
    config = DeployConfig.from_node(create_app(context, outdir=str(tmp_path)).node)

    assert (config.max_receive_count, config.placeholder_layers) == (3, True)
    assert (config.approval_wait_seconds, config.api_gateway_account_role) == (3600, False)


def test_plant_settings_have_no_committed_default(tmp_path: Path) -> None:
    """Time zone, sender and default supervisor differ per plant: a default would be silently wrong."""
    config = DeployConfig.from_node(create_app(outdir=str(tmp_path)).node)

    assert (config.timezone, config.notify_sender, config.default_supervisor_id) == (None, None, None)
    assert config.approval_wait_seconds == 8 * 3600


def test_app_script_synthesizes_offline_as_the_cdk_cli_runs_it(tmp_path: Path) -> None:
    """`python infra/app.py` with context and outdir passed the way the CDK CLI passes them."""
    write_fake_functions(tmp_path / "src", ["punch_webhook"])
    env = {
        **os.environ,
        "CDK_OUTDIR": str(tmp_path / "out"),
        "CDK_CONTEXT_JSON": json.dumps(
            {
                CTX_PLACEHOLDER_LAYERS: "true",
                CTX_FUNCTIONS_ROOT: str(tmp_path / "src"),
                CTX_BUILD_DIR: str(tmp_path / "build"),
                CTX_API_GATEWAY_ACCOUNT_ROLE: "false",
            }
        ),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }

    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "infra" / "app.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "NOT deployable" in result.stderr
    template = json.loads((tmp_path / "out" / "plexlabor-dev.template.json").read_text())
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert [f["Properties"]["Handler"] for f in functions] == ["functions.punch_webhook.handler.handler"]
    types = {r["Type"] for r in template["Resources"].values()}
    assert {"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage"} <= types  # the webhook has its route
    assert "AWS::ApiGateway::Account" not in types  # the account's logging role is managed elsewhere
    assert "WARNING: punch_webhook" not in result.stderr  # it needs no plant setting


def test_the_app_says_the_concurrency_quota_a_deploy_needs_and_the_docs_say_the_same(
    synthesized: Synthesized,
) -> None:
    """Lambda refuses a reservation that leaves less than 100 of the quota unreserved: a deploy needs the sum of the
    reservations + 100 (review_s15 #5: the docs said only an account still at the quota of 10 fails)."""
    reserved = sum(
        function["Properties"].get("ReservedConcurrentExecutions", 0)
        for function in synthesized.resources("AWS::Lambda::Function").values()
    )
    [line] = concurrency_report(synthesized.stack)

    assert reserved_concurrency(synthesized.stack) == reserved == 37
    assert f"reserve {reserved} concurrent executions" in line and f"at least {reserved + 100} " in line
    deployment = (REPO_ROOT / "docs" / "deployment.md").read_text()
    assert f"{reserved} reserved" in deployment and f"quota of at least {reserved + 100}" in deployment
