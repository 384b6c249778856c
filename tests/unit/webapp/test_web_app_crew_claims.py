"""Crew seats held by a conditional write (issue 16, defect 1; `crew.claims`): two swaps of the same operator into
overlapping seats, or of the same seat, whose second reads the board before the first's writes reach the status
index (its eventual consistency, under a second) are accepted once; the second is a 409 saying who was placed where,
by whom and when, and nothing of it is written. The same holds for two approvals of crew suggestions that put one
person in overlapping seats (the queue's path had no check at all), and a claim whose write to Plex could not be
queued is let go. Run on the in-memory audit store and on the DynamoDB adapter on moto."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from plexlabor.audit import AuditStatus
from plexlabor.audit.store import AuditStore, IndexQuery
from plexlabor.review.queue import Role, Viewer
from tests.support import audit_table_on_moto
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment, web_deps
from tests.unit.webapp.test_web_app_crew import CANDIDATES, DAY, Replans, _decide, _with_replan, board_world
from tests.unit.webapp.viewers import PLANNER

SINCE = datetime(2026, 1, 1, tzinfo=UTC)
TABLE = "plexlabor-audit-claims"


@pytest.fixture(params=["in_memory", "dynamodb"])
def world(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The board's world (crew-0001: E0042 waiting at WC-10 06:00-14:30 offering E0050 and E0051), its audit table
    in memory or on moto."""
    world = board_world()
    if request.param == "in_memory":
        yield world
        return
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    with audit_table_on_moto(monkeypatch, TABLE, {}, lambda: None) as client:
        store = DynamoDbAuditStore(TABLE, client=_OneCallAtATime(client))
        for event in _indexed_events(world.audit):
            store.append(event)
        yield dataclasses.replace(world, audit=store)  # type: ignore[arg-type]


class _OneCallAtATime:
    """The moto client with its calls one at a time: moto's DynamoDB backend is not thread-safe (a transaction
    deep-copies the table while another thread writes it: "dictionary changed size during iteration"), which
    DynamoDB itself is. Reads and writes of two threads still interleave between calls, so the race the bulk test
    checks is still there."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def one_at_a_time(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attribute(*args, **kwargs)

        return one_at_a_time


def _indexed_events(store: AuditStore) -> list[Any]:
    return [e for status in AuditStatus for e in store.by_status(status, SINCE, 100_000)]


@contextmanager
def _index_as_before(store: AuditStore, held: set[str]) -> Iterator[None]:
    """Within the block the store's indexes show only the events `held` (a reader inside the index's lag: it read
    before the other decision's writes); `history` (strongly consistent) shows everything."""
    find = store._find

    def behind(query: IndexQuery) -> list[Any]:
        return [e for e in find(query) if e.event_id in held]

    store._find = behind  # type: ignore[method-assign]
    try:
        yield
    finally:
        store._find = find  # type: ignore[method-assign]


def _second_seat(world: World, item: str = "crew-0009", employee: str = "E0051", **fields: Any) -> None:
    """A waiting seat of shift 1 at WC-20 from 06:00 to 10:00 (overlapping crew-0001's), offering CANDIDATES."""
    crew_assignment(
        world,
        item,
        employee_id=employee,
        segment=f"op-{item}|1",
        workcenter_code="WC-20",
        end="2026-03-04T10:00:00+00:00",
        swap_candidates=CANDIDATES,
        **fields,
    )


def _swap_in(deps: Any, item: str, employee: str, lambda_context: Any) -> Any:
    form = {"item": item, "employee": employee, "next": "/crew?day=2026-03-04&shift=1"}
    return call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=form)


