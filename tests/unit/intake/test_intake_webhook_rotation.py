"""Rotating the webhook HMAC secret: while the secret holds `{"current": new, "retired": [old]}`, a
delivery signed with either is accepted, so no delivery is refused because of a rotation; a key that
is neither is refused (401), and a malformed secret is a configuration error, not an open door."""

from __future__ import annotations

import json

import pytest

from functions.punch_webhook import handler as webhook
from plexlabor.intake.queue import InMemoryPunchQueue
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.rotation import keys_from_secret
from plexlabor.webhooks import WebhookSignatureError, sign, verify
from tests.unit.intake.intake_samples import WEBHOOK_SIGNED_AT
from tests.unit.intake.test_intake_webhook_handler import PUNCH, call, post

OLD = "old-webhook-secret-0123456789abcdefghij"
NEW = "new-webhook-secret-0123456789abcdefghij"
ROTATING = json.dumps({"current": NEW, "retired": [OLD]})


def deps(secret_value: str, queue: InMemoryPunchQueue) -> webhook.Dependencies:
    return webhook.Dependencies(queue=queue, hmac_secret=lambda: secret_value, clock=lambda: WEBHOOK_SIGNED_AT + 1)


@pytest.mark.parametrize("signed_with", [OLD, NEW])
def test_during_a_rotation_both_keys_are_accepted(signed_with: str) -> None:
    queue = InMemoryPunchQueue()
    status, _ = call(post([PUNCH], secret=signed_with), deps(ROTATING, queue))
    assert status == 202 and len(queue.messages) == 1


def test_another_key_is_refused_during_a_rotation() -> None:
    queue = InMemoryPunchQueue()
    status, body = call(post([PUNCH], secret="some-other-secret-0123456789abcdefgh"), deps(ROTATING, queue))
    assert status == 401 and "does not match" in body["message"] and queue.messages == []


def test_after_the_rotation_the_old_key_is_refused() -> None:
    queue = InMemoryPunchQueue()
    assert call(post([PUNCH], secret=OLD), deps(json.dumps({"current": NEW}), queue))[0] == 401
    assert call(post([PUNCH], secret=NEW), deps(NEW, queue))[0] == 202


def test_verify_takes_several_secrets_and_none_is_refused() -> None:
    headers = sign(b"{}", OLD, WEBHOOK_SIGNED_AT)
    assert verify(b"{}", headers, (NEW, OLD), WEBHOOK_SIGNED_AT) == WEBHOOK_SIGNED_AT
    with pytest.raises(WebhookSignatureError, match="no webhook secret"):
        verify(b"{}", headers, (), WEBHOOK_SIGNED_AT)


def test_the_secret_value_is_one_key_or_current_and_retired() -> None:
    assert keys_from_secret(f" {NEW}\n", "webhook secret") == (NEW, ())
    assert keys_from_secret(ROTATING, "webhook secret") == (NEW, (OLD,))
    with pytest.raises(ConfigurationError, match="webhook secret"):
        keys_from_secret('{"retired": ["x"]}', "webhook secret")
