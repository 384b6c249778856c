"""Sign-in: the Cognito user pool (admin-created users, password policy, optional TOTP, Plus plan with
threat protection, retained and protected), its two admin-set attributes, the groups (one per role), the hosted
UI domain, the web app's client (code grant, no secret, callback and sign-out URLs on the API), what
the web app and the authorizer are given, and the authorizer's least-privilege role."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import plexlabor.platform.env as env_vars
from infra.constructs.auth import ID_TOKEN_HOURS, MIN_PASSWORD_LENGTH, REFRESH_TOKEN_HOURS
from infra.testing import CONFIGURED, Synthesized, actions, synthesize
from plexlabor.review.queue import Role

LOGS_AND_XRAY = {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def _one(synthesized: Synthesized, resource_type: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, resource)] = synthesized.resources(resource_type).items()
    return logical_id, resource


def _api_url_of(synthesized: Synthesized, path: str) -> str:
    """How the template spells `<API URL><path>`: the RestApi's id and the stage's name, no Stage ref."""
    api = synthesized.stack.api
    assert api is not None
    return json.dumps(
        {
            "Fn::Join": [
                "",
                [
                    "https://",
                    {"Ref": synthesized.logical_id(api.rest_api)},
                    ".execute-api.",
                    {"Ref": "AWS::Region"},
                    ".",
                    {"Ref": "AWS::URLSuffix"},
                    f"/dev/{path}",
                ],
            ]
        }
    )


def test_the_user_pool_takes_admin_created_users_with_strong_passwords(synthesized: Synthesized) -> None:
    _, pool = _one(synthesized, "AWS::Cognito::UserPool")
    properties = pool["Properties"]

    assert properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert "UsernameAttributes" not in properties and "AliasAttributes" not in properties  # the user name signs in
    assert properties["UsernameConfiguration"] == {"CaseSensitive": False}
    assert properties["Policies"]["PasswordPolicy"] == {
        "MinimumLength": MIN_PASSWORD_LENGTH,
        "RequireLowercase": True,
        "RequireUppercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 3,
    }
    assert (properties["MfaConfiguration"], properties["EnabledMfas"]) == ("OPTIONAL", ["SOFTWARE_TOKEN_MFA"])
    assert properties["UserPoolTier"] == "PLUS"
    assert properties["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}  # threat protection, full function
    assert "{username}" in json.dumps(properties["AdminCreateUserConfig"]["InviteMessageTemplate"])


def test_the_user_pool_outlives_the_stack(synthesized: Synthesized) -> None:
    _, pool = _one(synthesized, "AWS::Cognito::UserPool")

    assert pool["Properties"]["DeletionProtection"] == "ACTIVE"
    assert pool["DeletionPolicy"] == pool["UpdateReplacePolicy"] == "Retain"


def test_employee_id_and_departments_are_mutable_custom_attributes(synthesized: Synthesized) -> None:
    _, pool = _one(synthesized, "AWS::Cognito::UserPool")
    schema = {attribute["Name"]: attribute for attribute in pool["Properties"]["Schema"]}

    assert set(schema) == {"employee_id", "departments"}
    for attribute in schema.values():
        assert (attribute["AttributeDataType"], attribute["Mutable"]) == ("String", True)
    assert schema["departments"]["StringAttributeConstraints"]["MaxLength"] == "2048"


def test_the_groups_are_the_web_apps_roles(synthesized: Synthesized) -> None:
    pool_id, _ = _one(synthesized, "AWS::Cognito::UserPool")
    groups = synthesized.resources("AWS::Cognito::UserPoolGroup").values()

    assert {group["Properties"]["GroupName"] for group in groups} == {role.value for role in Role}
    assert {"supervisor", "planner", "hr", "ehs", "admin", "operator"} == {role.value for role in Role}
    assert all(group["Properties"]["UserPoolId"] == {"Ref": pool_id} for group in groups)
    assert all(group["Properties"]["Description"] for group in groups)


def test_the_hosted_ui_domain_is_named_after_the_stage_and_account(synthesized: Synthesized) -> None:
    pool_id, _ = _one(synthesized, "AWS::Cognito::UserPool")
    _, domain = _one(synthesized, "AWS::Cognito::UserPoolDomain")

    assert domain["Properties"]["UserPoolId"] == {"Ref": pool_id}
    assert domain["Properties"]["Domain"] == {"Fn::Join": ["-", ["plexlabor-dev", {"Ref": "AWS::AccountId"}]]}
    assert "CustomDomainConfig" not in domain["Properties"]


def test_the_web_apps_client_uses_the_code_grant_without_a_secret(synthesized: Synthesized) -> None:
    _, client = _one(synthesized, "AWS::Cognito::UserPoolClient")
    properties = client["Properties"]

    assert properties["GenerateSecret"] is False  # PKCE binds the code to the browser that asked for it
    assert properties["AllowedOAuthFlows"] == ["code"]
    assert properties["AllowedOAuthFlowsUserPoolClient"] is True
    assert properties["AllowedOAuthScopes"] == ["openid"]  # no aws.cognito.signin.user.admin
    assert properties["SupportedIdentityProviders"] == ["COGNITO"]
    assert json.dumps(properties["CallbackURLs"]) == f"[{_api_url_of(synthesized, 'auth/callback')}]"
    assert json.dumps(properties["LogoutURLs"]) == f"[{_api_url_of(synthesized, 'login')}]"
    assert properties["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert properties["PreventUserExistenceErrors"] == "ENABLED"
    assert properties["EnableTokenRevocation"] is True
    assert (properties["IdTokenValidity"], properties["RefreshTokenValidity"]) == (
        ID_TOKEN_HOURS * 60,
        REFRESH_TOKEN_HOURS * 60,
    )
    assert properties["TokenValidityUnits"]["IdToken"] == "minutes"


def test_the_client_reads_the_scope_attributes_and_writes_none(synthesized: Synthesized) -> None:
    """Nobody widens their own scope: employee id and departments are an admin's to set."""
    _, client = _one(synthesized, "AWS::Cognito::UserPoolClient")
    properties = client["Properties"]

    assert {"custom:employee_id", "custom:departments"} <= set(properties["ReadAttributes"])
    assert properties["WriteAttributes"] == []


