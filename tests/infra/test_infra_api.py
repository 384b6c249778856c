"""The REST API: routes from the specs, Lambda proxy, the web_authorizer on exactly the web app's pages
(none on the webhook, the approval links and sign-in, on purpose), the sign-in gateway responses, a
logged and throttled stage, the account's logging role, a 5xx alarm, and the outputs."""

from __future__ import annotations

import json
import re
from typing import Any

from infra.constants import DEFAULT_API_BURST_LIMIT, DEFAULT_API_RATE_LIMIT
from infra.constructs.api import ACCOUNT_ROLE_ACTIONS, Api
from infra.function_specs import FUNCTION_SPECS
from infra.nag import flatten_reference
from infra.testing import Synthesized, actions

ROUTES = {(route.method, route.path): spec.name for spec in FUNCTION_SPECS for route in spec.routes}
SIGNED_IN = {
    ("GET", "/queue"),
    ("POST", "/queue"),
    ("GET", "/items/{item_id}"),
    ("POST", "/items/{item_id}"),
    ("GET", "/kpis"),
    ("GET", "/skills"),
    ("POST", "/skills/training"),
    ("GET", "/certifications"),
    ("GET", "/forecasts"),
    ("GET", "/analytics"),
    ("GET", "/allocation"),
    ("GET", "/allocation/code"),
    ("POST", "/allocation/code"),
    ("GET", "/crew"),
    ("POST", "/crew/replan"),
    ("POST", "/crew/calloff"),
    ("POST", "/crew/swap"),
    ("POST", "/crew/removal"),
    ("GET", "/static/{name}"),
    ("GET", "/incidents"),
    ("GET", "/incidents/new"),
    ("GET", "/incidents/trends"),
    ("GET", "/copilot"),
    ("GET", "/incidents/{incident_id}"),
    ("POST", "/incidents/{incident_id}"),
    ("GET", "/{proxy+}"),
}
"""The web app's pages (and its "No such page" for any other GET path): only a signed-in person reaches them.
Every other route is public."""
INCIDENT_API = ("POST", "/incidents")
"""incident_log's report route: signed in too (a Bearer token or the session cookie)."""
COPILOT_API = ("POST", "/copilot/ask")
"""copilot_ask's question route: signed in too (the function itself refuses other roles than an operator's)."""


def _api(synthesized: Synthesized) -> Api:
    api = synthesized.stack.api
    assert api is not None, "the full stack has routed functions, so it has an API"
    return api


def _stage(synthesized: Synthesized) -> dict[str, Any]:
    [stage] = synthesized.resources("AWS::ApiGateway::Stage").values()
    return stage


def _path_of(synthesized: Synthesized, method: dict[str, Any]) -> str:
    """The full resource path of a method, from the chain of AWS::ApiGateway::Resource parents."""
    resources = synthesized.template["Resources"]
    parts = []
    ref = method["Properties"]["ResourceId"]
    while "Ref" in ref:
        resource = resources[ref["Ref"]]["Properties"]
        parts.append(resource["PathPart"])
        ref = resource["ParentId"]
    return "/" + "/".join(reversed(parts))


