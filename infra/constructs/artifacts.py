"""The artifacts bucket and the bucket of its access logs.

The bucket holds, by key prefix (`infra/constants.py`, docs/deployment.md): `norms/` (the punch norms),
`models/` (the scorer's and the incident coder's registries, forecast_nightly's runs), `reports/` (skills,
analytics, allocation, incident trends), `copilot/` (procedures and their index), `crew/kept/` (crew_replan's
reads for a new container), `backfill/` (extracts) and `incidents/` (recordings and their transcripts).

Artifacts: every public access blocked, TLS required (bucket policy), S3-managed encryption
(SSE-S3: no KMS grants for readers), versioning (a bad norms file is undone by restoring the
previous version; noncurrent versions expire after 90 days; what crew_replan keeps for its next container,
`crew/kept/`, rewritten every few minutes and of no use after its day, expires after `CREW_KEPT_DAYS` and its
old versions after a day), RETAINed on stack deletion, server
access logs to the access-log bucket. Objects are written by functions only under their prefix
(`infra/function_specs.BucketAccess`).

Access logs: the same protections, logs expire after 365 days, RETAINed too; S3's log delivery
writes through the bucket policy (`@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`). It does not
log its own access (acknowledged: a log bucket logging into itself would loop).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constants import CREW_KEPT_PREFIX
from infra.nag import acknowledge

NONCURRENT_VERSION_DAYS = 90
CREW_KEPT_DAYS = 3
"""crew_replan's stored shifts and days (`plexlabor.crew.snapshots`): a new container takes one at most 10 minutes
old; they stay a few days to be looked at after the fact, their old versions (one every few minutes) a day."""
ACCESS_LOG_DAYS = 365
LOG_BUCKET_REASON = (
    "This bucket is the server access log target of the artifacts bucket; logging its own access "
    "would write a log object for every log object. Access to it is visible in CloudTrail."
)


def _protected() -> dict:
    return {
        "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
        "enforce_ssl": True,
        "encryption": s3.BucketEncryption.S3_MANAGED,
        "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        "removal_policy": RemovalPolicy.RETAIN,
    }


class Artifacts(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = s3.Bucket(
            self,
            "AccessLogsBucket",
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=Duration.days(ACCESS_LOG_DAYS))],
            **_protected(),
        )
        acknowledge(self.access_logs.node.default_child, "AwsSolutions-S1", LOG_BUCKET_REASON)  # type: ignore[arg-type]
        self.bucket = s3.Bucket(
            self,
            "ArtifactsBucket",
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="artifacts/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-old-versions",
                    noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_DAYS),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                ),
                s3.LifecycleRule(
                    id="expire-crew-kept",
                    prefix=CREW_KEPT_PREFIX,
                    expiration=Duration.days(CREW_KEPT_DAYS),
                    noncurrent_version_expiration=Duration.days(1),
                ),
            ],
            **_protected(),
        )