def _flash(body: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def _approved(world: World) -> list[tuple[str | None, str | None]]:
    decisions = world.audit.by_status(AuditStatus.APPROVED, SINCE, 1000)
    return sorted((e.finding_id, e.employee_id) for e in decisions)


def test_two_swaps_of_one_operator_into_overlapping_seats_within_the_index_lag_are_accepted_once(
    world: World, lambda_context: Any
) -> None:
    # Given two overlapping waiting seats offering E0050, and what the index holds before either swap
    _second_seat(world)
    deps = _with_replan(world, Replans())
    before = {e.event_id for e in _indexed_events(world.audit)}

    # When E0050 is swapped into crew-0001, and into crew-0009 by a request whose reads come before that swap's writes
    first = _swap_in(deps, "crew-0001", "E0050", lambda_context)
    with _index_as_before(world.audit, before):
        second = _swap_in(deps, "crew-0009", "E0050", lambda_context)

    # Then the first is accepted and written; the second is a 409 on the board saying where E0050 was placed
    assert first["statusCode"] == 303 and "done=swap" in first["multiValueHeaders"]["Location"][0]
    assert second["statusCode"] == 409, second.get("multiValueHeaders")
    said = _flash(second["body"])
    assert "Not swapped: E0050 was just placed on WC-10 (" in said and ") by P0001 at " in said, said
    assert "one person cannot hold two seats at the same time. Nothing was changed." in said
    assert 'id="call-offs"' in second["body"]  # the board it came from, drawn under the reason
    # and nothing of the second is recorded: one write to Plex, crew-0009 still waiting, E0050 approved once
    assert len(world.writebacks.sent) == 1
    assert [e.status for e in world.audit.for_finding("crew-0009")] == [AuditStatus.PENDING_APPROVAL]
    assert [emp for _, emp in _approved(world)] == ["E0050"]


def test_two_swaps_of_the_same_seat_within_the_index_lag_are_accepted_once(world: World, lambda_context: Any) -> None:
    deps = _with_replan(world, Replans())
    before = {e.event_id for e in _indexed_events(world.audit)}

    first = _swap_in(deps, "crew-0001", "E0050", lambda_context)
    with _index_as_before(world.audit, before):  # the seat still looks waiting to the second
        second = _swap_in(deps, "crew-0001", "E0051", lambda_context)

    assert first["statusCode"] == 303
    assert second["statusCode"] == 409
    assert "Not swapped: this seat was just swapped for E0050 by P0001 at " in _flash(second["body"])
    assert len(world.writebacks.sent) == 1
    assert [emp for _, emp in _approved(world)] == ["E0050"]


def test_two_approvals_that_put_one_person_in_overlapping_seats_accept_the_first_only(
    world: World, lambda_context: Any
) -> None:
    # Given E0042 waiting at WC-10 (crew-0001, 06:00-14:30) and at WC-20 (crew-0011, 06:00-10:00), and at WC-30
    # after the first ends (crew-0012, 14:30-18:00: no overlap)
    _second_seat(world, "crew-0011", "E0042")
    crew_assignment(
        world,
        "crew-0012",
        employee_id="E0042",
        segment="op-12|2",
        workcenter_code="WC-30",
        shift_code="2",
        start="2026-03-04T14:30:00+00:00",
        end="2026-03-04T18:00:00+00:00",
    )
    deps = web_deps(world)

    # When a planner accepts all three from the board, one after the other
    first = _decide(deps, "crew-0001", lambda_context, action="approve", next="/crew?day=2026-03-04&shift=1")
    second = _decide(deps, "crew-0011", lambda_context, action="approve", next="/crew?day=2026-03-04&shift=1")
    third = _decide(deps, "crew-0012", lambda_context, action="approve", next="/crew?day=2026-03-04&shift=2")

    # Then the overlapping second is a 409 naming the first seat; the one after it is accepted
    assert first["statusCode"] == 303 and third["statusCode"] == 303
    assert second["statusCode"] == 409
    assert "Not accepted: E0042 was just placed on WC-10 (" in _flash(second["body"])
    assert _approved(world) == [("crew-0001", "E0042"), ("crew-0012", "E0042")]
    assert len(world.writebacks.sent) == 2


def test_a_swap_whose_write_could_not_be_queued_lets_the_seat_go(world: World, lambda_context: Any) -> None:
    # Given a swap of E0050 into crew-0001 whose write to Plex could not be queued (nothing approved)
    _second_seat(world)
    deps = _with_replan(world, Replans())
    world.writebacks.failing = True
    refused = _swap_in(deps, "crew-0001", "E0050", lambda_context)
    assert refused["statusCode"] == 303 and "why=not_queued" in refused["multiValueHeaders"]["Location"][0]

    # When E0050 is swapped into the overlapping crew-0009 with the queue back
    world.writebacks.failing = False
    again = _swap_in(deps, "crew-0009", "E0050", lambda_context)

    # Then it is accepted: the failed swap held E0050 at WC-10 no longer
    assert again["statusCode"] == 303 and "done=swap" in again["multiValueHeaders"]["Location"][0]
    assert [emp for _, emp in _approved(world)] == ["E0050"]


def test_the_board_still_shows_a_seat_swapped_a_moment_ago_as_before(world: World, lambda_context: Any) -> None:
    """Without the index's lag the board's own check refuses first (a 303 back to the board, as before)."""
    _second_seat(world)
    deps = _with_replan(world, Replans())
    assert _swap_in(deps, "crew-0001", "E0050", lambda_context)["statusCode"] == 303
    second = _swap_in(deps, "crew-0009", "E0050", lambda_context)
    assert second["statusCode"] == 303 and "why=accepted_elsewhere" in second["multiValueHeaders"]["Location"][0]
    assert call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["statusCode"] == 200


def test_a_bulk_approval_of_two_overlapping_seats_of_one_person_accepts_one_and_says_why_not_the_other(
    world: World,
) -> None:
    """The queue's bulk form decides up to 8 items at once, each in its own thread: both claims may read E0042's log
    before either writes it; the conditional write lets one through."""
    _second_seat(world, "crew-0011", "E0042")
    review = web_deps(world).review

    outcomes = review.decide_many(
        Viewer("P0001", frozenset({Role.PLANNER})), ["crew-0001", "crew-0011"], "approve", None
    )

    assert sorted(o.action or "" for o in outcomes) == ["", "approve"]
    [refused] = [o for o in outcomes if o.action is None]
    assert refused.problem and "E0042 was just placed on WC-" in refused.problem, refused.problem
    assert [emp for _, emp in _approved(world)] == ["E0042"] and len(world.writebacks.sent) == 1
