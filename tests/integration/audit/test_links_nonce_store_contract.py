"""The LinkNonceStore contract, run against the in-memory fake and the DynamoDB adapter (moto),
plus single use end to end: a token redeemed through each store works once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plexlabor.audit import (
    ApprovalAction,
    ApprovalLinkSigner,
    LinkAlreadyUsedError,
    LinkNonceStore,
    LinkWrongSupervisorError,
)

EXPIRES = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)
NONCE = "n0nce-AAAAAAAAAAAAAAAA"


def test_a_nonce_can_be_consumed_once(nonce_store: LinkNonceStore) -> None:
    # Given a consumed nonce
    nonce_store.consume(NONCE, EXPIRES)
    # When it is consumed again, even with another expiry
    # Then the store says it was already used
    with pytest.raises(LinkAlreadyUsedError):
        nonce_store.consume(NONCE, EXPIRES + timedelta(days=1))


def test_nonces_are_independent(nonce_store: LinkNonceStore) -> None:
    # Given one consumed nonce
    other = "other-nonce-BBBBBBBBBBBB"
    nonce_store.consume(NONCE, EXPIRES)
    # When another is consumed
    # Then it is accepted, and each is now used: neither replaced nor released the other
    nonce_store.consume(other, EXPIRES)  # accepted: it raises nothing
    for used in (NONCE, other):
        with pytest.raises(LinkAlreadyUsedError):
            nonce_store.consume(used, EXPIRES)


@pytest.mark.parametrize("bad", ["", "short", "has space in it 123456", "x" * 65, "link#AAAAAAAAAAAAAAAA"])
def test_a_malformed_nonce_is_refused(nonce_store: LinkNonceStore, bad: str) -> None:
    with pytest.raises(ValueError, match="nonce"):
        nonce_store.consume(bad, EXPIRES)


def test_a_naive_expiry_is_refused(nonce_store: LinkNonceStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        nonce_store.consume(NONCE, EXPIRES.replace(tzinfo=None))


def test_a_redeemed_link_cannot_be_redeemed_again(nonce_store: LinkNonceStore) -> None:
    # Given a link issued to sup-17, redeemed once
    now = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    signer = ApprovalLinkSigner(b"k" * 32, clock=lambda: now)
    token = signer.issue("F-1001", "sup-17", {ApprovalAction.APPROVE, ApprovalAction.REJECT}, timedelta(hours=8))
    signer.redeem(token, "sup-17", ApprovalAction.APPROVE, nonce_store)
    # When it is redeemed again, for either action
    # Then it is refused as already used
    for action in (ApprovalAction.APPROVE, ApprovalAction.REJECT):
        with pytest.raises(LinkAlreadyUsedError):
            signer.redeem(token, "sup-17", action, nonce_store)


def test_a_refused_redeem_does_not_use_the_link_up(nonce_store: LinkNonceStore) -> None:
    # Given a link for sup-17 that another supervisor tried to redeem
    now = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    signer = ApprovalLinkSigner(b"k" * 32, clock=lambda: now)
    token = signer.issue("F-1001", "sup-17", [ApprovalAction.APPROVE], timedelta(hours=8))
    with pytest.raises(LinkWrongSupervisorError):
        signer.redeem(token, "sup-99", ApprovalAction.APPROVE, nonce_store)
    # When sup-17 redeems it
    claims = signer.redeem(token, "sup-17", ApprovalAction.APPROVE, nonce_store)
    # Then it works
    assert claims.finding_id == "F-1001"


def test_a_released_nonce_can_be_consumed_again_once(nonce_store: LinkNonceStore) -> None:
    # Given a nonce consumed for a decision that then did not happen (a transient error)
    nonce_store.consume(NONCE, EXPIRES)
    # When it is released
    nonce_store.release(NONCE)
    # Then the link works again, exactly once
    nonce_store.consume(NONCE, EXPIRES)
    with pytest.raises(LinkAlreadyUsedError):
        nonce_store.consume(NONCE, EXPIRES)


def test_releasing_a_nonce_never_consumed_changes_nothing(nonce_store: LinkNonceStore) -> None:
    nonce_store.release(NONCE)
    nonce_store.consume(NONCE, EXPIRES)
    with pytest.raises(LinkAlreadyUsedError):
        nonce_store.consume(NONCE, EXPIRES)


def test_releasing_one_nonce_leaves_the_others_used(nonce_store: LinkNonceStore) -> None:
    other = "other-nonce-BBBBBBBBBBBB"
    nonce_store.consume(NONCE, EXPIRES)
    nonce_store.consume(other, EXPIRES)
    nonce_store.release(NONCE)
    with pytest.raises(LinkAlreadyUsedError):
        nonce_store.consume(other, EXPIRES)
