"""The artifacts bucket: private, TLS only, SSE-S3, versioned, logged, retained."""

from __future__ import annotations

from typing import Any

from infra.constants import CREW_KEPT_PREFIX
from infra.testing import Synthesized


def _bucket(synthesized: Synthesized, bucket: Any) -> dict[str, Any]:
    return synthesized.template["Resources"][synthesized.logical_id(bucket)]


def _denies_insecure_transport(synthesized: Synthesized, bucket: Any) -> bool:
    bucket_id = synthesized.logical_id(bucket)
    for policy in synthesized.resources("AWS::S3::BucketPolicy").values():
        if policy["Properties"]["Bucket"] == {"Ref": bucket_id}:
            return any(
                s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
                for s in policy["Properties"]["PolicyDocument"]["Statement"]
            )
    return False


def test_both_buckets_are_private_encrypted_tls_only_and_retained(synthesized: Synthesized) -> None:
    artifacts = synthesized.stack.artifacts
    for bucket in (artifacts.bucket, artifacts.access_logs):
        resource = _bucket(synthesized, bucket)
        properties = resource["Properties"]

        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert properties["BucketEncryption"] == {
            "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        }
        assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
        assert _denies_insecure_transport(synthesized, bucket)


def test_artifacts_are_versioned_and_logged_to_the_log_bucket(synthesized: Synthesized) -> None:
    artifacts = synthesized.stack.artifacts
    properties = _bucket(synthesized, artifacts.bucket)["Properties"]

    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": synthesized.logical_id(artifacts.access_logs)},
        "LogFilePrefix": "artifacts/",
    }
    rule, kept = properties["LifecycleConfiguration"]["Rules"]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 90}
    assert "ExpirationInDays" not in rule and "Prefix" not in rule  # current artifacts never expire
    # but what crew_replan keeps for its next container (rewritten every few minutes) does, and its old versions
    assert (kept["Prefix"], kept["ExpirationInDays"], kept["NoncurrentVersionExpiration"]) == (
        CREW_KEPT_PREFIX,
        3,
        {"NoncurrentDays": 1},
    )


def test_the_bucket_name_is_an_output(synthesized: Synthesized) -> None:
    outputs = synthesized.template["Outputs"]

    assert outputs["ArtifactsBucketName"]["Value"] == {
        "Ref": synthesized.logical_id(synthesized.stack.artifacts.bucket)
    }
