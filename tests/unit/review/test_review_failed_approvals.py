"""A punch finding whose approval workflow failed (`approval_failed`: its notify step failed, so no
execution waits on it): the review queue still decides it and review_sweep still tells, escalates and
expires it."""

from __future__ import annotations

import pytest

from plexlabor.approval.messages import FailureNotice, Stage, WritebackMessage
from plexlabor.audit import AuditEventType, AuditStatus
from plexlabor.review.decisions import ReviewService
from plexlabor.review.queue import ReviewQueue, Role, Viewer
from tests.unit.approval.approval_fakes import World, make_finding, make_request, notice
from tests.unit.review.review_world import call_web, open_finding, web_deps
from tests.unit.review.test_review_sweep import RecordingMailer, of_type, sweep

FINDING = make_finding(finding_id="f-failedapproval000000001")
SUPERVISOR = Viewer("E0001", frozenset({Role.SUPERVISOR}))


@pytest.fixture
def world() -> World:
    return World()


def failed_approval(world: World, stage: Stage = Stage.FIRST) -> None:
    """The finding opened for E0001 (escalating to E0100), and its workflow's notify step failed at `stage`."""
    open_finding(world, FINDING)
    request = make_request(FINDING, escalation_supervisor_id="E0100")
    batch = world.notify.batch()
    batch.add(FailureNotice(stage=stage, failure={"Error": "SQS.KmsDisabled"}, request=request), "m-1")
    assert batch.flush() == []


def review(world: World) -> ReviewService:
    return ReviewService(ReviewQueue(world.audit, clock=world.clock), world.audit, world.callback, world.writebacks)


def test_an_approval_from_the_queue_goes_to_the_write_back_queue_then_is_recorded(world: World) -> None:
    failed_approval(world)
    service = review(world)
    # When the supervisor approves it in the queue, with an edited correction
    edit = {"clockoutTime": "2026-03-02T14:05:00.0000000Z"}
    outcome = service.decide(SUPERVISOR, FINDING.finding_id, "approve", None, edit)
    # Then the write-back gets what the workflow would have sent, and the decision is recorded once
    assert outcome.action == "approve" and outcome.problem is None
    [message] = world.writebacks.sent
    assert isinstance(message, WritebackMessage)
    assert message.request.finding == FINDING and message.request.supervisor_id == "E0001"
    assert (message.decision.supervisor_id, message.decision.correction) == ("E0001", edit)
    [decision] = of_type(world, FINDING.finding_id, AuditEventType.DECISION)
    assert decision.status is AuditStatus.APPROVED and decision.payload["correction"] == edit
    # and it has left the queue
    assert service.queue.for_viewer(SUPERVISOR) == []
    assert world.tasks.succeeded == []


def test_a_rejection_writes_nothing_and_a_second_decision_is_refused(world: World) -> None:
    failed_approval(world)
    service = review(world)
    service.decide(SUPERVISOR, FINDING.finding_id, "reject", "the badge reader was down")
    assert world.writebacks.sent == []
    [decision] = of_type(world, FINDING.finding_id, AuditEventType.DECISION)
    assert decision.status is AuditStatus.REJECTED and decision.payload["reason"] == "the badge reader was down"
    with pytest.raises(Exception, match="no longer open"):
        review(world).decide(SUPERVISOR, FINDING.finding_id, "approve", None)


def test_a_failed_escalation_is_decided_without_resuming_the_dead_first_stage(world: World) -> None:
    # Given the first stage's task token (its link mailed) and then a failed escalation
    world.notified(notice(make_request(FINDING, escalation_supervisor_id="E0100"), token="task-first"))
    assert [pending.task_token for pending in world.tokens.for_finding(FINDING.finding_id)] == ["task-first"]
    failed_approval(world, Stage.ESCALATED)
    # When it is approved in the queue, the dead first-stage task is not resumed
    review(world).decide(SUPERVISOR, FINDING.finding_id, "approve", None)
    assert world.tasks.succeeded == [] and len(world.writebacks.sent) == 1


def test_if_the_write_back_queue_is_unreachable_nothing_is_recorded(world: World) -> None:
    failed_approval(world)
    world.writebacks.failing = True
    with pytest.raises(Exception, match="sent on its way to Plex"):
        review(world).decide(SUPERVISOR, FINDING.finding_id, "approve", None)
    assert of_type(world, FINDING.finding_id, AuditEventType.DECISION) == []


def test_the_sweep_tells_escalates_and_expires_a_finding_whose_workflow_failed(world: World) -> None:
    # Given a finding whose workflow failed, and one whose workflow is fine
    failed_approval(world)
    open_finding(world, make_finding(finding_id="f-workflowfine00000000001", record_key="time-clock-entries:T9"))
    mailer = RecordingMailer()
    # When the sweep runs, the supervisor hears of the first only
    first = sweep(world, mailer, {"E0001": "E0100"}, roles=False).run()
    [notice] = mailer.to("sup1@plant.example")
    assert first.notified == 1 and "1 new suggestion" in notice.subject
    # then, unanswered, it escalates to E0100 and expires, and leaves the queue
    world.clock.advance(hours=8)
    assert sweep(world, mailer, {"E0001": "E0100"}, roles=False).run().escalated == 1
    world.clock.advance(hours=8)
    assert sweep(world, mailer, {"E0001": "E0100"}, roles=False).run().expired == 1
    assert [i.item_id for i in ReviewQueue(world.audit, clock=world.clock).open_items()] == [
        "f-workflowfine00000000001"
    ]


def test_the_item_page_says_the_mail_was_not_sent_and_takes_the_decision(world: World) -> None:
    failed_approval(world)
    claims = {"cognito:username": "E0001", "cognito:groups": "supervisor"}
    page = call_web(web_deps(world), "GET", f"/items/{FINDING.finding_id}", claims)
    assert page["statusCode"] == 200 and "could not be sent (its workflow failed)" in page["body"]
    decided = call_web(web_deps(world), "POST", f"/items/{FINDING.finding_id}", claims, form={"action": "approve"})
    assert decided["statusCode"] == 303 and len(world.writebacks.sent) == 1
