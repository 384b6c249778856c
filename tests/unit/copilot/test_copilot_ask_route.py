"""copilot_ask's handler: POST /copilot/ask as JSON and as the web app's form, who may ask, bad questions,
the refusal, every interaction logged (audit and the job's Plex record), and its OpenAPI document."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from functions.copilot_ask.handler import handler
from plexlabor.audit.events import AuditEventType, AuditStatus
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.copilot.api import openapi_document
from plexlabor.copilot.bedrock import BedrockComposer
from plexlabor.copilot.interactions import InteractionLog
from plexlabor.copilot.parameters import OperationProcess, ProcessData, RunRecord
from plexlabor.copilot.retrieval import ProcedureIndex, RetrievalSettings
from plexlabor.copilot.store import save_index
from plexlabor.copilot.wiring import Copilot
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.plex.errors import PlexServerError
from plexlabor.plex.settings import PlexSettings
from plexlabor.plex.writeback import PlexWriter
from tests.support import FakeLambdaContext, load_event
from tests.unit.copilot.copilot_world import procedures

AT = datetime(2026, 12, 4, 15, tzinfo=UTC)
FORM = "application/x-www-form-urlencoded"


class FakeTransport:
    """Plex's custom-object endpoint: keeps each POST and answers 201 (or raises `fail_with`)."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.posts: list[tuple[str, dict[str, Any], str | None]] = []
        self.fail_with = fail_with

    def post(self, path: str, body: dict[str, Any], *, idempotency_key: str | None = None) -> requests.Response:
        if self.fail_with is not None:
            raise self.fail_with
        self.posts.append((path, body, idempotency_key))
        response = requests.Response()
        response.status_code, response._content = 201, json.dumps({"id": f"obj-{len(self.posts)}"}).encode()
        return response


def _copilot(mode: str = "dry_run", transport: FakeTransport | None = None) -> Copilot:
    store = InMemoryArtifactStore()
    index = ProcedureIndex(procedures(), RetrievalSettings(dense_weight=0.0))
    save_index(index, store, date(2026, 12, 4), AT)
    writer = PlexWriter(PlexSettings(api_key="k", write_mode=mode), transport=transport)  # type: ignore[arg-type]
    return Copilot(store, lexical_only=True, log=InteractionLog(InMemoryAuditStore(), writer, lambda: AT))


@pytest.fixture
def copilot() -> Copilot:
    return _copilot()


def _post(
    copilot: Copilot, body: str, content_type: str = "application/json", groups: str = "operator", **headers: str
) -> dict[str, Any]:
    event = load_event("copilot_ask")
    event["headers"] = {**event["headers"], "Content-Type": content_type, **headers}
    event["multiValueHeaders"] = {key: [value] for key, value in event["headers"].items()}
    event["requestContext"]["authorizer"]["claims"]["cognito:groups"] = groups
    event["body"] = body
    return handler(event, FakeLambdaContext(), dependencies=copilot)


def _logged(copilot: Copilot) -> list[Any]:
    assert copilot.log is not None
    audit = copilot.log.audit
    assert isinstance(audit, InMemoryAuditStore)
    return [e for e in audit.history("jobs:J-4512") + audit.history("copilot-operators:E0107")]


def test_the_canonical_event_answers_with_cited_steps_and_logs_it_to_the_job(copilot: Copilot) -> None:
    response = handler(load_event("copilot_ask"), FakeLambdaContext(), dependencies=copilot)

    assert response["statusCode"] == 200
    answer = json.loads(response["body"])
    assert answer["kind"] == "steps" and answer["procedure_id"] == "1"
    assert [s["label"] for s in answer["steps"]] == ["[1#1]", "[1#2]", "[1#3]"]
    [event] = _logged(copilot)
    assert event.event_type is AuditEventType.INTERACTION and event.status is AuditStatus.ANSWERED
    assert event.record_key == "jobs:J-4512" and event.actor == "E0107"  # the signed-in person, from the claims
    assert event.event_id == answer["interaction_id"] == event.finding_id
    assert event.payload["cited"] == ["1#1", "1#2", "1#3"]
    assert event.payload["question"] == "How do I change the spindle belt on the mill?"
    assert (event.payload["operation"], event.payload["lot_id"]) == ("20", "LOT-7731")
    assert {k: answer["plex"][k] for k in event.payload["plex"]} == event.payload["plex"]
    assert answer["plex"]["mode"] == "dry_run"
    assert answer["plex"]["sent"] is False  # dry run by default: nothing sent
    assert copilot.log is not None and copilot.log.writer is not None
    [recorded] = copilot.log.writer.recorded
    assert recorded.path.endswith("/plexlabor_copilot_interactions") and recorded.payload["jobId"] == "J-4512"
    assert recorded.payload["citedJson"] == '["1#1","1#2","1#3"]'


