"""Signing in to the web app on the local runtime: moto's cognito-idp and a dev login page. LOCAL ONLY.

On AWS the app's routes sit behind a Cognito authorizer: API Gateway checks the token and hands the
function the token's claims in `requestContext.authorizer.claims`. Locally:

- `LocalUserPool` creates, in moto, a user pool with the app's groups (supervisor, planner, hr, ehs,
  admin), the custom attributes `employee_id` and `departments`, an app client allowing
  ADMIN_USER_PASSWORD_AUTH, and the users (`plant_users`: every supervisor of the plant with the
  departments of the people they supervise, plus one planner, one hr, one ehs and one admin), all with the
  one local password `LOCAL_PASSWORD`.
- `DevSignIn` is what the local API gateway consults (`apigw.Authorizer`): it serves the dev login
  page (`GET|POST /dev/login`: pick a user or type a user name and password; moto's
  `admin_initiate_auth` issues the tokens; the access token goes into an HttpOnly cookie) and
  `/dev/logout`; for a route of a signed-in function it reads the cookie, asks moto who it is
  (`get_user` with the access token, `admin_list_groups_for_user`) and passes the claims on as API
  Gateway's Cognito authorizer would; without a valid cookie the route answers 303 to the login page.

None of this exists on AWS (nor in the layer or infra): there the hosted sign-in and the
authorizer do it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from botocore.exceptions import ClientError
from jinja2 import Environment, FileSystemLoader, select_autoescape

from plexlabor.plant import PlantFolder
from plexlabor.review.queue import Role, Viewer
from plexlabor_dev.local.apigw import HttpReply, HttpRequest, Route

logger = logging.getLogger(__name__)

LOCAL_PASSWORD = "Plexlabor-local-1"
"""Every local user's password (printed by `make demo` and `plexlabor local up`; never used on AWS)."""
SESSION_COOKIE = "plexlabor_local_session"
LOGIN_PATH = "/dev/login"
LOGOUT_PATH = "/dev/logout"
HOSTED_UI_PATH = "/dev/cognito"
"""The local stand-in for the hosted UI's base URL (`COGNITO_HOSTED_UI_URL`): the app's own `/login`
and `/logout` send the browser to `<it>/oauth2/authorize` and `<it>/logout`, which here are the dev
login page and the dev sign-out (no authorization-code grant locally: the dev login sets the session)."""
DEFAULT_NEXT = "/queue"
SIGNED_IN_FUNCTIONS = frozenset({"web_app"})
"""Functions whose routes sit behind an authorizer on AWS (a route that names its `authorizer` is
signed-in whatever its function)."""
OPEN_PATHS = frozenset({"/login", "/auth/callback", "/logout"})
"""The app's own sign-in routes stay open (they are how a person gets a token on AWS)."""
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"), autoescape=select_autoescape(default=True)
)
GROUPS = tuple(role.value for role in Role)
CUSTOM_ATTRIBUTES = ("employee_id", "departments")
STAFF = (
    ("planner", Role.PLANNER),
    ("hr", Role.HR),
    ("ehs", Role.EHS),
    ("admin", Role.ADMIN),
    ("operator", Role.OPERATOR),
)
"""The plant-wide users every local pool has besides the supervisors."""


@dataclass(frozen=True)
class LocalUser:
    """One person who can sign in: a Cognito user name, groups and the custom attributes."""

    username: str
    groups: tuple[str, ...]
    name: str = ""
    employee_id: str | None = None
    """A supervisor's Plex employee id (what findings are routed by)."""
    departments: tuple[str, ...] = ()
    email: str | None = None

    def viewer(self) -> Viewer:
        """Who the web app would take this person for (what their claims say)."""
        roles = frozenset(Role(group) for group in self.groups if group in GROUPS)
        return Viewer(self.employee_id or self.username, roles, frozenset(self.departments))

    def describe(self) -> str:
        parts = [", ".join(self.groups)]
        if self.departments:
            parts.append("departments " + ", ".join(self.departments))
        return f"{self.name or self.username} ({'; '.join(parts)})"


def staff_users() -> list[LocalUser]:
    return [LocalUser(username, (role.value,), name=f"Plant {username}") for username, role in STAFF]


