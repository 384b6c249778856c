"""Coding unallocated time when its write cannot be queued, and two codings of one stretch (review_s13 #5, L1): a
503 keeps nothing (the coding is let go: its coder's own rejection), so a second coding of the stretch is the only
one that reaches Plex; a coding while another of the same stretch stands (waiting or approved, or recorded a
moment before by a conditional write) is a 409 naming it, nothing recorded."""

from __future__ import annotations

import html
from typing import Any

import pytest

from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.errors import AuditUnavailableError
from plexlabor.review.decisions import ItemNotFoundError
from plexlabor.review.queue import ReviewQueue
from tests.unit.allocation.test_unallocated_coding import (
    SUPERVISOR,
    by_type,
    code,
    code_it,
    deps,
    publish,
    world,
)
from tests.unit.approval.approval_fakes import World

__all__ = ["world"]


def _waiting(world: World) -> list[str]:
    return [i.item_id for i in ReviewQueue(world.audit, clock=world.clock).for_viewer(SUPERVISOR)]


def _written(world: World) -> list[str]:
    return [m.item_id for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]


def _codings(world: World, suggestion: AuditEvent) -> list[AuditEvent]:
    return [
        e
        for e in world.audit.history(suggestion.record_key)
        if e.event_type is AuditEventType.RECOMMENDATION and e.payload.get("replaces") == suggestion.event_id
    ]


def test_a_coding_whose_write_could_not_be_queued_keeps_nothing_and_the_next_one_is_the_only_write(
    world: World,
) -> None:
    opening = publish(world)
    # When the supervisor codes it to training while the write-back queue is unreachable
    world.writebacks.failing = True
    failed = code(world, opening.event_id, {"code": "TRAINING"})
    # Then the page says nothing was kept, and only the suggestion waits
    assert failed["statusCode"] == 503
    assert _waiting(world) == [opening.event_id]
    assert "nothing was kept: try again" in html.unescape(failed["body"])
    [let_go] = _codings(world, opening)
    [closing] = by_type(world, let_go.event_id, AuditEventType.DECISION)
    assert (closing.status, closing.actor) == (AuditStatus.REJECTED, "E0001")  # its coder's own, saying why
    assert closing.payload["reason"] == "not coded: its write to Plex could not be queued (nothing kept)"
    # When they code it again, to a meeting, with the queue back
    world.writebacks.failing = False
    coded = code_it(world, opening.event_id, {"code": "MEETING"})
    # Then that one is approved and the only write on its way; nothing waits any more
    assert _written(world) == [coded]
    assert _waiting(world) == []
    # and the coding let go cannot be approved from the queue (a bulk approval) afterwards
    with pytest.raises(ItemNotFoundError):
        deps(world).review.decide(SUPERVISOR, let_go.event_id, "approve", None)
    assert _written(world) == [coded]


def test_the_same_coding_posted_again_after_a_503_is_coded(world: World) -> None:
    opening = publish(world)
    world.writebacks.failing = True
    assert code(world, opening.event_id, {"code": "TRAINING"})["statusCode"] == 503
    world.writebacks.failing = False
    coded = code_it(world, opening.event_id, {"code": "TRAINING"})
    assert _written(world) == [coded]
    assert [by_type(world, e.event_id, AuditEventType.DECISION)[0].status for e in _codings(world, opening)] == [
        AuditStatus.REJECTED,
        AuditStatus.APPROVED,
    ]


def _code_while_decisions_unreachable(world: World, opening: AuditEvent) -> dict[str, Any]:
    """Code the stretch to TRAINING while the write-back queue and then the audit's decisions are unreachable: its
    write cannot be queued and the coding cannot be let go; the page's response."""
    world.writebacks.failing = True
    append = world.audit.append

    def unreachable_for_decisions(event: Any) -> None:
        if event.event_type is AuditEventType.DECISION:
            raise AuditUnavailableError("DynamoDB unreachable during append")
        append(event)

    world.audit.append = unreachable_for_decisions  # type: ignore[method-assign]
    response = code(world, opening.event_id, {"code": "TRAINING"})
    world.audit.append = append  # type: ignore[method-assign]
    world.writebacks.failing = False
    return response


def test_a_coding_that_could_not_be_let_go_waits_and_a_second_coding_is_refused_naming_it(world: World) -> None:
    opening = publish(world)
    stuck = _code_while_decisions_unreachable(world, opening)
    # The page says the coding waits in the queue (true: it does), not that nothing was kept
    assert stuck["statusCode"] == 503
    assert "stays recorded, waiting in the review queue" in html.unescape(stuck["body"])
    [first] = _codings(world, opening)
    # When the supervisor codes the stretch again to something else
    second = code(world, opening.event_id, {"code": "MEETING"})
    # Then it is refused naming the first, and nothing more is recorded or written
    body = html.unescape(second["body"])
    assert second["statusCode"] == 409
    assert "charge 40 min to the indirect code TRAINING" in body and "it waits to be approved or rejected" in body
    assert f"/items/{first.event_id}" in body
    assert _codings(world, opening) == [first] and world.writebacks.sent == []


def test_of_two_codings_of_one_stretch_at_the_same_moment_only_the_first_is_recorded(world: World) -> None:
    """Both read the stretch's codings before either wrote (two tabs, the supervisor and a department's): the
    stretch's n-th coding is one stable id, so the second's write is refused and it names the first."""
    from plexlabor.allocation.coding import Coding, StretchTakenError, take_stretch

    opening = publish(world)
    before = world.audit.history(opening.record_key)
    first = take_stretch(world.audit, opening, Coding(indirect_code="TRAINING"), "E0001", world.clock())
    history = world.audit.history
    reads: list[str] = []

    def stale_once(record_key: str) -> list[AuditEvent]:  # the second read the codings before the first wrote
        reads.append(record_key)
        return before if len(reads) == 1 else history(record_key)

    world.audit.history = stale_once  # type: ignore[method-assign]
    with pytest.raises(StretchTakenError) as taken:
        take_stretch(world.audit, opening, Coding(indirect_code="MEETING"), "E0007", world.clock())
    assert taken.value.coding == first and not taken.value.approved
    assert _codings(world, opening) == [first]


def test_a_coding_of_a_suggestion_approved_a_moment_ago_is_refused_though_the_index_lagged(world: World) -> None:
    """The page reads the suggestion through an index (eventually consistent); the coding reads its record's history
    before it is recorded, so a likely job approved in the queue a moment ago is not coded again (two writes)."""
    opening = publish(world, job=True)
    stale = world.audit.for_finding(opening.event_id)
    deps(world).review.decide(SUPERVISOR, opening.event_id, "approve", None)  # the likely job, its write queued
    for_finding = world.audit.for_finding
    world.audit.for_finding = lambda finding_id: (  # type: ignore[method-assign]
        stale if finding_id == opening.event_id else for_finding(finding_id)
    )

    refused = code(world, opening.event_id, {"code": "TRAINING"})

    assert refused["statusCode"] == 409
    assert "the suggestion was decided a moment ago: Approved by" in html.unescape(refused["body"])
    assert _written(world) == [opening.event_id] and _codings(world, opening) == []
