"""A person whose suggestion on a job operation a re-plan superseded (their call-off, a swap's re-plan) may be swapped
into that job operation's waiting seat again (ux164 #1: after an undone call-off "the only way back is a swap"): the
board no longer refuses them as "already suggested for this job operation (superseded by a re-plan)", and the swap is
a new suggestion with a new id (`crew.publish.renewed_id`), not the superseded one's (its append was refused)."""

from __future__ import annotations

from typing import Any

from plexlabor.audit.events import expiry_event
from plexlabor.crew.publish import assignment_event_id
from plexlabor.crew.suggestions import REPLAN_ACTOR
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import crew_assignment
from tests.unit.webapp.test_web_app_crew import PRICED, SEGMENT, Replans, _swap, board_world
from tests.unit.webapp.viewers import PLANNER


def test_a_person_superseded_on_the_job_operation_is_swapped_back_in(lambda_context: Any) -> None:
    world: World = board_world()  # crew-0001: E0042 waiting on op-7|1, offering E0050
    superseded = assignment_event_id("2026-03-04", str(SEGMENT["segment"]), "E0050")
    crew_assignment(world, superseded, employee_id="E0050", supervisor_id="E0001", **SEGMENT, **PRICED)
    world.audit.append(
        expiry_event(
            f"jobs:{superseded}",
            superseded,
            occurred_at=world.clock(),
            actor=REPLAN_ACTOR,
            payload={"kind": "crew_assignment", "superseded_by": REPLAN_ACTOR, "replaced_after": "a call-off of E0050"},
        )
    )

    response = _swap(world, lambda_context, Replans(), PLANNER, employee="E0050")

    assert response["statusCode"] == 303
    assert response["multiValueHeaders"]["Location"][0].endswith("done=swap")
    [sent] = world.recommendations_sent
    assert sent.item_id != superseded  # a new suggestion, approved
    [opening, decision] = world.audit.for_finding(sent.item_id)
    assert opening.employee_id == "E0050" and decision.status.value == "approved"