def plant_users(plant_dir: Path | str | None) -> list[LocalUser]:
    """Every supervisor of the plant (an employee someone reports to), with the departments of the
    people they supervise, then a planner, an hr, an ehs, an admin and an operator user. User names are the
    local part of the supervisor's e-mail (else their employee number), lower case."""
    users: list[LocalUser] = []
    if plant_dir is not None:
        rows = list(PlantFolder(plant_dir).iter_raw("employees"))
        by_id = {str(row["id"]): row for row in rows}
        departments: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            boss = row.get("supervisorId")
            if boss and str(boss) in by_id:
                departments[str(boss)].update([str(row["departmentCode"])] if row.get("departmentCode") else [])
        for boss_id in sorted(departments, key=lambda key: str(by_id[key].get("employeeNo") or key)):
            row = by_id[boss_id]
            email = row.get("email") or None
            username = (str(email).split("@", 1)[0] if email else str(row.get("employeeNo") or boss_id)).lower()
            name = " ".join(str(row[key]) for key in ("firstName", "lastName") if row.get(key))
            users.append(
                LocalUser(
                    username,
                    (Role.SUPERVISOR.value,),
                    name=f"{name}, {row.get('employeeNo')}" if name else username,
                    employee_id=boss_id,
                    departments=tuple(sorted(departments[boss_id])),
                    email=email,
                )
            )
    return users + staff_users()


class SignInError(Exception):
    """Wrong user name or password (said the same way for both)."""


@dataclass
class LocalUserPool:
    """The app's Cognito user pool, in moto."""

    client: Any
    """A boto3 cognito-idp client on the moto server."""
    region: str
    name: str
    password: str = LOCAL_PASSWORD
    users: list[LocalUser] = field(default_factory=list)
    pool_id: str = ""
    client_id: str = ""

    def create(self, users: Iterable[LocalUser]) -> LocalUserPool:
        """The pool, its groups, an app client for ADMIN_USER_PASSWORD_AUTH and every user."""
        idp = self.client
        pool = idp.create_user_pool(
            PoolName=self.name,
            Schema=[{"Name": name, "AttributeDataType": "String", "Mutable": True} for name in CUSTOM_ATTRIBUTES],
            Policies={"PasswordPolicy": {"MinimumLength": 8}},
        )["UserPool"]
        self.pool_id = pool["Id"]
        self.client_id = idp.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName=f"{self.name}-web",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        for group in GROUPS:
            idp.create_group(GroupName=group, UserPoolId=self.pool_id)
        for user in users:
            self.add(user)
        return self

    def add(self, user: LocalUser) -> None:
        attributes = {"custom:employee_id": user.employee_id, "email": user.email}
        if user.departments:
            attributes["custom:departments"] = ",".join(user.departments)
        self.client.admin_create_user(
            UserPoolId=self.pool_id,
            Username=user.username,
            UserAttributes=[{"Name": name, "Value": value} for name, value in attributes.items() if value],
            MessageAction="SUPPRESS",
        )
        self.client.admin_set_user_password(
            UserPoolId=self.pool_id, Username=user.username, Password=self.password, Permanent=True
        )
        for group in user.groups:
            self.client.admin_add_user_to_group(UserPoolId=self.pool_id, Username=user.username, GroupName=group)
        self.users.append(user)

    def sign_in(self, username: str, password: str) -> str:
        """The access token moto issues for this user name and password (SignInError if wrong)."""
        try:
            answer = self.client.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as error:
            raise SignInError("wrong user name or password") from error
        result = answer.get("AuthenticationResult") or {}
        token = result.get("AccessToken")
        if not token:  # a challenge (e.g. NEW_PASSWORD_REQUIRED): not a local user
            raise SignInError("this user cannot sign in here")
        return str(token)

    def claims(self, access_token: str) -> dict[str, str] | None:
        """What API Gateway's Cognito authorizer passes on for this token (the ID token's claims,
        as strings; groups comma-separated), or None when moto does not know the token."""
        try:
            user = self.client.get_user(AccessToken=access_token)
            groups = self.client.admin_list_groups_for_user(UserPoolId=self.pool_id, Username=user["Username"])
        except ClientError:
            return None
        claims = {
            "iss": f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}",
            "aud": self.client_id,
            "token_use": "id",
            "cognito:username": str(user["Username"]),
        }
        claims |= {str(a["Name"]): str(a["Value"]) for a in user.get("UserAttributes", [])}
        names = [str(group["GroupName"]) for group in groups.get("Groups", [])]
        if names:
            claims["cognito:groups"] = ",".join(sorted(names))
        return claims


