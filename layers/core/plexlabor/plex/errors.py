"""Typed errors of the Plex clients, parsed from Plex's envelope `{code, message, errors[]}`.

Records that cannot be parsed raise `plexlabor.models.PlexDataError` (re-exported here).
"""

from __future__ import annotations

import json
import re
from typing import Any

from plexlabor.models import PlexDataError

AUTH_HINT = "bad key or API product not subscribed"
DATASOURCE_AUTH_HINT = "bad username/password or data source not enabled for this account"

_NO_DATA = re.compile(r"no\s*data|no\s*records?\s*found|no\s*results", re.IGNORECASE)


class PlexError(Exception):
    """Any failure talking to Plex. `status` is the HTTP status (None when no response came back)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        errors: list[Any] | None = None,
        method: str | None = None,
        path: str | None = None,
        body: str | None = None,
    ) -> None:
        self.status, self.code, self.errors = status, code, list(errors or [])
        self.method, self.path, self.body = method, path, body
        self.plex_message = message
        super().__init__(self._describe(message))

    def _describe(self, message: str) -> str:
        where = f"{self.method} {self.path}" if self.method and self.path else (self.path or "Plex")
        status = f" -> {self.status}" if self.status is not None else ""
        code = f" {self.code}" if self.code else ""
        details = "; ".join(_error_text(item) for item in self.errors)
        return f"{where}{status}{code}: {message}" + (f" ({details})" if details else "")


class PlexAuthError(PlexError):
    """401/403: for Connect, a bad key or an API product the app is not subscribed to."""


class PlexNotFoundError(PlexError):
    """404. Plex also answers 404 for "no data"; list reads turn that case into []."""

    @property
    def means_no_data(self) -> bool:
        """True for an empty body or a message that says there is no data (not an unknown path)."""
        if not (self.body or "").strip():
            return True
        return bool(_NO_DATA.search(f"{self.code or ''} {self.plex_message}"))


class PlexRateLimitedError(PlexError):
    """429 after the retries ran out. `retry_after_s` is the server's hint, if any."""

    def __init__(self, message: str, *, retry_after_s: float | None = None, **kwargs: Any) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message, **kwargs)


class PlexServerError(PlexError):
    """5xx after the retries ran out (or at once for a POST)."""

    def __init__(self, message: str, *, retry_after_s: float | None = None, **kwargs: Any) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(message, **kwargs)


class PlexTimeoutError(PlexError):
    """No answer within the timeout (after the retries, for GETs)."""


class PlexConnectionError(PlexError):
    """The connection failed or was dropped before a response arrived."""


class PlexRequestError(PlexError):
    """Any other 4xx: the request itself is wrong (a missing parameter, a bad value, a conflict)."""


class PlexRowLimitError(PlexError):
    """A data source said its row limit was exceeded: the answer is truncated."""


def _error_text(item: Any) -> str:
    if isinstance(item, dict):
        parts = [str(item[key]) for key in ("code", "target", "field", "message") if item.get(key)]
        return " ".join(parts) if parts else json.dumps(item, sort_keys=True)
    return str(item)


def parse_envelope(body: str) -> tuple[str | None, str | None, list[Any]]:
    """Read `{code, message, errors[]}` from a body; tolerate other JSON and plain text."""
    text = (body or "").strip()
    if not text:
        return None, None, []
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None, text[:300], []
    if not isinstance(data, dict):
        return None, text[:300], []
    code = data.get("code")
    message = data.get("message") or data.get("Message") or data.get("error")
    errors = data.get("errors") or data.get("Errors") or []
    if not isinstance(errors, list):
        errors = [errors]
    return (str(code) if code is not None else None), (str(message) if message else None), errors


def parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None


def error_from_response(
    status: int,
    body: str,
    *,
    method: str,
    path: str,
    retry_after: str | None = None,
    surface: str = "connect",
) -> PlexError:
    """The typed error for one error response (`surface` is "connect" or "datasource")."""
    code, message, errors = parse_envelope(body)
    common: dict[str, Any] = {
        "status": status,
        "code": code,
        "errors": errors,
        "method": method,
        "path": path,
        "body": body,
    }
    if status in (401, 403):
        hint = AUTH_HINT if surface == "connect" else DATASOURCE_AUTH_HINT
        text = f"{hint}" + (f" - Plex says: {message}" if message else "")
        if status == 403:
            text = f"forbidden ({hint})" + (f" - Plex says: {message}" if message else "")
        return PlexAuthError(text, **common)
    if status == 404:
        return PlexNotFoundError(message or "not found", **common)
    if status == 429:
        return PlexRateLimitedError(message or "rate limited", retry_after_s=parse_retry_after(retry_after), **common)
    if status >= 500:
        return PlexServerError(message or "server error", retry_after_s=parse_retry_after(retry_after), **common)
    return PlexRequestError(message or f"request rejected with HTTP {status}", **common)


__all__ = [
    "AUTH_HINT",
    "PlexAuthError",
    "PlexConnectionError",
    "PlexDataError",
    "PlexError",
    "PlexNotFoundError",
    "PlexRateLimitedError",
    "PlexRequestError",
    "PlexRowLimitError",
    "PlexServerError",
    "PlexTimeoutError",
    "error_from_response",
    "parse_envelope",
]
