"""A re-plan crew_replan drops (its message fails the same way on every delivery, `crew.delivery`) is recorded and shown
on the crew board: "The re-plan after a call-off of E0042 at 05:00 failed: <reason>; plan by hand." Until 2026-12-06
only the CrewReplanDropped alarm knew, and the board kept saying "re-plan pending"."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from plexlabor.crew import delivery, wiring
from plexlabor.crew.delivery import replan_delivered
from plexlabor.crew.messages import ReplanMessage
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import DAY, Replans
from tests.unit.webapp.test_web_app_crew_board_ux_s13 import _text
from tests.unit.webapp.test_web_app_crew_call_off_list import FORM, _deps
from tests.unit.webapp.test_web_app_crew_call_offs import world
from tests.unit.webapp.viewers import PLANNER

__all__ = ["world"]  # the fixture of shift 1 under way, used by name

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")
REASON = "job operation 4711 names no workcenter"


def _dropped(world: World, message: ReplanMessage, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """crew_replan's delivery of `message`, whose re-plan fails the same way on every delivery."""

    def unparsable(deps: Any, message: ReplanMessage) -> Any:
        raise ValueError(REASON)

    monkeypatch.setattr(delivery, "run", unparsable)
    deps = wiring.ReplanDependencies(source=None, store=world.audit, clock=world.clock)  # type: ignore[arg-type]
    return replan_delivered(deps, message.model_dump_json(by_alias=True))


def test_a_call_off_whose_re_plan_was_dropped_says_so_and_to_plan_by_hand(
    world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a call-off of E0042 recorded on the board, whose re-plan crew_replan drops
    replans = Replans()
    deps = _deps(world, replans)
    form = FORM | {"employee": "E0042"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303
    [sent] = replans.sent
    assert _dropped(world, sent, monkeypatch) == {"dropped": "ValueError", "recorded": True}

    # When the planner opens the shift
    body = str(call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "done": "calloff"})["body"])

    # Then the call-off reads failed, not pending, and the board says the re-plan failed and why
    [line] = [li for li in re.findall(r"<li>(.*?)</li>", body, re.S) if "E0042 called off" in li]
    assert "re-plan failed: plan by hand" in line and "re-plan pending" not in line
    assert f"The re-plan after a call-off of E0042 at 04:40 failed: {REASON}; plan by hand." in _text(body)


def test_a_dropped_re_plan_of_a_workcenter_names_it_by_its_code(
    world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the re-plan after workcenter W (WC-10 on the board) went down, dropped by crew_replan
    down = ReplanMessage(
        reason="workcenter_down", day=date(2026, 3, 4), shift="1", detected_at=world.clock(), workcenter_id="W"
    )
    _dropped(world, down, monkeypatch)

    body = _text(str(call_web(_deps(world), "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]))

    # Then the board names the workcenter by its code (no Plex id)
    assert f"The re-plan after workcenter WC-10 down at 04:40 failed: {REASON}; plan by hand." in body
