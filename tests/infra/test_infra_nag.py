"""cdk-nag 3 (AwsSolutions): zero unacknowledged findings; each acknowledgment has a reason."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import App, Stack
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks

from infra.testing import Synthesized

EXPECTED_ACKNOWLEDGED = {"AwsSolutions-SMG4", "AwsSolutions-L1", "AwsSolutions-IAM5[Resource::*]"}


def _violations(report: Any) -> list[str]:
    return [
        f"{v.rule_name} ({v.severity}) at {[r.construct_path for r in v.violating_resources]}: {v.description}"
        for v in report.violations
    ]


def test_aws_solutions_finds_nothing_unacknowledged(synthesized: Synthesized) -> None:
    report = AwsSolutionsChecks().validate_scope(synthesized.stack)

    assert _violations(report) == []
    assert report.success


def test_synth_ran_the_rule_pack_and_wrote_a_clean_validation_report(synthesized: Synthesized) -> None:
    report = json.loads((synthesized.outdir / "validation-report.json").read_text())

    failing = [r for r in report["pluginReports"] if r.get("violations")]
    assert failing == []


def test_stack_has_no_error_or_warning_annotations(synthesized: Synthesized) -> None:
    annotations = Annotations.from_stack(synthesized.stack)

    assert annotations.find_error("*", Match.any_value()) == []
    assert annotations.find_warning("*", Match.any_value()) == []


def test_every_acknowledgment_is_per_resource_and_explained(synthesized: Synthesized) -> None:
    acknowledged: dict[str, set[str]] = {}
    for logical_id, resource in synthesized.template["Resources"].items():
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
            assert len(rule["reason"]) >= 40, f"{logical_id}: {rule['id']} needs a real reason"
            acknowledged.setdefault(rule["id"], set()).add(resource["Type"])

    assert set(acknowledged) == EXPECTED_ACKNOWLEDGED
    assert acknowledged["AwsSolutions-SMG4"] == {"AWS::SecretsManager::Secret"}
    assert acknowledged["AwsSolutions-L1"] == {"AWS::Lambda::Function"}
    assert acknowledged["AwsSolutions-IAM5[Resource::*]"] == {"AWS::IAM::Policy"}
    stack_metadata = synthesized.stack.node.metadata
    assert not [m for m in stack_metadata if m.type == "aws:cdk:acknowledged-rules"], "no stack-wide acks"


def test_the_rule_pack_is_live_on_a_bad_resource() -> None:
    """Control: the same check flags an unencrypted, TLS-optional queue without a DLQ."""
    stack = Stack(App(), "Bad")
    sqs.Queue(stack, "Plain", encryption=sqs.QueueEncryption.UNENCRYPTED)

    rules = {v.rule_name for v in AwsSolutionsChecks().validate_scope(stack).violations}

    assert {"AwsSolutions-SQS2", "AwsSolutions-SQS3", "AwsSolutions-SQS4"} <= rules
