"""The web app in process: pages for each role, decisions from the queue and the item page, bulk."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from functions.web_app import handler as web_app
from plexlabor.audit import AuditEventType, AuditStatus
from plexlabor.validation.findings import Finding
from tests.support import load_event
from tests.unit.approval.approval_fakes import World, make_finding, make_request, notice
from tests.unit.review.review_world import (
    call_web,
    crew_assignment,
    finding_event,
    notified_finding,
    open_finding,
    web_deps,
)
from tests.unit.webapp.viewers import ADMIN, ASSEMBLY, PLANNER, SUPERVISOR

FINDING = "f-000000000000000000000001"


@pytest.fixture
def world() -> World:
    world = World()
    finding_event(world, FINDING, confidence=0.93, severity="high")
    finding_event(world, "f-000000000000000000000002", confidence=0.95, severity="low")
    crew_assignment(world)
    return world


def _call(
    world: World,
    method: str,
    path: str,
    claims: dict[str, Any] | None,
    form: dict[str, Any] | None = None,
    query: dict[str, str] | None = None,
    lambda_context: Any = None,
) -> dict[str, Any]:
    return call_web(web_deps(world), method, path, claims, lambda_context, query=query, form=form)


def test_a_supervisor_sees_their_punch_findings_in_plant_time(world: World, lambda_context: Any) -> None:
    response = _call(world, "GET", "/queue", SUPERVISOR, lambda_context=lambda_context)

    assert response["statusCode"] == 200
    body = response["body"]
    assert body.index(f"/dev/items/{FINDING}") < body.index("/dev/items/f-000000000000000000000002")
    assert "crew-0001" not in body  # a planner's kind
    assert "Missed punch" in body and "America/Detroit" in body
    assert response["multiValueHeaders"]["Content-Security-Policy"][0].startswith("default-src 'none'")


def test_the_queue_says_which_day_an_item_is_about_and_when_it_was_raised(world: World, lambda_context: Any) -> None:
    body = _call(world, "GET", "/queue", PLANNER, lambda_context=lambda_context)["body"]

    raised = world.clock().astimezone(ZoneInfo("America/Detroit"))
    assert "Wed 2026-03-04<br>" in body  # the crew assignment's plan day
    assert f"raised {raised:%a %Y-%m-%d %H:%M}" in body


def _open_advice(world: World, number: int, action: str) -> Finding:
    """A buddy-punch finding in the queue whose correction is advice (`action`), not values for Plex."""
    advice = make_finding(
        finding_id=f"f-{number:024d}",
        record_key=f"time-clock-entries:{number:04d}",
        anomaly_type="BUDDY_PUNCH",
        suggested_correction={"action": action},
    )
    open_finding(world, advice)
    return advice


@pytest.mark.parametrize(
    ("mode", "advice_says", "update_says"),
    [
        (
            "custom_object",
            "Recorded in Plex as a suggestion (the",
            "Recorded in Plex as a suggestion to set the values",
        ),
        ("direct", "Recorded in Plex as a suggestion (the", "Written to the Plex record itself"),
        ("dry_run", "Nothing reaches Plex: the write mode is dry run", "Nothing reaches Plex: the write mode is dry"),
    ],
)
def test_the_item_page_says_what_approving_does_in_the_write_mode(
    world: World, lambda_context: Any, mode: Any, advice_says: str, update_says: str
) -> None:
    # Given advice (no field of the record to set) and a missed punch (its clock-out to set), in a write mode
    advice = _open_advice(world, 7, "verify identity with the employee")
    deps = web_deps(world)
    deps.write_mode = mode
    # When the supervisor opens each
    body = call_web(deps, "GET", f"/items/{advice.finding_id}", SUPERVISOR, lambda_context)["body"]
    missed = call_web(deps, "GET", f"/items/{FINDING}", SUPERVISOR, lambda_context)["body"]
    # Then each says what the write mode does with it (approval.effects, the mailed link's words too)
    assert advice_says in body and "previous values are kept" not in body
    assert update_says in missed and ("previous values are kept" in missed) is (mode == "direct")
    assert "Change a value before approving" in missed and "Change a value" not in body


def test_a_planner_sees_the_crew_assignment_and_its_proposed_change(world: World, lambda_context: Any) -> None:
    page = _call(world, "GET", "/items/crew-0001", PLANNER, lambda_context=lambda_context)

    assert page["statusCode"] == 200
    assert "Crew assignment" in page["body"] and "WC-10" in page["body"]
    assert "Wed 2026-03-04 01:00" in page["body"]  # 06:00 UTC in Detroit (EST)


def test_approving_from_the_item_page_goes_to_the_next_item_and_resumes_the_workflow(
    world: World, lambda_context: Any
) -> None:
    notified_finding(world, FINDING)

    response = _call(
        world,
        "POST",
        f"/items/{FINDING}",
        SUPERVISOR,
        {"action": "approve", "reason": ""},
        lambda_context=lambda_context,
    )

    assert response["statusCode"] == 303
    assert response["multiValueHeaders"]["Location"] == [f"/dev/items/f-000000000000000000000002?decided={FINDING}"]
    assert world.tasks.succeeded[0][1]["decision"]["action"] == "approve"


def test_an_edited_correction_goes_with_the_approval_to_the_workflow_and_the_audit(
    world: World, lambda_context: Any
) -> None:
    notified_finding(world, FINDING)
    page = _call(world, "GET", f"/items/{FINDING}", SUPERVISOR, lambda_context=lambda_context)["body"]
    assert 'name="correction.clockoutTime"' in page and 'value="2026-03-02T09:07"' in page  # 14:07 UTC, EST

    form = {"action": "approve", "reason": "", "correction.clockoutTime": "2026-03-02T08:45"}
    response = _call(world, "POST", f"/items/{FINDING}", SUPERVISOR, form, lambda_context=lambda_context)

    assert response["statusCode"] == 303
    sent = world.tasks.succeeded[0][1]["decision"]
    assert sent["correction"] == {"clockoutTime": "2026-03-02T13:45:00.0000000Z"}
    decision = world.audit.latest_for_finding(FINDING)
    assert decision is not None and decision.payload["correction"] == sent["correction"]
    assert decision.payload["suggested_correction"] == {"clockoutTime": "2026-03-02T14:07:00.0000000Z"}


def test_advice_is_approved_as_it_stands_not_edited(world: World, lambda_context: Any) -> None:
    advice = _open_advice(world, 9, "verify identity with the employee and the badge log")
    world.notified(notice(make_request(advice)))
    path = f"/items/{advice.finding_id}"
    page = _call(world, "GET", path, SUPERVISOR, lambda_context=lambda_context)["body"]
    assert "correction.action" not in page and "verify identity with the employee" in page

    form = {"action": "approve", "reason": "", "correction.action": "something else"}
    assert _call(world, "POST", path, SUPERVISOR, form, lambda_context=lambda_context)["statusCode"] == 303
    assert world.tasks.succeeded[0][1]["decision"]["correction"] is None


def test_a_bad_edit_keeps_the_form_with_what_was_typed(world: World, lambda_context: Any) -> None:
    notified_finding(world, FINDING)
    form = {"action": "approve", "reason": "", "correction.clockoutTime": "soon"}

    response = _call(world, "POST", f"/items/{FINDING}", SUPERVISOR, form, lambda_context=lambda_context)

    assert response["statusCode"] == 400 and "give a date and time" in response["body"]
    assert 'value="soon"' in response["body"] and world.tasks.succeeded == []


def test_an_edited_clock_out_before_the_clock_in_is_refused_naming_the_field(world: World, lambda_context: Any) -> None:
    """ux_s17 H1: a clock-out typed before the record's clock-in (00:52 EST) was approved and written to Plex."""
    notified_finding(world, FINDING)
    form = {"action": "approve", "reason": "", "correction.clockoutTime": "2026-03-02T00:30"}

    response = _call(world, "POST", f"/items/{FINDING}", SUPERVISOR, form, lambda_context=lambda_context)

    assert response["statusCode"] == 400
    body = response["body"]
    assert (
        "Clock-out: the clock-out Mon 2026-03-02 00:30 EST must come after the clock-in Mon 2026-03-02 00:52 EST"
        in body
    )
    assert 'value="2026-03-02T00:30"' in body and world.tasks.succeeded == []
    assert world.events(FINDING) == ["finding", "notification"]