# -- the gateway's side: the dev login page and the authorizer ---------------------------------------------


def _cookie(request: HttpRequest) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    for name, value in request.headers:
        if name.lower() == "cookie":
            try:
                jar.load(value)
            except CookieError:
                continue
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this gateway (never another host), else the queue."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return DEFAULT_NEXT
    if urlsplit(value).path in (LOGIN_PATH, LOGOUT_PATH):
        return DEFAULT_NEXT
    return value


def _redirect(location: str, *cookies: str) -> HttpReply:
    headers = [("Location", location), ("Cache-Control", "no-store"), ("Content-Type", "text/html; charset=utf-8")]
    headers += [("Set-Cookie", cookie) for cookie in cookies]
    return HttpReply(303, headers, b"")


PAGE_HEADERS = (
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'"),
)


class DevSignIn:
    """The local API gateway's authorizer: the dev login page, and claims for signed-in routes."""

    def __init__(
        self,
        pool: LocalUserPool,
        *,
        functions: Iterable[str] = SIGNED_IN_FUNCTIONS,
        open_paths: Iterable[str] = OPEN_PATHS,
    ) -> None:
        self.pool = pool
        self.functions = frozenset(functions)
        self.open_paths = frozenset(open_paths)

    # apigw.Authorizer
    def serves(self, path: str) -> bool:
        return path in (LOGIN_PATH, LOGOUT_PATH) or path.startswith(f"{HOSTED_UI_PATH}/")

    def page(self, request: HttpRequest) -> HttpReply:
        split = urlsplit(request.raw_path)
        if split.path in (LOGOUT_PATH, f"{HOSTED_UI_PATH}/logout"):
            return _redirect(LOGIN_PATH, f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
        if split.path == f"{HOSTED_UI_PATH}/oauth2/authorize":
            return _redirect(LOGIN_PATH)  # the app's /login: sign in here, then the queue
        if split.path != LOGIN_PATH:
            return HttpReply(404, list(PAGE_HEADERS), b"")
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        if request.method == "POST":
            fields = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
            form = {name: values[-1] for name, values in fields.items()}
            username, password = form.get("username", "").strip(), form.get("password", "")
            target = safe_next(form.get("next"))
            try:
                token = self.pool.sign_in(username, password)
            except SignInError:
                return self._login_page(target, 401, error="Wrong user name or password.", username=username)
            cookie = f"{SESSION_COOKIE}={token}; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"
            logger.info("local sign-in: %s", username)
            return _redirect(target, cookie)
        if request.method not in ("GET", "HEAD"):
            return HttpReply(405, [("Allow", "GET, POST"), *PAGE_HEADERS], b"")
        return self._login_page(safe_next(query.get("next")))

    def protects(self, route: Route) -> bool:
        """Whether the route needs a signed-in person: it names an authorizer, or it is a signed-in
        function's route other than where signing in starts."""
        if route.authorizer is not None:
            return True
        return route.function in self.functions and route.resource not in self.open_paths

    def authorize(self, request: HttpRequest, route: Route) -> dict[str, Any] | HttpReply | None:
        """None for a route without an authorizer; `{"claims": ...}` for a signed-in person; else 303
        to the login page (back to this page afterwards)."""
        if not self.protects(route):
            return None
        token = _cookie(request)
        claims = self.pool.claims(token) if token else None
        if claims is None:
            split = urlsplit(request.raw_path)
            back = split.path + (f"?{split.query}" if split.query else "")
            return _redirect(f"{LOGIN_PATH}?{urlencode({'next': back})}")
        return {"claims": claims}

    # the page
    def _login_page(self, target: str, status: int = 200, *, error: str | None = None, username: str = "") -> HttpReply:
        body = login_page(self.pool.users, self.pool.password, target, error=error, username=username)
        return HttpReply(status, list(PAGE_HEADERS), body.encode("utf-8"))


def login_page(
    users: Sequence[LocalUser], password: str, target: str, *, error: str | None = None, username: str = ""
) -> str:
    """The dev login page: one button per local user, or a user name and password typed in."""
    return _TEMPLATES.get_template("dev_login.html").render(
        users=users, password=password, target=target, error=error, username=username, login_path=LOGIN_PATH
    )


def describe_users(users: Sequence[LocalUser]) -> list[str]:
    """One line per user, for the console."""
    width = max((len(user.username) for user in users), default=0)
    return [f"{user.username:<{width}}  {user.describe()}" for user in users]
