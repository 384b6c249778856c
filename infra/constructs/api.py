"""The REST API (regional): one stage, Lambda proxy routes taken from the function specs.

Routes today (`FunctionSpec.routes`): `POST /punches` and `GET /punches/openapi.json` ->
punch_webhook; `GET|POST /approvals/{token}` -> approval_callback; the web app's pages
(`GET|POST /queue`, `GET|POST /items/{item_id}`, `GET /kpis`) and its sign-in (`GET /login`,
`/auth/callback`, `/logout`) -> web_app. The API and its stage exist as soon as one routed function
has a handler; routes are added with `add_routes` once the functions exist, so `url` can be given to
functions first (approval_notify's `APPROVAL_BASE_URL`, the web app's `WEB_APP_URL`, the user pool
client's callback) without a dependency cycle: `url` is built from the RestApi id and the stage
name, not from the Stage resource, which depends on every method (and so on the functions they
invoke and the authorizer they ask).

Authorization per route (`Route.authorizer`):
- the web app's pages: a Lambda REQUEST authorizer (web_authorizer, `add_authorizer`) that verifies
  the Cognito ID token of the session cookie, or of an `Authorization: Bearer` header. Not a
  COGNITO_USER_POOLS authorizer: that one reads a header, and a browser navigation cannot send one.
  No result caching (no identity source either): the authorizer runs on every request, so a request
  with a Bearer header and no cookie reaches it, an expired token is refused at its `exp`, and a
  sign-out takes effect at once. COG4 is acknowledged on these methods with that reason.
- no authorizer: the webhook authenticates each request by its HMAC signature and timestamp, an
  approval link is a signed, expiring, single-use credential bound to one supervisor
  (docs/approval.md), and the sign-in routes are where someone without a session starts.
  APIG4/COG4 are acknowledged per method with that reason.
Gateway responses (API-wide, but only the authorized methods ever produce them): UNAUTHORIZED (no
token, or a bad or expired one) is a 401 HTML page that sends the browser to `/login` at once (meta
refresh, and a link) and tells an API client `WWW-Authenticate: Bearer`; ACCESS_DENIED (signed in
but in none of the groups) a 403 page that says so and offers to sign out.

Stage: named after the deployment stage; throttling per method, each with its own budget
(`Route.throttle`): the webhook the stage's (`plexlabor:apiRateLimit`/`apiBurstLimit`), pages and
approval links 25/s (burst 50), sign-in routes and OpenAPI documents 10/s (burst 20)
(`ROUTE_LIMITS`); X-Ray; metrics; execution logs at ERROR without request/response data; access
logs as JSON to their own log group, with the resource path (`/approvals/{token}`), never the
request path, so approval tokens stay out of the logs. Request validation: path parameters
(the validator is also set to validate bodies, but no route declares a body model: the webhook
must answer a bad signature with 401 before it says anything about the body's schema).
No WAF unless `plexlabor:waf=true` (`infra.constructs.waf`: AWS's common rules and a rate per
address); without it the cdk-nag rule is acknowledged (a per-request cost; the routes authenticate
themselves and are throttled).

Logging needs the account-level API Gateway CloudWatch role (one per account and region). Unless
`plexlabor:apiGatewayAccountRole=false`, the stack creates it (inline policy on this account's log
groups, no managed policy) and sets it, both RETAINed: other APIs in the account rely on it.

Alarm: 5XXError in 2 of 3 consecutive 5-minute periods -> alarm topic (a single failed webhook
is retried by its sender; a persistent one is an outage).
"""

from __future__ import annotations

import json
import re

from aws_cdk import ArnFormat, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import DeployConfig
from infra.constants import SERVICE_NAME
from infra.constructs.alarms import Alarms
from infra.constructs.waf import Waf
from infra.function_specs import Route, Throttle
from infra.nag import acknowledge, acknowledge_wildcard_resource
from plexlabor.webapp.auth import DENIED_PAGE, SIGN_IN_PAGE

ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",  # the template, e.g. /approvals/{token}: no token in logs
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integrationStatus",
    "errorMessage": "$context.error.message",
    "sourceIp": "$context.identity.sourceIp",
    "userAgent": "$context.identity.userAgent",
    "xrayTraceId": "$context.xrayTraceId",
}
ACCOUNT_ROLE_ACTIONS = (  # what AWS's AmazonAPIGatewayPushToCloudWatchLogs allows, as an inline policy
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
    "logs:PutLogEvents",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
)
PATH_PARAMETER = re.compile(r"\{(\w+)\}")
ROUTE_LIMITS: dict[Throttle, tuple[int, int]] = {Throttle.PEOPLE: (25, 50), Throttle.PUBLIC: (10, 20)}
"""(requests per second, burst) of each route of that budget; `Throttle.STAGE` routes have the stage's."""

