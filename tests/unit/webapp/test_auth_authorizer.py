"""web_authorizer: the session cookie's (or a Bearer header's) ID token becomes an Allow for the stage
with the person's claims in the context, which the web app reads as its viewer; someone in no group
gets a Deny; no token, or a bad one, fails with exactly "Unauthorized" (API Gateway's 401)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from functions.web_authorizer import handler as web_authorizer
from plexlabor.review.queue import Role
from plexlabor.webapp.auth import SESSION_COOKIE, TokenVerifier, Unauthorized, request_token
from plexlabor.webapp.viewer import authorizer_context, viewer_from_claims
from tests.support import load_event
from tests.unit.webapp.test_auth_tokens import SUPERVISOR, Issuer, verifier_for

STAGE_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123def4/dev/*/*"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture
def verifier(issuer: Issuer) -> TokenVerifier:
    return verifier_for(issuer)[0]


def _event(cookie: str | None = None, authorization: str | None = None) -> dict[str, Any]:
    event = load_event("web_authorizer")
    headers = {"Accept": "text/html"}
    if cookie is not None:
        headers["Cookie"] = cookie
    if authorization is not None:
        headers["Authorization"] = authorization
    event["headers"] = headers
    event["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    return event


def test_a_valid_session_cookie_is_allowed_on_the_stage_with_the_claims_in_the_context(
    issuer: Issuer, verifier: TokenVerifier, lambda_context: Any
) -> None:
    cookie = f"theme=dark; {SESSION_COOKIE}={issuer.token()}; other=1"

    answer = web_authorizer.handler(_event(cookie), lambda_context, verifier=verifier)

    assert answer["principalId"] == SUPERVISOR["sub"]
    [statement] = answer["policyDocument"]["Statement"]
    assert statement == {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [STAGE_ARN]}
    assert answer["context"] == {
        "custom_employee_id": "E0001",
        "cognito_username": "cokafor2",
        "sub": SUPERVISOR["sub"],
        "cognito_groups": "supervisor",
        "custom_departments": "Molding,Assembly",
    }
    assert all(isinstance(value, str) for value in answer["context"].values())  # API Gateway wants flat values


def test_the_context_is_the_viewer_the_web_app_sees(
    issuer: Issuer, verifier: TokenVerifier, lambda_context: Any
) -> None:
    answer = web_authorizer.handler(_event(f"{SESSION_COOKIE}={issuer.token()}"), lambda_context, verifier=verifier)
    # API Gateway passes the context as requestContext.authorizer, with principalId and its latency
    authorizer = {**answer["context"], "principalId": answer["principalId"], "integrationLatency": 12}

    viewer = viewer_from_claims(authorizer)

    assert viewer == viewer_from_claims({"claims": SUPERVISOR}) == viewer_from_claims(SUPERVISOR)
    assert (viewer.user_id, viewer.roles, viewer.departments) == (
        "E0001",
        frozenset({Role.SUPERVISOR}),
        frozenset({"Molding", "Assembly"}),
    )


def test_an_api_client_may_send_the_id_token_as_a_bearer_header(
    issuer: Issuer, verifier: TokenVerifier, lambda_context: Any
) -> None:
    answer = web_authorizer.handler(_event(authorization=f"Bearer {issuer.token()}"), lambda_context, verifier=verifier)

    assert answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"


def test_someone_in_no_plexlabor_group_is_denied(issuer: Issuer, verifier: TokenVerifier, lambda_context: Any) -> None:
    visitor = {**SUPERVISOR, "cognito:groups": ["contractors"]}
    cookie = f"{SESSION_COOKIE}={issuer.token(visitor)}"

    answer = web_authorizer.handler(_event(cookie), lambda_context, verifier=verifier)

    [statement] = answer["policyDocument"]["Statement"]
    assert (statement["Effect"], statement["Resource"]) == ("Deny", [STAGE_ARN])


@pytest.mark.parametrize(
    ("cookie", "authorization"),
    [
        (None, None),
        ("theme=dark", None),
        (f"{SESSION_COOKIE}=", None),
        (f"{SESSION_COOKIE}=not-a-token", None),
        (None, "Basic dXNlcjpwYXNz"),
        (None, "Bearer "),
    ],
    ids=["no-headers", "no-session", "empty-session", "garbage", "basic-auth", "empty-bearer"],
)
def test_no_token_or_a_bad_one_is_unauthorized(
    verifier: TokenVerifier, lambda_context: Any, cookie: str | None, authorization: str | None
) -> None:
    with pytest.raises(Unauthorized) as refused:
        web_authorizer.handler(_event(cookie, authorization), lambda_context, verifier=verifier)

    assert str(refused.value) == "Unauthorized"  # the exact message API Gateway turns into a 401


@pytest.mark.parametrize(
    "token",
    [
        lambda issuer: issuer.token(expires_in=-1),
        lambda issuer: issuer.token(audience="another-client"),
        lambda issuer: issuer.token(token_use="access", aud="4client0web0app0id00000000"),
        lambda issuer: Issuer(kid=issuer.kid).token(),
        lambda issuer: Issuer(kid="key-9").token(),
    ],
    ids=["expired", "other-client", "access-token", "forged", "unknown-key"],
)
def test_a_token_that_fails_verification_is_unauthorized(
    issuer: Issuer, verifier: TokenVerifier, lambda_context: Any, token: Any
) -> None:
    event = _event(f"{SESSION_COOKIE}={token(issuer)}")

    with pytest.raises(Unauthorized):
        web_authorizer.handler(event, lambda_context, verifier=verifier)


def test_the_token_is_taken_from_every_cookie_header_and_the_header_wins() -> None:
    """HTTP/2 clients may split cookies over several headers; an explicit Bearer header comes first."""
    split = {"multiValueHeaders": {"cookie": ["a=1", f"{SESSION_COOKIE}=from-cookie"]}, "headers": {"cookie": "a=1"}}
    both = {"headers": {"Authorization": "bearer from-header", "Cookie": f"{SESSION_COOKIE}=from-cookie"}}

    assert request_token(split) == "from-cookie"
    assert request_token(both) == "from-header"
    assert request_token({"headers": None, "multiValueHeaders": None}) is None


def test_the_context_flattens_only_the_viewers_claims() -> None:
    claims = {**SUPERVISOR, "cognito:groups": ["supervisor", "admin"], "email": "x@y", "custom:employee_id": ""}

    context = authorizer_context(claims)

    assert context == {
        "cognito_username": "cokafor2",
        "sub": SUPERVISOR["sub"],
        "cognito_groups": "supervisor,admin",
        "custom_departments": "Molding,Assembly",
    }
    assert viewer_from_claims(context).roles == frozenset({Role.SUPERVISOR, Role.ADMIN})
    assert viewer_from_claims(context).user_id == "cokafor2"  # no employee id: the user name


def test_the_authorizer_imports_with_an_empty_environment_and_without_the_app() -> None:
    """It runs before every page: no configuration read at import, no templates, no numeric stack."""
    code = (
        "import json, sys\n"
        "import functions.web_authorizer.handler\n"
        "print(json.dumps([m for m in ('jinja2', 'numpy', 'sklearn', 'plexlabor.webapp.app') if m in sys.modules]))\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'core'}"}

    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
