"""The incident pages: the report form, one incident (codes, what the text says), the EHS lead's correction."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.audit import AuditStatus
from plexlabor.incidents.classifier import Classification, ClassifierSettings, Coding, IncidentClassifier
from plexlabor.incidents.extraction import Place
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.service import IncidentDeps, IncidentReport, PlantChoices, decision_of, log_incident
from plexlabor.webapp import incidents as incidents_page
from plexlabor.webapp.app import WebAppSettings
from tests.unit.approval.approval_fakes import World
from tests.unit.incidents.conftest import as_reports, coded_rows
from tests.unit.review.review_world import ZONE, call_web, web_deps
from tests.unit.webapp.test_web_app_incident_choices import unvalidated

EHS = {"cognito:username": "ehs1", "cognito:groups": "ehs"}
REPORTER = {"cognito:username": "E0001", "cognito:groups": "supervisor", "custom:employee_id": "E0001"}
OTHER = {"cognito:username": "E0002", "cognito:groups": "supervisor", "custom:employee_id": "E0002"}
VAGUE = "Something happened to an employee near Press 4 during second shift; he was not wearing gloves."
CODES = {
    "code.event_division": "6",
    "code.event_group": "64",
    "code.nature_division": "1",
    "code.part_division": "4",
    "code.source_division": "3",
}
CONFIRMED = {"confirm.workcenter_code": "PRESS4", "confirm.ppe_not_worn": "gloves"}
"""What the page offers from the text, as a browser posts it back."""


@pytest.fixture(scope="module")
def classifier() -> IncidentClassifier:
    return IncidentClassifier.train(as_reports(coded_rows(100)), ClassifierSettings(calibration_folds=3))


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def incident_id(world: World, classifier: IncidentClassifier) -> str:
    deps = IncidentDeps(world.audit, classifier, [Place("PRESS4", "Press 4")], clock=world.clock)
    logged = log_incident(deps, IncidentReport(narrative=VAGUE, kind="near_miss"), "E0001")
    assert logged.status == "pending_review"
    return logged.incident_id


def test_the_form_posts_to_the_incident_api(world: World, lambda_context: Any) -> None:
    response = call_web(web_deps(world), "GET", "/incidents/new", OTHER, lambda_context)
    assert response["statusCode"] == 200
    body = response["body"]
    assert 'action="/dev/incidents"' in body and 'name="narrative"' in body and 'value="near_miss"' in body
    assert 'href="/dev/incidents/new" aria-current="page"' in body
    assert 'use "Correct this report": the form opens filled in as you sent it' in body  # ux_s16 #10


def test_the_ehs_lead_sees_codes_extraction_and_the_correction_form(
    world: World, incident_id: str, lambda_context: Any
) -> None:
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert "Near miss reported by" in body and "wait for the EHS lead" in body
    assert "Event or exposure" in body and "Where: PRESS4" in body and "gloves (not worn)" in body
    assert 'name="code.event_group"' in body and "Save the codes" in body


def test_the_reporter_sees_their_incident_without_the_form_and_others_do_not(
    world: World, incident_id: str, lambda_context: Any
) -> None:
    own = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", REPORTER, lambda_context)
    assert own["statusCode"] == 200 and "Save the codes" not in own["body"]
    assert call_web(web_deps(world), "GET", f"/incidents/{incident_id}", OTHER, lambda_context)["statusCode"] == 404
    assert call_web(web_deps(world), "GET", "/incidents/inc-nothing", EHS, lambda_context)["statusCode"] == 404


def test_the_ehs_lead_finds_it_in_the_queue_then_corrects_the_codes(
    world: World, incident_id: str, lambda_context: Any
) -> None:
    deps = web_deps(world)
    queue = call_web(deps, "GET", "/queue", EHS, lambda_context)["body"]
    assert incident_id in queue and "Incident coding" in queue
    response = call_web(
        deps,
        "POST",
        f"/incidents/{incident_id}",
        EHS,
        lambda_context,
        form={**CODES, **CONFIRMED, "reason": "conveyor"},
    )
    assert response["statusCode"] == 303
    assert response["multiValueHeaders"]["Location"] == [f"/dev/incidents/{incident_id}?saved=1"]
    decision = decision_of(world.audit, incident_id)
    assert decision is not None and decision.status is AuditStatus.APPROVED and decision.actor == "ehs1"
    assert decision.payload["codes"]["event_group"] == "64" and decision.payload["via"] == "incident_page"
    page = call_web(deps, "GET", f"/incidents/{incident_id}", EHS, lambda_context, query={"saved": "1"})["body"]
    assert "the model learns from them" in page and "Codes confirmed by" in page and "Save the correction" in page
    assert "Note from" in page and "conveyor" in page  # her note is shown (ux119 #9)
    assert incident_id not in call_web(deps, "GET", "/queue", EHS, lambda_context)["body"]
    # the confirmed incident is on its way to plex_writeback, with the codes and what the text says
    [sent] = world.writebacks.sent
    assert isinstance(sent, RecommendationWriteback) and sent.item_id == incident_id
    assert sent.decision.correction is not None and sent.decision.correction["event_group"] == "64"
    assert (
        sent.decision.correction["workcenter_code"] == "PRESS4" and sent.decision.correction["ppe_not_worn"] == "gloves"
    )
    assert "On its way to Plex" in page


def test_the_fields_offered_come_from_the_text_and_an_unsent_incident_can_be_sent_again(
    world: World, incident_id: str, lambda_context: Any
) -> None:
    deps = web_deps(world)
    page = call_web(deps, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert (
        'name="confirm.workcenter_code" value="PRESS4"' in page and 'name="confirm.ppe_not_worn" value="gloves"' in page
    )
    assert 'name="confirm.shift_code" value="2"' in page  # "second shift" in the text
    world.writebacks.failing = True
    form = {**CODES, "confirm.equipment": "conveyor", "confirm.occurred_at": "2026-03-01T09:15"}
    response = call_web(deps, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)
    assert response["multiValueHeaders"]["Location"] == [f"/dev/incidents/{incident_id}?saved=unsent"]
    decision = decision_of(world.audit, incident_id)
    assert decision is not None and decision.payload["confirmed"]["equipment"] == "conveyor"
    unsent = call_web(deps, "GET", f"/incidents/{incident_id}", EHS, lambda_context, query={"saved": "unsent"})["body"]
    assert "could not be sent on its way to Plex" in unsent and "Send to Plex again" in unsent
    world.writebacks.failing = False
    again = call_web(deps, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form={"send": "again"})
    assert again["multiValueHeaders"]["Location"] == [f"/dev/incidents/{incident_id}?saved=sent"]
    [sent] = world.writebacks.sent
    assert isinstance(sent, RecommendationWriteback) and sent.decision.correction is not None
    assert sent.decision.correction["equipment"] == "conveyor" and sent.decision.supervisor_id == "ehs1"
    # a reporter can neither send nor code it
    for form in ({"send": "again"}, CODES):
        refused = call_web(deps, "POST", f"/incidents/{incident_id}", REPORTER, lambda_context, form=form)
        assert refused["statusCode"] == 403


def test_a_rejection_in_the_queue_is_shown_as_such(world: World, incident_id: str, lambda_context: Any) -> None:
    deps = web_deps(world)
    form = {"action": "reject", "reason": "not a fall: caught in the conveyor"}
    assert call_web(deps, "POST", f"/items/{incident_id}", EHS, lambda_context, form=form)["statusCode"] == 303
    page = call_web(deps, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert "The proposed codes were rejected in the review queue by" in page and "caught in the conveyor" in page
    assert "Codes confirmed" not in page
    # the EHS lead can still code it (helper 126's leftover): her codes hold, go to Plex, and the list says so
    assert "You can still code it below" in page and "Save the codes" in page
    response = call_web(deps, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form={**CODES, **CONFIRMED})
    assert response["statusCode"] == 303
    decision = decision_of(world.audit, incident_id)
    assert decision is not None and decision.status is AuditStatus.APPROVED and decision.payload["corrects"]
    [sent] = world.writebacks.sent
    assert isinstance(sent, RecommendationWriteback) and sent.decision_id == decision.event_id
    coded = call_web(deps, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert "Codes confirmed by" in coded and "Earlier decisions" in coded and "rejected in the review queue by" in coded
    listed = call_web(deps, "GET", "/incidents", EHS, lambda_context, query={"status": "confirmed"})["body"]
    assert incident_id in listed


def test_a_bad_code_is_named_and_nothing_recorded(world: World, incident_id: str, lambda_context: Any) -> None:
    form = {**CODES, "code.event_group": "43"}
    response = call_web(web_deps(world), "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)
    assert response["statusCode"] == 400
    assert "Event group: an event group is two digits starting with its division (6)" in response["body"]
    assert 'value="43"' in response["body"]  # what was typed comes back
    assert decision_of(world.audit, incident_id) is None


def test_a_supervisor_may_not_code(world: World, incident_id: str, lambda_context: Any) -> None:
    response = call_web(web_deps(world), "POST", f"/incidents/{incident_id}", REPORTER, lambda_context, form=CODES)
    assert response["statusCode"] == 403 and decision_of(world.audit, incident_id) is None


@pytest.mark.parametrize(
    ("reason", "problem"),
    [("x" * 1001, "longer than 1000 characters"), ("gloves \x00 were on", "cannot be kept")],
)
def test_a_reason_too_long_or_unreadable_is_named_and_nothing_recorded(
    world: World, incident_id: str, lambda_context: Any, reason: str, problem: str
) -> None:
    # Given the EHS lead's correction with a reason the audit cannot keep (before: a 1,001-character
    # reason failed the decision's model, a 502; a NUL was kept)
    form = {**CODES, **CONFIRMED, "reason": reason}
    response = call_web(web_deps(world), "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)
    # Then the page names the reason's problem and nothing is recorded
    assert response["statusCode"] == 400 and problem in response["body"]
    assert decision_of(world.audit, incident_id) is None


def test_when_it_happened_is_shown_as_every_page_shows_a_time(
    world: World, classifier: IncidentClassifier, lambda_context: Any
) -> None:
    # Given a report that says when it happened, in plant time
    deps = IncidentDeps(world.audit, classifier, zone=ZONE, clock=world.clock)
    report = IncidentReport(narrative=VAGUE, occurred_at=datetime(2026, 3, 2, 15, 30))
    logged = log_incident(deps, report, "E0001")
    # When the EHS lead opens it
    body = call_web(web_deps(world), "GET", f"/incidents/{logged.incident_id}", EHS, lambda_context)["body"]
    # Then the time reads as the other pages write one (day, date, plant time), not as ISO text
    assert "happened Mon 2026-03-02 15:30" in body and "2026-03-02T15:30" not in body.split("<h2>")[0]


def test_after_confirmation_the_page_shows_the_confirmed_codes_and_fields(world: World, lambda_context: Any) -> None:
    # Given an incident logged with no coding model in force, whose text names a hand
    deps = IncidentDeps(world.audit, None, [Place("PRESS4", "Press 4")], zone=ZONE, clock=world.clock)
    narrative = "An operator at Press 4 caught his hand in the die; he was not wearing gloves."
    incident_id = log_incident(deps, IncidentReport(narrative=narrative), "E0001").incident_id
    web = web_deps(world)
    # When the EHS lead saves the codes and corrects the body parts and the time
    fields = {"confirm.body_parts": "left index finger", "confirm.occurred_at": "2026-03-02T10:30"}
    form = {**CODES, **CONFIRMED, **fields}
    assert call_web(web, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)["statusCode"] == 303
    body = call_web(web, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    # Then the page shows the codes and the fields as confirmed, not the model's (absent) coding
    assert "Codes confirmed by" in body and "No coding model was in force" not in body
    codes = body.split('id="decided-codes"')[1].split("</table>")[0]
    assert "<td>Event or exposure</td><td>6</td><td>Contact with objects and equipment</td>" in codes
    assert (
        "<td>Event group</td><td>64</td>" in codes
        and "<td>Part of body</td><td>4</td><td>Upper extremities</td>" in codes
    )
    assert "nothing (no coding model)" in codes
    confirmed = body.split('id="as-confirmed"')[1].split("</ul>")[0]
    assert "Body parts: left index finger" in confirmed and "When: Mon 2026-03-02 10:30" in confirmed
    assert "Where: PRESS4" in confirmed and "PPE not worn: gloves" in confirmed
    assert "What the text says" not in body  # the extraction's "hand" is no longer what the page states


def test_a_corrected_code_shows_what_the_model_proposed(world: World, incident_id: str, lambda_context: Any) -> None:
    web = web_deps(world)
    assert call_web(web, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=CODES)["statusCode"] == 303
    page = call_web(web, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    codes = page.split('id="decided-codes"')[1]
    assert "<td>Source</td><td>3</td><td>Machinery</td>" in codes.split("</table>")[0]
    assert " %)</td>" in codes.split("</table>")[0]  # the model's proposal and its confidence beside each code


def test_an_incident_without_codes_is_not_approved_from_the_queue(world: World, lambda_context: Any) -> None:
    # Given an incident recorded with no coding model in force (no codes), waiting in the queue
    deps = IncidentDeps(world.audit, None, clock=world.clock)
    incident_id = log_incident(deps, IncidentReport(narrative=VAGUE), "E0001").incident_id
    web = web_deps(world)
    # When the EHS lead approves it from its item page, and in a bulk approval from the queue
    one = call_web(web, "POST", f"/items/{incident_id}", EHS, lambda_context, form={"action": "approve"})
    bulk = call_web(web, "POST", "/queue", EHS, lambda_context, form={"item": [incident_id], "action": "approve"})
    # Then it is refused with the reason and the way to the incident's page, and nothing is confirmed
    assert one["statusCode"] == 400
    assert "this incident has no codes to confirm (no coding model was in force)" in one["body"]
    assert f'href="/dev/incidents/{incident_id}"' in one["body"]
    bulk_to = bulk["multiValueHeaders"]["Location"][0]  # left undecided, named apart (3feaf4b: not a failure)
    assert f"own_page_ids={incident_id}" in bulk_to and bulk_to.endswith("decided=0&failed=0&own_page=1")
    assert decision_of(world.audit, incident_id) is None
    assert incident_id in call_web(web, "GET", "/queue", EHS, lambda_context)["body"]
    page = call_web(web, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert "Codes confirmed" not in page and "Save the codes" in page


def test_an_incident_nothing_was_proposed_for_is_not_rejected_from_the_queue(world: World, lambda_context: Any) -> None:
    # Given an incident recorded with no coding model in force (nothing proposed), waiting in the queue
    deps = IncidentDeps(world.audit, None, clock=world.clock)
    incident_id = log_incident(deps, IncidentReport(narrative=VAGUE), "E0001").incident_id
    web = web_deps(world)
    # Then its row shows no confidence figure ("0%" read as "certainly wrong": ux_s14 #8)
    queue = str(call_web(web, "GET", "/queue", EHS, lambda_context)["body"])
    [row] = [r.split("</tr>")[0] for r in queue.split("<tr")[1:] if incident_id in r.split("</tr>")[0]]
    assert "nothing proposed" in row and "0%" not in row
    # When the EHS lead rejects it from its item page, and in a bulk rejection from the queue
    reject = {"action": "reject", "reason": "no codes"}
    one = call_web(web, "POST", f"/items/{incident_id}", EHS, lambda_context, form=reject)
    bulk = call_web(web, "POST", "/queue", EHS, lambda_context, form={"item": [incident_id], **reject})
    # Then it is refused with the reason and the way to its page (code it, or set it aside), nothing decided
    assert one["statusCode"] == 400
    assert "nothing was proposed for this incident" in one["body"] and "code it, or set it aside" in one["body"]
    assert f'href="/dev/incidents/{incident_id}"' in one["body"]
    assert bulk["multiValueHeaders"]["Location"][0].endswith("decided=0&failed=0&own_page=1")
    assert decision_of(world.audit, incident_id) is None
    # and it still waits: in the queue, and "needs coding" in the incident list
    assert incident_id in call_web(web, "GET", "/queue", EHS, lambda_context)["body"]
    listed = str(call_web(web, "GET", "/incidents", EHS, lambda_context, query={"status": "waiting"})["body"])
    assert incident_id in listed


def test_without_a_model_the_page_says_one_plain_thing(world: World, lambda_context: Any) -> None:
    # Given an incident recorded with no coding model in force
    deps = IncidentDeps(world.audit, None, clock=world.clock)
    incident_id = log_incident(deps, IncidentReport(narrative=VAGUE), "E0001").incident_id
    # When the EHS lead opens it
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    # Then it says once that no model coded it, and not that a model was unsure of codes it never gave
    assert body.count("No coding model was in force") == 1 and "not sure" not in body
    assert "Save the codes" in body


def test_the_form_takes_no_time_later_than_now_and_offers_the_plants_values(
    world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a plant whose workcenters, departments and shifts the web app read from Plex
    choices = PlantChoices(("CNC4", "PRESS4"), ("MACHINING",), (("1", "Day"),))
    monkeypatch.setattr(incidents_page, "_choices", lambda: choices)
    body = call_web(web_deps(world), "GET", "/incidents/new", OTHER, lambda_context)["body"]
    # Then the time can be no later than now (plant time: the world's clock, 2026-03-02 23:00 in Detroit)
    assert 'name="occurred_at" max="2026-03-02T23:00"' in body
    assert 'list="workcenters"' in body and '<option value="PRESS4">' in body
    assert '<select name="department"><option value="">not said</option><option value="MACHINING">' in body
    assert '<option value="1">Day (1)</option>' in body


def test_the_form_without_plex_takes_typed_values() -> None:
    # Given a web app with no Plex settings: the form's fields are typed (incident_log checks them)
    settings = unvalidated(WebAppSettings, plex_api_key_secret_arn=None, plex_env={})
    assert incidents_page.read_choices(settings) == PlantChoices()


def test_a_refused_correction_keeps_the_note(world: World, incident_id: str, lambda_context: Any) -> None:
    form = {**CODES, "code.event_group": "43", "reason": "caught at the die, not a fall"}
    response = call_web(web_deps(world), "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)
    assert response["statusCode"] == 400 and ">caught at the die, not a fall</textarea>" in response["body"]


def test_the_confirmed_workcenter_and_shift_are_the_plants_own(
    world: World, incident_id: str, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a plant whose workcenters and shifts are known, the EHS lead's form offers them
    choices = PlantChoices(("CNC4", "PRESS4"), (), (("1", "Day"), ("2", "Second")))
    monkeypatch.setattr(incidents_page, "_choices", lambda: choices)
    web = web_deps(world)
    page = call_web(web, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert 'name="confirm.workcenter_code" value="PRESS4" maxlength="200" list="workcenters"' in page
    assert '<option value="2" selected>Second (2)</option>' in page  # "second shift" in the text
    # When they confirm a workcenter the plant does not have, it is named and nothing is recorded
    form = {**CODES, "confirm.workcenter_code": "cnc 4", "reason": "kept"}
    refused = call_web(web, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)
    assert refused["statusCode"] == 400 and "Where (workcenter): not a workcenter of this plant" in refused["body"]
    assert decision_of(world.audit, incident_id) is None
    # and one in another letter case is kept as the plant spells it
    form = {**CODES, "confirm.workcenter_code": "cnc4", "confirm.shift_code": "2"}
    assert call_web(web, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)["statusCode"] == 303
    decision = decision_of(world.audit, incident_id)
    assert decision is not None and decision.payload["confirmed"]["workcenter_code"] == "CNC4"


def test_the_header_names_the_department_chosen_with_the_workcenter(world: World, lambda_context: Any) -> None:
    # Given a report that names its department, workcenter and shift
    deps = IncidentDeps(world.audit, None, clock=world.clock)
    report = IncidentReport(narrative=VAGUE, department="MACH", workcenter_code="CNC-04", shift_code="1")
    incident_id = log_incident(deps, report, "E0001").incident_id
    # Then the incident's page says all three
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert "· department MACH · workcenter CNC-04 · shift 1" in body


def test_a_typed_shift_says_it_is_typed(world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a plant whose shifts could not be read, nor the shifts its people work
    monkeypatch.setattr(incidents_page, "_choices", lambda: PlantChoices(("CNC4",), ("MACH",), ()))
    body = call_web(web_deps(world), "GET", "/incidents/new", OTHER, lambda_context)["body"]
    assert '<input name="shift_code" maxlength="32" value=""> <span class="muted">typed: ' in body


class _SureOfTheEventOnly:
    """A model sure of the event division only (auto-coding looks at it alone)."""

    version = "sure-of-the-event"

    def classify(self, narrative: str) -> Classification:
        codes = {Field.EVENT_DIVISION: ("6", 0.97), Field.EVENT_GROUP: ("64", 0.69), Field.NATURE_DIVISION: ("1", 0.9)}
        codes |= {Field.PART_DIVISION: ("4", 0.95), Field.SOURCE_DIVISION: ("3", 0.63)}
        return Classification(
            {
                of: Coding(of, code, "", confidence, of in (Field.EVENT_DIVISION, Field.PART_DIVISION))
                for of, (code, confidence) in codes.items()
            }
        )


def test_an_auto_coded_incident_says_which_codes_the_model_was_not_sure_of(world: World, lambda_context: Any) -> None:
    # Given an incident auto-coded on a sure event division, with an unsure event group, nature and source
    deps = IncidentDeps(world.audit, _SureOfTheEventOnly(), clock=world.clock)  # type: ignore[arg-type]
    logged = log_incident(deps, IncidentReport(narrative=VAGUE), "E0001")
    assert logged.status == "auto_coded"
    body = call_web(web_deps(world), "GET", f"/incidents/{logged.incident_id}", EHS, lambda_context)["body"]
    # Then the page does not call it all sure: it names what was auto-coded and what waits for the EHS lead
    assert "the model was sure)" not in body
    # (ux_s16 #5: not "Coded automatically" beside "these wait"; part of body not sure: the text names no body part)
    assert "Coded automatically" not in body
    assert (
        "Partly coded: confirm the event group, nature of injury, part of body and source. The model was sure of "
        "Event or exposure; you confirm or correct the others on this page." in body
    )


def test_a_coded_incident_is_confirmed_on_its_page_not_approved_from_the_queue(
    world: World, incident_id: str, lambda_context: Any
) -> None:
    # Given a coded incident waiting in the queue (the model was not sure of its codes)
    web = web_deps(world)
    # When the EHS lead approves it from its item page, and with everything selected in the queue
    one = call_web(web, "POST", f"/items/{incident_id}", EHS, lambda_context, form={"action": "approve"})
    bulk = call_web(web, "POST", "/queue", EHS, lambda_context, form={"item": [incident_id], "action": "approve"})
    # Then it is refused with the way to the incident's page: no codes confirmed that Plex never gets
    assert one["statusCode"] == 400 and "written to Plex from there" in one["body"]
    assert f'href="/dev/incidents/{incident_id}"' in one["body"]
    bulk_to = bulk["multiValueHeaders"]["Location"][0]  # left undecided, named apart (3feaf4b: not a failure)
    assert f"own_page_ids={incident_id}" in bulk_to and bulk_to.endswith("decided=0&failed=0&own_page=1")
    assert decision_of(world.audit, incident_id) is None and world.writebacks.sent == []
    assert incident_id in call_web(web, "GET", "/queue", EHS, lambda_context)["body"]
    # and confirmed on its page it goes to plex_writeback as the page's confirmation
    form = {**CODES, **CONFIRMED}
    assert call_web(web, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)["statusCode"] == 303
    [sent] = world.writebacks.sent
    assert isinstance(sent, RecommendationWriteback) and sent.item_id == incident_id


def test_the_ehs_queue_filters_offer_the_incidents_values_or_are_hidden(world: World, lambda_context: Any) -> None:
    # Given the EHS lead's queue holding incidents only, one of them reported in shipping, none naming a shift
    deps = IncidentDeps(world.audit, None, clock=world.clock)
    log_incident(deps, IncidentReport(narrative=VAGUE, department="SHIP"), "E0001")
    log_incident(deps, IncidentReport(narrative=VAGUE + " Again."), "E0001")
    queue = call_web(web_deps(world), "GET", "/queue", EHS, lambda_context)["body"]
    filters = queue.split('aria-label="Filter the queue"')[1].split("</form>")[0]
    # Then the department filter offers SHIP, and the type (punch findings only) and shift filters are hidden
    assert '<select name="department"><option value="">any</option><option>SHIP</option></select>' in filters
    assert 'name="type"' not in filters and 'name="shift"' not in filters


def test_the_incident_page_says_a_recording_was_not_used(world: World, incident_id: str, lambda_context: Any) -> None:
    """incident_log sends a form whose recording it could not use (no transcription) here with ?recording=unused."""
    query = {"recording": "unused"}
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", REPORTER, lambda_context, query=query)["body"]
    assert "The recording was not used: no transcription is set up here." in body


def test_the_incident_page_says_the_job_was_taken_as_typed(world: World, incident_id: str, lambda_context: Any) -> None:
    """incident_log sends a form whose job it could not check (Plex slow or down) here with ?job=unchecked (review
    140 R1), with ?recording=unused too when both hold."""
    query = {"recording": "unused", "job": "unchecked"}
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", REPORTER, lambda_context, query=query)["body"]
    assert "The recording was not used" in body
    assert "recorded with the job as you typed it: Plex could not be asked just now whether it has that job." in body


def test_the_ehs_lead_corrects_saved_codes_later_and_the_trail_is_kept(
    world: World, incident_id: str, lambda_context: Any
) -> None:
    """ux119 #9: a second save was refused ('once each', 403, to the EHS lead herself), her note shown nowhere,
    the note's limit 500 in the page against 1,000 on the server."""
    deps = web_deps(world)
    first = {**CODES, **CONFIRMED, "reason": "Die change, pinch point; guard was open."}
    assert call_web(deps, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=first)["statusCode"] == 303
    page = call_web(deps, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert "Note from" in page and "Die change, pinch point; guard was open." in page
    assert 'maxlength="1000"' in page and "Correct the codes" in page
    second = {**CODES, **CONFIRMED, "code.source_division": "5", "reason": "x" * 700}
    response = call_web(deps, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=second)
    assert response["multiValueHeaders"]["Location"] == [f"/dev/incidents/{incident_id}?saved=corrected"]
    decision = decision_of(world.audit, incident_id)
    assert decision is not None and decision.payload["codes"]["source_division"] == "5"
    first_sent, correction = world.writebacks.sent
    assert isinstance(correction, RecommendationWriteback) and correction.decision_id == decision.event_id
    assert isinstance(first_sent, RecommendationWriteback) and first_sent.decision_id is None
    assert correction.decision.correction is not None and correction.decision.correction["source_division"] == "5"
    page = call_web(deps, "GET", f"/incidents/{incident_id}", EHS, lambda_context, query={"saved": "corrected"})["body"]
    assert "your correction replaces the earlier codes" in page and "Codes corrected by" in page
    trail = page.split('id="earlier-decisions"')[1].split("</ul>")[0]
    assert "codes confirmed by" in trail and "Source 3" in trail and "guard was open" in trail
    assert "On its way to Plex" in page  # the correction's write, not the first one's


def test_a_near_miss_shows_nature_and_part_of_body_as_not_applicable(
    world: World, incident_id: str, lambda_context: Any
) -> None:
    """ux119 #18: the page offered and showed a nature of injury and a part of body for a near miss."""
    deps = web_deps(world)
    page = call_web(deps, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert page.count("not applicable (near miss)") == 4  # the model's table and the form, two fields each
    assert 'name="code.nature_division"' not in page and 'name="code.part_division"' not in page
    form = {k: v for k, v in CODES.items() if k not in ("code.nature_division", "code.part_division")}
    assert call_web(deps, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)["statusCode"] == 303
    decision = decision_of(world.audit, incident_id)
    assert decision is not None and set(decision.payload["codes"]) == {
        "event_division",
        "event_group",
        "source_division",
    }
    saved = call_web(deps, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert saved.split('id="decided-codes"')[1].split("</table>")[0].count("not applicable (near miss)") == 2


def test_a_correction_from_a_page_someone_else_saved_since_is_refused(
    world: World, incident_id: str, lambda_context: Any
) -> None:
    """The form names the decision its page showed: a save over a colleague's newer one is a 409, not a silent win."""
    deps = web_deps(world)
    page = call_web(deps, "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert '<input type="hidden" name="replaces" value="">' in page
    assert call_web(deps, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=CODES)["statusCode"] == 303
    stale = {**CODES, "code.source_division": "5", "replaces": ""}
    refused = call_web(deps, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=stale)
    assert refused["statusCode"] == 409 and "open it again" in refused["body"]
    saved = decision_of(world.audit, incident_id)
    assert saved is not None and saved.payload["codes"]["source_division"] == "3"
    fresh = {**stale, "replaces": saved.event_id}
    assert call_web(deps, "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=fresh)["statusCode"] == 303


def test_a_report_with_no_codes_offers_choose_first_and_a_division_left_unchosen_is_named(
    world: World, lambda_context: Any
) -> None:
    # ux_s13 #5: every division preselected its division 1 ("1 Violence and other injuries by persons or animals",
    # "1 Head", ...), so an EHS lead filling only the groups saved wrong divisions for a bar on a foot
    deps = IncidentDeps(world.audit, None, clock=world.clock)
    incident_id = log_incident(deps, IncidentReport(narrative=VAGUE), "E0001").incident_id
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    selects = re.findall(r'<select name="code\.(\w+)"[^>]*>(.*?)</select>', body, flags=re.S)
    assert {name for name, _ in selects} == {
        "event_division",
        "event_group",
        "nature_division",
        "part_division",
        "source_division",
    }
    for name, options in selects:
        assert options.startswith('<option value="" selected>choose</option>'), name
        assert " selected>1 " not in options
    assert all(" required>" in tag for tag in re.findall(r'<select name="code\.\w+"[^>]*>', body))
    # and a form posted without a division (no browser check) names it; nothing recorded
    form = CODES | {"code.part_division": ""}
    refused = call_web(web_deps(world), "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)
    assert refused["statusCode"] == 400 and "Part of body: choose one" in refused["body"]
    assert decision_of(world.audit, incident_id) is None


def _group_options(body: str) -> list[tuple[str, list[str]]]:
    """The event group select's (optgroup label, its options' texts), in order."""
    select = body.split('<select name="code.event_group"')[1].split("</select>")[0]
    return [
        (label, re.findall(r"<option[^>]*>([^<]*)</option>", options))
        for label, options in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, flags=re.S)
    ]


def test_the_event_group_is_chosen_from_a_list_with_the_divisions_groups_first(
    world: World, incident_id: str, lambda_context: Any
) -> None:
    # ux_s15 #10: the group was a bare two-digit box, typed from memory on a phone. Given a report coded 6 / 64
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    groups = _group_options(body)
    # Then the groups are listed with their titles, under their divisions, the chosen division's first
    assert [label for label, _ in groups][:2] == [
        "6 Contact with objects and equipment",
        "1 Violence and other injuries by persons or animals",
    ]
    assert "64 Caught in or compressed by equipment or objects" in groups[0][1]
    assert all(option.startswith(label[0]) for label, options in groups for option in options)
    assert '<option value="64" selected>64 Caught in or compressed by equipment or objects</option>' in body
    assert 'id="event-group-help"' in body and 'name="code.event_group" inputmode' not in body
    # and a group of another division is still refused with the reason, the choices kept
    form = {**CODES, "code.event_group": "43"}
    refused = call_web(web_deps(world), "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)
    assert refused["statusCode"] == 400
    assert "an event group is two digits starting with its division (6)" in refused["body"]
    assert '<option value="43" selected>43 Falls to lower level</option>' in refused["body"]


def test_a_group_oiics_does_not_list_is_still_offered_as_coded(world: World, lambda_context: Any) -> None:
    # Given a report decided with group 48, two digits of its division that OIICS 2.01 has no title for
    deps = IncidentDeps(world.audit, None, clock=world.clock)
    incident_id = log_incident(deps, IncidentReport(narrative=VAGUE), "E0001").incident_id
    form = {**CODES, "code.event_division": "4", "code.event_group": "48", "confirm.occurred_at_unknown": "yes"}
    call_web(web_deps(world), "POST", f"/incidents/{incident_id}", EHS, lambda_context, form=form)
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert '<option value="48" selected>48</option>' in body
    assert _group_options(body)[0][0] == "4 Falls, slips, trips"


def test_proposed_codes_are_chosen_without_a_choose_option(world: World, incident_id: str, lambda_context: Any) -> None:
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS, lambda_context)["body"]
    assert '<select name="code.event_division" required>' in body and ">choose</option>" not in body


def test_the_reporter_is_told_the_report_was_sent_and_the_time_they_gave_is_not_called_unsaid(
    world: World, lambda_context: Any
) -> None:
    # ux_s13 #7: after "Send the report" the page said nothing of it being sent, and "When: not said" stood under the
    # time the operator had entered ("happened Fri 2026-12-04 10:15")
    deps = IncidentDeps(world.audit, None, zone=ZONE, clock=world.clock)
    report = IncidentReport(narrative=VAGUE, occurred_at=datetime(2026, 3, 1, 10, 15))
    incident_id = log_incident(deps, report, "E0001").incident_id
    query = {"reported": "1"}
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", REPORTER, lambda_context, query=query)["body"]
    assert '<p class="flash ok" role="status">Sent: your report is recorded. The EHS lead reads it' in body
    assert "When: no time in the text (the report gives Sun 2026-03-01 10:15)" in body and "not said" not in body
    again = {"reported": "again"}
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", REPORTER, lambda_context, query=again)["body"]
    assert "You sent this report already: it was recorded once, and this is it." in body


def test_the_workcenter_the_reporter_gave_is_not_called_unnamed(world: World, lambda_context: Any) -> None:
    # ux2_s13 #1: "Where: no workcenter named" stood under the workcenter the form gave, as "When" did under its time
    deps = IncidentDeps(world.audit, None, zone=ZONE, clock=world.clock)
    report = IncidentReport(narrative=VAGUE, workcenter_code="CNC-02")
    incident_id = log_incident(deps, report, "E0001").incident_id
    body = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", REPORTER, lambda_context)["body"]
    assert "Where: no workcenter in the text (the report gives CNC-02)" in body and "no workcenter named" not in body


def test_equipment_said_not_used_is_shown_as_not_used(world: World, lambda_context: Any) -> None:
    # ux_s16 #5: "lifting a 30 kg fixture … without the hoist" read "Equipment: hoist", as if it had been used
    deps = IncidentDeps(world.audit, _SureOfTheEventOnly(), clock=world.clock)  # type: ignore[arg-type]
    text = "Was lifting a 30 kg fixture onto the bench without the hoist and felt a pull in my lower back."
    logged = log_incident(deps, IncidentReport(narrative=text), "E0001")
    body = call_web(web_deps(world), "GET", f"/incidents/{logged.incident_id}", EHS, lambda_context)["body"]
    assert "<li>Equipment: none named; not used: hoist</li>" in body


def test_the_queue_items_evidence_says_of_equipment_and_gear_what_the_incident_page_says(
    world: World, classifier: IncidentClassifier, lambda_context: Any
) -> None:
    # The EHS queue's evidence read "Equipment: die, forklift" and left out the hoist the text says was not used
    deps = IncidentDeps(world.audit, classifier, clock=world.clock)
    text = "Moved the die with the forklift, without the hoist, not wearing gloves; pinched my left hand."
    logged = log_incident(deps, IncidentReport(narrative=text), "E0001")
    assert logged.status == "pending_review"
    page = call_web(web_deps(world), "GET", f"/incidents/{logged.incident_id}", EHS, lambda_context)["body"]
    item = call_web(web_deps(world), "GET", f"/items/{logged.incident_id}", EHS, lambda_context)["body"]
    evidence = item.split("<h2>Evidence</h2>")[1].split("<h2>")[0]
    assert "<li>Equipment: die, forklift; not used: hoist</li>" in page and "gloves (not worn)" in page
    assert '<th scope="row">Equipment</th><td>die, forklift; not used: hoist</td>' in evidence
    assert '<th scope="row">Protective gear not worn</th><td>gloves</td>' in evidence


def test_an_injury_whose_text_says_nobody_was_hurt_says_why_it_waits(world: World, lambda_context: Any) -> None:
    # ux_s16 #5 (d): not "the model was not sure" when the kind and the text disagree
    deps = IncidentDeps(world.audit, _SureOfTheEventOnly(), clock=world.clock)  # type: ignore[arg-type]
    text = "Hydraulic hose burst on Press 4 and sprayed oil across the walkway, nobody hurt."
    logged = log_incident(deps, IncidentReport(narrative=text), "E0001")
    body = call_web(web_deps(world), "GET", f"/incidents/{logged.incident_id}", REPORTER, lambda_context)["body"]
    assert "Sent as an injury, but the text says nobody was hurt: the EHS lead checks whether it is a near miss" in body
    assert "The model was not sure of these codes" not in body
    item = call_web(web_deps(world), "GET", f"/items/{logged.incident_id}", EHS, lambda_context)["body"]
    evidence = item.split("<h2>Evidence</h2>")[1].split("<h2>")[0]
    assert "Text says unhurt" not in evidence  # the payload key in words, not raw
    assert "text says nobody was hurt: a near miss?" in evidence
