"""A report sent by mistake is withdrawn on its page by its reporter (or the EHS lead) with a reason, until someone
decides it or it goes to Plex: it leaves the EHS queue and the list of what waits, and its page and row say who
withdrew it (in role words), when and why. The review queue links the incident list of everything waiting, which
reaches further back than the queue's 30 days."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.audit import AuditEventType
from plexlabor.incidents.withdrawal import WITHDRAWN
from plexlabor.review.queue import ReviewQueue
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ZONE, call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import CONFIRM, CUT, NEAR, _get, _log, _rows
from tests.unit.webapp.viewers import ADMIN, EHS, OPERATOR, SUPERVISOR

WHY = "Sent twice by mistake: the first report is the right one."


@pytest.fixture
def world() -> World:
    return World()


def _post(world: World, incident_id: str, claims: dict[str, Any], ctx: Any, **form: str) -> dict[str, Any]:
    return call_web(web_deps(world), "POST", f"/incidents/{incident_id}", claims, ctx, form=form)


def _page(world: World, incident_id: str, claims: dict[str, Any], ctx: Any) -> str:
    response = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", claims, ctx)
    assert response["statusCode"] == 200
    return str(response["body"])


def _closings(world: World, incident_id: str) -> list[Any]:
    return [e for e in world.audit.for_finding(incident_id) if e.event_type is AuditEventType.EXPIRED]


def _open_ids(world: World) -> set[str]:
    return {item.item_id for item in ReviewQueue(world.audit, clock=world.clock).open_items()}


def test_the_reporter_withdraws_a_report_sent_by_mistake_which_leaves_the_queue_and_says_so(
    world: World, lambda_context: Any
) -> None:
    # Given an operator's injury the model was not sure of, waiting in the EHS queue
    mistake = _log(world, CUT, sure=False, by="E0107", workcenter_code="PRESS4")
    assert mistake in _open_ids(world)
    assert 'id="withdraw"' in _page(world, mistake, OPERATOR, lambda_context)
    # When its reporter withdraws it with a reason
    done = _post(world, mistake, OPERATOR, lambda_context, withdraw="1", reason=WHY)
    # Then it is recorded as the incident's closing, naming the role and the reason, and it leaves the queue
    assert done["statusCode"] == 303 and done["multiValueHeaders"]["Location"] == [
        f"/dev/incidents/{mistake}?saved=withdrawn"
    ]
    [closing] = _closings(world, mistake)
    assert closing.actor == "E0107" and closing.payload[WITHDRAWN] == {"by": "reporter", "reason": WHY}
    assert mistake not in _open_ids(world)
    # and the page says who withdrew it, when and why, with no withdraw or code form left
    page = _page(world, mistake, EHS, lambda_context)
    assert "Withdrawn by its reporter at " in page and f"{WHY}. It is not coded" in page
    assert 'id="withdraw"' not in page and "Save the codes" not in page and "wait for the EHS lead" not in page
    # and the list says so too, under the withdrawn filter and not among what waits
    [row] = _rows(str(_get(world, EHS, lambda_context)["body"]))
    assert 'data-standing="retracted"' in row and "Withdrawn by its reporter at " in row and WHY in row
    assert _rows(str(_get(world, EHS, lambda_context, status="withdrawn")["body"])) == [row]
    assert "No incident reported" in str(_get(world, EHS, lambda_context, status="waiting")["body"])
    # and codes posted from a page opened before are refused (409), nothing recorded
    refused = _post(world, mistake, EHS, lambda_context, **CONFIRM)
    assert refused["statusCode"] == 409 and "withdrawn by its reporter" in refused["body"]
    assert not [e for e in world.audit.for_finding(mistake) if e.event_type is AuditEventType.DECISION]
    again = _post(world, mistake, OPERATOR, lambda_context, withdraw="1", reason="again")
    assert again["statusCode"] == 409 and len(_closings(world, mistake)) == 1


def test_the_ehs_lead_sets_a_report_aside_and_is_not_offered_the_reporters_withdrawal(
    world: World, lambda_context: Any
) -> None:
    # ux_s13 #6: the EHS lead saw (and could use) the reporter's "Withdraw this report: Sent by mistake?" panel beside
    # "Set it aside": two ways to drop a report, one worded for someone else
    duplicate = _log(world, NEAR, sure=True, by="E0001", kind="near_miss")
    assert "1 awaiting confirmation" in str(_get(world, EHS, lambda_context)["body"])
    page = _page(world, duplicate, EHS, lambda_context)
    assert 'id="withdraw"' not in page and 'id="set-aside"' in page
    refused = _post(world, duplicate, EHS, lambda_context, withdraw="1", reason="A duplicate of the shipping report")
    assert refused["statusCode"] == 403 and "set it aside" in refused["body"]
    assert _closings(world, duplicate) == []
    # while an admin (as the docs say) and the reporter are offered it
    assert 'id="withdraw"' in _page(world, duplicate, ADMIN, lambda_context)
    # and the EHS lead sets it aside instead: it then awaits nothing
    done = _post(
        world, duplicate, EHS, lambda_context, withdraw="1", ground="not_incident", reason="the shipping report's drill"
    )
    assert done["statusCode"] == 303
    body = str(_get(world, EHS, lambda_context)["body"])
    assert "awaiting confirmation" not in body.split("</h1>")[0]
    assert "Not an incident, said the EHS lead at " in body


def test_near_miss_a_confirmed_report_cannot_be_withdrawn_409_with_the_reason(
    world: World, lambda_context: Any
) -> None:
    confirmed = _log(world, CUT, sure=False, by="E0107")
    assert _post(world, confirmed, EHS, lambda_context, **CONFIRM)["statusCode"] == 303
    assert 'id="withdraw"' not in _page(world, confirmed, OPERATOR, lambda_context)
    refused = _post(world, confirmed, OPERATOR, lambda_context, withdraw="1", reason=WHY)
    assert refused["statusCode"] == 409
    assert "Not withdrawn: The EHS lead decided it already: ask them to correct it on this page." in refused["body"]
    assert _closings(world, confirmed) == []


def test_near_miss_a_withdrawal_without_a_reason_is_a_400_naming_it_and_records_nothing(
    world: World, lambda_context: Any
) -> None:
    mistake = _log(world, CUT, sure=False, by="E0107")
    refused = _post(world, mistake, OPERATOR, lambda_context, withdraw="1", reason="   ")
    assert refused["statusCode"] == 400 and "Why: say why the report is withdrawn" in refused["body"]
    unreadable = _post(world, mistake, OPERATOR, lambda_context, withdraw="1", reason="oops\u202e")
    assert unreadable["statusCode"] == 400 and "Why: it holds the invisible character U+202E" in unreadable["body"]
    assert _closings(world, mistake) == [] and mistake in _open_ids(world)


def test_near_miss_someone_elses_report_is_not_theirs_to_withdraw(world: World, lambda_context: Any) -> None:
    theirs = _log(world, CUT, sure=False, by="E0107")
    assert _post(world, theirs, SUPERVISOR, lambda_context, withdraw="1", reason=WHY)["statusCode"] == 404
    assert _closings(world, theirs) == []


def test_the_queue_links_every_waiting_incident_further_back_than_its_30_days(
    world: World, lambda_context: Any
) -> None:
    # Given an incident waiting 200 days (out of the queue's 30 and the list's default 90) and a confirmed one
    old = _log(world, CUT, sure=False, by="E0107")
    done = _log(world, NEAR, sure=False, by="E0107", kind="near_miss")
    assert _post(world, done, EHS, lambda_context, **{**CONFIRM, "code.nature_division": ""})["statusCode"] == 303
    world.clock.advance(days=200)
    assert old not in _open_ids(world)
    # Then the EHS lead's queue links the waiting list, which holds it and not the confirmed one
    queue = str(call_web(web_deps(world), "GET", "/queue", EHS, lambda_context)["body"])
    assert 'id="incident-waitlist"' in queue and '/dev/incidents?status=waiting"' in queue
    rows = _rows(str(_get(world, EHS, lambda_context, status="waiting")["body"]))
    assert len(rows) == 1 and f"/incidents/{old}" in rows[0]
    # and the other filters keep their 90 days by default (near miss: status=coding alone does not reach it)
    assert "No incident reported" in str(_get(world, EHS, lambda_context, status="coding")["body"])
    supervisor_queue = str(call_web(web_deps(world), "GET", "/queue", SUPERVISOR, lambda_context)["body"])
    assert 'id="incident-waitlist"' not in supervisor_queue


def test_the_waiting_list_reaches_back_366_days_and_a_chosen_period_further(world: World, lambda_context: Any) -> None:
    day = world.clock().astimezone(ZONE).date().isoformat()
    old = _log(world, CUT, sure=False, by="E0107")
    world.clock.advance(days=367)
    assert f"/incidents/{old}" not in str(_get(world, EHS, lambda_context, status="waiting")["body"])
    chosen = _get(world, EHS, lambda_context, status="waiting", **{"from": day, "to": day})
    assert f"/incidents/{old}" in str(chosen["body"])
