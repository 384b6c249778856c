"""Propose training from /skills (ux119 #15): the flash names the person and the workcenter, an empty or
partial form is a 400 naming the missing fields (not "a newer skills report came in"), and a refused
proposal leads back to the skill coverage page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from plexlabor.audit import AuditStatus
from tests.unit.approval.approval_fakes import World
from tests.unit.webapp.test_web_app_dashboards import _call, _propose_training, skills_deps_world
from tests.unit.webapp.viewers import MOLDING, PLANNER


@pytest.fixture
def deps_world() -> tuple[Any, World]:
    return skills_deps_world()


def test_the_flash_names_who_is_proposed_for_which_workcenter(
    deps_world: tuple[Any, World], lambda_context: Any
) -> None:
    deps, _ = deps_world
    for outcome, says in (
        ("new", "Proposed: E4 for WC-20: the training waits for HR in the review queue."),
        ("already", "Training E4 for WC-20 was already suggested this week"),
    ):
        location = _propose_training(deps, PLANNER, lambda_context, "2026-11-23")["multiValueHeaders"]["Location"][0]
        query = dict(parse_qsl(urlsplit(location).query))
        assert query["proposed"] == outcome and "V" not in query.values()  # the queue item's id, no Plex id

        shown = _call(deps, "GET", "/skills", PLANNER, lambda_context, query)["body"]

        assert says in shown


@pytest.mark.parametrize(
    ("form", "named"),
    [
        ({}, "workcenter_id, employee_id, as_of"),
        ({"workcenter_id": "V", "employee_id": " ", "as_of": "2026-11-23"}, "employee_id"),
    ],
)
def test_an_incomplete_form_is_a_400_naming_the_missing_fields(
    deps_world: tuple[Any, World], lambda_context: Any, form: dict[str, str], named: str
) -> None:
    deps, world = deps_world

    response = _call(deps, "POST", "/skills/training", PLANNER, lambda_context, form=form)

    assert response["statusCode"] == 400
    assert f"the form lacks {named}." in response["body"] and "newer skills report" not in response["body"]
    assert 'href="/dev/skills#training"' in response["body"]
    assert world.audit.by_status(AuditStatus.PENDING_APPROVAL) == []


def test_a_refused_proposal_leads_back_to_the_skills_page(deps_world: tuple[Any, World], lambda_context: Any) -> None:
    deps, _ = deps_world

    refused = _propose_training(deps, MOLDING, lambda_context, "2026-11-23")  # V is in ASSY, not theirs

    assert refused["statusCode"] == 404
    assert 'href="/dev/skills#training"' in refused["body"]


def test_the_flash_names_nobody_to_a_viewer_who_may_not_see_the_item(
    deps_world: tuple[Any, World], lambda_context: Any
) -> None:
    # (review 140 R7; before: the MOLDING supervisor read "Proposed: E4 for WC-20", the item page a 404 for them)
    deps, _ = deps_world
    location = _propose_training(deps, PLANNER, lambda_context, "2026-11-23")["multiValueHeaders"]["Location"][0]
    query = dict(parse_qsl(urlsplit(location).query))  # an ASSY cross-training item, the address passed on

    shown = _call(deps, "GET", "/skills", MOLDING, lambda_context, query)["body"]

    assert "E4" not in shown and "WC-20" not in shown
    assert "Proposed: the training waits for HR in the review queue." in shown
    assert _call(deps, "GET", f"/items/{query['item']}", MOLDING, lambda_context)["statusCode"] == 404
