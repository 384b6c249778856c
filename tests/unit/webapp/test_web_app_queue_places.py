"""The queue's department and shift for items whose event names the person but not where they work (ux_s13 #2):
a punch finding's event holds the finding, a certification alert's its person; both take the person's department
and shift from the people directory (Plex employees), so the Department and Shift filters keep them and the
department's supervisor sees them, as they do crew suggestions, whose events name both."""

from __future__ import annotations

from typing import Any

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.review.decisions import ReviewService
from plexlabor.review.queue import ReviewQueue
from plexlabor.webapp.app import Dependencies
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ZONE, call_web, crew_assignment, finding_event, recommendation
from tests.unit.webapp.viewers import ADMIN

FINDING = "f-000000000000000000000001"
"""A punch finding about E0002 (make_finding's person), routed to supervisor E0001."""
MACHINING = {"cognito:username": "E0300", "cognito:groups": "supervisor", "custom:departments": "MACH"}
"""A supervisor of MACH who is nobody's supervisor of record here."""
PEOPLE = StaticPeopleDirectory(
    [Person("E0002", "E00002", "Ana Ruiz", "MACH", "2"), Person("E0003", "E00003", "Bo Chen", "ASSY", "1")]
)


def _deps() -> Dependencies:
    world = World()
    finding_event(world, FINDING, confidence=0.9, severity="high")
    recommendation(world, "cert-0001", "certification_lapsed", employee_id="E0003", supervisor_id="E0100")
    crew_assignment(world, department="ASSY")  # crew-0001: shift 1, its event names the department
    queue = ReviewQueue(world.audit, clock=world.clock, people=PEOPLE)
    review = ReviewService(queue, world.audit, world.callback, world.writebacks, world.clock)
    return Dependencies(review, ZONE, people=PeopleDisplay(PEOPLE))


def _listed(deps: Dependencies, claims: dict[str, str], context: Any, **query: str) -> set[str]:
    response = call_web(deps, "GET", "/queue", claims, context, query=query or None)
    assert response["statusCode"] == 200, response["body"][:400]
    return {item for item in (FINDING, "cert-0001", "crew-0001") if f"/items/{item}" in response["body"]}


def test_the_department_and_shift_filters_keep_the_punch_findings_and_alerts_of_their_people(
    lambda_context: Any,
) -> None:
    deps = _deps()
    assert _listed(deps, ADMIN, lambda_context) == {FINDING, "cert-0001", "crew-0001"}
    # the punch finding is about Ana Ruiz (MACH, shift 2): it was in no department and no shift
    assert _listed(deps, ADMIN, lambda_context, department="MACH") == {FINDING}
    assert _listed(deps, ADMIN, lambda_context, shift="2") == {FINDING}
    # the certification alert is about Bo Chen (ASSY, shift 1), beside the ASSY crew seat of shift 1
    assert _listed(deps, ADMIN, lambda_context, department="ASSY") == {"cert-0001", "crew-0001"}
    assert _listed(deps, ADMIN, lambda_context, shift="1", kind="punch_finding") == set()
    shifts = call_web(deps, "GET", "/queue", ADMIN, lambda_context)["body"]
    assert "<option>2</option>" in shifts and "<option>MACH</option>" in shifts  # the filters offer them


def test_a_departments_supervisor_sees_and_opens_the_punch_findings_of_its_people(lambda_context: Any) -> None:
    deps = _deps()
    # Ben supervises MACH; the finding went to E0001, its person works in MACH
    assert _listed(deps, MACHINING, lambda_context) == {FINDING}
    page = call_web(deps, "GET", f"/items/{FINDING}", MACHINING, lambda_context)
    assert page["statusCode"] == 200