def test_a_refused_edit_is_marked_and_told_at_its_field(world: World, lambda_context: Any) -> None:
    """ux_s17: the refused clock-out was neither marked nor focused, and at 390 px its message was 1,300 px above it."""
    notified_finding(world, FINDING)
    form = {"action": "approve", "reason": "", "correction.clockoutTime": "2026-03-02T00:30"}

    body = _call(world, "POST", f"/items/{FINDING}", SUPERVISOR, form, lambda_context=lambda_context)["body"]

    field = re.search(r'<input id="(edit-\d+)" name="correction.clockoutTime"[^>]*>', body)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0) and "autofocus" in field.group(0)
    described = re.search(r'aria-describedby="([^"]+)"', field.group(0))
    assert described is not None and described.group(1) == f"{field.group(1)}-problem"
    beside = re.search(rf'<p class="field-problem" id="{described.group(1)}">([^<]*)</p>', body[field.end() :])
    assert beside is not None and unescape(beside.group(1)).startswith("Clock-out: the clock-out Mon 2026-03-02 00:30")
    assert beside.start() == 1  # right after the field (the newline between)
    assert 'aria-invalid="true"' not in body.replace(field.group(0), "")  # the reason box is not the problem


def test_after_an_edited_approval_the_flash_and_the_trail_say_which_value_was_approved(
    world: World, lambda_context: Any
) -> None:
    notified_finding(world, FINDING)
    form = {"action": "approve", "reason": "", "correction.clockoutTime": "2026-03-02T08:45"}
    response = _call(world, "POST", f"/items/{FINDING}", SUPERVISOR, form, lambda_context=lambda_context)
    following = response["multiValueHeaders"]["Location"][0].removeprefix("/dev")
    path, _, query = following.partition("?")

    flash = _call(world, "GET", path, SUPERVISOR, query=dict([query.split("=")]), lambda_context=lambda_context)
    decided = _call(world, "GET", f"/items/{FINDING}", SUPERVISOR, lambda_context=lambda_context)

    said = "Clock-out set to Mon 2026-03-02 08:45 (suggested 09:07)"  # the pages' own time format
    assert said in flash["body"] and said in decided["body"]