def test_api_is_regional_and_named_per_stage(synthesized: Synthesized) -> None:
    [api] = synthesized.resources("AWS::ApiGateway::RestApi").values()

    assert api["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert api["Properties"]["Name"] == "plexlabor-dev"
    assert api["Properties"]["BinaryMediaTypes"] == ["multipart/form-data"]  # the incident form's recording


def test_every_spec_route_is_a_lambda_proxy_method_of_its_function(synthesized: Synthesized) -> None:
    methods = synthesized.resources("AWS::ApiGateway::Method").values()
    functions = synthesized.stack.functions.functions
    found = {}
    for method in methods:
        properties = method["Properties"]
        integration = properties["Integration"]
        assert integration["Type"] == "AWS_PROXY"
        target = next(name for name, fn in functions.items() if synthesized.logical_id(fn) in repr(integration["Uri"]))
        found[(properties["HttpMethod"], _path_of(synthesized, method))] = target

    assert found == ROUTES
    assert ROUTES[("POST", "/punches")] == "punch_webhook"
    assert ROUTES[("GET", "/punches/openapi.json")] == "punch_webhook"  # the handler serves its OpenAPI document
    assert ROUTES[INCIDENT_API] == ROUTES[("GET", "/incidents/openapi.json")] == "incident_log"
    assert ROUTES[("GET", "/approvals/{token}")] == ROUTES[("POST", "/approvals/{token}")] == "approval_callback"
    assert {route for route, name in ROUTES.items() if name == "web_app"} == SIGNED_IN | {
        ("GET", "/login"),
        ("GET", "/auth/callback"),
        ("GET", "/logout"),
    }


def test_the_authorizer_guards_exactly_the_web_apps_pages(synthesized: Synthesized) -> None:
    [(authorizer_id, authorizer)] = synthesized.resources("AWS::ApiGateway::Authorizer").items()
    guarded = {}
    for method in synthesized.resources("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        route = (properties["HttpMethod"], _path_of(synthesized, method))
        guarded[route] = (properties["AuthorizationType"], properties.get("AuthorizerId"))

    apis = {INCIDENT_API, COPILOT_API}
    assert {route for route, (kind, _) in guarded.items() if kind == "CUSTOM"} == SIGNED_IN | apis
    assert all(guarded[route] == ("CUSTOM", {"Ref": authorizer_id}) for route in SIGNED_IN | apis)
    assert all(guarded[route] == ("NONE", None) for route in set(ROUTES) - SIGNED_IN - apis)
    properties = authorizer["Properties"]
    function = synthesized.logical_id(synthesized.stack.functions.functions["web_authorizer"])
    assert properties["Type"] == "REQUEST"
    assert function in repr(properties["AuthorizerUri"])
    # no caching and no identity source: every request reaches the function, cookie or Bearer header
    assert properties["AuthorizerResultTtlInSeconds"] == 0
    assert "IdentitySource" not in properties


def test_the_authorizer_is_invoked_only_by_this_apis_authorizer(synthesized: Synthesized) -> None:
    api = _api(synthesized)
    [authorizer] = api.authorizers.values()
    function = synthesized.logical_id(synthesized.stack.functions.functions["web_authorizer"])
    permissions = [
        p["Properties"]
        for p in synthesized.resources("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [function, "Arn"]}
    ]

    [permission] = permissions
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert flatten_reference(permission["SourceArn"]) == (
        "arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:"
        f"<{synthesized.logical_id(api.rest_api)}>/authorizers/<{synthesized.logical_id(authorizer)}>"
    )


def test_an_unauthorized_browser_is_sent_to_sign_in_and_one_without_a_role_is_told(
    synthesized: Synthesized,
) -> None:
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in synthesized.resources("AWS::ApiGateway::GatewayResponse").values()
    }

    assert set(responses) == {"UNAUTHORIZED", "ACCESS_DENIED"}
    unauthorized, denied = responses["UNAUTHORIZED"], responses["ACCESS_DENIED"]
    assert (unauthorized["StatusCode"], denied["StatusCode"]) == ("401", "403")
    for response in (unauthorized, denied):
        headers = response["ResponseParameters"]
        assert headers["gatewayresponse.header.Content-Type"] == "'text/html; charset=utf-8'"
        assert headers["gatewayresponse.header.Cache-Control"] == "'no-store'"
        templates = set(response["ResponseTemplates"].values())
        assert len(templates) == 1  # the same page whatever template API Gateway picks
        [page] = templates
        assert "$" not in page and "#" not in page  # nothing for API Gateway's template language
    assert unauthorized["ResponseParameters"]["gatewayresponse.header.WWW-Authenticate"] == "'Bearer'"
    [sign_in] = set(unauthorized["ResponseTemplates"].values())
    assert '<meta http-equiv="refresh" content="0; url=/dev/login">' in sign_in
    assert '<a href="/dev/login">' in sign_in
    [no_role] = set(denied["ResponseTemplates"].values())
    assert '<a href="/dev/logout">Sign out</a>' in no_role and "supervisor, planner, hr, admin" in no_role


def test_each_function_may_be_invoked_only_through_its_own_methods(synthesized: Synthesized) -> None:
    api = _api(synthesized)
    prefix = (
        "arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:"
        f"<{synthesized.logical_id(api.rest_api)}>/<{synthesized.logical_id(api.stage)}>/"
    )
    permissions = [p["Properties"] for p in synthesized.resources("AWS::Lambda::Permission").values()]
    from_api = [p for p in permissions if p["Principal"] == "apigateway.amazonaws.com"]

    from_methods = [p for p in from_api if "/authorizers/" not in flatten_reference(p["SourceArn"])]
    granted = {flatten_reference(p["SourceArn"]) for p in from_methods}

    assert len(from_methods) == len(ROUTES)  # one per method: no test-invoke permissions
    assert len(from_api) == len(ROUTES) + 1  # and the authorizer's
    assert granted == {prefix + method + re.sub(r"\{\w+\+?\}", "*", path) for method, path in ROUTES}


def test_path_parameters_are_validated(synthesized: Synthesized) -> None:
    [validator_id] = synthesized.resources("AWS::ApiGateway::RequestValidator")
    for method in synthesized.resources("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        parameter = re.search(r"\{(\w+)\}", _path_of(synthesized, method))
        if parameter is not None:  # an approval token, a review item id
            assert properties["RequestParameters"] == {f"method.request.path.{parameter.group(1)}": True}
            assert properties["RequestValidatorId"] == {"Ref": validator_id}
        else:  # the webhook checks its signature before its body: no schema answer to strangers
            assert "RequestValidatorId" not in properties


def test_stage_is_throttled_traced_and_logged_without_bodies_or_tokens(synthesized: Synthesized) -> None:
    properties = _stage(synthesized)["Properties"]
    access_logs = synthesized.logical_id(_api(synthesized).access_logs)
    log_format = json.loads(properties["AccessLogSetting"]["Format"])

    assert properties["StageName"] == "dev"
    assert properties["TracingEnabled"] is True
    assert properties["MethodSettings"][:1] == [  # the stage's defaults; then each route's (test_infra_api_limits)
        {
            "DataTraceEnabled": False,
            "HttpMethod": "*",
            "LoggingLevel": "ERROR",
            "MetricsEnabled": True,
            "ResourcePath": "/*",
            "ThrottlingBurstLimit": DEFAULT_API_BURST_LIMIT,
            "ThrottlingRateLimit": DEFAULT_API_RATE_LIMIT,
        }
    ]
    assert access_logs in json.dumps(properties["AccessLogSetting"]["DestinationArn"])
    assert log_format["resourcePath"] == "$context.resourcePath"
    assert not any("$context.path" in value for value in log_format.values())  # the token is in the path


def test_the_account_logging_role_is_inline_scoped_and_retained(synthesized: Synthesized) -> None:
    api = _api(synthesized)
    assert api.account_role is not None
    role_id = synthesized.logical_id(api.account_role)
    role = synthesized.template["Resources"][role_id]
    [account] = synthesized.resources("AWS::ApiGateway::Account").items()
    [statement] = synthesized.role_statements(role_id)

    assert role["DeletionPolicy"] == account[1]["DeletionPolicy"] == "Retain"
    assert "ManagedPolicyArns" not in role["Properties"]
    assert actions(statement) == set(ACCOUNT_ROLE_ACTIONS)
    assert account[1]["Properties"]["CloudWatchRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert account[0] in _stage(synthesized).get("DependsOn", [])  # logging is allowed before the stage exists


def test_persistent_server_errors_alarm_the_topic(synthesized: Synthesized) -> None:
    topic = {"Ref": synthesized.logical_id(synthesized.stack.alarms.topic)}

    synthesized.assertions.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/ApiGateway",
            "MetricName": "5XXError",
            "Dimensions": [{"Name": "ApiName", "Value": "plexlabor-dev"}],
            "Statistic": "Sum",
            "Period": 300,
            "EvaluationPeriods": 3,
            "DatapointsToAlarm": 2,
            "AlarmActions": [topic],
        },
    )


def test_outputs_give_the_api_and_webhook_urls(synthesized: Synthesized) -> None:
    outputs = synthesized.template["Outputs"]
    api_id = synthesized.logical_id(_api(synthesized).rest_api)

    assert api_id in json.dumps(outputs["ApiUrl"]["Value"])
    assert json.dumps(outputs["ApiUrl"]["Value"]).endswith('/dev/"]]}')
    assert json.dumps(outputs["PunchWebhookUrl"]["Value"]).endswith('/dev/punches"]]}')
    assert json.dumps(outputs["WebAppSignInUrl"]["Value"]).endswith('/dev/login"]]}')
    assert not [key for key in outputs if key.startswith("ApiRestApiEndpoint")]  # CDK's duplicate is removed
