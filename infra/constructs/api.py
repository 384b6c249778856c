"""The REST API (regional): one stage, Lambda proxy routes taken from the function specs.

Routes today (`FunctionSpec.routes`): `POST /punches` and `GET /punches/openapi.json` ->
punch_webhook; `GET|POST /approvals/{token}` -> approval_callback. The API and its stage exist as
soon as one routed function has a handler; routes are added with `add_routes` once the functions
exist, so `url` can be given to other functions first (approval_notify's `APPROVAL_BASE_URL`)
without a dependency cycle: that value references the RestApi and its Stage, and neither depends
on approval_notify.

No IAM or Cognito authorizer: the webhook authenticates each request by its HMAC signature and
timestamp, and an approval link is a signed, expiring, single-use credential bound to one
supervisor (docs/approval.md). APIG4/COG4 are acknowledged per method with that reason.

Stage: named after the deployment stage; throttling (`plexlabor:apiRateLimit`/`apiBurstLimit`)
for every method; X-Ray; metrics; execution logs at ERROR without request/response data; access
logs as JSON to their own log group, with the resource path (`/approvals/{token}`), never the
request path, so approval tokens stay out of the logs. Request validation: path parameters
(the validator is also set to validate bodies, but no route declares a body model: the webhook
must answer a bad signature with 401 before it says anything about the body's schema).
No WAF (acknowledged: optional, a per-request cost; the routes authenticate themselves).

Logging needs the account-level API Gateway CloudWatch role (one per account and region). Unless
`plexlabor:apiGatewayAccountRole=false`, the stack creates it (inline policy on this account's log
groups, no managed policy) and sets it, both RETAINed: other APIs in the account rely on it.

Alarm: 5XXError in 2 of 3 consecutive 5-minute periods -> alarm topic (a single failed webhook
is retried by its sender; a persistent one is an outage).
"""

from __future__ import annotations

import json
import re

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import DeployConfig
from infra.constants import SERVICE_NAME
from infra.constructs.alarms import Alarms
from infra.function_specs import Route
from infra.nag import acknowledge, acknowledge_wildcard_resource

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

NO_AUTHORIZER_REASON = (
    "No IAM or Cognito authorizer on purpose: POST /punches authenticates every request by its "
    "HMAC-SHA256 signature and timestamp (401 otherwise, in the handler); the approval routes take a "
    "signed, expiring, single-use link bound to one supervisor; the OpenAPI document is public."
)
NO_WAF_REASON = (
    "WAF is optional here: every route authenticates the request itself (signature or signed link), "
    "the stage is throttled, and a web ACL costs per request. Associate one (AWS::WAFv2::WebACLAssociation "
    "on this stage) where the organisation requires it."
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
        acknowledge(self.stage.node.default_child, "AwsSolutions-APIG3", NO_WAF_REASON)  # type: ignore[arg-type]
        self.account_role: iam.Role | None = None
        if config.api_gateway_account_role:
            self.account_role = self._account_role(config.stage)
        self.validator = self.rest_api.add_request_validator(
            "RequestValidator", validate_request_body=True, validate_request_parameters=True
        )
        self.routes: dict[Route, apigateway.Method] = {}
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
        """The stage's base URL, `https://<id>.execute-api.<region>.<suffix>/<stage>/`."""
        return self.rest_api.url

    def url_for(self, path: str) -> str:
        return self.rest_api.url_for_path(path)

    def add_routes(self, function: lambda_.IFunction, routes: tuple[Route, ...]) -> None:
        """Lambda proxy methods for `routes`; each may invoke `function` only through its own method."""
        integration = apigateway.LambdaIntegration(function, proxy=True, allow_test_invoke=False)
        for route in routes:
            if route in self.routes:
                raise ValueError(f"route {route.method} {route.path} is served twice")
            parameters = PATH_PARAMETER.findall(route.path)
            method = self.rest_api.root.resource_for_path(route.path).add_method(
                route.method,
                integration,
                authorization_type=apigateway.AuthorizationType.NONE,
                request_parameters={f"method.request.path.{name}": True for name in parameters} or None,
                request_validator=self.validator if parameters else None,
            )
            for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                acknowledge(method.node.default_child, rule, NO_AUTHORIZER_REASON)  # type: ignore[arg-type]
            self.routes[route] = method

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