def test_a_rejection_without_reason_keeps_the_form_and_says_why(world: World, lambda_context: Any) -> None:
    response = _call(
        world, "POST", "/items/crew-0001", PLANNER, {"action": "reject", "reason": "   "}, lambda_context=lambda_context
    )

    assert response["statusCode"] == 400
    assert "needs a reason" in response["body"] and 'id="reason"' in response["body"]
    assert [e.event_type for e in world.audit.for_finding("crew-0001")] == [AuditEventType.RECOMMENDATION]


def test_a_rejection_without_reason_asks_at_the_reason_box_in_the_items_words_and_keeps_its_trail(
    world: World, lambda_context: Any
) -> None:
    """ux_s17 L1: an empty reject of a suggestion that is not a finding was told "why the finding was wrong", its
    "So far" trail vanished on the page drawn again, and the reason box was neither marked nor focused."""
    opened = _call(world, "GET", "/items/crew-0001", PLANNER, lambda_context=lambda_context)["body"]
    assert "<h2>So far</h2>" in opened
    form = {"action": "reject", "reason": ""}
    body = _call(world, "POST", "/items/crew-0001", PLANNER, form, lambda_context=lambda_context)["body"]
    said = re.search(r'<p class="flash error" role="alert" id="item-problem">([^<]*)</p>', body)
    assert said is not None
    assert (
        unescape(said.group(1))
        == "A rejection needs a reason: it says why the suggestion was wrong, and is kept with it."
    )
    assert re.search(r'<textarea id="reason"[^>]* aria-invalid="true" aria-describedby="item-problem" autofocus', body)
    assert "<h2>So far</h2>" in body


def test_bulk_approve_decides_each_selected_item(world: World, lambda_context: Any) -> None:
    form = {"item": ["crew-0001", "gone-1"], "action": "approve"}
    response = _call(world, "POST", "/queue", ADMIN, form, lambda_context=lambda_context)

    assert response["statusCode"] == 303
    location = "/dev/queue?done=approve&did=crew-0001&missed=gone-1&decided=1&failed=1"
    assert response["multiValueHeaders"]["Location"] == [location]
    statuses = [e.status for e in world.audit.for_finding("crew-0001")]
    assert statuses == [AuditStatus.PENDING_APPROVAL, AuditStatus.APPROVED]


def test_approving_a_crew_assignment_queues_its_write_to_plex(world: World, lambda_context: Any) -> None:
    response = _call(
        world, "POST", "/items/crew-0001", PLANNER, {"action": "approve", "reason": ""}, lambda_context=lambda_context
    )

    assert response["statusCode"] == 303
    [sent] = world.recommendations_sent
    assert (sent.item_id, sent.decision.action.value, sent.decision.supervisor_id) == ("crew-0001", "approve", "P0001")
    decision = world.audit.latest_for_finding("crew-0001")
    assert decision is not None and decision.status is AuditStatus.APPROVED and decision.actor == "P0001"


def test_an_assignment_whose_write_cannot_be_queued_stays_open(world: World, lambda_context: Any) -> None:
    world.writebacks.failing = True

    response = _call(
        world, "POST", "/items/crew-0001", PLANNER, {"action": "approve", "reason": ""}, lambda_context=lambda_context
    )

    assert response["statusCode"] == 503 and "try again" in response["body"]
    assert [e.event_type for e in world.audit.for_finding("crew-0001")] == [AuditEventType.RECOMMENDATION]


