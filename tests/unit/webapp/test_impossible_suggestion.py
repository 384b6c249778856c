"""A suggested correction the record cannot hold (made before e58ef886: a missed punch on a clock that ran off got a
clock-out equal to its own clock-in) is not approved unchanged from the item page or a bulk approval: the supervisor
is asked to type the value (`approval.fits.check_suggestion`); an ordinary suggestion is approved as it stands."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.audit import AuditStatus
from tests.unit.approval.approval_fakes import World, make_finding, make_request, notice
from tests.unit.review.review_world import (
    call_web,
    finding_event,
    notified_finding,
    open_finding,
    punch_record,
    web_deps,
)
from tests.unit.webapp.viewers import SUPERVISOR

ORDINARY = "f-000000000000000000000001"
IMPOSSIBLE = "f-000000000000000000000003"
CLOCK_IN = "2026-03-02T05:52:00.0000000Z"  # make_finding's evidence: 00:52 EST


@pytest.fixture
def world() -> World:
    world = World()
    finding_event(world, ORDINARY, confidence=0.93, severity="high")
    notified_finding(world, ORDINARY)
    impossible = make_finding(
        finding_id=IMPOSSIBLE, record_key=punch_record(IMPOSSIBLE), suggested_correction={"clockoutTime": CLOCK_IN}
    )
    open_finding(world, impossible)
    world.notified(notice(make_request(impossible), token="task-impossible"))
    return world


def _post(world: World, path: str, form: dict[str, Any], lambda_context: Any) -> dict[str, Any]:
    return call_web(web_deps(world), "POST", path, SUPERVISOR, lambda_context, form=form)


def test_an_impossible_suggestion_approved_unchanged_is_refused_asking_for_the_value(
    world: World, lambda_context: Any
) -> None:
    response = _post(world, f"/items/{IMPOSSIBLE}", {"action": "approve", "reason": ""}, lambda_context)

    assert response["statusCode"] == 400
    body = response["body"]
    assert "Clock-out: the clock-out Mon 2026-03-02 00:52 EST must come after the clock-in" in body
    assert "type the value the record should hold" in body
    assert 'aria-invalid="true"' in body  # the clock-out field is marked
    assert world.tasks.succeeded == []


def test_the_value_typed_instead_is_approved(world: World, lambda_context: Any) -> None:
    form = {"action": "approve", "reason": "", "correction.clockoutTime": "2026-03-02T09:07"}
    assert _post(world, f"/items/{IMPOSSIBLE}", form, lambda_context)["statusCode"] == 303
    [(token, output)] = world.tasks.succeeded
    assert token == "task-impossible"
    assert output["decision"]["correction"] == {"clockoutTime": "2026-03-02T14:07:00.0000000Z"}


def test_an_impossible_suggestion_can_be_rejected(world: World, lambda_context: Any) -> None:
    form = {"action": "reject", "reason": "the clock ran fast"}
    assert _post(world, f"/items/{IMPOSSIBLE}", form, lambda_context)["statusCode"] == 303
    assert [output["decision"]["action"] for _, output in world.tasks.succeeded] == ["reject"]


def test_a_bulk_approval_approves_the_ordinary_suggestion_and_refuses_the_impossible_one(
    world: World, lambda_context: Any
) -> None:
    response = _post(world, "/queue", {"item": [ORDINARY, IMPOSSIBLE], "action": "approve"}, lambda_context)

    assert response["statusCode"] == 303
    assert "decided=1&failed=1" in response["multiValueHeaders"]["Location"][0]
    assert [e.status for e in world.audit.for_finding(ORDINARY)][-1] is AuditStatus.APPROVED
    assert [output["decision"]["correction"] for _, output in world.tasks.succeeded] == [None]
    assert AuditStatus.APPROVED not in [e.status for e in world.audit.for_finding(IMPOSSIBLE)]
