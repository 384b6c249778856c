"""incident_log's handler: POST /incidents as JSON and as the web app's form, and its OpenAPI document."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.incident_log.handler import handler
from plexlabor.audit import AuditStatus
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.incidents.classifier import IncidentClassifier
from plexlabor.incidents.service import IncidentDeps, PlantChoices, opening
from plexlabor.platform.kept import Kept
from plexlabor.platform.pilot import PilotScope
from plexlabor.plex.jobs import PlexJobs
from tests.support import FakeLambdaContext, load_event

NARRATIVE = "An employee fell 12 feet from a ladder while loading parts and fractured his leg."


@pytest.fixture
def deps(trained: IncidentClassifier) -> IncidentDeps:
    return IncidentDeps(InMemoryAuditStore(), trained, clock=lambda: datetime(2026, 12, 4, 15, tzinfo=UTC))


def _post(deps: IncidentDeps, body: str, content_type: str = "application/json", **headers: str) -> dict[str, Any]:
    event = load_event("incident_log")
    event["headers"] = {**event["headers"], "Content-Type": content_type, **headers}
    event["multiValueHeaders"] = {key: [value] for key, value in event["headers"].items()}
    event["body"] = body
    return handler(event, FakeLambdaContext(), dependencies=deps)


def test_the_canonical_event_is_logged(deps: IncidentDeps) -> None:
    response = handler(load_event("incident_log"), FakeLambdaContext(), dependencies=deps)
    assert response["statusCode"] in (200, 201)
    body = json.loads(response["body"])
    assert body["extraction"]["ppe"] == [{"value": "gloves", "text": "gloves", "start": 113, "end": 119, "worn": False}]
    event = opening(deps.audit, body["incident_id"])
    assert event is not None and event.actor == "E0001"  # the signed-in person reports, from the claims


def test_json_report_then_the_same_again(deps: IncidentDeps) -> None:
    first = _post(deps, json.dumps({"narrative": NARRATIVE, "kind": "injury"}))
    assert first["statusCode"] == 201
    logged = json.loads(first["body"])
    assert logged["status"] == "auto_coded"
    assert {c["field"]: c["code"] for c in logged["codes"]}["event_division"] == "4"
    again = _post(deps, json.dumps({"narrative": NARRATIVE, "kind": "injury"}))
    assert again["statusCode"] == 200 and json.loads(again["body"])["duplicate"] is True
    # the same text sent again in that minute as a near miss is the reporter's correction: it replaces the first
    corrected = _post(deps, json.dumps({"narrative": NARRATIVE, "kind": "near_miss"}))
    assert corrected["statusCode"] == 201 and json.loads(corrected["body"])["replaces"] == [logged["incident_id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"narrative": "short"}', "narrative"),
        ('{"narrative": 5}', "narrative"),
        ("[1, 2]", "(body)"),
        ("{not json", "(body)"),
        (json.dumps({"narrative": NARRATIVE, "occurred_at": "0001-01-01T00:00:00+14:00"}), "occurred_at"),
        (json.dumps({"narrative": NARRATIVE, "occurred_at": "9999-12-31T23:59:59Z"}), "occurred_at"),
        (json.dumps({"narrative": NARRATIVE, "occurred_at": "2026-12-05T10:00:00Z"}), "occurred_at"),  # after now
        (json.dumps({"narrative": NARRATIVE, "occurred_at": "2026-12-04T15:30:00"}), "occurred_at"),  # plant time
    ],
)
def test_bad_json_names_the_field_and_records_nothing(deps: IncidentDeps, body: str, field: str) -> None:
    response = _post(deps, body)
    assert response["statusCode"] == 400
    problem = json.loads(response["body"])
    assert problem["message"] == "invalid incident report" and problem["errors"][0]["field"] == field
    assert not [e for e in deps.audit.by_status(AuditStatus.LOGGED)] and not deps.audit.by_status(
        AuditStatus.PENDING_APPROVAL
    )


def test_a_report_a_few_minutes_ahead_of_the_clock_is_taken(deps: IncidentDeps) -> None:
    response = _post(deps, json.dumps({"narrative": NARRATIVE, "occurred_at": "2026-12-04T15:04:00Z"}))
    assert response["statusCode"] == 201


def test_the_form_redirects_to_the_incidents_page(deps: IncidentDeps) -> None:
    form = urlencode({"narrative": NARRATIVE, "kind": "near_miss", "workcenter_code": "", "shift_code": "1"})
    response = _post(deps, form, "application/x-www-form-urlencoded", **{"Sec-Fetch-Site": "same-origin"})
    assert response["statusCode"] == 303
    path, query = response["multiValueHeaders"]["Location"][0].split("?")
    assert path.startswith("/dev/incidents/inc-") and query == "reported=1"  # the page says it was sent (ux_s13 #7)
    event = opening(deps.audit, path.rsplit("/", 1)[1])
    assert event is not None and event.payload["incident"]["kind"] == "near_miss"
    assert event.payload["workcenter_code"] is None  # an empty field is not a code


def test_a_bad_form_is_a_page_naming_the_field_and_a_cross_site_form_is_refused(deps: IncidentDeps) -> None:
    bad = _post(deps, urlencode({"narrative": "tiny"}), "application/x-www-form-urlencoded")
    assert bad["statusCode"] == 400 and "What happened: write at least 10 characters" in bad["body"]
    forged = _post(
        deps,
        urlencode({"narrative": NARRATIVE}),
        "application/x-www-form-urlencoded",
        **{"Sec-Fetch-Site": "cross-site"},
    )
    assert forged["statusCode"] == 403
    assert not deps.audit.by_status(AuditStatus.LOGGED) and not deps.audit.by_status(AuditStatus.PENDING_APPROVAL)


SIBLING_PAGE = {"Sec-Fetch-Site": "same-site", "Origin": "https://other.plant.example"}
"""A script on a sibling host: the SameSite=Lax session cookie goes with its POST (review 123, 4)."""


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", ""])
def test_json_from_another_sites_page_is_refused_whatever_its_content_type(
    deps: IncidentDeps, content_type: str
) -> None:
    response = _post(deps, json.dumps({"narrative": NARRATIVE, "kind": "injury"}), content_type, **SIBLING_PAGE)
    assert response["statusCode"] == 403
    assert "another site" in json.loads(response["body"])["message"]
    assert not deps.audit.by_status(AuditStatus.LOGGED) and not deps.audit.by_status(AuditStatus.PENDING_APPROVAL)


def test_json_from_the_apps_own_page_is_recorded(deps: IncidentDeps) -> None:
    report = json.dumps({"narrative": NARRATIVE, "kind": "injury"})
    assert _post(deps, report, **{"Origin": "https://abc123.execute-api.us-east-1.amazonaws.com"})["statusCode"] == 201


def test_no_signed_in_person_is_401(deps: IncidentDeps) -> None:
    event = load_event("incident_log")
    event["requestContext"]["authorizer"] = {}
    assert handler(event, FakeLambdaContext(), dependencies=deps)["statusCode"] == 401


def test_openapi_document(deps: IncidentDeps) -> None:
    event = load_event("incident_log")
    event.update(httpMethod="GET", path="/incidents/openapi.json", body=None)
    response = handler(event, FakeLambdaContext(), dependencies=deps)
    document = json.loads(response["body"])
    operation = document["paths"]["/incidents"]["post"]
    assert set(operation["responses"]) == {
        "201",
        "200",
        "303",
        "400",
        "401",
        "403",
        "409",
    }  # 403: a form from another site; 409: a resend second to a closing
    assert set(operation["responses"]["400"]["content"]) == {"application/json", "text/html"}  # a form's page
    assert "narrative" in document["components"]["schemas"]["IncidentReport"]["properties"]
    assert "reporter" not in document["components"]["schemas"]["IncidentReport"]["properties"]


FORM = "application/x-www-form-urlencoded"
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def test_a_refused_form_is_the_apps_form_again_with_the_problem_in_plain_words_and_what_was_typed(
    deps: IncidentDeps,
) -> None:
    # Given a form whose time is later than now (the clock: 2026-12-04 15:00 UTC)
    typed = {"narrative": NARRATIVE, "kind": "near_miss", "occurred_at": "2026-12-04T18:00", "job_no": "J42"}
    # When it is sent
    response = _post(deps, urlencode(typed), FORM, **SAME_SITE)
    # Then it is the form again inside the web app's layout and menu, naming the field as the form labels it
    body = response["body"]
    assert response["statusCode"] == 400 and "When: the time is in the future" in body
    assert "<nav" in body and 'href="/dev/incidents/new" aria-current="page"' in body and "Sign out" in body
    assert f">{NARRATIVE}</textarea>" in body and 'value="2026-12-04T18:00"' in body and 'value="J42"' in body
    assert 'value="near_miss" checked' in body and 'max="2026-12-04T15:00"' in body
    assert "history.back" not in body and response["multiValueHeaders"]["Cache-Control"] == ["no-store"]
    assert not deps.audit.by_status(AuditStatus.LOGGED) and not deps.audit.by_status(AuditStatus.PENDING_APPROVAL)


def test_a_refused_form_shows_the_rollout_scope_as_every_web_app_page(deps: IncidentDeps) -> None:
    """The one use incident_log makes of the rollout scope: its refused form is the web app's page, banner included."""
    deps.scope = PilotScope(departments=("MOLD",), advisory=True)
    typed = {"narrative": NARRATIVE, "occurred_at": "2026-12-04T18:00"}  # later than now: refused
    body = _post(deps, urlencode(typed), FORM, **SAME_SITE)["body"]
    assert "Rollout: Pilot: departments MOLD · advisory" in body and "always for review: crew removal, incident" in body