NO_AUTHORIZER_REASON = (
    "No IAM or Cognito authorizer on purpose: POST /punches authenticates every request by its "
    "HMAC-SHA256 signature and timestamp (401 otherwise, in the handler); the approval routes take a "
    "signed, expiring, single-use link bound to one supervisor; the OpenAPI document is public; the "
    "web app's /login, /auth/callback and /logout are where a person without a session signs in (the "
    "callback only accepts a code together with the state and PKCE verifier its own /login set)."
)
SESSION_AUTHORIZER_REASON = (
    "A Lambda REQUEST authorizer instead of a Cognito user pool authorizer: it verifies the same Cognito "
    "ID token (RS256 signature against the pool's JWKS, issuer, audience = the web app's client, "
    "token_use id, expiry) but takes it from the HttpOnly session cookie, which a browser sends on a "
    "page navigation, where it cannot send the Authorization header the Cognito authorizer reads."
)
NO_WAF_REASON = (
    "WAF is optional here: every route authenticates the request itself (signature or signed link), "
    "each route is throttled, and a web ACL costs per request. Set the context flag plexlabor:waf=true "
    "where the organisation requires one (infra.constructs.waf)."
)
ACCOUNT_ROLE_REASON = (
    "API Gateway uses one CloudWatch Logs role per account and region for every API's execution and "
    "access logs, so it cannot be scoped to this API's log groups; it is scoped to this account's and "
    "region's log groups (AWS's managed policy for it allows '*')."
)


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        log_retention: logs.RetentionDays,
        alarms: Alarms,
    ) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = logs.LogGroup(self, "AccessLogs", retention=log_retention)
        self.rest_api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=f"{SERVICE_NAME}-{config.stage}",
            description=f"{SERVICE_NAME} {config.stage}: punch webhook and supervisor approval links",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            # a request of this type reaches its function base64-encoded, bytes intact: the incident form's
            # recording (plexlabor.incidents.api); no other route takes it, and no response is of this type
            binary_media_types=["multipart/form-data"],
            cloud_watch_role=False,  # set below as an inline-policy role, or not at all
            deploy_options=apigateway.StageOptions(
                stage_name=config.stage,
                access_log_destination=apigateway.LogGroupLogDestination(self.access_logs),
                access_log_format=apigateway.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS)),
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request and response bodies carry personal data
                metrics_enabled=True,
                tracing_enabled=True,
                throttling_rate_limit=config.api_rate_limit,
                throttling_burst_limit=config.api_burst_limit,
            ),
        )
        self.rest_api.node.try_remove_child("Endpoint")  # CDK's own URL output; the stack outputs `ApiUrl`
        self.stage = self.rest_api.deployment_stage
        self._stage_limits = (config.api_rate_limit, config.api_burst_limit)
        self._stage_settings = list(self._cfn_stage.method_settings)  # type: ignore[arg-type]
        self.waf = Waf(self, "Waf", stage=self.stage, name=f"{SERVICE_NAME}-{config.stage}") if config.waf else None
        if self.waf is None:
            acknowledge(self.stage.node.default_child, "AwsSolutions-APIG3", NO_WAF_REASON)  # type: ignore[arg-type]
        self.account_role: iam.Role | None = None
        if config.api_gateway_account_role:
            self.account_role = self._account_role(config.stage)
        self.validator = self.rest_api.add_request_validator(
            "RequestValidator", validate_request_body=True, validate_request_parameters=True
        )
        self.routes: dict[Route, apigateway.Method] = {}
        self.authorizers: dict[str, apigateway.RequestAuthorizer] = {}
        self.gateway_responses: dict[str, apigateway.GatewayResponse] = {}
        self._stage_name = config.stage
        self.server_error_alarm = alarms.above_zero(
            self,
            "ServerErrors",
            description=(
                "The API answered 5xx in 2 of the last 3 five-minute periods. Check the punch_webhook "
                "and approval_callback logs (503 from the webhook: the punch queue refused records)."
            ),
            metric=self.rest_api.metric_server_error(period=Duration.minutes(5), statistic=cloudwatch.Stats.SUM),
            evaluation_periods=3,
            datapoints_to_alarm=2,
        )

    @property
    def url(self) -> str:
        """The stage's base URL, `https://<id>.execute-api.<region>.<suffix>/<stage>/`.

        Built from the RestApi and the stage's name, not the Stage resource (see the module docstring),
        so functions the API invokes and the user pool client may hold it."""
        stack = Stack.of(self)
        return Fn.join(
            "",
            [
                "https://",
                self.rest_api.rest_api_id,
                ".execute-api.",
                stack.region,
                ".",
                stack.url_suffix,
                f"/{self._stage_name}/",
            ],
        )

    def url_for(self, path: str) -> str:
        return Fn.join("", [self.url, path.lstrip("/")])

    def add_authorizer(self, name: str, function: lambda_.IFunction) -> apigateway.RequestAuthorizer:
        """A Lambda REQUEST authorizer that runs `function` before every method whose route names
        `name`; the first one also sets the gateway responses that send a browser to sign in."""
        if name in self.authorizers:
            raise ValueError(f"authorizer {name} is added twice")
        authorizer = apigateway.RequestAuthorizer(
            self,
            "".join(part.capitalize() for part in name.split("_")),
            handler=function,
            identity_sources=[],  # no caching: every request is checked (see the module docstring)
            results_cache_ttl=Duration.seconds(0),
        )
        # CDK writes the empty identity-source list as "": without caching the property is optional
        authorizer.node.default_child.add_property_deletion_override("IdentitySource")  # type: ignore[union-attr]
        self.authorizers[name] = authorizer
        if not self.gateway_responses:
            self._sign_in_responses()
        return authorizer

    def add_routes(self, function: lambda_.IFunction, routes: tuple[Route, ...]) -> None:
        """Lambda proxy methods for `routes`; each may invoke `function` only through its own method.

        A route that names an authorizer gets it (add it first); one without is public."""
        integration = apigateway.LambdaIntegration(function, proxy=True, allow_test_invoke=False)
        for route in routes:
            if route in self.routes:
                raise ValueError(f"route {route.method} {route.path} is served twice")
            if route.authorizer is not None and route.authorizer not in self.authorizers:
                raise ValueError(
                    f"route {route.method} {route.path} needs the authorizer {route.authorizer}, which has no "
                    "function: it would be served to anyone"
                )
            authorizer = self.authorizers.get(route.authorizer) if route.authorizer else None
            parameters = PATH_PARAMETER.findall(route.path)
            method = self.rest_api.root.resource_for_path(route.path).add_method(
                route.method,
                integration,
                authorizer=authorizer,
                authorization_type=(
                    apigateway.AuthorizationType.CUSTOM if authorizer else apigateway.AuthorizationType.NONE
                ),
                request_parameters={f"method.request.path.{name}": True for name in parameters} or None,
                request_validator=self.validator if parameters else None,
            )
            if authorizer is not None:
                acknowledge(method.node.default_child, "AwsSolutions-COG4", SESSION_AUTHORIZER_REASON)  # type: ignore[arg-type]
            else:
                for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                    acknowledge(method.node.default_child, rule, NO_AUTHORIZER_REASON)  # type: ignore[arg-type]
            self.routes[route] = method
            self._throttle(route)

    @property
    def _cfn_stage(self) -> apigateway.CfnStage:
        stage: apigateway.CfnStage = self.stage.node.default_child  # type: ignore[assignment]
        return stage

    def _throttle(self, route: Route) -> None:
        """The route's own request budget (its method setting); its other settings are the stage's."""
        rate, burst = self._stage_limits if route.throttle is Throttle.STAGE else ROUTE_LIMITS[route.throttle]
        self._stage_settings.append(
            apigateway.CfnStage.MethodSettingProperty(
                http_method=route.method,
                resource_path="/" + route.path.replace("/", "~1"),  # API Gateway's escaping of a method's path
                logging_level=apigateway.MethodLoggingLevel.ERROR.value,
                data_trace_enabled=False,
                metrics_enabled=True,
                throttling_rate_limit=rate,
                throttling_burst_limit=burst,
            )
        )
        self._cfn_stage.method_settings = self._stage_settings

    def _sign_in_responses(self) -> None:
        """401: to /login at once; 403: signed in without a role. Static pages (no VTL in them); header
        values are static strings in single quotes, so the pages get no Content-Security-Policy (it
        quotes its keywords): they load nothing and run nothing."""
        base = f"/{self._stage_name}"
        headers = {
            "Content-Type": "'text/html; charset=utf-8'",
            "Cache-Control": "'no-store'",
            "X-Content-Type-Options": "'nosniff'",
            "X-Frame-Options": "'DENY'",
            "Referrer-Policy": "'same-origin'",
        }
        bearer = {"WWW-Authenticate": "'Bearer'"}  # what an API client should send instead
        pages = {
            "Unauthorized": (apigateway.ResponseType.UNAUTHORIZED, "401", SIGN_IN_PAGE, bearer),
            "AccessDenied": (apigateway.ResponseType.ACCESS_DENIED, "403", DENIED_PAGE, {}),
        }
        for construct_id, (response_type, status, page, extra) in pages.items():
            self.gateway_responses[construct_id] = self.rest_api.add_gateway_response(
                construct_id,
                type=response_type,
                status_code=status,
                response_headers={**headers, **extra},
                # the same page whichever template API Gateway selects (by the request's content type)
                templates={content_type: page.format(base=base) for content_type in ("application/json", "text/html")},
            )

    def _account_role(self, stage: str) -> iam.Role:
        log_groups = Stack.of(self).format_arn(
            service="logs", resource="log-group", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        role = iam.Role(  # an inline policy, so it is retained with the role
            self,
            "CloudWatchRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description=f"API Gateway account setting: push API logs to CloudWatch (set by {SERVICE_NAME} {stage})",
            inline_policies={
                "PushToCloudWatchLogs": iam.PolicyDocument(
                    statements=[iam.PolicyStatement(actions=list(ACCOUNT_ROLE_ACTIONS), resources=[log_groups])]
                )
            },
        )
        acknowledge_wildcard_resource(role.node.default_child, log_groups, ACCOUNT_ROLE_REASON)  # type: ignore[arg-type]
        role.apply_removal_policy(RemovalPolicy.RETAIN)
        account = apigateway.CfnAccount(self, "Account", cloud_watch_role_arn=role.role_arn)
        account.apply_removal_policy(RemovalPolicy.RETAIN)
        self.stage.node.add_dependency(account)
        return role
