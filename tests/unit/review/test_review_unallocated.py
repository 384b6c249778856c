"""Unallocated time in the review queue: its item page gives the reason and the labor entry approving
writes; approving one with a likely job puts it on the write-back queue, one with no job is refused (it is
coded instead: tests/unit/allocation/test_unallocated_coding.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from plexlabor.allocation.nightly import suggestion_event
from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.review.decisions import NothingToApproveError, ReviewService
from plexlabor.review.queue import ReviewQueue, Role, Viewer
from tests.support import make_unallocated
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps

SUPERVISOR = Viewer("E0001", frozenset({Role.SUPERVISOR}))
CLAIMS = {"cognito:username": "E0001", "cognito:groups": "supervisor"}


@pytest.fixture
def world() -> World:
    return World()


def publish(world: World, job: bool, minute: int = 0) -> AuditEvent:
    start = datetime(2026, 3, 2, 13, minute, tzinfo=UTC)
    stretch = make_unallocated(start, 40, job=job, gap_minutes=5, scan_side="after")
    code = "WC-10" if job else None
    event = suggestion_event(
        date(2026, 3, 2), stretch, world.clock(), AuditStatus.PENDING_APPROVAL, workcenter_code=code
    )
    world.audit.append(event)
    return event


def review(world: World) -> ReviewService:
    return ReviewService(ReviewQueue(world.audit, clock=world.clock), world.audit, world.callback, world.writebacks)


def test_the_item_page_gives_the_reason_and_what_approving_writes(world: World) -> None:
    opening = publish(world, job=True)
    deps = web_deps(world)
    deps.write_mode = "direct"
    page = call_web(deps, "GET", f"/items/{opening.event_id}", CLAIMS)
    assert page["statusCode"] == 200
    body = page["body"]
    assert "40 paid minutes" in body and "job J100007 op 20" in body
    assert "their scan of it at WC-10 started 5 min after this stretch" in body
    assert "as a new labor entry" in body and "WC-10" in body


def test_approving_a_stretch_with_a_job_queues_its_write_and_one_without_is_refused(world: World) -> None:
    with_job, without = publish(world, job=True), publish(world, job=False, minute=30)
    service = review(world)
    assert service.decide(SUPERVISOR, with_job.event_id, "approve", None).problem is None
    # nothing to approve without a job (ux164 #5): it is coded on `/allocation/code`, or rejected
    with pytest.raises(NothingToApproveError):
        service.decide(SUPERVISOR, without.event_id, "approve", None)
    assert service.decide(SUPERVISOR, without.event_id, "reject", "a meeting, coded in Plex").problem is None
    [message] = world.writebacks.sent
    assert isinstance(message, RecommendationWriteback) and message.item_id == with_job.event_id
    for opening, status in ((with_job, AuditStatus.APPROVED), (without, AuditStatus.REJECTED)):
        [decision] = [e for e in world.audit.for_finding(opening.event_id) if e.event_type is AuditEventType.DECISION]
        assert decision.status is status
    assert service.queue.for_viewer(SUPERVISOR) == []
