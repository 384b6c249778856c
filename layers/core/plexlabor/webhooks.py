"""HMAC-SHA256 signing and verification of plexlabor webhooks (punch events into the queue).

The signature covers the timestamp and the exact body bytes:
    X-Plexlabor-Timestamp: <unix seconds>
    X-Plexlabor-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.".encode() + body)>
A receiver verifies before parsing, with a constant-time compare, and rejects timestamps more than
`window_s` before its clock or more than `future_s` (MAX_FUTURE_SKEW_S, 30 s) after it (replay
protection; pair it with an idempotent consumer). The future side is small on purpose: a sender's
clock may run a little fast, but a timestamp minutes ahead would keep a captured request replayable
for that much longer than the window.

Rotation: a receiver may hold several secrets at once (the new one and the one being retired,
`platform.rotation`); a delivery signed with any of them is accepted, so a sender can switch keys at
any moment of the overlap and no delivery is refused because of it. No key id is sent: trying the
two or three keys in force costs microseconds and keeps the header what senders already send.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence

TIMESTAMP_HEADER = "X-Plexlabor-Timestamp"
SIGNATURE_HEADER = "X-Plexlabor-Signature"
SCHEME = "sha256"
DEFAULT_WINDOW_S = 300
MAX_FUTURE_SKEW_S = 30
"""How far ahead of the receiver's clock a timestamp may be (a sender's clock running fast)."""


class WebhookVerificationError(Exception):
    """The webhook cannot be trusted; the message says why (never the secret or the signature)."""


class WebhookSignatureError(WebhookVerificationError):
    """The signature is missing, malformed or does not match the body."""


class WebhookTimestampError(WebhookVerificationError):
    """The timestamp is missing, malformed or outside the allowed window."""


def _digest(body: bytes, secret: str, timestamp: int) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """The headers to send with `body`."""
    if not secret:
        raise ValueError("a webhook secret must not be empty")
    return {
        TIMESTAMP_HEADER: str(int(timestamp)),
        SIGNATURE_HEADER: f"{SCHEME}={_digest(body, secret, int(timestamp))}",
    }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup (API Gateway lower-cases header names)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secret: str | Sequence[str],
    now: float,
    window_s: int = DEFAULT_WINDOW_S,
    future_s: int = MAX_FUTURE_SKEW_S,
) -> int:
    """Check the signature (made with `secret`, or with any one of several during a rotation) and the
    freshness of a webhook (at most `window_s` old, at most `future_s` ahead); return its timestamp or raise."""
    raw_timestamp = _header(headers, TIMESTAMP_HEADER)
    if raw_timestamp is None:
        raise WebhookTimestampError(f"missing {TIMESTAMP_HEADER} header")
    try:
        timestamp = int(raw_timestamp.strip())
    except ValueError:
        raise WebhookTimestampError(f"{TIMESTAMP_HEADER} is not a unix timestamp") from None
    if now - timestamp > window_s:
        raise WebhookTimestampError(f"timestamp is {now - timestamp:.0f} s away from now (allowed: {window_s} s)")
    if timestamp - now > future_s:
        raise WebhookTimestampError(f"timestamp is {timestamp - now:.0f} s in the future (allowed: {future_s} s)")
    signature = _header(headers, SIGNATURE_HEADER)
    if not signature:
        raise WebhookSignatureError(f"missing {SIGNATURE_HEADER} header")
    scheme, _, received = signature.strip().partition("=")
    if scheme != SCHEME or not received:
        raise WebhookSignatureError(f"{SIGNATURE_HEADER} must look like '{SCHEME}=<hex>'")
    secrets = [key for key in ((secret,) if isinstance(secret, str) else secret) if key]
    if not secrets:
        raise WebhookSignatureError("no webhook secret configured")
    given = received.strip().lower().encode("ascii", "replace")
    matches = [hmac.compare_digest(_digest(body, key, timestamp).encode("ascii"), given) for key in secrets]
    if not any(matches):
        raise WebhookSignatureError("signature does not match the body")
    return timestamp