def test_a_rejected_assignment_writes_nothing(world: World, lambda_context: Any) -> None:
    response = _call(
        world,
        "POST",
        "/items/crew-0001",
        PLANNER,
        {"action": "reject", "reason": "E0042 is on leave"},
        lambda_context=lambda_context,
    )

    assert response["statusCode"] == 303 and world.writebacks.sent == []
    decision = world.audit.latest_for_finding("crew-0001")
    assert decision is not None and decision.payload["reason"] == "E0042 is on leave"


def test_a_bulk_decision_of_more_items_than_a_page_is_refused_and_decides_nothing(
    world: World, lambda_context: Any
) -> None:
    # Given a forged bulk approval naming 101 items (a page holds 100; before: each looked up and decided
    # in turn, thousands of ids outlasting API Gateway's 29 s, decided partly)
    form = {"item": ["crew-0001", *(f"made-up-{n}" for n in range(100))], "action": "approve"}
    response = _call(world, "POST", "/queue", ADMIN, form, lambda_context=lambda_context)

    # Then it is refused with the bound, and the real item among them is not decided
    assert response["statusCode"] == 400 and "at most 100 items" in response["body"]
    assert [e.event_type for e in world.audit.for_finding("crew-0001")] == [AuditEventType.RECOMMENDATION]


def test_a_bulk_reject_without_reason_keeps_the_selection(world: World, lambda_context: Any) -> None:
    form = {"item": ["crew-0001"], "action": "reject", "reason": ""}
    response = _call(world, "POST", "/queue", ADMIN, form, lambda_context=lambda_context)

    assert response["statusCode"] == 400
    assert 'value="crew-0001" id="pick-' in response["body"] and "checked" in response["body"]


def test_another_supervisors_item_is_not_found_and_a_request_without_user_is_refused(
    world: World, lambda_context: Any
) -> None:
    assert _call(world, "GET", f"/items/{FINDING}", ASSEMBLY, lambda_context=lambda_context)["statusCode"] == 404
    assert _call(world, "GET", "/queue", None, lambda_context=lambda_context)["statusCode"] == 401


def test_filters_keep_only_matching_items(world: World, lambda_context: Any) -> None:
    query = {"kind": "crew_assignment"}
    body = _call(world, "GET", "/queue", ADMIN, query=query, lambda_context=lambda_context)["body"]

    assert "/dev/items/crew-0001" in body and FINDING not in body


def test_the_kpi_page_shows_the_approve_rate_and_each_persons_review_time(world: World, lambda_context: Any) -> None:
    _call(world, "POST", "/items/crew-0001", ADMIN, {"action": "approve"}, lambda_context=lambda_context)

    page = _call(world, "GET", "/kpis", ADMIN, lambda_context=lambda_context)
    planner_view = _call(world, "GET", "/kpis", PLANNER, lambda_context=lambda_context)["body"]

    assert page["statusCode"] == 200
    assert "Crew assignment" in page["body"] and "100%" in page["body"] and "A0001" in page["body"]
    assert "A0001" not in planner_view  # only an admin sees everyone's review time


def test_every_page_shows_the_rollout_scope_in_force(world: World, lambda_context: Any) -> None:
    from plexlabor.platform.pilot import PilotScope

    deps = web_deps(world)
    deps.scope = PilotScope(departments=("MOLD",), shifts=("1",), advisory=True)
    event = load_event("web_app")
    event["queryStringParameters"] = event["multiValueQueryStringParameters"] = None
    event["requestContext"]["authorizer"] = {"claims": SUPERVISOR}
    body = web_app.handler(event, lambda_context, dependencies=deps)["body"]
    plant_wide = _call(world, "GET", "/queue", SUPERVISOR, lambda_context=lambda_context)["body"]

    assert "Rollout: Pilot: departments MOLD; shifts 1" in body and "nobody is notified" in body
    assert "Rollout:" not in plant_wide


def test_a_long_queue_is_paged_and_the_pages_keep_the_filters(world: World, lambda_context: Any) -> None:
    from plexlabor.webapp.app import PAGE_SIZE

    for number in range(PAGE_SIZE + 5):
        crew_assignment(world, f"crew-{number + 2:04d}")
    first = _call(world, "GET", "/queue", PLANNER, query={"kind": "crew_assignment"}, lambda_context=lambda_context)
    second = _call(
        world, "GET", "/queue", PLANNER, query={"kind": "crew_assignment", "page": "2"}, lambda_context=lambda_context
    )

    assert first["body"].count('name="item"') == PAGE_SIZE
    assert f"Showing 1–{PAGE_SIZE} of {PAGE_SIZE + 6}" in first["body"]
    assert "/dev/queue?kind=crew_assignment&amp;page=2" in first["body"]
    assert second["body"].count('name="item"') == 6 and "Previous" in second["body"]
