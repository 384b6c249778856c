"""Each approval handler's settings model and wiring: required variables named, services built once
per environment, the signing key followed across a rotation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from approval_fakes import World, api_event, notice

from functions.approval_callback.handler import handler as callback_handler
from infra import constants
from plexlabor.approval import wiring
from plexlabor.approval.errors import status_for
from plexlabor.approval.settings import CallbackSettings, NotifySettings, WritebackSettings
from plexlabor.approval.wiring import SecretLinkSigner
from plexlabor.audit import ApprovalAction, ApprovalLinkSigner, LinkForgedError
from plexlabor.platform import env
from plexlabor.platform.errors import ConfigurationError
from tests.support import FakeLambdaContext

OLD_KEY, NEW_KEY = "o" * 40, "n" * 40
CALLBACK_ENV = {
    env.AUDIT_TABLE_NAME: "audit",
    env.STATE_TABLE_NAME: "state",
    env.APPROVAL_SIGNING_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:signing",
}


@pytest.fixture
def callback_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {**CALLBACK_ENV, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)  # credentials: a client is made, never called
    wiring.reset()
    yield
    wiring.reset()


def test_each_model_names_every_missing_variable() -> None:
    with pytest.raises(ConfigurationError) as missing:
        NotifySettings.from_env({env.NOTIFY_SENDER: ""})  # empty counts as unset
    for name in (env.AUDIT_TABLE_NAME, env.STATE_TABLE_NAME, env.APPROVAL_SIGNING_KEY_SECRET_ARN):
        assert name in str(missing.value)
    assert env.NOTIFY_SENDER in str(missing.value) and env.APPROVAL_BASE_URL in str(missing.value)
    with pytest.raises(ConfigurationError, match=env.STATE_TABLE_NAME):
        CallbackSettings.from_env({env.AUDIT_TABLE_NAME: "audit"})
    with pytest.raises(ConfigurationError, match=env.MAX_RECEIVE_COUNT):
        WritebackSettings.from_env({env.AUDIT_TABLE_NAME: "audit", env.MAX_RECEIVE_COUNT: "zero"})
    with pytest.raises(ConfigurationError, match=env.CHAT_WEBHOOK_URL):
        NotifySettings.from_env(
            {
                **CALLBACK_ENV,
                env.NOTIFY_SENDER: "a@b",
                env.APPROVAL_BASE_URL: "https://x",
                env.CHAT_WEBHOOK_URL: "http://chat",
            }
        )


def test_the_defaults_match_the_stack_and_plex_variables_belong_to_the_environment() -> None:
    settings = WritebackSettings.from_env({env.AUDIT_TABLE_NAME: "audit", env.PLEX_BASE_URL: "https://plex"})
    assert settings.max_receive_count == constants.DEFAULT_MAX_RECEIVE_COUNT
    assert settings.plex_env == {env.PLEX_BASE_URL: "https://plex"}
    before = WritebackSettings.fingerprint({env.PLEX_BASE_URL: "https://plex"})
    assert WritebackSettings.fingerprint({env.PLEX_BASE_URL: "https://other"}) != before
    assert WritebackSettings.fingerprint({env.PLEX_BASE_URL: "https://plex", "_X_AMZN_TRACE_ID": "t"}) == before


def test_a_service_is_built_once_per_environment(callback_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the callback's environment, when two invocations ask for the service
    first = wiring.callback_service()
    # Then they share one (no client, store or signer is rebuilt per invocation)
    assert wiring.callback_service() is first
    # When a variable the settings read changes, the service is rebuilt for it
    monkeypatch.setenv(env.STATE_TABLE_NAME, "state-2")
    assert wiring.callback_service() is not first
    # and reset() forgets it
    second = wiring.callback_service()
    wiring.reset()
    assert wiring.callback_service() is not second


def test_the_signer_follows_the_signing_key_secret_across_a_rotation() -> None:
    # Given a signer on a secret holding the old key, and a link it issued
    secret = [OLD_KEY]
    reads: list[str] = []

    def read() -> str:
        reads.append(secret[0])
        return secret[0]

    signer = SecretLinkSigner(read)
    old_link = signer.issue("f-1", "E0001", [ApprovalAction.APPROVE], timedelta(hours=1))
    assert signer.current() is signer.current()  # one signer while the value stays
    # When the secret is rotated: the new key is current, the old one retired
    secret[0] = json.dumps({"current": NEW_KEY, "retired": [OLD_KEY]})
    new_link = signer.issue("f-2", "E0001", [ApprovalAction.APPROVE], timedelta(hours=1))
    # Then new links are signed with the new key, and the link already sent still verifies
    assert ApprovalLinkSigner(NEW_KEY.encode()).verify(new_link, "E0001").finding_id == "f-2"
    with pytest.raises(LinkForgedError):
        ApprovalLinkSigner(OLD_KEY.encode()).verify(new_link, "E0001")
    assert signer.verify(old_link, "E0001").finding_id == "f-1"
    assert len(reads) == 5  # the secret is read on every use (Powertools caches the value)


def test_a_signing_key_too_short_names_the_secret() -> None:
    with pytest.raises(ConfigurationError, match=env.APPROVAL_SIGNING_KEY_SECRET_ARN):
        SecretLinkSigner(lambda: "short").current()


def test_a_configuration_error_is_a_server_error_page(world: World) -> None:
    # Given a callback whose signing secret is unusable
    assert status_for(ConfigurationError("X is not set")) == 500
    [token] = world.notified(notice())

    def unusable() -> str:
        raise ConfigurationError("the approval signing key secret is not valid JSON with 'current'")

    service = world.callback
    service.signer = SecretLinkSigner(unusable)
    # When the supervisor opens the link
    response = callback_handler(api_event("GET", token), FakeLambdaContext(), dependencies=service)
    # Then the page says to try again later, and names nothing of the configuration
    assert response["statusCode"] == 500 and "try the link again" in response["body"] and "JSON" not in response["body"]


def test_a_missing_setting_gets_the_server_error_page_not_a_lambda_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given approval_callback deployed without its state table's name
    for name in CALLBACK_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(env.AUDIT_TABLE_NAME, "audit")
    wiring.reset()
    # When a supervisor opens a link
    response = callback_handler(api_event("GET", "x.y"), FakeLambdaContext())
    # Then the page says to try again later (the log names the variable), and the function did not fail
    assert response["statusCode"] == 500 and "try the link again" in response["body"]
    assert env.STATE_TABLE_NAME not in response["body"]
    wiring.reset()
