"""Approval-link tokens: signed, expiring, single use, bound to one supervisor and one finding.

A token is `<payload>.<signature>`, both unpadded base64url. The payload is compact JSON
`{"v": 1, "f": finding_id, "s": supervisor_id, "a": [actions], "e": expiry epoch seconds,
"n": nonce}`; the signature is HMAC-SHA256 over a fixed context string and the payload segment.

Why no JWT library: we need exactly one algorithm with one shared secret, issued and checked by
the same service. A JWT library would add a dependency to the Lambda layer and bring algorithm
negotiation from the token header (`alg: none`, HS/RS confusion), the classic JWT attack surface;
`hmac` + `secrets` + `base64` from the standard library give the same guarantee in a few lines,
with nothing to negotiate.

Usage in the approval handler: on GET (which mail scanners and link previews also fetch) call
`verify` only and render a confirmation page; on the POST that records the decision call `redeem`,
which verifies again and consumes the nonce, so a link works once and only for its supervisor.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plexlabor.audit.errors import (
    LinkActionNotAllowedError,
    LinkAlreadyUsedError,
    LinkExpiredError,
    LinkForgedError,
    LinkWrongSupervisorError,
)
from plexlabor.audit.events import AuditId
from plexlabor.platform.clock import aware_utc, utc_now

Clock = Callable[[], datetime]

TOKEN_VERSION = 1
MIN_KEY_BYTES = 32
MAX_LINK_LIFETIME = timedelta(days=14)
MAX_TOKEN_CHARS = 2048
NONCE_RETENTION = timedelta(hours=1)
"""How long past a link's expiry its used nonce is kept: covers clock skew between Lambdas."""

_SIGNING_CONTEXT = b"plexlabor/approval-link/v1\n"
_NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

__all__ = [
    "ApprovalAction",
    "ApprovalLinkSigner",
    "InMemoryLinkNonceStore",
    "LinkClaims",
    "LinkNonceStore",
    "LinkTokens",
    "SigningKeys",
    "check_nonce",
]


class ApprovalAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class LinkClaims(BaseModel):
    """What a verified token says."""

    model_config = ConfigDict(frozen=True)

    finding_id: str
    supervisor_id: str
    actions: frozenset[ApprovalAction]
    expires_at: datetime
    nonce: str


