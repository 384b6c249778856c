"""`plexlabor backfill`: a bad plan is refused naming its field before anything starts; `--stack` starts
the stack's backfill state machine with the plan."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from plexlabor_dev.cli import main

WINDOW = ["--since", "2025-12-01T05:00:00Z", "--until", "2026-12-01T05:00:00Z"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--since", "2026-12-01T05:00:00Z", "--until", "2026-11-01T05:00:00Z"], "until"),
        ([*WINDOW, "--employee-shards", "0"], "--employee-shards"),
        (["--since", "2026-12-01T05:00:00", "--until", "2026-12-02T05:00:00Z"], "--since"),  # no zone
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(args: list[str], field: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["backfill", "--stack", "plexlabor-prod", *args]) == 2  # refused before AWS is asked
    assert field in capsys.readouterr().err


def test_on_a_stack_it_starts_the_backfill_state_machine_with_the_plan(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        sfn = boto3.client("stepfunctions")
        arn = sfn.create_state_machine(
            name="plexlabor-prod-backfill",
            definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
            roleArn="arn:aws:iam::123456789012:role/backfill",
        )["stateMachineArn"]
        template = {
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {"BackfillStateMachineArn": {"Value": arn}},
        }
        boto3.client("cloudformation").create_stack(StackName="plexlabor-prod", TemplateBody=json.dumps(template))

        assert main(["backfill", "--stack", "plexlabor-prod", *WINDOW, "--employee-shards", "20"]) == 0
        execution = json.loads(capsys.readouterr().out)["executionArn"]
        given = json.loads(sfn.describe_execution(executionArn=execution)["input"])
        assert given["employee_shards"] == 20 and given["since"].startswith("2025-12-01T05:00")
        assert given["slice_days"] == 28 and given["max_concurrency"] == 10  # the plan's defaults, spelled out

        assert main(["backfill", "--stack", "plexlabor-prod", *WINDOW]) == 0
        boto3.client("cloudformation").create_stack(
            StackName="other", TemplateBody=json.dumps({"Resources": template["Resources"]})
        )
        assert main(["backfill", "--stack", "other", *WINDOW]) == 1
        assert "BackfillStateMachineArn" in capsys.readouterr().err
