"""cdk-nag 3.x glue: the rule pack, and per-resource acknowledgments that must carry a reason.

cdk-nag 3 is a CDK policy-validation plugin (`Validations.of(app).add_plugins(AwsSolutionsChecks())`)
and reads CDK's native acknowledgments (`Validations.of(construct).acknowledge(...)`); v2's
`NagSuppressions` is gone. An acknowledgment covers the construct and its children, so it is
always placed on the one resource (or L2 wrapper) that needs it, never on the stack. Rules that
report several findings (IAM5) are acknowledged per finding: `AwsSolutions-IAM5[Resource::*]`.
"""

from __future__ import annotations

import json
from typing import Any

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


def acknowledge_wildcard_resource(policy: IConstruct, resource: str, reason: str) -> None:
    """Acknowledge the IAM5 finding of one wildcard resource (a string or token) on `policy`."""
    flattened = flatten_reference(Stack.of(policy).resolve(resource))
    if "*" not in flattened:
        raise ValueError(f"{flattened} has no wildcard: nothing to acknowledge")
    acknowledge(policy, wildcard_resource_finding(flattened), reason)


def wildcard_resource_finding(flattened_resource: str) -> str:
    """The IAM5 finding id of one wildcard resource, e.g. `AwsSolutions-IAM5[Resource::<Bucket1234.Arn>/norms/*]`."""
    return f"AwsSolutions-IAM5[Resource::{flattened_resource}]"


def flatten_reference(value: Any) -> str:
    """A resolved CloudFormation value as cdk-nag names it in findings (its `flattenCfnReference`):
    `{"Ref": X}` -> `<X>`, `{"Fn::GetAtt": [X, A]}` -> `<X.A>`, joins joined, `${...}` -> `<...>`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict):
        if "Fn::Join" in value:
            delimiter, items = value["Fn::Join"]
            return str(delimiter).join(flatten_reference(item) for item in items)
        if "Fn::Sub" in value:
            return flatten_reference(value["Fn::Sub"])
        if "Fn::GetAtt" in value:
            resource, attribute = value["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if "Fn::ImportValue" in value:
            return flatten_reference(value["Fn::ImportValue"])
        if "Ref" in value:
            return f"<{flatten_reference(value['Ref'])}>"
    return json.dumps(value, separators=(",", ":"))


def aws_solutions_checks(app: IConstruct) -> AwsSolutionsChecks:
    """The rule pack the app runs at synth.

    Verbose, so findings explain themselves; acknowledged rules are also written into each
    resource's template Metadata (`cdk_nag.rules_to_suppress`), an audit trail in the template.
    """
    return AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True)
