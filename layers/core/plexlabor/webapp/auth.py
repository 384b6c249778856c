"""Signing in to the web app: the Cognito hosted UI, the session cookie, and the check of its token.

A browser navigation cannot send an `Authorization` header, and API Gateway's Cognito authorizer
reads only a header; so the session is a cookie and the API asks a Lambda REQUEST authorizer:

- `GET /login` (`SignIn.login`) sends the browser to the user pool's hosted UI with the
  authorization-code grant and PKCE (S256): a random `state` and code verifier are kept for ten
  minutes in a short-lived cookie. With a refresh cookie from an earlier sign-in it renews the session
  at the token endpoint instead, without a password (the refresh token lasts a shift).
- `GET /auth/callback` (`SignIn.callback`) checks `state` against that cookie, exchanges the code
  (with the verifier) at the pool's token endpoint, sets the session cookie holding the ID token
  (HttpOnly, Secure, SameSite=Lax, until the token expires) and the refresh cookie (HttpOnly, Secure,
  SameSite=Lax, for the browser session), and sends the browser to the queue.
- `GET /logout` (`SignIn.logout`) revokes the refresh token, clears the cookies and sends the browser
  through the hosted UI's logout, which ends its own session and comes back to `/login`.
- Every other page is behind the web_authorizer function (`authorize`): it takes the ID token from
  the session cookie, or from an `Authorization: Bearer` header (API clients), verifies it
  (`TokenVerifier`: RS256 signature against the pool's signing keys, issuer, audience = the web app's
  client, `token_use` = id, expiry) and answers API Gateway with an Allow policy for the stage and
  the person's claims, flattened, in the context; the app reads them with
  `viewer.viewer_from_claims`. A missing, bad or expired token fails with "Unauthorized" (API
  Gateway answers 401 with `SIGN_IN_PAGE`, which sends the browser to `/login`); a valid token of
  someone in none of the groups gets a Deny (403, `DENIED_PAGE`).

The cookies are `__Host-` cookies (Secure, `Path=/`, no `Domain`): no other host under the API's
domain can set or shadow them. The hosted UI's URLs are the user pool domain's standard OAuth 2.0
endpoints (`/oauth2/authorize`, `/oauth2/token`, `/oauth2/revoke`, `/logout`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import APIGatewayAuthorizerResponse
from pydantic import Field, field_validator

from plexlabor.platform import env, jsonapi
from plexlabor.platform.clock import utc_now
from plexlabor.platform.observability import logger
from plexlabor.platform.settings import EnvSettings, PerEnvironment
from plexlabor.webapp.viewer import NotSignedInError, authorizer_context, viewer_from_claims

SESSION_COOKIE = jsonapi.SESSION_COOKIE
"""The ID token: what the authorizer checks on every page (and on the JSON-or-form APIs the pages post to)."""
REFRESH_COOKIE = "__Host-plexlabor-refresh"
"""The refresh token: `/login` renews the session with it."""
SIGN_IN_COOKIE = "__Host-plexlabor-signin"
"""`<state>.<PKCE code verifier>` of a sign-in under way, for ten minutes."""
SIGN_IN_WINDOW_S = 600
SCOPE = "openid"
ALGORITHM = "RS256"
HTTP_TIMEOUT_S = (3.05, 5.0)
"""Connect and read timeouts for the token endpoint and the signing keys: a page waits on them."""
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "token_use")
KEYS_REFETCH_AFTER_S = 300.0
"""A token signed with a key not in the set fetches the set again, at most this often (key rotation)."""
LOCAL_URL_PREFIXES = ("http://127.0.0.1", "http://localhost")

_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">{head}<title>{title} · plexlabor</title>'
    "</head><body><main><h1>{title}</h1>{body}</main></body></html>"
)
SIGN_IN_PAGE = _PAGE.format(
    head='<meta http-equiv="refresh" content="0; url={base}/login">',
    title="Sign in",
    body='<p>You are not signed in, or your session has ended. <a href="{base}/login">Sign in to plexlabor</a>.</p>',
)
"""API Gateway's 401 page (UNAUTHORIZED): on to `<base>/login` at once. `{base}` is the stage path.
Static: no `$` or `#`, which API Gateway's template language would read."""
DENIED_PAGE = _PAGE.format(
    head="",
    title="No access yet",
    body="<p>You are signed in, but your account is in none of the plexlabor groups (supervisor, planner, "
    "hr, admin). Ask a plexlabor admin to add you to one, then sign in again.</p>"
    '<p><a href="{base}/logout">Sign out</a></p>',
)
"""API Gateway's 403 page (ACCESS_DENIED): signed in, but no role."""


class InvalidTokenError(Exception):
    """The token is not a valid, current ID token of this user pool and client (the reason, no token)."""