def test_nothing_relevant_is_a_plain_refusal_and_is_logged_too(copilot: Copilot) -> None:
    response = _post(copilot, json.dumps({"question": "Who won the football game last night?", "job_id": "J-4512"}))

    answer = json.loads(response["body"])
    assert response["statusCode"] == 200 and answer["kind"] == "refused"
    assert answer["steps"] == [] and answer["procedure_id"] is None
    assert "No procedure I have covers this" in answer["text"]
    [event] = _logged(copilot)
    assert event.payload["cited"] == [] and event.payload["answer"]["kind"] == "refused"


def test_a_question_without_a_job_is_logged_to_the_operator_and_not_sent_to_plex(copilot: Copilot) -> None:
    answer = json.loads(_post(copilot, json.dumps({"question": "How do I clean the coolant tank?"}))["body"])

    [event] = _logged(copilot)
    assert event.record_key == "copilot-operators:E0107"
    assert answer["plex"] == {**answer["plex"], "sent": False, "reason": "no job"}


def test_custom_object_mode_sends_the_interaction_to_the_jobs_record_in_plex() -> None:
    transport = FakeTransport()
    copilot = _copilot("custom_object", transport)

    answer = json.loads(
        _post(copilot, json.dumps({"question": "How do I clean the coolant tank?", "job_id": "J-4512"}))["body"]
    )

    [(path, body, key)] = transport.posts
    assert path.endswith("/plexlabor_copilot_interactions") and key == answer["interaction_id"]
    assert body["recordType"] == "copilot_interaction" and body["jobId"] == "J-4512" and body["operatorId"] == "E0107"
    assert answer["plex"]["sent"] is True and answer["plex"]["status"] == 201


def test_plex_down_keeps_the_answer_and_logs_the_failed_write() -> None:
    copilot = _copilot("custom_object", FakeTransport(fail_with=PlexServerError("down", status=503)))

    response = _post(copilot, json.dumps({"question": "How do I clean the coolant tank?", "job_id": "J-4512"}))

    answer = json.loads(response["body"])
    assert response["statusCode"] == 200 and answer["kind"] == "steps"
    assert answer["plex"] == {**answer["plex"], "sent": False, "error": "PlexServerError"}
    [event] = _logged(copilot)
    assert event.payload["plex"]["error"] == "PlexServerError"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"question": ""}', "question"),
        ('{"question": "' + "x" * 501 + '"}', "question"),
        ('{"job_id": "J-1"}', "question"),
        ('{"question": "How do I clean the tank?", "job_id": "J 45 12"}', "job_id"),
        ('{"question": "How do I clean the tank?", "operator_id": "E9"}', "operator_id"),
        ("[1, 2]", "(body)"),
        ("{not json", "(body)"),
        ("[" * 5000 + "]" * 5000, "(body)"),  # nested past Python's recursion limit (before: RecursionError, 502)
        ('{"a": ' * 3000 + "1" + "}" * 3000, "(body)"),
    ],
)
def test_a_bad_question_is_a_400_naming_the_field_and_logs_nothing(copilot: Copilot, body: str, field: str) -> None:
    response = _post(copilot, body)

    assert response["statusCode"] == 400
    problem = json.loads(response["body"])
    assert problem["message"] == "invalid question" and problem["errors"][0]["field"] == field
    assert problem["errors"][0]["problem"]
    assert _logged(copilot) == []


@pytest.mark.parametrize("groups", ["operator", "supervisor", "admin", "planner,operator"])
def test_operators_supervisors_and_admins_may_ask(copilot: Copilot, groups: str) -> None:
    assert (
        _post(copilot, json.dumps({"question": "How do I clean the coolant tank?"}), groups=groups)["statusCode"] == 200
    )


@pytest.mark.parametrize("groups", ["planner", "hr", "ehs", ""])
def test_other_roles_are_refused_403_and_nothing_is_logged(copilot: Copilot, groups: str) -> None:
    response = _post(copilot, json.dumps({"question": "How do I clean the coolant tank?"}), groups=groups)

    assert response["statusCode"] == 403 and "operators" in json.loads(response["body"])["message"]
    assert _logged(copilot) == []


