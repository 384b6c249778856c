"""Webhook HMAC signing and verification."""

from __future__ import annotations

import pytest

from plexlabor.webhooks import (
    MAX_FUTURE_SKEW_S,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookSignatureError,
    WebhookTimestampError,
    sign,
    verify,
)

BODY = b'{"id":"T1","employeeId":"E1","clockinTime":"2026-03-02T06:00:00.0000000Z"}'
NOW = 1_800_000_000


def test_a_signed_body_verifies() -> None:
    headers = sign(BODY, "secret", NOW)
    assert headers[SIGNATURE_HEADER].startswith("sha256=") and headers[TIMESTAMP_HEADER] == str(NOW)
    assert verify(BODY, headers, "secret", now=NOW + 10) == NOW


def test_header_names_are_matched_case_insensitively() -> None:
    headers = {name.lower(): value for name, value in sign(BODY, "secret", NOW).items()}
    assert verify(BODY, headers, "secret", now=NOW) == NOW


def test_a_tampered_body_fails() -> None:
    headers = sign(BODY, "secret", NOW)
    with pytest.raises(WebhookSignatureError, match="does not match"):
        verify(BODY.replace(b"E1", b"E2"), headers, "secret", now=NOW)


def test_the_wrong_secret_fails() -> None:
    with pytest.raises(WebhookSignatureError):
        verify(BODY, sign(BODY, "secret", NOW), "other-secret", now=NOW)


def test_a_replayed_timestamp_cannot_be_swapped_in() -> None:
    headers = dict(sign(BODY, "secret", NOW))
    headers[TIMESTAMP_HEADER] = str(NOW + 100)
    with pytest.raises(WebhookSignatureError):
        verify(BODY, headers, "secret", now=NOW + 100)


@pytest.mark.parametrize("offset", [301, 10_000])
def test_a_stale_timestamp_fails(offset: int) -> None:
    with pytest.raises(WebhookTimestampError, match="away from now"):
        verify(BODY, sign(BODY, "secret", NOW), "secret", now=NOW + offset)


@pytest.mark.parametrize("ahead", [MAX_FUTURE_SKEW_S + 1, 60, 299, 10_000])
def test_a_timestamp_more_than_the_allowed_skew_in_the_future_fails(ahead: int) -> None:
    # a sender's clock may run a little fast; a timestamp minutes ahead stretches the replay window
    with pytest.raises(WebhookTimestampError, match="in the future"):
        verify(BODY, sign(BODY, "secret", NOW + ahead), "secret", now=NOW)


def test_a_timestamp_within_the_allowed_skew_in_the_future_verifies() -> None:
    assert MAX_FUTURE_SKEW_S == 30
    assert verify(BODY, sign(BODY, "secret", NOW + MAX_FUTURE_SKEW_S), "secret", now=NOW) == NOW + MAX_FUTURE_SKEW_S


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({}, WebhookTimestampError),
        ({TIMESTAMP_HEADER: "soon"}, WebhookTimestampError),
        ({TIMESTAMP_HEADER: str(NOW)}, WebhookSignatureError),
        ({TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: "md5=abc"}, WebhookSignatureError),
        ({TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: "sha256=zz"}, WebhookSignatureError),
    ],
)
def test_missing_or_malformed_headers_fail(headers: dict[str, str], error: type) -> None:
    with pytest.raises(error):
        verify(BODY, headers, "secret", now=NOW)


def test_an_empty_secret_is_refused_when_signing() -> None:
    with pytest.raises(ValueError):
        sign(BODY, "", NOW)
