"""The approval's contracts: sample events, the ASL file, the signing secret, the directory and the digest."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from approval_fakes import FakePlex, make_finding
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel, SqsModel

from plexlabor.approval.digest import compose_chat, compose_digest
from plexlabor.approval.directory import PlexEmployeeDirectory
from plexlabor.approval.messages import ApprovalNotice, Stage, WritebackMessage, parse_notify_message
from plexlabor.approval.ports import Digest, DigestItem
from plexlabor.approval.settings import signing_keys_from_secret
from plexlabor.models import Employee, UserAccount
from plexlabor.platform.errors import ConfigurationError
from tests.support import EVENTS_DIR as EVENTS

ASL = EVENTS.parent / "infra" / "statemachines" / "approval.asl.json"


def test_the_sample_events_parse_with_their_models() -> None:
    notify = SqsModel.model_validate_json((EVENTS / "approval_notify.json").read_text())
    body = notify.Records[0].body
    assert isinstance(body, str)  # Powertools types a record's body str or a model; unparsed, it is the text sent
    assert isinstance(parse_notify_message(body), ApprovalNotice)
    writeback = SqsModel.model_validate_json((EVENTS / "plex_writeback.json").read_text())
    body = writeback.Records[0].body
    assert isinstance(body, str)
    assert WritebackMessage.model_validate_json(body).decision.action == "approve"
    for name, method in (("approval_callback_get", "GET"), ("approval_callback_post", "POST")):
        event = APIGatewayProxyEventModel.model_validate_json((EVENTS / f"{name}.json").read_text())
        assert event.httpMethod == method and event.resource == "/approvals/{token}"


def test_an_escalated_notice_needs_an_escalation_supervisor() -> None:
    body = json.loads(json.loads((EVENTS / "approval_notify.json").read_text())["Records"][0]["body"])
    body["stage"], body["request"]["escalation_supervisor_id"] = "escalated", None
    with pytest.raises(ValueError, match="escalation_supervisor_id"):
        parse_notify_message(json.dumps(body))


def test_the_state_machine_definition_is_well_formed() -> None:
    text = ASL.read_text()
    definition = json.loads(text)
    states = definition["States"]
    assert "${NotifyQueueUrl}" in text and "${WritebackQueueUrl}" in text
    targets = {definition["StartAt"]}
    for state in states.values():
        targets |= {state.get("Next"), state.get("Default")} - {None}
        targets |= {choice["Next"] for choice in state.get("Choices", [])}
        targets |= {catch["Next"] for catch in state.get("Catch", [])}
    assert targets == set(states), "every state is reachable and every target exists"
    waits = [s for s in states.values() if s.get("Resource", "").endswith("waitForTaskToken")]
    assert len(waits) == 2 and all(s["TimeoutSecondsPath"] == "$.request.wait_seconds" for s in waits)


def test_the_signing_secret_is_a_plain_key_or_current_plus_retired() -> None:
    assert signing_keys_from_secret("k" * 64) == (b"k" * 64, ())
    rotated = json.dumps({"current": "n" * 40, "retired": ["o" * 40]})
    assert signing_keys_from_secret(rotated) == (b"n" * 40, (b"o" * 40,))
    with pytest.raises(ConfigurationError):
        signing_keys_from_secret('{"retired": []}')


def test_the_directory_prefers_the_employee_address_and_caches() -> None:
    plex = FakePlex(
        employees_list=[
            Employee(id="E1", employee_no="1", first_name="A", last_name="B", email="e1@plant.example"),
            Employee(id="E2", employee_no="2", first_name="C", last_name="D"),
        ],
        accounts=[
            UserAccount(id="U1", username="u1", employee_id="E1", email="old@plant.example"),
            UserAccount(id="U2", username="u2", employee_id="E2", email="e2@plant.example"),
        ],
    )
    now = [0.0]
    directory = PlexEmployeeDirectory(plex, ttl_s=60, monotonic=lambda: now[0])
    assert (directory.address_of("E1"), directory.address_of("E2"), directory.address_of("E3")) == (
        "e1@plant.example",
        "e2@plant.example",
        None,
    )
    assert plex.reads == 1
    now[0] = 61
    directory.address_of("E1")
    assert plex.reads == 2


def test_the_digest_lists_every_item_and_the_chat_nudge_carries_no_link() -> None:
    expires = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    items = tuple(
        DigestItem(
            finding=make_finding(finding_id=f"f-{n}", note=f"note <{n}>"),
            stage=Stage.ESCALATED if n == 2 else Stage.FIRST,
            link_url=f"https://approvals.example/approvals/tok{n}",
            expires_at=expires,
            message_id=f"m-{n}",
        )
        for n in (1, 2)
    )
    digest = Digest(supervisor_id="E0001", address="sup@plant.example", items=items)
    mail = compose_digest(digest)
    assert mail.subject == "[plexlabor] 2 labor findings await your approval (1 escalated)"
    assert "tok1" in mail.text and "tok2" in mail.text and "note <1>" in mail.text
    assert "note &lt;1&gt;" in mail.html and "<1>" not in mail.html
    chat = compose_chat(digest)
    assert "2 labor findings" in chat and "tok" not in chat and "http" not in chat
