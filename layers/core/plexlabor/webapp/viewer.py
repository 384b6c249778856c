"""The signed-in person, from the claims the API's authorizer (Amazon Cognito) passes on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plexlabor.review.queue import Role, Viewer

USER_ID_CLAIMS = ("custom:employee_id", "cognito:username", "username", "sub")
"""Where the person's id is: a supervisor's Plex employee id (a custom attribute), else the user name."""
GROUPS_CLAIM = "cognito:groups"
DEPARTMENTS_CLAIM = "custom:departments"


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


def viewer_from_claims(claims: Mapping[str, Any] | None) -> Viewer:
    """The viewer the claims describe; unknown groups are ignored, no known group is no access."""
    claims = claims or {}
    user_id = next((str(claims[name]) for name in USER_ID_CLAIMS if claims.get(name)), None)
    if user_id is None:
        raise NotSignedInError("no user in the request")
    known = {role.value for role in Role}
    roles = frozenset(Role(group) for group in _groups(claims.get(GROUPS_CLAIM)) if group in known)
    return Viewer(user_id, roles, frozenset(_departments(claims.get(DEPARTMENTS_CLAIM))))
