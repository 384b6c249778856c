"""Approval-link tokens: genuine links verify; forged, tampered, foreign, late and reused ones do not."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plexlabor.audit import (
    ApprovalAction,
    ApprovalLinkSigner,
    AuditConflictError,
    AuditError,
    AuditUnavailableError,
    InMemoryLinkNonceStore,
    LinkActionNotAllowedError,
    LinkAlreadyUsedError,
    LinkExpiredError,
    LinkForgedError,
    LinkWrongSupervisorError,
    http_status_for,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
ISSUED = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
BOTH = {ApprovalAction.APPROVE, ApprovalAction.REJECT}


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def signer(key: bytes = KEY, **kwargs: object) -> ApprovalLinkSigner:
    return ApprovalLinkSigner(key, FakeClock(ISSUED), **kwargs)  # type: ignore[arg-type]


def link(actions: set[ApprovalAction] = BOTH, hours: int = 8) -> str:
    return signer().issue("F-1001", "sup-17", actions, timedelta(hours=hours))


def test_a_genuine_link_verifies_for_its_supervisor() -> None:
    # Given a link issued to sup-17 for finding F-1001, valid 8 hours
    token = link()
    # When sup-17 presents it an hour later
    claims = signer().verify(token, "sup-17", ISSUED + timedelta(hours=1))
    # Then its claims are the ones issued
    assert claims.finding_id == "F-1001"
    assert claims.supervisor_id == "sup-17"
    assert claims.actions == BOTH
    assert claims.expires_at == ISSUED + timedelta(hours=8)
    assert len(claims.nonce) >= 22


def test_every_link_has_its_own_nonce() -> None:
    first, second = link(), link()
    assert first != second
    assert signer().verify(first, "sup-17").nonce != signer().verify(second, "sup-17").nonce


def test_verify_uses_the_injected_clock_by_default() -> None:
    token = link(hours=1)
    late = ApprovalLinkSigner(KEY, FakeClock(ISSUED + timedelta(hours=2)))
    with pytest.raises(LinkExpiredError):
        late.verify(token, "sup-17")


def _tamper_payload(token: str, **changes: object) -> str:
    payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body.update(changes)
    raw = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + signature


@pytest.mark.parametrize(
    "changes",
    [
        {"f": "F-9999"},  # another finding
        {"s": "sup-99"},  # another supervisor
        {"e": 4_102_444_800},  # a later expiry
        {"a": ["approve"]},  # a narrower action set
        {"n": "AAAAAAAAAAAAAAAAAAAAAA"},  # a fresh nonce to dodge single use
    ],
)
def test_a_tampered_payload_is_forged(changes: dict[str, object]) -> None:
    # Given a genuine link whose payload was edited and re-encoded, keeping the old signature
    forged = _tamper_payload(link(), **changes)
    # When it is verified by the supervisor the edit names, then it is refused as forged (403)
    with pytest.raises(LinkForgedError) as raised:
        signer().verify(forged, str(changes.get("s", "sup-17")), ISSUED)
    assert http_status_for(raised.value) == 403


def test_a_link_signed_with_another_key_is_forged() -> None:
    token = signer(OTHER_KEY).issue("F-1001", "sup-17", BOTH, timedelta(hours=8))
    with pytest.raises(LinkForgedError):
        signer().verify(token, "sup-17", ISSUED)


def test_links_signed_with_a_retired_key_still_verify_until_they_expire() -> None:
    # Given a link signed before a key rotation, and a signer holding the old key as retired
    old_link = signer(OTHER_KEY).issue("F-1001", "sup-17", BOTH, timedelta(hours=8))
    rotated = signer(KEY, retired_keys=[OTHER_KEY])
    # Then the old link verifies, and new links are signed with the new key only
    assert rotated.verify(old_link, "sup-17", ISSUED).finding_id == "F-1001"
    with pytest.raises(LinkForgedError):
        signer(OTHER_KEY).verify(rotated.issue("F-1", "sup-17", BOTH, timedelta(hours=1)), "sup-17", ISSUED)


def test_a_link_presented_by_another_supervisor_is_refused() -> None:
    with pytest.raises(LinkWrongSupervisorError) as raised:
        signer().verify(link(), "sup-99", ISSUED)
    assert http_status_for(raised.value) == 403


def test_a_link_expires_at_its_expiry_instant() -> None:
    # Given an 8-hour link
    token = link(hours=8)
    expiry = ISSUED + timedelta(hours=8)
    # When presented one second before expiry it verifies; at expiry and after it is gone (410)
    signer().verify(token, "sup-17", expiry - timedelta(seconds=1))
    for late in (expiry, expiry + timedelta(days=3)):
        with pytest.raises(LinkExpiredError) as raised:
            signer().verify(token, "sup-17", late)
        assert http_status_for(raised.value) == 410


def test_an_expired_link_is_still_authentic_for_its_supervisor_only() -> None:
    # Given an 8-hour link presented long after it expired
    token = link(hours=8)
    # Then it is authentic for its supervisor (to say what became of its finding), for no one else
    assert signer().authentic(token, "sup-17").finding_id == signer().verify(token, "sup-17", ISSUED).finding_id
    with pytest.raises(LinkWrongSupervisorError):
        signer().authentic(token, "sup-18")
    with pytest.raises(LinkForgedError):
        signer().authentic(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "sup-17")


def test_a_link_allows_only_its_actions() -> None:
    # Given a reject-only link
    token = link(actions={ApprovalAction.REJECT})
    # Then it verifies for reject, and is refused for approve or an unknown action
    assert signer().verify(token, "sup-17", ISSUED, action="reject").actions == {ApprovalAction.REJECT}
    for action in (ApprovalAction.APPROVE, "delete"):
        with pytest.raises(LinkActionNotAllowedError):
            signer().verify(token, "sup-17", ISSUED, action=action)


def test_a_link_works_once() -> None:
    # Given a genuine link, redeemed once to approve
    nonces = InMemoryLinkNonceStore()
    token = link()
    claims = signer().redeem(token, "sup-17", ApprovalAction.APPROVE, nonces, ISSUED)
    assert claims.finding_id == "F-1001"
    # When it is redeemed a second time (to approve again, or to reject)
    # Then it is refused as already used (410)
    for action in BOTH:
        with pytest.raises(LinkAlreadyUsedError) as raised:
            signer().redeem(token, "sup-17", action, nonces, ISSUED)
        assert http_status_for(raised.value) == 410
    # And plain verification (the GET that renders the page) does not consume anything
    fresh = link()
    signer().verify(fresh, "sup-17", ISSUED)
    signer().verify(fresh, "sup-17", ISSUED)
    signer().redeem(fresh, "sup-17", ApprovalAction.REJECT, nonces, ISSUED)


def test_the_used_nonce_is_kept_past_the_links_expiry() -> None:
    # Given a nonce store that records what it is asked to keep
    kept: dict[str, datetime] = {}

    class Recorder:
        def consume(self, nonce: str, expires_at: datetime) -> None:
            kept[nonce] = expires_at

        def release(self, nonce: str) -> None:  # the rest of LinkNonceStore; a redeemed link releases nothing
            del kept[nonce]

    # When a link is redeemed
    claims = signer().redeem(link(hours=8), "sup-17", "approve", Recorder(), ISSUED)
    # Then its nonce is kept at least until the link expires
    assert kept[claims.nonce] > claims.expires_at


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        ".",
        "abc",
        "a.b.c",
        "é.é",
        "x" * 5000,
        "eyJ2IjoxfQ.",
        "eyJ2IjoxfQ.AAAA",
        "!!!.???",
    ],
)
def test_garbage_is_forged_never_a_crash(garbage: str) -> None:
    with pytest.raises(LinkForgedError):
        signer().verify(garbage, "sup-17", ISSUED)


def test_a_validly_signed_but_unreadable_payload_is_forged() -> None:
    # Given a payload that is not a token body, signed with the real key (a bug or a key leak)
    payload = base64.urlsafe_b64encode(b'{"v":2}').rstrip(b"=").decode()
    signature = ApprovalLinkSigner._sign(KEY, payload)
    token = payload + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    # Then it is refused as forged
    with pytest.raises(LinkForgedError, match="payload"):
        signer().verify(token, "sup-17", ISSUED)


def test_weak_keys_and_unbounded_lifetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        ApprovalLinkSigner(b"short")
    with pytest.raises(ValueError, match="32 bytes"):
        ApprovalLinkSigner(KEY, retired_keys=[b"short"])
    for lifetime in (timedelta(0), timedelta(seconds=-1), timedelta(days=15)):
        with pytest.raises(ValueError, match="expires_in"):
            signer().issue("F-1", "sup-17", BOTH, lifetime)


def test_links_refuse_ids_that_are_not_ids() -> None:
    with pytest.raises(ValueError):
        signer().issue("F-1", "Jane Doe", BOTH, timedelta(hours=1))


# One token, built once: Hypothesis mutates it.
TOKEN = link()


@settings(max_examples=400, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(TOKEN) - 1),
    replacement=st.integers(min_value=0, max_value=255),
)
def test_any_single_byte_change_to_a_token_is_rejected(position: int, replacement: int) -> None:
    # Given a genuine token with one byte replaced by any other byte value
    raw = bytearray(TOKEN.encode("ascii"))
    if raw[position] == replacement:
        replacement = (replacement + 1) % 256
    raw[position] = replacement
    tampered = raw.decode("latin-1")
    # When its own supervisor presents it well before expiry
    # Then it is refused as forged
    with pytest.raises(LinkForgedError):
        signer().verify(tampered, "sup-17", ISSUED)


def test_every_single_byte_change_to_a_token_is_rejected_exhaustively() -> None:
    # The property above, checked for every position and every byte value (about 45,000 tokens,
    # well under a second). Base64 has two spellings of some last characters: only the canonical
    # decoding check stops those from verifying.
    raw = TOKEN.encode("ascii")
    accepted = []
    for position in range(len(raw)):
        for replacement in range(256):
            if replacement == raw[position]:
                continue
            tampered = bytearray(raw)
            tampered[position] = replacement
            try:
                signer().verify(tampered.decode("latin-1"), "sup-17", ISSUED)
            except LinkForgedError:
                continue
            accepted.append((position, replacement))
    assert accepted == []


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (LinkForgedError(), 403),
        (LinkWrongSupervisorError("x"), 403),
        (LinkActionNotAllowedError("x"), 403),
        (LinkExpiredError("x"), 410),
        (LinkAlreadyUsedError("x"), 410),
        (AuditConflictError("evt-1"), 409),
        (AuditUnavailableError("x"), 503),
        (AuditError("x"), 500),
        (RuntimeError("x"), 500),
    ],
)
def test_http_status_for_maps_every_error_in_one_place(error: Exception, status: int) -> None:
    assert http_status_for(error) == status