def test_workcenter_department_and_shift_are_the_plants_own(deps: IncidentDeps) -> None:
    # Given a plant whose workcenters, departments and shifts are known
    known = PlantChoices(("CNC4", "PRESS4"), ("MACHINING",), (("1", "Day"), ("2", "Second")))
    deps.plant_choices = lambda: known
    # When a form names a workcenter, a department and a shift the plant does not have
    typed = {"narrative": NARRATIVE, "workcenter_code": "cnc 4", "department": "Machine shop", "shift_code": "day"}
    refused = _post(deps, urlencode(typed), FORM, **SAME_SITE)
    # Then each is named and nothing is recorded; the form offers the plant's values
    body = refused["body"]
    assert refused["statusCode"] == 400 and "Workcenter: not a workcenter of this plant" in body
    assert "Department: not a department of this plant" in body and "Shift: not a shift of this plant" in body
    assert (
        '<datalist id="workcenters"><option value="CNC4">' in body and '<option value="2">Second (2)</option>' in body
    )
    assert not deps.audit.by_status(AuditStatus.LOGGED) and not deps.audit.by_status(AuditStatus.PENDING_APPROVAL)
    # and the JSON API refuses them too, naming the fields
    answer = _post(deps, json.dumps({"narrative": NARRATIVE, "workcenter_code": "cnc 4"}))
    assert answer["statusCode"] == 400 and json.loads(answer["body"])["errors"][0]["field"] == "workcenter_code"
    # while the plant's values in another letter case are taken, spelled as the plant spells them
    taken = _post(deps, json.dumps({"narrative": NARRATIVE, "workcenter_code": "cnc4", "department": "machining"}))
    event = opening(deps.audit, json.loads(taken["body"])["incident_id"])
    assert (
        event is not None and event.payload["workcenter_code"] == "CNC4" and event.payload["department"] == "MACHINING"
    )