class _TokenBody(BaseModel):
    """The signed JSON payload, parsed strictly once the signature has been checked."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    v: int
    f: AuditId
    s: AuditId
    a: list[ApprovalAction] = Field(min_length=1)
    e: int
    n: str


def check_nonce(nonce: str) -> None:
    """Refuse anything that is not a nonce this module could have issued."""
    if not _NONCE_PATTERN.match(nonce):
        raise ValueError("nonce must be 16-64 base64url characters")


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(segment: str) -> bytes:
    """Decode unpadded base64url, accepting only the canonical spelling of the bytes.

    Without the canonical check two spellings of the last character can decode to the same
    bytes, and a changed token would still verify.
    """
    try:
        raw = base64.b64decode(segment + "=" * (-len(segment) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as error:
        raise LinkForgedError("invalid approval link: not base64url") from error
    if _b64encode(raw) != segment:
        raise LinkForgedError("invalid approval link: not base64url")
    return raw


@dataclass(frozen=True)
class SigningKeys:
    """The HMAC-SHA256 key that signs new links, and the retired ones accepted for verification only,
    so links already sent survive a key rotation until they expire."""

    signing: bytes
    retired: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if any(len(key) < MIN_KEY_BYTES for key in self.verifying):
            raise ValueError(f"signing keys must be at least {MIN_KEY_BYTES} bytes")

    @property
    def verifying(self) -> tuple[bytes, ...]:
        return (self.signing, *self.retired)


class LinkTokens(ABC):
    """Issue, verify and redeem approval-link tokens with the keys in force (`current`)."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock

    @abstractmethod
    def current(self) -> SigningKeys:
        """The keys to sign and verify with now."""

    def issue(
        self,
        finding_id: str,
        supervisor_id: str,
        actions: Iterable[ApprovalAction | str],
        expires_in: timedelta,
    ) -> str:
        """A token letting `supervisor_id` take one of `actions` on `finding_id`, once, before
        `now + expires_in` (whole seconds)."""
        if not timedelta(0) < expires_in <= MAX_LINK_LIFETIME:
            raise ValueError(f"expires_in must be positive and at most {MAX_LINK_LIFETIME}")
        now = aware_utc("clock()", self._clock())
        body = _TokenBody(
            v=TOKEN_VERSION,
            f=finding_id,
            s=supervisor_id,
            a=sorted({ApprovalAction(action) for action in actions}),
            e=int((now + expires_in).timestamp()),
            n=secrets.token_urlsafe(16),
        )
        payload = _b64encode(body.model_dump_json().encode())
        return f"{payload}.{_b64encode(self._sign(self.current().signing, payload))}"

    def authentic(self, token: str, supervisor_id: str) -> LinkClaims:
        """The token's claims if it is genuine and for `supervisor_id`, expired or not: enough to say what
        became of its finding, never to decide with it (that is `verify` and `redeem`).

        Raises LinkForgedError or LinkWrongSupervisorError.
        """
        claims = self._authentic_claims(token)
        if claims.supervisor_id != supervisor_id:
            raise LinkWrongSupervisorError("this approval link was issued to another supervisor")
        return claims

    def verify(
        self,
        token: str,
        supervisor_id: str,
        now: datetime | None = None,
        *,
        action: ApprovalAction | str | None = None,
    ) -> LinkClaims:
        """The token's claims, if it is genuine, for `supervisor_id`, unexpired at `now` and
        (when given) allows `action`. Does not consume the nonce: see `redeem`.

        Raises LinkForgedError, LinkWrongSupervisorError, LinkExpiredError or
        LinkActionNotAllowedError, checked in that order.
        """
        claims = self.authentic(token, supervisor_id)
        current = aware_utc("now", now if now is not None else self._clock())
        if current >= claims.expires_at:
            raise LinkExpiredError("this approval link has expired")
        if action is not None and action not in claims.actions:
            raise LinkActionNotAllowedError("this approval link does not allow that action")
        return claims

    def redeem(
        self,
        token: str,
        supervisor_id: str,
        action: ApprovalAction | str,
        nonces: LinkNonceStore,
        now: datetime | None = None,
    ) -> LinkClaims:
        """Verify the token for `action`, then consume its nonce: the second redeem of the same
        token raises LinkAlreadyUsedError. A refused token does not use the link up."""
        claims = self.verify(token, supervisor_id, now, action=action)
        nonces.consume(claims.nonce, claims.expires_at + NONCE_RETENTION)
        return claims

    def _authentic_claims(self, token: str) -> LinkClaims:
        if not isinstance(token, str) or not token.isascii() or len(token) > MAX_TOKEN_CHARS:
            raise LinkForgedError()
        parts = token.split(".")
        if len(parts) != 2:
            raise LinkForgedError()
        payload, signature_segment = parts
        signature = _b64decode(signature_segment)
        if not any(hmac.compare_digest(signature, self._sign(key, payload)) for key in self.current().verifying):
            raise LinkForgedError()
        try:
            body = _TokenBody.model_validate_json(_b64decode(payload))
        except (ValueError, ValidationError) as error:
            raise LinkForgedError("invalid approval link: unreadable payload") from error
        if body.v != TOKEN_VERSION:
            raise LinkForgedError("invalid approval link: unknown version")
        return LinkClaims(
            finding_id=body.f,
            supervisor_id=body.s,
            actions=frozenset(body.a),
            expires_at=datetime.fromtimestamp(body.e, UTC),
            nonce=body.n,
        )

    @staticmethod
    def _sign(key: bytes, payload_segment: str) -> bytes:
        return hmac.new(key, _SIGNING_CONTEXT + payload_segment.encode("ascii"), hashlib.sha256).digest()


class ApprovalLinkSigner(LinkTokens):
    """Approval-link tokens with one signing key, and `retired_keys` accepted for verification only."""

    def __init__(self, signing_key: bytes, clock: Clock = utc_now, *, retired_keys: Iterable[bytes] = ()) -> None:
        super().__init__(clock)
        self._keys = SigningKeys(signing_key, tuple(retired_keys))

    def current(self) -> SigningKeys:
        return self._keys


@runtime_checkable
class LinkNonceStore(Protocol):
    """Remembers used link nonces; the port behind single use."""

    def consume(self, nonce: str, expires_at: datetime) -> None:
        """Mark `nonce` used, keeping the mark at least until `expires_at`.
        Raise LinkAlreadyUsedError if it was used before."""
        ...

    def release(self, nonce: str) -> None:
        """Give a consumed `nonce` back: the decision it guarded did not happen (SendTaskSuccess
        failed transiently), so the link works again, once. Releasing an unused nonce does nothing."""
        ...


class InMemoryLinkNonceStore:
    """The fake. Keeps every nonce (a test or local run is short)."""

    def __init__(self) -> None:
        self._used: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def consume(self, nonce: str, expires_at: datetime) -> None:
        check_nonce(nonce)
        expires_at = aware_utc("expires_at", expires_at)
        with self._lock:
            if nonce in self._used:
                raise LinkAlreadyUsedError("this approval link has already been used")
            self._used[nonce] = expires_at

    def release(self, nonce: str) -> None:
        check_nonce(nonce)
        with self._lock:
            self._used.pop(nonce, None)
