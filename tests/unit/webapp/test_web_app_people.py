"""The web app names people as the viewer's role allows (issue 9, item 6): "Name (E00042)" where
SHOW_NAMES_TO lists one of their roles, the employee number otherwise, never an internal id where a
name or number is known; the queue's employee filter takes a number."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from plexlabor.approval.callback import decision_event
from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.approval.errors import AlreadyDecidedError
from plexlabor.approval.messages import Decision
from plexlabor.audit import ApprovalAction
from plexlabor.webapp.app import Dependencies
from tests.unit.approval.approval_fakes import World, make_finding
from tests.unit.review.review_world import call_web, crew_assignment, finding_event, web_deps
from tests.unit.webapp.viewers import ADMIN
from tests.unit.webapp.viewers import SUPERVISOR as SUPERVISOR_CLAIMS

FINDING = "f-000000000000000000000001"
EMPLOYEE = Person("E0002", "E00002", "Robin Diaz")  # make_finding's employee
SUPERVISOR = Person("E0001", "E00001", "Dana Smith")  # open_finding's supervisor
OPERATOR = Person("7f3c9a1e-0000-4000-8000-000000000007", "E00007", "Lee Park")
PEOPLE = StaticPeopleDirectory([EMPLOYEE, SUPERVISOR, OPERATOR])
PLANNER_CLAIMS = {"cognito:username": "planner", "cognito:groups": "planner"}
ADMIN_CLAIMS = {"cognito:username": "E0001", "cognito:groups": "admin"}


@pytest.fixture
def world() -> World:
    world = World()
    finding_event(world, FINDING, confidence=0.93, severity="high")
    crew_assignment(
        world,
        record_key="job-operations:J1",
        employee_id=OPERATOR.employee_id,
        supervisor_id=SUPERVISOR.employee_id,
        note=f"Suggest {OPERATOR.employee_id} on WC-10 (8.0 h, shift 1): certified",
        recipients=[{"role": "supervisor", "id": SUPERVISOR.employee_id}],
    )
    return world


def _deps(world: World, show_names_to: set[str] | None = None) -> Dependencies:
    people = PeopleDisplay(PEOPLE) if show_names_to is None else PeopleDisplay(PEOPLE, frozenset(show_names_to))
    return dataclasses.replace(web_deps(world), people=people)


def _get(deps: Dependencies, path: str, claims: dict[str, Any], context: Any, **query: str) -> dict[str, Any]:
    return call_web(deps, "GET", path, claims, context, query=query or None)


def test_the_queue_and_header_name_people_for_a_supervisor(world: World, lambda_context: Any) -> None:
    response = _get(_deps(world), "/queue", SUPERVISOR_CLAIMS, lambda_context)

    body = response["body"]
    assert response["statusCode"] == 200
    assert "Robin Diaz (E00002)" in body and "employee E0002" not in body
    assert "Signed in as Dana Smith (E00001) · supervisor" in body


def test_the_item_page_names_the_employee_and_the_supervisor(world: World, lambda_context: Any) -> None:
    body = _get(_deps(world), f"/items/{FINDING}", SUPERVISOR_CLAIMS, lambda_context)["body"]

    assert '<th scope="row">Who</th><td>Robin Diaz (E00002)</td>' in body
    assert '<th scope="row">Supervisor</th><td>Dana Smith (E00001)</td>' in body


def test_a_crew_suggestion_names_its_operator_in_the_note_and_the_evidence(world: World, lambda_context: Any) -> None:
    body = _get(_deps(world), "/items/crew-0001", PLANNER_CLAIMS, lambda_context)["body"]

    assert "Suggest Lee Park (E00007) on WC-10" in body
    assert "supervisor Dana Smith (E00001)" in body  # the recipients in the evidence
    assert OPERATOR.employee_id not in body


def test_a_role_not_allowed_names_sees_employee_numbers(world: World, lambda_context: Any) -> None:
    deps = _deps(world, {"supervisor"})

    planner_item = _get(deps, "/items/crew-0001", PLANNER_CLAIMS, lambda_context)["body"]
    supervisor_queue = _get(deps, "/queue", SUPERVISOR_CLAIMS, lambda_context)["body"]

    assert "Suggest E00007 on WC-10" in planner_item and "Lee Park" not in planner_item
    assert OPERATOR.employee_id not in planner_item and "Dana" not in planner_item
    assert "Robin Diaz (E00002)" in supervisor_queue  # supervisors are allowed here


def test_nobody_known_falls_back_to_the_id(world: World, lambda_context: Any) -> None:
    body = _get(web_deps(world), f"/items/{FINDING}", SUPERVISOR_CLAIMS, lambda_context)["body"]

    assert '<th scope="row">Who</th><td>E0002</td>' in body and "Signed in as E0001 ·" in body


def test_a_local_user_without_a_name_is_shown_by_role_once(world: World, lambda_context: Any) -> None:
    """ux141 #13: a local user named as their role read "Signed in as planner · planner"."""
    body = _get(_deps(world), "/queue", PLANNER_CLAIMS, lambda_context)["body"]

    assert "Signed in as planner · <a" in body and "planner · planner" not in body