class SignInError(Exception):
    """The hosted UI's token endpoint refused or did not answer."""


class Unauthorized(Exception):
    """A Lambda authorizer that fails with the message "Unauthorized" makes API Gateway answer 401."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


# ---- settings ---------------------------------------------------------------------------------------
def _http_url(value: str) -> str:
    if not value.startswith(("https://", *LOCAL_URL_PREFIXES)):
        raise ValueError("must be an https:// URL")
    return value


class SignInSettings(EnvSettings):
    """The web app's sign-in routes: its app client, the hosted UI, and its own URL."""

    client_id: str = Field(alias=env.COGNITO_CLIENT_ID)
    hosted_ui_url: str = Field(alias=env.COGNITO_HOSTED_UI_URL)
    app_url: str = Field(alias=env.WEB_APP_URL)
    """The API stage URL, ending in `/`: the callback is `<app_url>auth/callback`."""

    @field_validator("hosted_ui_url")
    @classmethod
    def _hosted_ui(cls, value: str) -> str:
        return _http_url(value).rstrip("/")

    @field_validator("app_url")
    @classmethod
    def _app(cls, value: str) -> str:
        return _http_url(value).rstrip("/") + "/"


class AuthorizerSettings(EnvSettings):
    """web_authorizer: which user pool and client issue the tokens it lets through."""

    user_pool_id: str = Field(alias=env.COGNITO_USER_POOL_ID)
    client_id: str = Field(alias=env.COGNITO_CLIENT_ID)
    region: str = Field(alias=env.COGNITO_REGION)
    endpoint_url: str | None = Field(default=None, alias="AWS_ENDPOINT_URL")
    """Where the signing keys are served instead of Cognito (the local runtime's moto server)."""

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        base = f"{self.endpoint_url.rstrip('/')}/{self.user_pool_id}" if self.endpoint_url else self.issuer
        return f"{base}/.well-known/jwks.json"


# ---- HTTP: the two calls to Cognito's public endpoints (tests inject their own) --------------------
def get_json(url: str) -> Mapping[str, Any]:
    """GET a JSON document (the signing keys); any failure raises (the authorizer then fails: 500)."""
    response = requests.get(url, timeout=HTTP_TIMEOUT_S)
    response.raise_for_status()
    document: Mapping[str, Any] = response.json()
    return document


def post_form(url: str, form: Mapping[str, str]) -> Mapping[str, Any]:
    """POST a form to the hosted UI (token, revoke); its JSON answer ({} when empty), or SignInError."""
    try:
        response = requests.post(url, data=dict(form), headers={"Accept": "application/json"}, timeout=HTTP_TIMEOUT_S)
    except requests.RequestException as error:
        raise SignInError(f"{url} did not answer ({type(error).__name__})") from error
    try:
        document = response.json() if response.content else {}
    except ValueError:
        document = {}
    if response.status_code != 200 or not isinstance(document, dict):
        problem = document.get("error", "") if isinstance(document, dict) else ""
        raise SignInError(f"{url} answered {response.status_code} {problem}".strip())
    return document


FormPoster = Callable[[str, Mapping[str, str]], Mapping[str, Any]]


