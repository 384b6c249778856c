"""A decision posted from the queue's item page for an incident report that was withdrawn by its reporter, or set
aside by the EHS lead, is a 409 saying who closed it, when, why and on what ground, with a link to the report (it was a
bare 404, as if the item did not exist); and the queue's Reject tells the EHS lead what a rejection of an incident
coding does not do (the report still counts, uncoded) and where "not an incident" or "a duplicate" is said instead."""

from __future__ import annotations

import re
from typing import Any

import pytest

from plexlabor.audit import AuditEventType
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.test_web_app_incident_list import CUT, NEAR, _log
from tests.unit.webapp.viewers import EHS, OPERATOR

WHY = "Sent twice by mistake"
AT = r" at \w{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2}: "
"""When, as the pages show a time (plant time with its date), and the reason after it."""


@pytest.fixture
def world() -> World:
    return World()


def _post(world: World, path: str, claims: dict[str, Any], ctx: Any, **form: str) -> dict[str, Any]:
    return call_web(web_deps(world), "POST", path, claims, ctx, form=form)


def _decisions(world: World, incident_id: str) -> list[Any]:
    return [e for e in world.audit.for_finding(incident_id) if e.event_type is AuditEventType.DECISION]


@pytest.mark.parametrize("action", ["reject", "approve"])
def test_a_decision_on_a_report_its_reporter_withdrew_is_a_409_saying_so(
    world: World, lambda_context: Any, action: str
) -> None:
    # Given an injury in the EHS queue, its item page open, then withdrawn by its reporter
    mistake = _log(world, CUT, sure=False, by="E0107", workcenter_code="PRESS4")
    withdrawn = _post(world, f"/incidents/{mistake}", OPERATOR, lambda_context, withdraw="1", reason=WHY)
    assert withdrawn["statusCode"] == 303
    # When the EHS lead decides it from the page opened before
    refused = _post(world, f"/items/{mistake}", EHS, lambda_context, action=action, reason="wrong codes")
    # Then it is a 409 naming who withdrew it, when and why, with a link to the report; nothing is recorded
    assert refused["statusCode"] == 409, refused["body"]
    body = str(refused["body"])
    assert re.search(f"<p>This suggestion was no longer needed: Withdrawn by its reporter{AT}{WHY}.</p>", body)
    assert f'<a href="/dev/incidents/{mistake}">Open the report</a>' in body
    assert _decisions(world, mistake) == []


@pytest.mark.parametrize(
    ("ground", "said"),
    [("not_incident", "Not an incident, said the EHS lead"), ("duplicate", "A duplicate of {kept}, said the EHS lead")],
)
def test_a_decision_on_a_report_the_ehs_lead_set_aside_is_a_409_naming_the_ground(
    world: World, lambda_context: Any, ground: str, said: str
) -> None:
    # Given a near miss reported twice, the second set aside by the EHS lead while it waits in the queue
    kept = _log(world, CUT, sure=False, by="E0001")
    twice = _log(world, NEAR, sure=False, kind="near_miss", by="E0107")
    form = {"withdraw": "1", "ground": ground, "reason": "the same pallet, reported twice"}
    form |= {"duplicate_of": kept} if ground == "duplicate" else {}
    assert _post(world, f"/incidents/{twice}", EHS, lambda_context, **form)["statusCode"] == 303
    # When a rejection is posted from its item page opened before
    refused = _post(world, f"/items/{twice}", EHS, lambda_context, action="reject", reason="duplicate")
    # Then it is a 409 saying it was set aside, on what ground, when and why, with a link to the report
    assert refused["statusCode"] == 409, refused["body"]
    body = str(refused["body"])
    lead = said.format(kept=kept)
    assert re.search(f"<p>This suggestion was no longer needed: {lead}{AT}the same pallet, reported twice.</p>", body)
    assert f'<a href="/dev/incidents/{twice}">Open the report</a>' in body
    assert _decisions(world, twice) == []


def test_an_item_nobody_may_see_is_still_a_404(world: World, lambda_context: Any) -> None:
    mistake = _log(world, CUT, sure=False, by="E0107")
    withdrawn = _post(world, f"/incidents/{mistake}", OPERATOR, lambda_context, withdraw="1", reason=WHY)
    assert withdrawn["statusCode"] == 303
    # its reporter may not decide the item (the EHS lead's alone): never told it was withdrawn, nor why
    refused = _post(world, f"/items/{mistake}", OPERATOR, lambda_context, action="reject", reason="no")
    assert refused["statusCode"] == 404 and WHY not in str(refused["body"])


def test_the_queues_reject_says_a_rejected_report_still_counts_and_where_it_is_set_aside(
    world: World, lambda_context: Any
) -> None:
    _log(world, NEAR, sure=False, kind="near_miss", by="E0107")
    queue = str(call_web(web_deps(world), "GET", "/queue", EHS, lambda_context)["body"])
    note = queue.split('class="reject-incident"')[1].split("</p>")[0]
    assert "still counts in the incident trends, uncoded, until it is coded on its page" in note
    assert "Not an incident" in note and "a duplicate" in note and "the incident's page" in note
    assert "Reject selected" in queue.split('class="reject-incident"')[1]  # said before the button