def test_nobody_signed_in_is_a_401(copilot: Copilot) -> None:
    event = load_event("copilot_ask")
    event["requestContext"]["authorizer"] = {}

    assert handler(event, FakeLambdaContext(), dependencies=copilot)["statusCode"] == 401


def test_the_form_redirects_to_the_copilot_page_with_the_interaction(copilot: Copilot) -> None:
    form = urlencode({"question": "How do I clean the coolant tank?", "job_id": "J-4512", "operation": ""})
    response = _post(copilot, form, FORM, **{"Sec-Fetch-Site": "same-origin"})

    assert response["statusCode"] == 303
    location = response["multiValueHeaders"]["Location"][0]
    [event] = _logged(copilot)
    assert location == f"/dev/copilot?interaction={event.event_id}"
    assert event.payload["operation"] is None  # an empty field is not an operation


def test_a_form_from_another_site_is_refused_and_logs_nothing(copilot: Copilot) -> None:
    form = urlencode({"question": "How do I clean the coolant tank?"})
    response = _post(copilot, form, FORM, **{"Sec-Fetch-Site": "cross-site"})

    assert response["statusCode"] == 403 and "another site" in response["body"]
    assert _logged(copilot) == []


SIBLING_PAGE = {"Sec-Fetch-Site": "same-site", "Origin": "https://other.plant.example"}
"""A script on a sibling host: the SameSite=Lax session cookie goes with its POST (review 123, 4)."""


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "text/plain;charset=UTF-8"])
def test_json_from_another_sites_page_is_refused_whatever_its_content_type(copilot: Copilot, content_type: str) -> None:
    response = _post(copilot, load_event("copilot_ask")["body"], content_type, **SIBLING_PAGE)

    assert response["statusCode"] == 403
    assert "another site" in json.loads(response["body"])["message"]
    assert _logged(copilot) == []


def test_json_from_the_apps_own_page_or_an_api_client_is_answered(copilot: Copilot) -> None:
    body = load_event("copilot_ask")["body"]
    assert _post(copilot, body, **{"Sec-Fetch-Site": "same-origin"})["statusCode"] == 200
    assert _post(copilot, body)["statusCode"] == 200  # a Bearer client sends no Origin or Sec-Fetch-Site


def test_a_bad_form_is_an_escaped_html_page_naming_the_field(copilot: Copilot) -> None:
    form = urlencode({"question": "ok", "job_id": "<script>"})
    response = _post(copilot, form, FORM, **{"Sec-Fetch-Site": "same-origin"})

    assert response["statusCode"] == 400 and "<script>" not in response["body"]
    assert "Your question is too short" in response["body"] and "Job:" in response["body"]  # the page's words


def test_a_name_with_a_space_is_refused_in_plain_words_naming_the_field(copilot: Copilot) -> None:
    # Given a job typed with a space (before: "job_id: String should match pattern '^[A-Za-z0-9]...'")
    asked = {"question": "How do I clean the coolant tank?", "job_id": "J101 073", "lot_id": "LOT 1"}
    # When it comes as JSON, Then each field is named by its key with the rule in words
    problems = json.loads(_post(copilot, json.dumps(asked))["body"])["errors"]
    rule = "letters, digits and . _ : / + = - only (starting with a letter or digit), no spaces"
    assert problems == [{"field": "job_id", "problem": rule}, {"field": "lot_id", "problem": rule}]
    # and as the page's form, by the words the page labels it with
    page = _post(copilot, urlencode(asked), FORM, **{"Sec-Fetch-Site": "same-origin"})["body"]
    assert f"<li>Job: {rule}</li>" in page and f"<li>Material lot: {rule}</li>" in page
    assert "pattern" not in page and "<li>job_id" not in page  # (the link back carries the key)
    assert _logged(copilot) == []


def test_the_openapi_document_describes_the_route() -> None:
    event = load_event("copilot_ask")
    event.update(path="/copilot/openapi.json", resource="/copilot/openapi.json", httpMethod="GET", body=None)

    response = handler(event, FakeLambdaContext(), dependencies=_copilot())

    document = json.loads(response["body"])
    assert document == openapi_document()
    operation = document["paths"]["/copilot/ask"]["post"]
    assert set(operation["responses"]) == {"200", "303", "400", "401", "403", "503"}
    assert {"question", "job_id", "operation", "part", "lot_id"} == set(
        document["components"]["schemas"]["AskRequest"]["properties"]
    )
    assert "interaction_id" in document["components"]["schemas"]["CopilotAnswer"]["properties"]