# ---- verifying an ID token -------------------------------------------------------------------------
class SigningKeys:
    """The user pool's public signing keys (its JWKS): fetched on first use, then kept for the life of
    the container; fetched again when a token names a key the set lacks, at most every
    `refetch_after_s` (Cognito rotates keys rarely; an unknown key is far more often a forgery)."""

    def __init__(
        self,
        fetch: Callable[[], Mapping[str, Any]],
        *,
        refetch_after_s: float = KEYS_REFETCH_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch, self._refetch_after_s, self._clock = fetch, refetch_after_s, clock
        self._keys: dict[str, jwt.PyJWK] | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            if self._keys is None or (kid not in self._keys and self._may_refetch()):
                self._load()
            assert self._keys is not None
            found = self._keys.get(kid)
        if found is None:
            raise InvalidTokenError("signed with an unknown key")
        return found

    def _may_refetch(self) -> bool:
        return self._clock() - self._fetched_at >= self._refetch_after_s

    def _load(self) -> None:
        document = self._fetch()
        keys = {}
        for entry in document.get("keys", []):
            try:
                key = jwt.PyJWK.from_dict(dict(entry))
            except jwt.PyJWTError:
                continue  # a key of a type or algorithm this verifier does not use
            if key.key_id:
                keys[key.key_id] = key
        self._keys, self._fetched_at = keys, self._clock()
        logger.info("user pool signing keys loaded", keys=len(keys))


class TokenVerifier:
    """Checks that a token is a current ID token this user pool issued to this app client."""

    def __init__(self, *, issuer: str, client_id: str, keys: SigningKeys, leeway_s: int = 0) -> None:
        self.issuer, self.client_id, self.keys, self.leeway_s = issuer, client_id, keys, leeway_s

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or InvalidTokenError saying why not (never quoting the token)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidTokenError("not a JWT") from None
        if header.get("alg") != ALGORITHM:
            raise InvalidTokenError(f"algorithm {header.get('alg')!r} is not {ALGORITHM}")
        key = self.keys.key(str(header.get("kid") or ""))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[ALGORITHM],
                audience=self.client_id,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError(type(error).__name__) from None
        if claims.get("token_use") != "id":
            raise InvalidTokenError(f"a {claims.get('token_use')} token, not an ID token")
        return claims


def build_verifier(settings: AuthorizerSettings, fetch: Callable[[str], Mapping[str, Any]] = get_json) -> TokenVerifier:
    keys = SigningKeys(lambda: fetch(settings.jwks_url))
    return TokenVerifier(issuer=settings.issuer, client_id=settings.client_id, keys=keys)


token_verifier = PerEnvironment(AuthorizerSettings, build_verifier)
"""The authorizer's verifier, with its key set, once per container (per environment locally)."""


# ---- reading a request -----------------------------------------------------------------------------
def header_values(event: Mapping[str, Any], name: str) -> list[str]:
    """Every value of one header (any case) in an API Gateway REST event, multi-value first."""
    wanted = name.lower()
    multi = event.get("multiValueHeaders") or {}
    values = [str(v) for key, vs in multi.items() if key.lower() == wanted for v in (vs or []) if v]
    if not values:
        values = [str(v) for key, v in (event.get("headers") or {}).items() if key.lower() == wanted and v]
    return values


def parse_cookies(headers: Iterable[str]) -> dict[str, str]:
    """`Cookie` header values -> {name: value}; the first of a name wins (the most specific path)."""
    jar: dict[str, str] = {}
    for header in headers:
        for pair in header.split(";"):
            name, sep, value = pair.strip().partition("=")
            if sep and name:
                jar.setdefault(name.strip(), value.strip().strip('"'))
    return jar


def request_cookies(event: Mapping[str, Any]) -> dict[str, str]:
    return parse_cookies(header_values(event, "cookie"))


def request_token(event: Mapping[str, Any]) -> str | None:
    """The ID token of a request: an `Authorization: Bearer` header (API clients), else the session cookie."""
    for value in header_values(event, "authorization"):
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return request_cookies(event).get(SESSION_COOKIE) or None


# ---- the authorizer --------------------------------------------------------------------------------
def authorize(event: Mapping[str, Any], verifier: TokenVerifier) -> dict[str, Any]:
    """API Gateway's answer for one request: Allow (the whole stage; the claims in the context) for a
    valid ID token of someone in a plexlabor group, Deny for someone in none; Unauthorized otherwise."""
    token = request_token(event)
    if token is None:
        logger.info("request refused", reason="no session")
        raise Unauthorized
    try:
        claims = verifier.verify(token)
        viewer = viewer_from_claims(claims)
    except (InvalidTokenError, NotSignedInError) as error:
        logger.info("request refused", reason=str(error))
        raise Unauthorized from None
    response = APIGatewayAuthorizerResponse.from_route_arn(
        str(event["methodArn"]), principal_id=str(claims["sub"]), context=authorizer_context(claims)
    )
    if viewer.roles:
        response.allow_all_routes()
    else:
        logger.info("request denied", reason="in no plexlabor group")
        response.deny_all_routes()
    return response.asdict()


# ---- signing in and out ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Reply:
    """What a sign-in route answers: a status, where to go next, cookies to set, a page."""

    status: int
    location: str | None = None
    cookies: tuple[Cookie, ...] = ()
    body: str = ""


def _cookie(name: str, value: str, max_age: int | None = None) -> Cookie:
    return Cookie(name, value, path="/", secure=True, http_only=True, max_age=max_age, same_site=SameSite.LAX_MODE)


def _cleared(name: str) -> Cookie:
    return _cookie(name, "", max_age=0)


def code_challenge(verifier: str) -> str:
    """PKCE S256: base64url(sha256(verifier)), unpadded."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class SignIn:
    """The three sign-in routes, over the hosted UI's token endpoint (`post`, injected in tests)."""

    def __init__(
        self,
        settings: SignInSettings,
        post: FormPoster = post_form,
        *,
        clock: Callable[[], datetime] = utc_now,
        random_token: Callable[[int], str] = secrets.token_urlsafe,
    ) -> None:
        self.settings, self.post, self.clock, self.random_token = settings, post, clock, random_token

    @property
    def callback_url(self) -> str:
        return f"{self.settings.app_url}auth/callback"

    @property
    def login_url(self) -> str:
        return f"{self.settings.app_url}login"

    def login(self, cookies: Mapping[str, str]) -> Reply:
        """Renew the session with the refresh cookie if there is one, else go to the hosted UI."""
        refresh = cookies.get(REFRESH_COOKIE)
        if refresh:
            try:
                tokens = self._tokens({"grant_type": "refresh_token", "refresh_token": refresh})
                return self._signed_in(tokens, refresh)
            except SignInError as error:
                logger.info("session not renewed", reason=str(error))
        state, verifier = self.random_token(32), self.random_token(64)
        query = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": self.callback_url,
            "scope": SCOPE,
            "state": state,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        started = _cookie(SIGN_IN_COOKIE, f"{state}.{verifier}", SIGN_IN_WINDOW_S)
        cookies_out = (started, _cleared(REFRESH_COOKIE)) if refresh else (started,)
        return Reply(302, f"{self.settings.hosted_ui_url}/oauth2/authorize?{urlencode(query)}", cookies_out)

    def callback(self, query: Mapping[str, str], cookies: Mapping[str, str]) -> Reply:
        """The hosted UI's answer: the code for this browser's own sign-in, exchanged for the session."""
        if query.get("error"):
            detail = query.get("error_description") or query["error"]
            return self._problem(400, f"The sign-in did not complete: {detail}.")
        expected_state, _, verifier = cookies.get(SIGN_IN_COOKIE, "").partition(".")
        code, state = query.get("code", ""), query.get("state", "")
        if not (code and state and expected_state and verifier) or not hmac.compare_digest(state, expected_state):
            return self._problem(400, "This sign-in was not started here, or it took too long.")
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.callback_url}
        try:
            return self._signed_in(self._tokens({**form, "code_verifier": verifier}), None)
        except SignInError as error:
            logger.warning("sign-in failed at the token endpoint", reason=str(error))
            return self._problem(502, "The sign-in service did not accept the sign-in.")

    def logout(self, cookies: Mapping[str, str]) -> Reply:
        """Revoke the refresh token, clear every cookie, end the hosted UI's session, back to /login."""
        refresh = cookies.get(REFRESH_COOKIE)
        if refresh:
            try:
                self.post(self._endpoint("oauth2/revoke"), {"token": refresh, "client_id": self.settings.client_id})
            except SignInError as error:
                logger.warning("refresh token not revoked", reason=str(error))
        query = urlencode({"client_id": self.settings.client_id, "logout_uri": self.login_url})
        cleared = tuple(_cleared(name) for name in (SESSION_COOKIE, REFRESH_COOKIE, SIGN_IN_COOKIE))
        return Reply(302, f"{self.settings.hosted_ui_url}/logout?{query}", cleared)

    def _endpoint(self, path: str) -> str:
        return f"{self.settings.hosted_ui_url}/{path}"

    def _tokens(self, form: Mapping[str, str]) -> Mapping[str, Any]:
        tokens = self.post(self._endpoint("oauth2/token"), {**form, "client_id": self.settings.client_id})
        if not isinstance(tokens.get("id_token"), str):
            raise SignInError("the token endpoint sent no ID token")
        return tokens

    def _signed_in(self, tokens: Mapping[str, Any], refresh: str | None) -> Reply:
        """The session cookie until the ID token expires, the refresh cookie, then the queue."""
        id_token = str(tokens["id_token"])
        try:
            expires = int(jwt.decode(id_token, options={"verify_signature": False})["exp"])
        except (jwt.PyJWTError, KeyError, TypeError, ValueError):
            raise SignInError("the ID token has no expiry") from None
        lifetime = expires - int(self.clock().timestamp())
        cookies = [_cookie(SESSION_COOKIE, id_token, max(lifetime, 0)), _cleared(SIGN_IN_COOKIE)]
        new_refresh = tokens.get("refresh_token")
        if isinstance(new_refresh, str) and new_refresh != refresh:
            cookies.append(_cookie(REFRESH_COOKIE, new_refresh))  # a browser-session cookie
        logger.info("signed in", renewed=refresh is not None)
        return Reply(303, f"{self.settings.app_url}queue", tuple(cookies))

    def _problem(self, status: int, message: str) -> Reply:
        body = _PAGE.format(
            head="",
            title="Not signed in",
            body=f'<p>{html.escape(message)}</p><p><a href="{html.escape(self.login_url)}">Sign in again</a></p>',
        )
        return Reply(status, None, (_cleared(SIGN_IN_COOKIE),), body)


sign_in = PerEnvironment(SignInSettings, SignIn)
"""The sign-in routes' service, built once per environment."""
