"""A cross-training HR decided shows its decision on the skill coverage page (ux164 #5): "Training approved by
... on ...", or rejected with the reason, in place of "Propose training", and the flash after pressing it again
says which (it said only "it is in the review queue, or decided")."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from plexlabor.approval.display import Reader
from plexlabor.audit import AuditStatus
from plexlabor.audit.events import AuditEvent
from plexlabor.webapp.trainingstates import training_states
from tests.unit.approval.approval_fakes import World
from tests.unit.webapp.test_web_app_dashboards import _call, _propose_training, skills_deps_world
from tests.unit.webapp.viewers import HR, PLANNER

BUTTON = 'aria-label="Propose training E4 for WC-20"'


@pytest.fixture
def deps_world() -> tuple[Any, World]:
    return skills_deps_world()


def _proposed(deps: Any, lambda_context: Any) -> str:
    """E4 proposed for WC-20 by the planner: the review queue's item id."""
    location = _propose_training(deps, PLANNER, lambda_context, "2026-11-23")["multiValueHeaders"]["Location"][0]
    return dict(parse_qsl(urlsplit(location).query))["item"]


def _text(body: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.mark.parametrize(
    ("form", "row", "fate"),
    [
        (
            {"action": "approve"},
            "Training approved by",
            "was already suggested this week: it was approved by",
        ),
        (
            {"action": "reject", "reason": "no trainer free before January"},
            "Training rejected by",
            "it can be proposed again next week",
        ),
    ],
)
def test_a_decided_training_shows_its_decision_and_no_button(
    deps_world: tuple[Any, World], lambda_context: Any, form: dict[str, str], row: str, fate: str
) -> None:
    deps, world = deps_world
    item_id = _proposed(deps, lambda_context)
    # Given HR decided it in the review queue
    decided = _call(deps, "POST", f"/items/{item_id}", HR, lambda_context, form=form)
    assert decided["statusCode"] == 303
    status = AuditStatus.APPROVED if form["action"] == "approve" else AuditStatus.REJECTED
    [decision] = [e for e in world.audit.for_finding(item_id) if e.status is status]
    # When the skill coverage page is opened again
    page = _call(deps, "GET", "/skills", PLANNER, lambda_context)["body"]
    shown = _text(page)
    # Then the candidate's row says what HR decided, who and when (and why, for a rejection), and has no button
    assert BUTTON not in page and "Proposed: in HR's review queue" not in shown
    assert row in shown and decision.occurred_at.astimezone(deps.zone).strftime("%H:%M") in shown
    if form["action"] == "reject":
        assert "(no trainer free before January)" in shown
    # And pressing it again (an older page) records nothing and the flash says what became of it
    again = _propose_training(deps, PLANNER, lambda_context, "2026-11-23")["multiValueHeaders"]["Location"][0]
    flash = _text(
        _call(deps, "GET", "/skills", PLANNER, lambda_context, dict(parse_qsl(urlsplit(again).query)))["body"]
    )
    assert "Training E4 for WC-20 was already suggested this week" in flash and fate in flash
    assert "in the review queue, or decided" not in flash
    assert len(world.audit.by_status(AuditStatus.PENDING_APPROVAL)) == 1


def test_a_training_rejected_in_an_earlier_week_may_be_proposed_again_an_approved_one_not(
    deps_world: tuple[Any, World], lambda_context: Any
) -> None:
    deps, world = deps_world
    item_id = _proposed(deps, lambda_context)
    _call(deps, "POST", f"/items/{item_id}", HR, lambda_context, form={"action": "reject", "reason": "later"})
    events = world.audit.for_finding(item_id)
    reader = Reader(deps.zone, deps.people, frozenset())
    # Seen from the report of the next ISO week, the rejection is last week's: a proposal now records a new one
    next_week = training_states(events, date(2026, 11, 30), reader).of("V", "E4")
    this_week = training_states(events, date(2026, 11, 23), reader).of("V", "E4")
    assert next_week is not None and this_week is not None
    assert next_week.proposable and not this_week.proposable
    assert "rejected by" in next_week.words and "(later)" in next_week.words
    # while an approved training is planned: not offered again in any week
    approved = [
        AuditEvent.model_validate({**e.model_dump(), "status": "approved"}) if e.status is AuditStatus.REJECTED else e
        for e in events
    ]
    planned = training_states(approved, date(2026, 11, 30), reader).of("V", "E4")
    assert planned is not None and planned.approved and not planned.proposable
