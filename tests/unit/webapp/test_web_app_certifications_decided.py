"""A certification alert HR decided shows its decision on the certification timeline (ux164 #10): the row says
who approved or rejected it, when and why, as the skill coverage page's candidate rows do
(`webapp.trainingstates`); while it waits, whose review queue it is in, with "Decide" for whom it is theirs to
decide, and no "Decide" once decided (it would record nothing)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest

from plexlabor.approval.display import Reader
from plexlabor.audit import AuditStatus
from plexlabor.skills.publish import publish_report
from plexlabor.webapp.trainingstates import certification_states
from tests.unit.approval.approval_fakes import World
from tests.unit.skills.skills_report_world import small_artifact
from tests.unit.webapp.test_web_app_dashboards import _call, skills_deps_world
from tests.unit.webapp.viewers import HR


@pytest.fixture
def deps_world() -> tuple[Any, World]:
    deps, world = skills_deps_world()
    publish_report(small_artifact().report, world.audit, deps.review.clock())
    return deps, world


def _row(body: str, certification_id: str) -> str:
    """The table row of one certification, as text."""
    found = re.search(rf'<tr id="cert-{certification_id}">(.*?)</tr>', body, re.S)
    assert found is not None, f"no row for {certification_id}"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))))


def _expiring(world: World) -> tuple[str, str]:
    """The expiring certification's alert waiting in the queue: (certification id, item id)."""
    [opening] = [
        e
        for e in world.audit.by_status(AuditStatus.PENDING_APPROVAL)
        if e.payload.get("kind") == "certification_expiring"
    ]
    assert opening.finding_id is not None
    return opening.record_key.removeprefix("certifications:"), opening.finding_id


def test_a_waiting_alert_names_whose_queue_it_is_in_and_offers_decide(
    deps_world: tuple[Any, World], lambda_context: Any
) -> None:
    deps, world = deps_world
    certification_id, item_id = _expiring(world)

    body = _call(deps, "GET", "/certifications", HR, lambda_context)["body"]

    assert "Waiting in the review queue of" in _row(body, certification_id) and "HR." in _row(body, certification_id)
    assert f'href="/dev/items/{item_id}"' in body


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"action": "approve", "reason": "renewal booked for 12-20"}, "Approved by"),
        ({"action": "reject", "reason": "moving to another line"}, "Rejected by"),
    ],
)
def test_a_decided_alert_shows_who_decided_when_and_why_and_no_decide(
    deps_world: tuple[Any, World], lambda_context: Any, form: dict[str, str], words: str
) -> None:
    deps, world = deps_world
    certification_id, item_id = _expiring(world)
    # Given HR decided the alert in the review queue, with a reason
    assert _call(deps, "POST", f"/items/{item_id}", HR, lambda_context, form=form)["statusCode"] == 303
    status = AuditStatus.APPROVED if form["action"] == "approve" else AuditStatus.REJECTED
    [decision] = [e for e in world.audit.for_finding(item_id) if e.status is status]
    # When the certification timeline is opened again
    body = _call(deps, "GET", "/certifications", HR, lambda_context)["body"]
    row = _row(body, certification_id)
    # Then its row says who decided, when and why, and offers nothing more to record
    assert words in row and f"({form['reason']})" in row
    assert decision.occurred_at.astimezone(deps.zone).strftime("%H:%M") in row
    assert "Waiting" not in row and f"/items/{item_id}" not in body


def test_the_next_alert_of_a_certification_waits_and_names_the_decision_on_the_one_before(
    deps_world: tuple[Any, World], lambda_context: Any
) -> None:
    """An expiry approved at one alert window, then its next window's alert: the row is the new one's (waiting),
    and says what became of the one before."""
    deps, world = deps_world
    certification_id, item_id = _expiring(world)
    form = {"action": "approve", "reason": "renewal booked for 12-20"}
    assert _call(deps, "POST", f"/items/{item_id}", HR, lambda_context, form=form)["statusCode"] == 303
    [opening] = [e for e in world.audit.for_finding(item_id) if e.status is AuditStatus.PENDING_APPROVAL]
    later = opening.occurred_at + timedelta(minutes=5)
    world.audit.append(
        opening.model_copy(update={"event_id": "next-window", "finding_id": "next-window", "occurred_at": later})
    )
    events = world.audit.by_kind("certification_expiring")

    state = certification_states(events, Reader(deps.zone, deps.people, frozenset({"hr"}))).of(certification_id)

    assert state is not None and state.waiting and state.item_id == "next-window"
    assert "Waiting in the review queue of" in state.words
    assert "The alert before it was approved by" in state.words and "(renewal booked for 12-20)" in state.words