def test_the_web_app_gets_its_client_the_hosted_ui_and_its_own_url(synthesized: Synthesized) -> None:
    auth = synthesized.stack.auth
    assert auth is not None
    variables = synthesized.function("web_app")["Properties"]["Environment"]["Variables"]

    assert variables[env_vars.COGNITO_CLIENT_ID] == {"Ref": synthesized.logical_id(auth.client)}
    assert synthesized.logical_id(auth.domain) in json.dumps(variables[env_vars.COGNITO_HOSTED_UI_URL])
    assert json.dumps(variables[env_vars.WEB_APP_URL]) == _api_url_of(synthesized, "")
    assert env_vars.COGNITO_USER_POOL_ID not in variables  # the authorizer checks tokens, not the app


def test_the_authorizer_gets_the_pool_its_client_and_region(synthesized: Synthesized) -> None:
    auth = synthesized.stack.auth
    assert auth is not None
    variables = synthesized.function("web_authorizer")["Properties"]["Environment"]["Variables"]

    assert variables[env_vars.COGNITO_USER_POOL_ID] == {"Ref": synthesized.logical_id(auth.user_pool)}
    assert variables[env_vars.COGNITO_CLIENT_ID] == {"Ref": synthesized.logical_id(auth.client)}
    assert variables[env_vars.COGNITO_REGION] == {"Ref": "AWS::Region"}
    assert not {name for name in variables if name.endswith(("_TABLE_NAME", "_QUEUE_URL", "_SECRET_ARN"))}


def test_the_authorizer_may_only_write_its_logs_and_traces(synthesized: Synthesized) -> None:
    statements = synthesized.function_statements("web_authorizer")
    granted = set().union(*(actions(statement) for statement in statements))

    assert granted == LOGS_AND_XRAY  # the keys and the token endpoint are public: no AWS API at all
    assert synthesized.function("web_authorizer")["Properties"]["Runtime"] == "python3.11"


def test_the_outputs_give_the_pool_the_client_and_the_sign_in_urls(synthesized: Synthesized) -> None:
    auth = synthesized.stack.auth
    assert auth is not None
    outputs = synthesized.template["Outputs"]

    assert outputs["UserPoolId"]["Value"] == {"Ref": synthesized.logical_id(auth.user_pool)}
    assert outputs["UserPoolClientId"]["Value"] == {"Ref": synthesized.logical_id(auth.client)}
    assert synthesized.logical_id(auth.domain) in json.dumps(outputs["HostedUiUrl"]["Value"])
    assert json.dumps(outputs["WebAppSignInUrl"]["Value"]) == _api_url_of(synthesized, "login")


def test_the_web_app_is_never_served_without_its_authorizer(tmp_path: Path) -> None:
    """A web_app handler without a web_authorizer handler would put the pages online for anyone."""
    with pytest.raises(ValueError, match="needs the authorizer web_authorizer, which has no function"):
        synthesize(tmp_path, ["web_app"], **CONFIGURED)


def test_without_the_web_app_there_is_no_user_pool(tmp_path: Path) -> None:
    partial = synthesize(tmp_path, ["approval_callback"], **CONFIGURED)

    assert partial.stack.auth is None
    partial.assertions.resource_count_is("AWS::Cognito::UserPool", 0)
    partial.assertions.resource_count_is("AWS::ApiGateway::Authorizer", 0)
    partial.assertions.resource_count_is("AWS::ApiGateway::GatewayResponse", 0)
