"""The review queue: what each person sees, in what order, and one decision whichever way it is made."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from plexlabor.approval.errors import AlreadyDecidedError, DecisionFormError
from plexlabor.approval.messages import Stage
from plexlabor.approval.notified import Sent, record_sent
from plexlabor.audit import AuditEventType, AuditStatus, LinkAlreadyUsedError
from plexlabor.review.decisions import ItemNotFoundError, ReviewService
from plexlabor.review.items import PUNCH
from plexlabor.review.queue import Filters, ReviewQueue, Role, Viewer
from tests.unit.approval.approval_fakes import World, make_finding, make_request, notice
from tests.unit.review.review_world import (
    ADMIN,
    HR,
    PLANNER,
    call_web,
    closed,
    crew_assignment,
    escalated_finding,
    finding_event,
    open_finding,
    recommendation,
    web_deps,
)

SUPERVISOR = Viewer("E0001", frozenset({Role.SUPERVISOR}), frozenset({"Molding"}))
OTHER_SUPERVISOR = Viewer("E0200", frozenset({Role.SUPERVISOR}), frozenset({"Assembly"}))


@pytest.fixture
def world() -> World:
    world = World()
    finding_event(world, "f-000000000000000000000001", confidence=0.93, severity="high")
    finding_event(world, "f-000000000000000000000002", confidence=0.95, severity="low")
    crew_assignment(world)
    recommendation(world, "cert-0001", "certification_expiring", department="Assembly", severity="high")
    return world


def _service(world: World) -> ReviewService:
    return web_deps(world).review


def test_a_supervisor_sees_their_findings_ranked_by_severity_times_confidence(world: World) -> None:
    items = ReviewQueue(world.audit, clock=world.clock).for_viewer(SUPERVISOR)

    assert [item.item_id for item in items] == ["f-000000000000000000000001", "f-000000000000000000000002"]
    assert items[0].rank == pytest.approx(3 * 0.93) and items[1].rank == pytest.approx(1 * 0.95)
    assert items[0].kind == PUNCH and items[0].type == "MISSED_PUNCH"
    assert items[0].proposed == {"clockoutTime": "2026-03-02T14:07:00.0000000Z"}


def test_each_role_sees_only_its_own_items(world: World) -> None:
    queue = ReviewQueue(world.audit, clock=world.clock)

    assert [i.item_id for i in queue.for_viewer(PLANNER)] == ["crew-0001"]
    assert [i.item_id for i in queue.for_viewer(HR)] == ["cert-0001"]
    assert [i.item_id for i in queue.for_viewer(OTHER_SUPERVISOR)] == ["cert-0001"]  # their department
    assert len(queue.for_viewer(ADMIN)) == 4


def test_filters_narrow_the_queue(world: World) -> None:
    queue = ReviewQueue(world.audit, clock=world.clock)

    assert [i.item_id for i in queue.for_viewer(ADMIN, Filters(kind="crew_assignment"))] == ["crew-0001"]
    assert [i.item_id for i in queue.for_viewer(ADMIN, Filters(shift="1"))] == ["crew-0001"]
    assert queue.for_viewer(ADMIN, Filters(type="MISSED_PUNCH", employee_id="E9999")) == []


def test_a_punch_finding_is_filed_under_the_work_day_of_its_timeline(world: World) -> None:
    # Given a punch finding drawn on the employee's timeline of Mon 2026-03-02, raised days later
    finding = make_finding(
        finding_id="f-000000000000000000000003",
        record_key="time-clock-entries:0003",
        evidence={"clockin": "2026-03-02T05:52:00.0000000Z", "timeline": {"day": "2026-03-02", "punches": []}},
    )
    open_finding(world, finding)
    queue = ReviewQueue(world.audit, clock=world.clock)

    # Then the day filter keeps it on that day (and the crew assignment on its plan day), not on others
    assert [i.item_id for i in queue.for_viewer(ADMIN, Filters(day=date(2026, 3, 2)))] == [finding.finding_id]
    assert [i.item_id for i in queue.for_viewer(ADMIN, Filters(day=date(2026, 3, 4)))] == ["crew-0001"]


def test_a_queue_decision_resumes_the_workflow_and_the_mailed_link_then_says_decided(world: World) -> None:
    # Given a finding whose approval mailed a link to its supervisor
    finding_id = "f-000000000000000000000001"
    [link] = world.notified(
        notice(make_request(make_finding(finding_id=finding_id, record_key="time-clock-entries:0001")))
    )
    # When the supervisor approves it in the queue
    outcome = _service(world).decide(SUPERVISOR, finding_id, "approve", None)

    # Then the workflow resumed with that decision, the audit says approved by them, the item left the queue
    assert outcome.action == "approve" and outcome.problem is None
    assert world.tasks.succeeded[0][1]["decision"]["action"] == "approve"
    decision = [e for e in world.audit.for_finding(finding_id) if e.event_type is AuditEventType.DECISION]
    assert [(e.status, e.actor) for e in decision] == [(AuditStatus.APPROVED, "E0001")]
    assert finding_id not in {i.item_id for i in ReviewQueue(world.audit, clock=world.clock).for_viewer(SUPERVISOR)}
    # and the stale link is refused, saying it was decided
    with pytest.raises(AlreadyDecidedError, match="already approved by E0001"):
        world.callback.decide(link, "reject", "not mine")


def test_after_the_link_is_used_the_queue_refuses_the_item(world: World) -> None:
    finding_id = "f-000000000000000000000001"
    [link] = world.notified(
        notice(make_request(make_finding(finding_id=finding_id, record_key="time-clock-entries:0001")))
    )
    world.callback.decide(link, "reject", "the badge shows he left on time")

    with pytest.raises(ItemNotFoundError):
        _service(world).decide(SUPERVISOR, finding_id, "approve", None)


def test_a_recommendation_is_decided_once_with_the_deciders_name(world: World) -> None:
    service = _service(world)

    assert service.decide(PLANNER, "crew-0001", "approve", None).action == "approve"
    with pytest.raises(ItemNotFoundError):
        service.decide(PLANNER, "crew-0001", "reject", "changed my mind")
    [decision] = [e for e in world.audit.for_finding("crew-0001") if e.event_type is AuditEventType.DECISION]
    assert decision.actor == "P0001" and decision.payload["via"] == "queue"


def test_nobody_decides_what_they_may_not_see_and_a_rejection_needs_a_reason(world: World) -> None:
    service = _service(world)

    with pytest.raises(ItemNotFoundError):
        service.decide(OTHER_SUPERVISOR, "f-000000000000000000000001", "approve", None)
    with pytest.raises(DecisionFormError):
        service.decide(PLANNER, "crew-0001", "reject", "  ")
    assert [e.event_type for e in world.audit.for_finding("crew-0001")] == [AuditEventType.RECOMMENDATION]


def test_an_incident_report_is_the_ehs_leads_alone_not_its_departments_supervisors(
    world: World, lambda_context: Any
) -> None:
    # Given an incident report from the Molding department waiting for its codes (ux119 #1)
    recommendation(world, "inc-0001", "incident_coding", record_key="incidents:inc-0001", department="Molding")
    queue, ehs = ReviewQueue(world.audit, clock=world.clock), Viewer("ehs1", frozenset({Role.EHS}))
    # Then Molding's supervisor neither sees it nor closes it, from the queue or its page; the EHS lead sees it
    assert "inc-0001" not in [i.item_id for i in queue.for_viewer(SUPERVISOR)]
    assert [i.item_id for i in queue.for_viewer(ehs)] == ["inc-0001"]
    with pytest.raises(ItemNotFoundError):
        _service(world).decide(SUPERVISOR, "inc-0001", "reject", "not a real incident")
    claims = {"cognito:username": "E0001", "cognito:groups": "supervisor", "custom:departments": "Molding"}
    form = {"action": "reject", "reason": "not a real incident"}
    assert call_web(web_deps(world), "POST", "/items/inc-0001", claims, lambda_context, form=form)["statusCode"] == 404
    bulk = call_web(web_deps(world), "POST", "/queue", claims, lambda_context, form={"item": ["inc-0001"], **form})
    assert bulk["multiValueHeaders"]["Location"][0].endswith("decided=0&failed=1")
    assert [e.event_type for e in world.audit.for_finding("inc-0001")] == [AuditEventType.RECOMMENDATION]


def test_bulk_decisions_report_each_item_and_one_failure_stops_nothing(world: World) -> None:
    outcomes = _service(world).decide_many(ADMIN, ["crew-0001", "missing-1", "cert-0001"], "approve", None)

    assert [(o.item_id, o.action) for o in outcomes] == [
        ("crew-0001", "approve"),
        ("missing-1", None),
        ("cert-0001", "approve"),
    ]
    assert outcomes[1].problem is not None


def test_expired_items_leave_the_queue(world: World) -> None:
    world.clock.advance(hours=17)
    closed(world, "f-000000000000000000000002", AuditStatus.EXPIRED, record_key="time-clock-entries:0002")
    items = ReviewQueue(world.audit, clock=world.clock).for_viewer(SUPERVISOR)
    assert [i.item_id for i in items] == ["f-000000000000000000000001"]


def test_a_used_link_nonce_is_the_queue_decisions_mark(world: World) -> None:
    # The queue decision uses up the link: redeeming the raw token again hits the nonce store
    finding_id = "f-000000000000000000000001"
    [link] = world.notified(
        notice(make_request(make_finding(finding_id=finding_id, record_key="time-clock-entries:0001")))
    )
    _service(world).decide(SUPERVISOR, finding_id, "approve", None)
    with pytest.raises(LinkAlreadyUsedError):
        world.signer.redeem(link, "E0001", "approve", world.nonces, world.clock())


BOSS = Viewer("E0100", frozenset({Role.SUPERVISOR}), frozenset({"Paint"}))
"""E0001's own supervisor, in another department: the escalation's recipient."""


def test_an_escalated_finding_is_in_the_queue_of_the_supervisor_it_was_escalated_to(world: World) -> None:
    # Given a finding of E0001 its workflow escalated to E0100 (approval_notify's second-stage digest)
    finding_id = "f-000000000000000000000001"
    request = make_request(
        make_finding(finding_id=finding_id, record_key="time-clock-entries:0001"),
        escalation_supervisor_id="E0100",
    )
    queue = ReviewQueue(world.audit, clock=world.clock)
    world.notified(notice(request))
    assert queue.for_viewer(BOSS) == []  # first stage: not theirs yet (a warm queue, read once)

    world.notified(notice(request, Stage.ESCALATED, token="task-2"))

    # Then it is in E0100's queue (the warm read and a fresh one), its page opens and they decide it
    assert [i.item_id for i in queue.for_viewer(BOSS)] == [finding_id]
    assert [i.item_id for i in ReviewQueue(world.audit, clock=world.clock).for_viewer(BOSS)] == [finding_id]
    assert queue.item(BOSS, finding_id) is not None and queue.item(OTHER_SUPERVISOR, finding_id) is None
    outcome = _service(world).decide(BOSS, finding_id, "approve", None)
    assert outcome.action == "approve" and world.tasks.succeeded[0][0] == "task-2"


def test_a_warm_queue_keeps_no_escalation_of_an_item_closed(world: World) -> None:
    # Given an escalated finding the escalated supervisor decided, in a warm queue
    finding_id = "f-000000000000000000000001"
    request = make_request(make_finding(finding_id=finding_id), escalation_supervisor_id="E0100")
    world.notified(notice(request, Stage.ESCALATED, token="task-2"))
    queue = ReviewQueue(world.audit, clock=world.clock)
    assert [i.item_id for i in queue.for_viewer(BOSS)] == [finding_id]
    _service(world).decide(BOSS, finding_id, "approve", None)
    # Then its escalation is not kept for the container's life (nor taken again from a later read)
    queue.for_viewer(BOSS)
    assert queue._known is not None and finding_id not in queue._known.escalations


def test_an_escalated_recommendation_is_in_the_queue_of_the_supervisor_it_was_escalated_to(world: World) -> None:
    # Given a recommendation of E0001 that review_sweep escalated to E0100
    recommendation(world, "var-0001", "labor_variance", supervisor_id="E0001", department="Molding")
    record_sent(
        world.audit,
        Sent("jobs:var-0001", "var-0001", None, "E0100", Stage.ESCALATED, world.clock(), "review_sweep", "m-1"),
        sending=("escalated", "E0100"),
        escalated={"from_supervisor_id": "E0001", "kind": "labor_variance"},
        details={},
    )

    # Then E0100 sees it, and nobody else of their rank does
    queue = ReviewQueue(world.audit, clock=world.clock)
    assert "var-0001" in [i.item_id for i in queue.for_viewer(BOSS)]
    assert "var-0001" not in [i.item_id for i in queue.for_viewer(OTHER_SUPERVISOR)]


def test_the_escalated_supervisor_opens_the_item_from_the_web_queue(world: World) -> None:
    # ux104 #1: bhughes1 was mailed "1 escalated" with a link to /queue, and /items/<id> answered 404
    finding_id = "f-000000000000000000000001"
    escalated_finding(world, finding_id)
    boss = {"cognito:username": "E0100", "cognito:groups": "supervisor", "custom:departments": "Paint"}

    queue = call_web(web_deps(world), "GET", "/queue", boss)
    page = call_web(web_deps(world), "GET", f"/items/{finding_id}", boss)

    assert f"/dev/items/{finding_id}" in queue["body"]
    assert page["statusCode"] == 200 and "Missed punch" in page["body"]


def test_an_escalated_item_says_so_on_its_queue_row_and_page(world: World) -> None:
    """N6 (ux113): to whom, when, and whose decision it waited for, from the `escalated` event."""
    finding_id = "f-000000000000000000000001"
    request = make_request(
        make_finding(finding_id=finding_id, record_key="time-clock-entries:0001"), escalation_supervisor_id="E0100"
    )
    world.notified(notice(request))
    world.clock.advance(seconds=26 * 3600)
    world.notified(notice(request, Stage.ESCALATED, token="task-2"))
    boss = {"cognito:username": "E0100", "cognito:groups": "supervisor", "custom:departments": "Paint"}
    admin = {"cognito:username": "admin", "cognito:groups": "admin"}

    row = call_web(web_deps(world), "GET", "/queue", boss)["body"].split(f"/items/{finding_id}")[1].split("</tr>")[0]
    page = call_web(web_deps(world), "GET", f"/items/{finding_id}", boss)["body"]
    others = call_web(web_deps(world), "GET", f"/items/{finding_id}", admin)["body"]

    escalated = "Escalated to you on "
    assert escalated in row and escalated in page
    assert "(no decision by E0001 within 26 h)" in row and "(no decision by E0001 within 26 h)" in page
    assert "Escalated to E0100 on " in others
    own = call_web(web_deps(world), "GET", "/queue", {**boss, "cognito:username": "E0001", "custom:departments": ""})
    rows = own["body"].split("<tr>")
    [first] = [r for r in rows if f"/items/{finding_id}" in r]
    assert "Escalated to E0100 on " in first and "(no decision by you within 26 h)" in first  # its supervisor
    never = [r for r in rows if "/items/f-000000000000000000000002" in r]
    assert never and not any("Escalated" in r for r in never)


def test_a_warm_queue_keeps_an_item_that_expires_between_its_reads(world: World) -> None:
    # Given a queue that read the finding open (ux119 #23)
    queue = ReviewQueue(world.audit, clock=world.clock)
    assert "f-000000000000000000000001" in [i.item_id for i in queue.for_viewer(SUPERVISOR)]
    # When its expiry is recorded and the queue reads again within its refresh
    world.clock.advance(minutes=1)
    closed(world, "f-000000000000000000000001", AuditStatus.EXPIRED, record_key="time-clock-entries:0001")
    # Then it left the queue and is listed as expired undecided, with when it expired
    assert "f-000000000000000000000001" not in [i.item_id for i in queue.for_viewer(SUPERVISOR)]
    [(item, at)] = queue.expired_items(SUPERVISOR)
    [expiry] = [e for e in world.audit.for_finding(item.item_id) if e.status is AuditStatus.EXPIRED]
    assert item.item_id == "f-000000000000000000000001" and at == expiry.occurred_at
