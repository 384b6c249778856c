"""The signed-in person, from the claims the API's authorizer passes on.

Two shapes reach the app: a Cognito user pool authorizer nests the ID token's claims under
`requestContext.authorizer.claims`; the web_authorizer (a Lambda REQUEST authorizer,
`plexlabor.webapp.auth`) returns them flattened in its context (`authorizer_context`), which API
Gateway passes as flat string keys of `requestContext.authorizer` (`custom:employee_id` ->
`custom_employee_id`, groups joined with commas). `viewer_from_claims` reads either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from plexlabor.review.queue import Role, Viewer

USER_ID_CLAIMS = ("custom:employee_id", "cognito:username", "username", "sub")
"""Where the person's id is: a supervisor's Plex employee id (a custom attribute), else the user name."""
GROUPS_CLAIM = "cognito:groups"
DEPARTMENTS_CLAIM = "custom:departments"
CONTEXT_CLAIMS = (*USER_ID_CLAIMS, GROUPS_CLAIM, DEPARTMENTS_CLAIM)
"""The claims the authorizer passes on: what the viewer is made of, nothing else of the token."""
COPILOT_ASKERS = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN})
"""Who may ask the operator copilot (`POST /copilot/ask`, the web app's /copilot page)."""
CREW_ROLES = frozenset({Role.ADMIN, Role.PLANNER, Role.SUPERVISOR})
"""Who may open the crew board and decide its seats."""


class NotSignedInError(Exception):
    """The request carries no usable identity (the authorizer should have refused it)."""


def _groups(value: Any) -> list[str]:
    """Cognito passes groups as a list, or (through API Gateway) as one string: "[a b]" or "a,b"."""
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value or "").strip().strip("[]")
    return [part for part in text.replace(",", " ").split() if part]


def _departments(value: Any) -> list[str]:
    """A comma-separated attribute (department names may hold spaces)."""
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def context_key(claim: str) -> str:
    """The authorizer context's key for a claim: `custom:employee_id` -> `custom_employee_id`."""
    return claim.replace(":", "_")


def authorizer_context(claims: Mapping[str, Any]) -> dict[str, str]:
    """The claims a Lambda authorizer passes on, as API Gateway wants its context: flat string values
    (a list of groups joined with commas) under keys without `:`."""
    context = {}
    for claim in CONTEXT_CLAIMS:
        value = claims.get(claim)
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        if value not in (None, ""):
            context[context_key(claim)] = str(value)
    return context


def viewer_from_claims(authorizer: Mapping[str, Any] | None) -> Viewer:
    """The viewer an authorizer describes: its `claims` (Cognito authorizer) or its flat context keys
    (web_authorizer). Unknown groups are ignored; no known group is no access."""
    authorizer = authorizer or {}
    nested = authorizer.get("claims")
    claims: Mapping[str, Any] = nested if isinstance(nested, Mapping) else authorizer

    def claim(name: str) -> Any:
        return claims.get(name) or claims.get(context_key(name))

    user_id = next((str(claim(name)) for name in USER_ID_CLAIMS if claim(name)), None)
    if user_id is None:
        raise NotSignedInError("no user in the request")
    known = {role.value for role in Role}
    roles = frozenset(Role(group) for group in _groups(claim(GROUPS_CLAIM)) if group in known)
    return Viewer(user_id, roles, frozenset(_departments(claim(DEPARTMENTS_CLAIM))))


READERS = {
    Role.PLANNER: "planners",
    Role.HR: "HR",
    Role.EHS: "the EHS lead",
    Role.ADMIN: "admins",
    Role.SUPERVISOR: "supervisors",
}
"""Each role as a report page says whom it is for (`Reach.readers`), in this order."""


@dataclass(frozen=True)
class Reach:
    """What one viewer may see of a report page: everything, where one of their roles reads the whole
    plant (`plant_wide_roles`, per page), else a supervisor's departments (those their account names)."""

    plant_wide_roles: ClassVar[frozenset[Role]] = frozenset({Role.PLANNER, Role.ADMIN})

    user_id: str
    plant_wide: bool
    supervisor: bool
    departments: frozenset[str]

    @classmethod
    def of(cls, viewer: Viewer) -> Self:
        plant_wide = bool(viewer.roles & cls.plant_wide_roles)
        return cls(viewer.user_id, plant_wide, Role.SUPERVISOR in viewer.roles, viewer.departments)

    @property
    def allowed(self) -> bool:
        return self.plant_wide or self.supervisor

    @classmethod
    def readers(cls) -> str:
        """Whom the page is for, from the rules `allowed` applies: "planners, HR, admins and supervisors (their
        departments)" (ux_s17 L11: /skills told the EHS lead "the dashboards" were not for them, though one is)."""
        supervisors = "supervisors" if Role.SUPERVISOR in cls.plant_wide_roles else "supervisors (their departments)"
        plant = cls.plant_wide_roles - {Role.SUPERVISOR}
        names = [words for role, words in READERS.items() if role in plant]
        return ", ".join(names) + f" and {supervisors}" if names else supervisors

    def sees(self, department: str | None) -> bool:
        return self.plant_wide or (department is not None and department in self.departments)

    def describe(self) -> str:
        if self.plant_wide:
            return "the whole plant"
        if not self.departments:
            return "no department (your account names none)"
        return "departments " + ", ".join(sorted(self.departments))