def test_a_job_plex_does_not_have_is_refused_as_the_copilot_refuses_it(deps: IncidentDeps) -> None:
    """ux136 #4: the form took J999999 (and sent it to Plex on confirmation) where the copilot says "no job"."""
    # Given Plex's jobs, read by the copilot's kept reader (`plex.jobs`)
    plex = {"jobs": {"j101058": "J101058"}}
    deps.jobs = PlexJobs(Kept(lambda: plex["jobs"], "Plex jobs"))
    # When a form names a job Plex does not have
    typed = {"narrative": NARRATIVE, "kind": "near_miss", "job_no": "J999999"}
    refused = _post(deps, urlencode(typed), FORM, **SAME_SITE)
    # Then it is a 400 naming the field as the form labels it, what was typed kept, nothing recorded
    body = refused["body"]
    assert refused["statusCode"] == 400 and "Job: no job J999999 in Plex: check the job number" in body
    assert f">{NARRATIVE}</textarea>" in body and 'value="J999999"' in body and 'value="near_miss" checked' in body
    assert not deps.audit.by_status(AuditStatus.LOGGED) and not deps.audit.by_status(AuditStatus.PENDING_APPROVAL)
    # while a job Plex has, typed in another case, is taken as Plex spells it
    taken = _post(deps, json.dumps({"narrative": NARRATIVE, "job_no": "j101058"}))
    event = opening(deps.audit, json.loads(taken["body"])["incident_id"])
    assert event is not None and event.payload["incident"]["job_no"] == "J101058"


def test_while_plex_jobs_cannot_be_read_the_job_is_taken_as_typed(deps: IncidentDeps) -> None:
    def down() -> dict[str, str]:
        raise ConnectionError("Plex down")

    deps.jobs = PlexJobs(Kept(down, "Plex jobs"))
    taken = _post(deps, json.dumps({"narrative": NARRATIVE, "job_no": "J999999"}))
    event = opening(deps.audit, json.loads(taken["body"])["incident_id"])
    assert taken["statusCode"] == 201 and event is not None and event.payload["incident"]["job_no"] == "J999999"
