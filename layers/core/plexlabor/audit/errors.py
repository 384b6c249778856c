"""Typed errors of the audit package, and their HTTP status in one place.

Adapters turn AWS error codes into these; handlers turn these into HTTP responses with
`http_status_for` and never inspect botocore errors themselves.
"""

from __future__ import annotations


class AuditError(Exception):
    """Base of every error raised by the audit store, the link signer and the nonce store."""

    retryable: bool = False
    """True when the same call may succeed if repeated later (throttling, a 5xx, the network)."""


class AuditConflictError(AuditError):
    """An event with this event_id is already in the audit store; nothing was written."""

    def __init__(self, event_id: str, record_key: str | None = None) -> None:
        self.event_id, self.record_key = event_id, record_key
        super().__init__(f"audit event '{event_id}' already exists; audit events are append-only")


class AuditUnavailableError(AuditError):
    """The backing store is throttling, failing or unreachable; retry with backoff."""

    retryable = True


class LinkError(AuditError):
    """An approval link was refused. Messages never echo the token or the key."""


class LinkForgedError(LinkError):
    """The token is malformed, tampered with or signed with another key."""

    def __init__(self, reason: str = "invalid approval link") -> None:
        super().__init__(reason)


class LinkExpiredError(LinkError):
    """The token was genuine but its expiry has passed."""


class LinkWrongSupervisorError(LinkError):
    """The token was issued to a different supervisor than the one presenting it."""


class LinkActionNotAllowedError(LinkError):
    """The token does not allow the requested action (e.g. `approve` on a reject-only link)."""


class LinkAlreadyUsedError(LinkError):
    """The token's nonce has been consumed before: links are single use."""


_HTTP_STATUS: dict[type[Exception], int] = {
    LinkForgedError: 403,
    LinkWrongSupervisorError: 403,
    LinkActionNotAllowedError: 403,
    LinkExpiredError: 410,
    LinkAlreadyUsedError: 410,
    LinkError: 403,
    AuditConflictError: 409,
    AuditUnavailableError: 503,
    AuditError: 500,
}


def http_status_for(error: BaseException) -> int:
    """The HTTP status an API handler answers for `error` (500 for anything unknown).

    The most specific class in the error's MRO wins, so subclasses inherit a sensible status.
    """
    for cls in type(error).__mro__:
        status = _HTTP_STATUS.get(cls)
        if status is not None:
            return status
    return 500