def test_a_decision_by_a_local_user_without_a_name_names_their_role(world: World, lambda_context: Any) -> None:
    """ux141 #13: "Rejected by planner": a local user's login, unknown to the people directory, stood for the person."""
    deps = _deps(world)
    form = {"action": "reject", "reason": "on leave"}
    assert call_web(deps, "POST", "/items/crew-0001", PLANNER_CLAIMS, lambda_context, form=form)["statusCode"] == 303

    body = _get(deps, "/items/crew-0001", ADMIN_CLAIMS, lambda_context)["body"]

    assert "Rejected by a planner on Mon 2026-03-02" in body and "by planner" not in body


def test_a_decision_by_a_known_person_names_them_though_their_login_is_a_role(lambda_context: Any) -> None:
    """The people directory comes first: a person it knows whose login happens to be a role is named."""
    people = PeopleDisplay(StaticPeopleDirectory([Person("ehs", "E00050", "Kim Lee")]))
    unknown = PeopleDisplay(StaticPeopleDirectory([]))

    assert people.label("ehs", ["admin"]) == "Kim Lee (E00050)"
    assert unknown.label("ehs", ["admin"]) == "the EHS lead" and unknown.label("hr", ["admin"]) == "HR"
    assert unknown.label("ehs", ["admin"], number="E00050") == "E00050"  # a number the caller has still wins


def test_the_employee_filter_takes_the_employee_number(world: World, lambda_context: Any) -> None:
    deps = _deps(world)

    by_number = _get(deps, "/queue", ADMIN, lambda_context, employee="e00007")["body"]
    by_other = _get(deps, "/queue", ADMIN, lambda_context, employee="E00002")["body"]

    assert "/dev/items/crew-0001" in by_number and FINDING not in by_number
    assert 'name="employee" value="e00007"' in by_number  # the filter shows what was typed
    assert FINDING in by_other and "crew-0001" not in by_other


def test_the_kpi_page_names_each_reviewer(world: World, lambda_context: Any) -> None:
    deps = _deps(world)
    assert (
        call_web(deps, "POST", "/items/crew-0001", ADMIN_CLAIMS, lambda_context, form={"action": "approve"})[
            "statusCode"
        ]
        == 303
    )

    body = _get(deps, "/kpis", ADMIN_CLAIMS, lambda_context)["body"]

    assert "<td>Dana Smith (E00001)</td>" in body


def test_an_item_decided_elsewhere_a_moment_ago_names_who_decided(
    world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    deps = _deps(world)
    decided = Decision(action=ApprovalAction.APPROVE, reason=None, supervisor_id=OPERATOR.employee_id)

    def decided_by_link(*args: Any) -> Any:  # the mailed link won the race
        world.audit.append(decision_event(make_finding(finding_id=FINDING), decided, world.clock(), None))
        raise AlreadyDecidedError(f"this finding was already approved by {OPERATOR.employee_id}")

    monkeypatch.setattr(deps.review, "decide", decided_by_link)
    form = {"action": "reject", "reason": "no"}
    response = call_web(deps, "POST", f"/items/{FINDING}", SUPERVISOR_CLAIMS, lambda_context, form=form)

    assert response["statusCode"] == 410
    assert "already approved by Lee Park (E00007) on Mon 2026-03-02 23:00 EST" in response["body"]
    assert OPERATOR.employee_id not in response["body"]