def _with_process() -> Copilot:
    store = InMemoryArtifactStore()
    runs = [
        RunRecord(run_id=f"R{i}", lot_properties={"mfi": 10.0 + i}, settings={"temp": 220.0 + i}, scrap_rate=0.01)
        for i in range(6)
    ]
    process = ProcessData(
        operations={"20": OperationProcess(limits={"temp": (200.0, 240.0)}, runs=runs)},
        lots={"LOT-7731": {"mfi": 10.2}},
    )
    index = ProcedureIndex(procedures(), RetrievalSettings(dense_weight=0.0))
    save_index(index, store, date(2026, 12, 4), AT, process=process)
    return Copilot(store, lexical_only=True, log=InteractionLog(InMemoryAuditStore(), None, lambda: AT))


def test_a_question_at_an_operation_with_a_lot_gets_settings_from_the_nearest_good_runs() -> None:
    copilot = _with_process()

    answer = json.loads(handler(load_event("copilot_ask"), FakeLambdaContext(), dependencies=copilot)["body"])

    parameters = answer["parameters"]
    assert (parameters["operation"], parameters["lot_id"], parameters["reason"]) == ("20", "LOT-7731", None)
    assert [run["run_id"] for run in parameters["runs"]] == ["R0", "R1", "R2", "R3", "R4"]
    assert 220.0 <= parameters["settings"]["temp"] <= 222.0 and parameters["limits"] == {"temp": [200.0, 240.0]}
    [event] = _logged(copilot)
    assert event.payload["answer"]["parameters"] == parameters  # logged with the answer


def test_a_settings_question_no_procedure_covers_refuses_procedures_only_and_says_so() -> None:
    # Given an operation with past runs and a measured lot, and a question no procedure covers
    copilot = _with_process()
    asked = {"question": "What machine settings should I use for this lot?", "operation": "20"}
    # When settings can be suggested for the lot
    answer = json.loads(_post(copilot, json.dumps({**asked, "lot_id": "LOT-7731"}))["body"])
    # Then the refusal is about procedures only, says where the settings come from, and does not refuse them
    assert answer["kind"] == "refused" and answer["parameters"]["settings"] and answer["parameters"]["reason"] is None
    assert answer["text"].startswith("No procedure I have covers this question, so there are no steps to follow.")
    assert "past runs" in answer["text"] and "will not guess" not in answer["text"]
    # and without settings for the lot the plain refusal stands
    unknown = json.loads(_post(copilot, json.dumps({**asked, "lot_id": "LOT-1"}))["body"])
    assert unknown["kind"] == "refused" and "I will not guess." in unknown["text"]


def test_an_unknown_lot_says_so_and_no_lot_asks_for_no_settings() -> None:
    copilot = _with_process()
    body = {"question": "How do I clean the coolant tank?", "operation": "20"}

    unknown = json.loads(_post(copilot, json.dumps({**body, "lot_id": "LOT-1"}))["body"])["parameters"]
    assert unknown["reason"] == "no measured properties for lot LOT-1" and unknown["settings"] == {}
    assert json.loads(_post(copilot, json.dumps(body))["body"])["parameters"] is None


def test_the_logs_hold_ids_and_never_the_question_or_the_answers_text(caplog: pytest.LogCaptureFixture) -> None:
    marker = "Zq7-COPILOT-marker Dana Smith"
    transport = FakeTransport()
    copilot = _copilot("custom_object", transport)
    body = {"question": f"How do I clean the coolant tank? {marker}", "job_id": "J-4512"}

    with caplog.at_level(logging.DEBUG):
        answer = json.loads(_post(copilot, json.dumps(body))["body"])

    lines = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert answer["interaction_id"] in lines  # the interaction is logged by its id
    assert marker not in lines and answer["text"] not in lines  # neither the question nor the answer's text
    assert marker in transport.posts[0][1]["question"]  # while the job's Plex record keeps the question


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_question_before_the_index_is_built_is_a_503_not_a_crash(content_type: str) -> None:
    # Given a copilot whose index copilot_index has not stored yet (before: ArtifactError, 502; found by fuzzing)
    empty = Copilot(InMemoryArtifactStore(), lexical_only=True, log=None)
    body = json.dumps({"question": "how do I change the saw blade"})
    if content_type != "application/json":
        body = urlencode({"question": "how do I change the saw blade"})
    response = _post(empty, body, content_type, **{"Sec-Fetch-Site": "same-origin"})

    # Then the asker is told to ask later, as JSON or as the form's page
    assert response["statusCode"] == 503 and "not been indexed" in response["body"]


