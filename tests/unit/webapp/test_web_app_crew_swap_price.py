"""The crew board's swap list (ux164 #7, #17): a swap is priced with the seat its person leaves ("leaves WC-20
empty" when nobody free may take it) and ranked by that, and a person is shown where the board has them now, not
where the plan that offered them had them (a later re-plan may have taken that seat from them)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import superseded_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment, web_deps
from tests.unit.webapp.test_web_app_crew import PRICED
from tests.unit.webapp.viewers import PLANNER

DAY = {"day": "2026-03-04", "shift": "1"}
SHORT = {
    "segment": "op-7|1",
    "workcenter_code": "WC-10",
    "job_no": "J100001",
    "operation_code": "20",
    "hours": 1.6,
    "end": "2026-03-04T07:36:00+00:00",
}
QUINN = {  # better than the suggestion on the 1.6 h seat alone; leaving her 8 h seat at WC-20 empties it
    "employee_id": "E0051",
    "supervisor_id": "E0001",
    **PRICED,
    "value": 520.0,
    "busy_at": "WC-20",
    "leaves": {"workcenter_code": "WC-20", "hours": 8.0, "loss": 1505.0, "empty": True},  # crew.board._Left
}
FREE = {"employee_id": "E0050", "supervisor_id": "E0001", **PRICED, "value": 480.0}


def _world() -> tuple[World, Any]:
    """E0042 suggested for the 1.6 h seat at WC-10 (worth $305 net), offering QUINN then FREE as the plan priced
    them by the seat alone; E0051 waiting at WC-20 for the whole shift."""
    world = World()
    crew_assignment(world, "crew-0001", employee_id="E0042", swap_candidates=[QUINN, FREE], **SHORT, **PRICED)
    theirs = crew_assignment(
        world,
        "crew-0020",
        employee_id="E0051",
        segment="op-20|1",
        workcenter_code="WC-20",
        end="2026-03-04T14:00:00+00:00",
        **PRICED,
    )
    return world, theirs


def _options(world: World, lambda_context: Any) -> list[str]:
    body = str(call_web(web_deps(world), "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"])
    [swap] = re.findall(r'<form method="post" action="/dev/crew/swap".*?</form>', body, re.S)
    assert "counting the seat they leave" in swap
    return [" ".join(o.split()) for o in re.findall(r"<option [^>]*>(.*?)</option>", swap, re.S)]


def test_a_swap_that_empties_its_persons_seat_says_so_and_is_priced_with_it(lambda_context: Any) -> None:
    world, _ = _world()
    # before: "E0051 · $20 more · now at WC-20" first, the 8 h seat she leaves empty not counted
    assert _options(world, lambda_context) == [
        "E0050 · $20 less",
        # a longer seat than the one swapped: the re-plan after the swap fills it or marks it short (ux_s16 #2)
        "E0051 · $1,485 less · leaves WC-20 empty (8.0 h); the re-plan fills it with the best free operator or marks "
        "it short",
    ]


def test_a_person_a_re_plan_took_the_seat_from_is_offered_as_free(lambda_context: Any) -> None:
    """ux164 #17: the re-plan after an undo took WC-20 from E0051; the seat's list still said "now at WC-20"."""
    world, theirs = _world()
    message = ReplanMessage.model_validate(
        {"reason": "plan_changed", "date": date(2026, 3, 4), "shift": "1", "detected_at": world.clock()}
    )
    world.audit.append(superseded_event(theirs, message, world.clock(), "After a re-plan"))
    assert _options(world, lambda_context) == ["E0051 · $20 more", "E0050 · $20 less"]
