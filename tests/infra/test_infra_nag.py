"""cdk-nag 3 (AwsSolutions): zero unacknowledged findings; each acknowledgment has a reason."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import App, Stack
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks
from infra_prefixes import GRANTED_PATTERNS

from infra.nag import flatten_reference, wildcard_resource_finding
from infra.testing import Synthesized
from plexlabor.incidents.transcribe import JOB_PREFIX as TRANSCRIPTION_JOB_PREFIX

LOG_GROUPS_OF_THE_ACCOUNT = "arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*"
TRANSCRIPTION_JOBS = (
    f"arn:<AWS::Partition>:transcribe:<AWS::Region>:<AWS::AccountId>:transcription-job/{TRANSCRIPTION_JOB_PREFIX}*"
)


def _expected(synthesized: Synthesized) -> dict[str, set[str]]:
    """Every rule acknowledged in the full stack, and the resource types it is acknowledged on."""
    bucket = synthesized.logical_id(synthesized.stack.artifacts.bucket)
    backfill = synthesized.stack.backfill
    assert backfill is not None  # the full stack has the backfill function, so its state machine
    return {
        "AwsSolutions-SMG4": {"AWS::SecretsManager::Secret"},
        "AwsSolutions-L1": {"AWS::Lambda::Function"},
        "AwsSolutions-IAM5[Resource::*]": {"AWS::IAM::Policy"},  # X-Ray; Step Functions log delivery
        **{wildcard_resource_finding(f"<{bucket}.Arn>/{key}"): {"AWS::IAM::Policy"} for key in GRANTED_PATTERNS},
        wildcard_resource_finding(TRANSCRIPTION_JOBS): {"AWS::IAM::Policy"},  # Transcribe's '*' is the X-Ray id's
        wildcard_resource_finding(LOG_GROUPS_OF_THE_ACCOUNT): {"AWS::IAM::Role"},  # API Gateway account role
        _flat_finding(synthesized, backfill.executions_arn): {"AWS::IAM::Policy"},  # its map
        "AwsSolutions-S1": {"AWS::S3::Bucket"},  # the access-log bucket itself
        "AwsSolutions-APIG3": {"AWS::ApiGateway::Stage"},
        "AwsSolutions-APIG4": {"AWS::ApiGateway::Method"},
        "AwsSolutions-COG4": {"AWS::ApiGateway::Method"},  # no authorizer, or the cookie-reading one
        "AwsSolutions-COG2": {"AWS::Cognito::UserPool"},  # MFA optional (TOTP)
    }


def _flat_finding(synthesized: Synthesized, arn: str) -> str:
    return wildcard_resource_finding(flatten_reference(synthesized.stack.resolve(arn)))


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

    assert acknowledged == _expected(synthesized)
    stack_metadata = synthesized.stack.node.metadata
    assert not [m for m in stack_metadata if m.type == "aws:cdk:acknowledged-rules"], "no stack-wide acks"


def test_only_the_access_log_bucket_goes_without_access_logs(synthesized: Synthesized) -> None:
    artifacts = synthesized.stack.artifacts
    log_bucket = synthesized.logical_id(artifacts.access_logs)
    for logical_id, resource in synthesized.resources("AWS::S3::Bucket").items():
        rules = {r["id"] for r in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])}
        assert ("AwsSolutions-S1" in rules) == (logical_id == log_bucket)


def test_wildcard_findings_are_named_as_cdk_nag_names_them() -> None:
    joined = {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket12", "Arn"]}, "/norms/*"]]}

    assert flatten_reference(joined) == "<Bucket12.Arn>/norms/*"
    assert flatten_reference({"Fn::Sub": "arn:${AWS::Partition}:logs:*"}) == "arn:<AWS::Partition>:logs:*"
    assert flatten_reference({"Ref": "Queue"}) == "<Queue>"


def test_the_rule_pack_is_live_on_a_bad_resource() -> None:
    """Control: the same check flags an unencrypted, TLS-optional queue without a DLQ."""
    stack = Stack(App(), "Bad")
    sqs.Queue(stack, "Plain", encryption=sqs.QueueEncryption.UNENCRYPTED)

    rules = {v.rule_name for v in AwsSolutionsChecks().validate_scope(stack).violations}

    assert {"AwsSolutions-SQS2", "AwsSolutions-SQS3", "AwsSolutions-SQS4"} <= rules