def test_a_refused_form_is_the_web_apps_page_with_its_headers_and_a_link_back_keeping_what_was_typed(
    copilot: Copilot,
) -> None:
    # Given the operator's question with a job typed with a space (ux113 N5: a bare page, no menu,
    # `javascript:history.back()`, no CSP or X-Frame-Options)
    asked = {"question": "How do I clean the coolant tank?", "job_id": "J101 073", "lot_id": "L7"}
    response = _post(copilot, urlencode(asked), FORM, **{"Sec-Fetch-Site": "same-origin"})
    body, headers = response["body"], response["multiValueHeaders"]

    assert response["statusCode"] == 400
    # Then it is sent with the web app's headers, inside its layout (the menu), with a real link back
    assert headers["Content-Security-Policy"][0].startswith("default-src 'none'")
    assert headers["X-Frame-Options"] == ["DENY"] and headers["Referrer-Policy"] == ["same-origin"]
    assert '<nav aria-label="Main">' in body and 'href="/dev/copilot"' in body  # the menu's Copilot link
    assert "history.back" not in body
    back = "/dev/copilot?" + urlencode({"job_id": "J101 073", "lot_id": "L7", "question": asked["question"]})
    assert f'href="{back.replace("&", "&amp;")}"' in body


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ({"question": "x" * 501}, "Your question is too long: at most 500 characters"),
        ({"job_id": "J-1"}, "Type a question"),
        ({"question": "ab"}, "Your question is too short: at least 3 characters"),
        ({"question": "How do I clean the tank?", "job_id": "J" * 65}, "Job is too long: at most 64 characters"),
    ],
)
def test_a_refused_question_says_what_is_wrong_in_plain_words(
    copilot: Copilot, asked: dict[str, str], said: str
) -> None:
    # (before: "Your question: String should have at most 500 characters", "Your question: Field required")
    page = _post(copilot, urlencode(asked), FORM, **{"Sec-Fetch-Site": "same-origin"})["body"]
    assert f"<li>{said}</li>" in page
    assert "should" not in page and "Field required" not in page
    problems = json.loads(_post(copilot, json.dumps(asked))["body"])["errors"]
    assert [p["problem"] for p in problems] == [said]
    assert _logged(copilot) == []


def test_a_field_a_question_does_not_have_is_named_in_words(copilot: Copilot) -> None:
    asked = {"question": "How do I clean the tank?", "operator_id": "E9", "shift": "2"}
    problems = json.loads(_post(copilot, json.dumps(asked))["body"])["errors"]
    assert problems == [
        {"field": "operator_id", "problem": "operator_id is not taken: the operator is the one signed in"},
        {"field": "shift", "problem": "shift is not a field of a question (question, job_id, operation, part, lot_id)"},
    ]


class SlowBedrock:
    """A Converse client that answers after `seconds` (the invocation's clock moves on by them) with the steps as
    given; keeps each call."""

    def __init__(self, context: FakeLambdaContext, seconds: float) -> None:
        self.context, self.seconds, self.calls = context, seconds, 0

    def converse(self, **request: Any) -> dict[str, Any]:
        self.calls += 1
        self.context._deadline -= self.seconds
        text = "1. Lock out. [1#1]\n2. Guard off. [1#2]\n3. Swap the belt. [1#3]"
        return {"output": {"message": {"role": "assistant", "content": [{"text": text}]}}}


@pytest.mark.parametrize(("left_s", "worded"), [(29.0, True), (20.0, False)])
def test_the_wording_is_asked_only_with_time_for_it_and_the_record_and_the_answer_is_logged_either_way(
    left_s: float, worded: bool
) -> None:
    """copilot_ask has 29 s: a cold start's index read first, then one Bedrock call of at most 14 s
    (`platform.aws`), then the interaction's record. With less left than that, the extractive answer stands and is
    logged, instead of API Gateway's 5xx after the timeout (review_s15 #4)."""
    context = FakeLambdaContext(timeout_s=left_s)
    bedrock = SlowBedrock(context, seconds=3)
    copilot = _copilot()
    copilot.composer = BedrockComposer(bedrock, "model-x")

    response = handler(load_event("copilot_ask"), context, dependencies=copilot)

    answer = json.loads(response["body"])
    assert response["statusCode"] == 200 and answer["kind"] == "steps"
    assert (bedrock.calls, answer["worded_by"]) == ((1, "model-x") if worded else (0, None))
    [event] = _logged(copilot)
    assert event.event_id == answer["interaction_id"]
