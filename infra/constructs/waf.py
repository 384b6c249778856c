"""An optional AWS WAF web ACL on the API stage (`plexlabor:waf=true`; off by default).

The routes authenticate every request themselves (the webhook's HMAC signature, a signed single-use
approval link, the web app's session), and each route has its own throttle (`api.ROUTE_LIMITS`). A
plant whose security policy asks for a WAF in front of every public endpoint turns this on; it costs
per request and per rule.

Rules, in order:
1. AWS's managed common rule set (`AWSManagedRulesCommonRuleSet`: cross-site scripting, local file
   inclusion, bad bots' signatures, ...), with two of its rules counted instead of blocking:
   `SizeRestrictions_BODY` (a body over 8 KB: a webhook delivery of 100 punches is larger, and the
   webhook bounds its own body and records) and `NoUserAgent_HEADER` (Plex's and an integrator's
   webhook senders need not send one). Counted requests still show in the ACL's metrics.
2. A rate-based rule: more than `RATE_LIMIT_PER_5_MIN` requests from one IP address within five
   minutes are blocked until the rate falls (API Gateway's throttle is per method, not per caller).
"""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

COMMON_RULES = "AWSManagedRulesCommonRuleSet"
COUNTED_COMMON_RULES = ("SizeRestrictions_BODY", "NoUserAgent_HEADER")
"""Rules of the common set that count instead of block (see the module docstring)."""
RATE_LIMIT_PER_5_MIN = 2000
"""Requests from one IP address in any five minutes (~6.7/s) before it is blocked: above a plant's
webhook sender at its busiest (one delivery per punch batch) and any person's clicking."""


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


class Waf(Construct):
    """The web ACL (regional) and its association with `stage`."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: apigateway.Stage, name: str) -> None:
        super().__init__(scope, construct_id)
        common = wafv2.CfnWebACL.RuleProperty(
            name=COMMON_RULES,
            priority=0,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS",
                    name=COMMON_RULES,
                    rule_action_overrides=[
                        wafv2.CfnWebACL.RuleActionOverrideProperty(
                            name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                        )
                        for rule in COUNTED_COMMON_RULES
                    ],
                )
            ),
            visibility_config=_visibility(f"{name}-common"),
        )
        rate = wafv2.CfnWebACL.RuleProperty(
            name="RatePerAddress",
            priority=1,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=RATE_LIMIT_PER_5_MIN, aggregate_key_type="IP"
                )
            ),
            visibility_config=_visibility(f"{name}-rate"),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[common, rate],
            visibility_config=_visibility(name),
        )
        self.association = wafv2.CfnWebACLAssociation(
            self, "Association", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )
