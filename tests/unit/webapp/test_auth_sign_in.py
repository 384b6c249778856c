"""The web app's sign-in routes, with the hosted UI's token endpoint faked (the unit tier has no network):
/login sends the browser to the hosted UI with PKCE and a state kept in a cookie (or renews the session
with the refresh cookie); /auth/callback checks the state, exchanges the code and sets the HttpOnly,
Secure, SameSite=Lax session cookie; /logout revokes and clears. A whole sign-in ends on a page the
authorizer lets through, and a decision made there records who made it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from functions.web_app import handler as web_app
from functions.web_authorizer import handler as web_authorizer
from plexlabor.audit import AuditEventType
from plexlabor.webapp import auth
from plexlabor.webapp.app import app
from plexlabor.webapp.auth import (
    REFRESH_COOKIE,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    SignIn,
    SignInError,
    SignInSettings,
    code_challenge,
    parse_cookies,
    post_form,
)
from tests.support import load_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import crew_assignment, web_deps, web_event
from tests.unit.webapp.test_auth_tokens import CLIENT_ID, SUPERVISOR, Issuer, verifier_for

HOSTED_UI = "https://plexlabor-dev-123456789012.auth.us-east-2.amazoncognito.com"
APP_URL = "https://abc123def4.execute-api.us-east-2.amazonaws.com/dev/"
SETTINGS = SignInSettings.from_env(
    {"COGNITO_CLIENT_ID": CLIENT_ID, "COGNITO_HOSTED_UI_URL": HOSTED_UI, "WEB_APP_URL": APP_URL}
)
PLANNER = {**SUPERVISOR, "cognito:username": "pmehta", "custom:employee_id": "P0001", "cognito:groups": ["planner"]}


class TokenEndpoint:
    """The hosted UI's /oauth2/token and /oauth2/revoke: records each form, answers as told."""

    def __init__(self, issuer: Issuer, claims: Mapping[str, Any] = SUPERVISOR) -> None:
        self.issuer, self.claims = issuer, claims
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.refuse = False

    def __call__(self, url: str, form: Mapping[str, str]) -> Mapping[str, Any]:
        self.calls.append((url, dict(form)))
        if self.refuse:
            raise SignInError(f"{url} answered 400 invalid_grant")
        if url.endswith("/oauth2/revoke"):
            return {}
        tokens = {"id_token": self.issuer.token(self.claims), "access_token": "access", "expires_in": 3600}
        return tokens if form.get("grant_type") == "refresh_token" else {**tokens, "refresh_token": "refresh-1"}


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture
def endpoint(issuer: Issuer) -> TokenEndpoint:
    return TokenEndpoint(issuer)


@pytest.fixture
def world() -> World:
    world = World()
    crew_assignment(world)
    return world


def _call(
    world: World,
    endpoint: TokenEndpoint,
    path: str,
    *,
    method: str = "GET",
    query: dict[str, str] | None = None,
    cookies: Mapping[str, str] | None = None,
    authorizer: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    lambda_context: Any = None,
) -> dict[str, Any]:
    event = web_event(method, path, query=query, form=form, authorizer=authorizer)
    headers = {"Accept": "text/html"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    event["headers"] = headers
    event["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    app.append_context(sign_in=SignIn(SETTINGS, endpoint))  # the handler adds its own and resolves
    return web_app.handler(event, lambda_context, dependencies=web_deps(world))


def _set_cookies(response: Mapping[str, Any]) -> dict[str, str]:
    """Set-Cookie headers by cookie name (the whole header: value and attributes)."""
    return {header.split("=", 1)[0]: header for header in response["multiValueHeaders"].get("Set-Cookie", [])}


def _value(set_cookie: str) -> str:
    return set_cookie.split(";", 1)[0].split("=", 1)[1]


def _attributes(set_cookie: str) -> set[str]:
    return {part.strip() for part in set_cookie.split(";")[1:]}


def _location(response: Mapping[str, Any]) -> str:
    [location] = response["multiValueHeaders"]["Location"]
    return str(location)


def _signed_in_at_callback(world: World, endpoint: TokenEndpoint, lambda_context: Any) -> dict[str, Any]:
    started = _call(world, endpoint, "/login", lambda_context=lambda_context)
    state = parse_qs(urlsplit(_location(started)).query)["state"][0]
    kept = _value(_set_cookies(started)[SIGN_IN_COOKIE])
    query = {"code": "code-1", "state": state}
    return _call(
        world, endpoint, "/auth/callback", query=query, cookies={SIGN_IN_COOKIE: kept}, lambda_context=lambda_context
    )


def test_login_sends_the_browser_to_the_hosted_ui_with_pkce_and_a_state(
    world: World, endpoint: TokenEndpoint, lambda_context: Any
) -> None:
    response = _call(world, endpoint, "/login", lambda_context=lambda_context)

    assert response["statusCode"] == 302
    location = urlsplit(_location(response))
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{HOSTED_UI}/oauth2/authorize"
    assert {k: query[k] for k in ("response_type", "client_id", "redirect_uri", "scope", "code_challenge_method")} == {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": f"{APP_URL}auth/callback",
        "scope": "openid",
        "code_challenge_method": "S256",
    }
    started = _set_cookies(response)[SIGN_IN_COOKIE]
    state, verifier = _value(started).split(".")
    assert query["state"] == state and query["code_challenge"] == code_challenge(verifier)
    assert len(state) >= 40 and 43 <= len(verifier) <= 128
    assert _attributes(started) == {"Path=/", "Max-Age=600", "Secure", "HttpOnly", "SameSite=Lax"}
    assert endpoint.calls == []


def test_two_logins_get_different_states(world: World, endpoint: TokenEndpoint, lambda_context: Any) -> None:
    first = _set_cookies(_call(world, endpoint, "/login", lambda_context=lambda_context))[SIGN_IN_COOKIE]
    second = _set_cookies(_call(world, endpoint, "/login", lambda_context=lambda_context))[SIGN_IN_COOKIE]

    assert _value(first) != _value(second)


def test_the_callback_exchanges_the_code_and_sets_the_session_cookie(
    world: World, endpoint: TokenEndpoint, lambda_context: Any
) -> None:
    response = _signed_in_at_callback(world, endpoint, lambda_context)

    assert response["statusCode"] == 303
    assert _location(response) == f"{APP_URL}queue"
    [(url, form)] = endpoint.calls
    assert url == f"{HOSTED_UI}/oauth2/token"
    assert form["grant_type"] == "authorization_code" and form["code"] == "code-1"
    assert form["client_id"] == CLIENT_ID and form["redirect_uri"] == f"{APP_URL}auth/callback"
    assert "client_secret" not in form and len(form["code_verifier"]) >= 43
    cookies = _set_cookies(response)
    session, refresh, started = cookies[SESSION_COOKIE], cookies[REFRESH_COOKIE], cookies[SIGN_IN_COOKIE]
    assert {"Path=/", "Secure", "HttpOnly", "SameSite=Lax"} <= _attributes(session)
    max_age = int(next(a for a in _attributes(session) if a.startswith("Max-Age=")).split("=")[1])
    assert 3500 <= max_age <= 3600  # until the ID token expires
    assert _attributes(refresh) == {"Path=/", "Secure", "HttpOnly", "SameSite=Lax"}  # for the browser session
    assert _value(refresh) == "refresh-1"
    assert "Max-Age=0" in _attributes(started)  # the sign-in is done


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ({"code": "code-1", "state": "guessed"}, "the-state.the-verifier"),
        ({"code": "code-1", "state": "the-state"}, None),
        ({"state": "the-state"}, "the-state.the-verifier"),
        ({"code": "code-1", "state": "the-state"}, "the-state"),
    ],
    ids=["other-state", "not-started-here", "no-code", "no-verifier"],
)
def test_a_callback_this_browser_did_not_start_is_refused_without_asking_for_tokens(
    world: World, endpoint: TokenEndpoint, lambda_context: Any, query: dict[str, str], kept: str | None
) -> None:
    cookies = {SIGN_IN_COOKIE: kept} if kept else None

    response = _call(world, endpoint, "/auth/callback", query=query, cookies=cookies, lambda_context=lambda_context)

    assert response["statusCode"] == 400
    assert "was not started here" in response["body"] and f'href="{APP_URL}login"' in response["body"]
    assert SESSION_COOKIE not in _set_cookies(response)
    assert endpoint.calls == []


def test_an_error_from_the_hosted_ui_is_shown_escaped(
    world: World, endpoint: TokenEndpoint, lambda_context: Any
) -> None:
    query = {"error": "access_denied", "error_description": "<b>User is disabled</b>", "state": "s"}

    response = _call(world, endpoint, "/auth/callback", query=query, lambda_context=lambda_context)

    assert response["statusCode"] == 400
    assert "&lt;b&gt;User is disabled&lt;/b&gt;" in response["body"] and "<b>" not in response["body"]
    assert endpoint.calls == []


def test_a_refused_code_is_a_502_page_that_offers_to_sign_in_again(
    world: World, endpoint: TokenEndpoint, lambda_context: Any
) -> None:
    endpoint.refuse = True

    response = _signed_in_at_callback(world, endpoint, lambda_context)

    assert response["statusCode"] == 502
    assert "Sign in again" in response["body"]
    assert response["multiValueHeaders"]["Content-Security-Policy"][0].startswith("default-src 'none'")
    assert SESSION_COOKIE not in _set_cookies(response)


def test_login_with_a_refresh_cookie_renews_the_session_without_the_hosted_ui(
    world: World, endpoint: TokenEndpoint, lambda_context: Any
) -> None:
    response = _call(world, endpoint, "/login", cookies={REFRESH_COOKIE: "refresh-1"}, lambda_context=lambda_context)

    assert response["statusCode"] == 303 and _location(response) == f"{APP_URL}queue"
    [(url, form)] = endpoint.calls
    assert url == f"{HOSTED_UI}/oauth2/token"
    assert form == {"grant_type": "refresh_token", "refresh_token": "refresh-1", "client_id": CLIENT_ID}
    cookies = _set_cookies(response)
    assert SESSION_COOKIE in cookies and REFRESH_COOKIE not in cookies  # the refresh token is kept as it was


def test_a_refresh_token_that_no_longer_works_goes_to_the_hosted_ui(
    world: World, endpoint: TokenEndpoint, lambda_context: Any
) -> None:
    endpoint.refuse = True

    response = _call(world, endpoint, "/login", cookies={REFRESH_COOKIE: "revoked"}, lambda_context=lambda_context)

    assert response["statusCode"] == 302 and _location(response).startswith(f"{HOSTED_UI}/oauth2/authorize?")
    assert "Max-Age=0" in _attributes(_set_cookies(response)[REFRESH_COOKIE])


def test_logout_revokes_clears_every_cookie_and_ends_the_hosted_ui_session(
    world: World, endpoint: TokenEndpoint, lambda_context: Any
) -> None:
    cookies = {SESSION_COOKIE: "id", REFRESH_COOKIE: "refresh-1"}

    response = _call(world, endpoint, "/logout", cookies=cookies, lambda_context=lambda_context)

    assert response["statusCode"] == 302
    assert _location(response) == f"{HOSTED_UI}/logout?" + urlencode(
        {"client_id": CLIENT_ID, "logout_uri": f"{APP_URL}login"}
    )
    assert endpoint.calls == [(f"{HOSTED_UI}/oauth2/revoke", {"token": "refresh-1", "client_id": CLIENT_ID})]
    cleared = _set_cookies(response)
    assert set(cleared) == {SESSION_COOKIE, REFRESH_COOKIE, SIGN_IN_COOKIE}
    assert all("Max-Age=0" in _attributes(header) for header in cleared.values())


def test_logout_still_signs_out_when_the_revocation_fails(
    world: World, endpoint: TokenEndpoint, lambda_context: Any
) -> None:
    endpoint.refuse = True

    response = _call(world, endpoint, "/logout", cookies={REFRESH_COOKIE: "x"}, lambda_context=lambda_context)

    assert response["statusCode"] == 302 and len(_set_cookies(response)) == 3


