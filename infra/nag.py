"""cdk-nag 3.x glue: the rule pack, and per-resource acknowledgments that must carry a reason.

cdk-nag 3 is a CDK policy-validation plugin (`Validations.of(app).add_plugins(AwsSolutionsChecks())`)
and reads CDK's native acknowledgments (`Validations.of(construct).acknowledge(...)`); v2's
`NagSuppressions` is gone. An acknowledgment covers the construct and its children, so it is
always placed on the one resource (or L2 wrapper) that needs it, never on the stack. Rules that
report several findings (IAM5) are acknowledged per finding: `AwsSolutions-IAM5[Resource::*]`.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

MIN_REASON_LENGTH = 20


def acknowledge(construct: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding on one construct, with a written reason."""
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValueError(f"acknowledging {rule_id} needs a real reason, got {reason!r}")
    if isinstance(construct, Stack):
        raise ValueError(f"acknowledge {rule_id} on the resource that needs it, not on the stack")
    Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def aws_solutions_checks(app: IConstruct) -> AwsSolutionsChecks:
    """The rule pack the app runs at synth.

    Verbose, so findings explain themselves; acknowledged rules are also written into each
    resource's template Metadata (`cdk_nag.rules_to_suppress`), an audit trail in the template.
    """
    return AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True)
