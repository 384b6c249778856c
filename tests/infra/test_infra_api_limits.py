"""The API's limits: each route its own throttle, reserved concurrency on the webhook, the approval
links and the validator (and the punch queue's pollers no more than it may run), and the optional WAF
(`plexlabor:waf`), with cdk-nag clean either way (it runs in every synth)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.constants import CTX_WAF, DEFAULT_API_BURST_LIMIT, DEFAULT_API_RATE_LIMIT
from infra.constructs.api import ROUTE_LIMITS
from infra.constructs.waf import COMMON_RULES, COUNTED_COMMON_RULES, RATE_LIMIT_PER_5_MIN
from infra.function_specs import FUNCTION_SPECS, Throttle
from infra.testing import CONFIGURED, Synthesized, synthesize

RESERVED = {"punch_webhook": 10, "approval_callback": 5, "punch_validator": 5}


def _stage(synthesized: Synthesized) -> dict[str, Any]:
    [stage] = synthesized.resources("AWS::ApiGateway::Stage").values()
    return stage


def _limits(synthesized: Synthesized) -> dict[tuple[str, str], tuple[int, int]]:
    """(method, path) -> (rate, burst) of each method setting (the stage's own as ("*", "/*"))."""
    limits = {}
    for setting in _stage(synthesized)["Properties"]["MethodSettings"]:
        escaped = setting["ResourcePath"]  # "/~1approvals~1{token}": API Gateway's escaping
        path = escaped if escaped == "/*" else escaped[1:].replace("~1", "/")
        limits[(setting["HttpMethod"], path)] = (setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"])
    return limits


def test_every_route_has_its_own_throttle(synthesized: Synthesized) -> None:
    limits = _limits(synthesized)
    routes = {route for spec in FUNCTION_SPECS for route in spec.routes}
    assert set(limits) == {("*", "/*")} | {(route.method, route.path) for route in routes}
    stage = (DEFAULT_API_RATE_LIMIT, DEFAULT_API_BURST_LIMIT)
    assert limits[("*", "/*")] == limits[("POST", "/punches")] == stage  # the webhook: the stage's budget
    assert limits[("POST", "/approvals/{token}")] == limits[("GET", "/queue")] == ROUTE_LIMITS[Throttle.PEOPLE]
    assert limits[("GET", "/login")] == limits[("GET", "/punches/openapi.json")] == ROUTE_LIMITS[Throttle.PUBLIC]
    assert all(rate < stage[0] for rate, _ in ROUTE_LIMITS.values())
    for route in routes:  # every signed-in page draws on the people's budget, nothing public on the stage's
        if route.authorizer:
            assert route.throttle is Throttle.PEOPLE
    assert [r for r in routes if r.throttle is Throttle.STAGE] == [next(r for r in routes if r.path == "/punches")]


@pytest.mark.parametrize(("name", "reserved"), RESERVED.items())
def test_the_webhook_links_and_validator_have_reserved_concurrency(
    synthesized: Synthesized, name: str, reserved: int
) -> None:
    function = synthesized.template["Resources"][synthesized.logical_id(synthesized.stack.functions.functions[name])]
    assert function["Properties"]["ReservedConcurrentExecutions"] == reserved


def test_no_waf_unless_asked(synthesized: Synthesized) -> None:
    assert synthesized.resources("AWS::WAFv2::WebACL") == {}
    assert synthesized.stack.api is not None and synthesized.stack.api.waf is None


@pytest.fixture(scope="module")
def with_waf(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The webhook and approval links only (a quicker synth), with `plexlabor:waf=true`."""
    tmp: Path = tmp_path_factory.mktemp("infra-waf")
    return synthesize(tmp, ["punch_webhook", "approval_callback"], **{**CONFIGURED, CTX_WAF: True})


def test_the_waf_has_the_common_rules_and_a_rate_per_address_on_the_stage(with_waf: Synthesized) -> None:
    [(acl_id, acl)] = with_waf.resources("AWS::WAFv2::WebACL").items()
    properties = acl["Properties"]
    assert properties["Scope"] == "REGIONAL" and properties["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in properties["Rules"]}
    managed = rules[COMMON_RULES]["Statement"]["ManagedRuleGroupStatement"]
    assert (managed["VendorName"], managed["Name"]) == ("AWS", COMMON_RULES)
    assert {o["Name"]: o["ActionToUse"] for o in managed["RuleActionOverrides"]} == {
        rule: {"Count": {}} for rule in COUNTED_COMMON_RULES
    }
    rate = rules["RatePerAddress"]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"] == {"Limit": RATE_LIMIT_PER_5_MIN, "AggregateKeyType": "IP"}
    [association] = with_waf.resources("AWS::WAFv2::WebACLAssociation").values()
    stage_id = with_waf.logical_id(with_waf.stack.api.stage) if with_waf.stack.api else ""
    assert acl_id in repr(association["Properties"]["WebACLArn"])
    assert stage_id in repr(association["Properties"]["ResourceArn"])
    # and cdk-nag's WAF rule is met, not acknowledged
    stage_metadata = repr(_stage(with_waf).get("Metadata", {}))
    assert "AwsSolutions-APIG3" not in stage_metadata
