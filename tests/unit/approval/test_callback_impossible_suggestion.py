"""The mailed link approves through the same check as the review queue (`CallbackService.approvable`): a suggested
clock-out at the entry's own clock-in (queued before e58ef886) is not approved unchanged; the link survives for a
rejection, and an ordinary suggestion is approved as before."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from approval_fakes import World, api_event, make_finding, make_request, notice

from functions.approval_callback.handler import handler
from plexlabor.approval.errors import DecisionFormError
from plexlabor.audit import AuditEventType
from tests.support import FakeLambdaContext

CLOCK_IN = "2026-03-02T05:52:00.0000000Z"  # make_finding's evidence


def _impossible(world: World) -> str:
    [token] = world.notified(notice(make_request(make_finding(suggested_correction={"clockoutTime": CLOCK_IN}))))
    return token


def _post(world: World, token: str, **form: str) -> dict[str, Any]:
    return handler(api_event("POST", token, urlencode(form), None), FakeLambdaContext(), dependencies=world.callback)


def test_approving_an_impossible_suggestion_by_link_is_refused_and_the_link_survives(world: World) -> None:
    token = _impossible(world)

    response = _post(world, token, action="approve")

    assert response["statusCode"] == 400
    assert "Clock-out: the clock-out" in response["body"] and "in the review queue" in response["body"]
    assert world.tasks.succeeded == []
    assert _post(world, token, action="reject", reason="the clock ran fast")["statusCode"] == 200


def test_the_queue_refuses_it_unchanged_and_takes_a_fitting_edit(world: World) -> None:
    _impossible(world)
    finding_id = make_finding().finding_id
    with pytest.raises(DecisionFormError, match=r"^Clock-out: the clock-out .* must come after the clock-in"):
        world.callback.decide_in_queue(finding_id, "approve", None, "E0001")
    typed = {"clockoutTime": "2026-03-02T14:07:00.0000000Z"}
    decision, _ = world.callback.decide_in_queue(finding_id, "approve", None, "E0001", typed)
    assert decision.correction == typed


def test_an_ordinary_suggestion_and_advice_are_approved_unchanged_by_link(world: World) -> None:
    advice = make_finding(
        finding_id="f-000000000000000000000009",
        anomaly_type="BUDDY_PUNCH",
        suggested_correction={"action": "verify identity with the employee and the badge log"},
    )
    tokens = world.notified(notice(), notice(make_request(advice), token="task-advice"))
    assert [_post(world, token, action="approve")["statusCode"] for token in tokens] == [200, 200]
    for finding_id in (make_finding().finding_id, advice.finding_id):
        assert [e.event_type for e in world.audit.for_finding(finding_id)][-1] is AuditEventType.DECISION
