"""A bulk decision's answer names each item so that two of them never read as one: an overtime projection by its
department and week (ux_s14 #9: "Overtime projection, Mon 2026-11-30"), unallocated time by its stretch's times; and
stretches that can only be coded say so, not "decided elsewhere, closed, or refused here" (ux_s14 #15)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from plexlabor.allocation.nightly import suggestion_event
from plexlabor.audit import AuditEvent, AuditStatus
from tests.support import make_unallocated
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, recommendation, web_deps
from tests.unit.webapp.test_web_app_queue_load import CountingStore
from tests.unit.webapp.viewers import PLANNER

SUPERVISOR = {"cognito:username": "E0001", "cognito:groups": "supervisor"}
"""E0042's supervisor (make_unallocated's stretches)."""


def _answer(world: World, claims: dict[str, Any], ctx: Any, ids: list[str]) -> str:
    """The queue page a bulk approval of `ids` leads to, its text as read."""
    posted = call_web(web_deps(world), "POST", "/queue", claims, ctx, form={"item": ids, "action": "approve"})
    assert posted["statusCode"] == 303
    query = dict(parse_qsl(urlsplit(posted["multiValueHeaders"]["Location"][0]).query))
    return str(call_web(web_deps(world), "GET", "/queue", claims, ctx, query=query)["body"]).replace("&#39;", "'")


def _overtime(world: World, item_id: str, week: str, week_start: str) -> None:
    recommendation(
        world, item_id, "overtime_projection", department="ASSY", iso_week=week, week_start=week_start, as_of=week_start
    )


def test_overtime_projections_are_named_by_department_and_week(lambda_context: Any) -> None:
    world = World()
    _overtime(world, "ot-0049", "2026-W49", "2026-11-30T05:00:00+00:00")
    _overtime(world, "ot-0050", "2026-W50", "2026-12-07T05:00:00+00:00")

    body = _answer(world, PLANNER, lambda_context, ["ot-0049", "ot-0050"])

    assert "Approved 2: Overtime projection, ASSY · 2026-W49; Overtime projection, ASSY · 2026-W50." in body


def _stretch(world: World, hour: int, job: bool) -> AuditEvent:
    stretch = make_unallocated(datetime(2026, 3, 2, hour, 0, tzinfo=UTC), 40, job=job)
    code, waiting = "WC-10" if job else None, AuditStatus.PENDING_APPROVAL
    event = suggestion_event(date(2026, 3, 2), stretch, world.clock(), waiting, workcenter_code=code)
    world.audit.append(event)
    return event


def test_stretches_with_nothing_to_approve_say_so_with_their_times(lambda_context: Any) -> None:
    world = World()
    with_job, first, second = _stretch(world, 11, True), _stretch(world, 13, False), _stretch(world, 15, False)

    body = _answer(world, SUPERVISOR, lambda_context, [str(e.finding_id) for e in (with_job, first, second)])

    assert "Approved 1: Unallocated time, E0042 · Mon 2026-03-02 06:00–06:40." in body
    assert (
        "2 not decided: Unallocated time, E0042 · Mon 2026-03-02 08:00–08:40; Unallocated time, E0042 · Mon "
        "2026-03-02 10:00–10:40: no job was scanned near these times, so there is nothing to approve; code each on "
        "its page (an indirect code or the job), or reject them with the reason."
    ) in body
    assert "decided elsewhere" not in body


def test_the_answer_reads_each_item_not_decided_once(lambda_context: Any) -> None:
    # review: the flash read a not-decided item's events to tell if it had nothing to approve, then again to name it
    store = CountingStore()
    world = World(audit=store)
    with_job, first, second = _stretch(world, 11, True), _stretch(world, 13, False), _stretch(world, 15, False)
    ids = [str(e.finding_id) for e in (with_job, first, second)]
    posted = call_web(
        web_deps(world), "POST", "/queue", SUPERVISOR, lambda_context, form={"item": ids, "action": "approve"}
    )
    query = dict(parse_qsl(urlsplit(posted["multiValueHeaders"]["Location"][0]).query))
    store.item_reads.clear()

    body = str(call_web(web_deps(world), "GET", "/queue", SUPERVISOR, lambda_context, query=query)["body"])

    assert "2 not decided: Unallocated time" in body
    assert [store.item_reads.count(item_id) for item_id in ids[1:]] == [1, 1]