def test_a_whole_sign_in_reaches_the_queue_and_a_decision_records_who_made_it(
    world: World, issuer: Issuer, lambda_context: Any
) -> None:
    # Given a planner who signs in through the hosted UI
    endpoint = TokenEndpoint(issuer, PLANNER)
    session = _value(_set_cookies(_signed_in_at_callback(world, endpoint, lambda_context))[SESSION_COOKIE])
    # When API Gateway asks the authorizer about the next page, and passes its context on
    request = load_event("web_authorizer")
    request["headers"] = {"Cookie": f"{SESSION_COOKIE}={session}"}
    request["multiValueHeaders"] = {"Cookie": [f"{SESSION_COOKIE}={session}"]}
    verdict = web_authorizer.handler(request, lambda_context, verifier=verifier_for(issuer)[0])
    authorizer = {**verdict["context"], "principalId": verdict["principalId"], "integrationLatency": 3}
    page = _call(
        world,
        endpoint,
        "/queue",
        cookies={SESSION_COOKIE: session},
        authorizer=authorizer,
        lambda_context=lambda_context,
    )
    decided = _call(
        world,
        endpoint,
        "/items/crew-0001",
        method="POST",
        authorizer=authorizer,
        form={"action": "approve", "reason": ""},
        lambda_context=lambda_context,
    )

    # Then the page is the planner's, and the decision names them
    assert verdict["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert page["statusCode"] == 200 and "P0001" in page["body"] and "/dev/items/crew-0001" in page["body"]
    assert decided["statusCode"] == 303
    [decision] = [e for e in world.audit.for_finding("crew-0001") if e.event_type == AuditEventType.DECISION]
    assert decision.actor == "P0001"


def test_the_sign_in_settings_want_https_and_end_the_app_url_with_a_slash() -> None:
    settings = SignInSettings.from_env(
        {"COGNITO_CLIENT_ID": "c", "COGNITO_HOSTED_UI_URL": f"{HOSTED_UI}/", "WEB_APP_URL": APP_URL.rstrip("/")}
    )
    local = SignInSettings.from_env(
        {
            "COGNITO_CLIENT_ID": "c",
            "COGNITO_HOSTED_UI_URL": "http://127.0.0.1:8780/dev",
            "WEB_APP_URL": "http://127.0.0.1:8780",
        }
    )

    assert (settings.hosted_ui_url, settings.app_url) == (HOSTED_UI, APP_URL)
    assert local.app_url == "http://127.0.0.1:8780/"
    with pytest.raises(Exception, match="https"):
        SignInSettings.from_env(
            {"COGNITO_CLIENT_ID": "c", "COGNITO_HOSTED_UI_URL": "http://evil", "WEB_APP_URL": APP_URL}
        )


def test_the_routes_build_their_service_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COGNITO_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("COGNITO_HOSTED_UI_URL", HOSTED_UI)
    monkeypatch.setenv("WEB_APP_URL", APP_URL)
    auth.sign_in.cache_clear()

    service = auth.sign_in()

    assert service.settings == SETTINGS and service.post is post_form
    auth.sign_in.cache_clear()


class _Answer:
    def __init__(self, status: int, body: bytes) -> None:
        self.status_code, self.content = status, body

    def json(self) -> Any:
        import json

        return json.loads(self.content)


def test_the_token_endpoint_is_called_with_timeouts_and_its_refusals_are_sign_in_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []
    answers = iter([_Answer(200, b'{"id_token": "t"}'), _Answer(200, b""), _Answer(400, b'{"error": "invalid_grant"}')])

    def post(url: str, **kwargs: Any) -> _Answer:
        calls.append({"url": url, **kwargs})
        return next(answers)

    monkeypatch.setattr(auth.requests, "post", post)

    assert post_form(f"{HOSTED_UI}/oauth2/token", {"a": "1"}) == {"id_token": "t"}
    assert post_form(f"{HOSTED_UI}/oauth2/revoke", {"a": "1"}) == {}
    with pytest.raises(SignInError, match="400 invalid_grant"):
        post_form(f"{HOSTED_UI}/oauth2/token", {"a": "1"})
    assert calls[0]["data"] == {"a": "1"} and calls[0]["timeout"] == auth.HTTP_TIMEOUT_S


def test_a_token_endpoint_that_does_not_answer_is_a_sign_in_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def post(url: str, **kwargs: Any) -> Any:
        raise requests.ConnectTimeout("slow")

    monkeypatch.setattr(auth.requests, "post", post)

    with pytest.raises(SignInError, match="did not answer"):
        post_form(f"{HOSTED_UI}/oauth2/token", {})


def test_cookies_are_read_leniently() -> None:
    assert parse_cookies(['a=1; b="2"; junk; =x', "a=3; c=4"]) == {"a": "1", "b": "2", "c": "4"}
    assert int(time.time()) > 0
