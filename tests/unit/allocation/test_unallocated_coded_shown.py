"""A stretch coded by hand, as `/allocation` and the coded suggestion's page show it (ux_s13 #8): the stretch says it is
coded, to what, by whom and how far (waiting, approved, written) with a link to the coding, not "Decide"; the
suggestion's page says "Coded by hand" with that link, not "Rejected by ..."."""

from __future__ import annotations

import dataclasses
import html
from typing import Any

import pytest

from plexlabor.allocation.artifact import read_artifact, store_artifact
from plexlabor.allocation.coding import Coding, coded_event, codings
from plexlabor.approval.messages import Decision
from plexlabor.audit import ApprovalAction
from plexlabor.platform.artifacts import InMemoryArtifactStore, ReportPointer
from plexlabor.webapp.allocation import AllocationReports
from plexlabor.webapp.app import Dependencies
from tests.support import make_unallocated
from tests.unit.allocation.test_unallocated_coding import (
    CLAIMS,
    START,
    PlexWithTime,
    code_it,
    deps,
    night_report,
    publish,
    write_back,
)
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web

PLANNER = {"cognito:username": "P0001", "cognito:groups": "planner"}
MACH = CLAIMS | {"custom:departments": "MACH"}
"""The stretches' supervisor, whose /allocation shows their department (MACH)."""


@pytest.fixture
def world() -> World:
    return World()


def with_stretches(world: World, *later: int) -> Dependencies:
    """The web app on the night's report of DAY holding the stretches published `later` hours after 13:00 UTC."""
    store = night_report()
    artifact = read_artifact(store, ReportPointer.model_validate_json(store.get("latest.json") or "{}"))
    report = artifact.report.model_copy(
        update={"suggestions": [make_unallocated(START.replace(hour=13 + h), 40) for h in later]}
    )
    shown = InMemoryArtifactStore()
    store_artifact(shown, artifact.model_copy(update={"report": report}))
    return dataclasses.replace(deps(world), allocation=AllocationReports(shown))


def stretches(dependencies: Dependencies, claims: dict[str, str]) -> str:
    response = call_web(dependencies, "GET", "/allocation", claims)
    assert response["statusCode"] == 200
    body: str = html.unescape(response["body"])
    return body.split('id="suggestions-title"')[1].split("</table>")[0]


def test_a_coded_stretch_shows_its_coding_and_links_it_and_the_open_one_is_still_decided(world: World) -> None:
    # Given two stretches of the night's report, the first coded by hand to training by its supervisor
    coded = publish(world, job=True)
    waiting = publish(world, job=True, later=2)
    coded_id = code_it(world, coded.event_id, {"code": "TRAINING"})
    dependencies = with_stretches(world, 0, 2)
    # When the supervisor opens /allocation
    table = stretches(dependencies, MACH)
    # Then the coded one says who coded it, to what and how far, and links the coding, not "Decide"
    assert "Coded by hand by E0001 to the indirect code TRAINING: approved, on its way to Plex" in table
    assert f'/items/{coded_id}">Open the coding</a>' in table
    assert f'/items/{coded.event_id}">Decide' not in table
    # and the other still offers "Decide"
    assert f'/items/{waiting.event_id}">Decide</a>' in table
    # and once plex_writeback wrote it (the dry run), the row says so; a planner reads it without the link
    write_back(world, PlexWithTime(), "dry_run")
    assert "TRAINING: approved (dry run: nothing sent to Plex)" in stretches(dependencies, MACH)
    read_only = stretches(dependencies, PLANNER)
    assert "Coded by hand by" in read_only and "Open the coding" not in read_only


def test_a_stretch_decided_in_the_queue_says_so_instead_of_decide(world: World) -> None:
    # Given a stretch approved from its item page
    opening = publish(world, job=True)
    response = call_web(deps(world), "POST", f"/items/{opening.event_id}", CLAIMS, form={"action": "approve"})
    assert response["statusCode"] in (200, 303)
    # When the supervisor opens /allocation
    table = stretches(with_stretches(world, 0), MACH)
    # Then the row says who approved it and opens the item, without "Decide"
    assert "Approved by E0001 on" in table and ">Decide<" not in table
    assert f'/items/{opening.event_id}">Open</a>' in table
    # and the list still speaks to them as the one who decides (not "this list is for reading")
    assert 'class="stretches-decide"' in table


def test_the_coded_suggestions_page_says_coded_by_hand_and_links_the_coding(world: World) -> None:
    # Given a stretch coded by hand
    opening = publish(world)
    coded_id = code_it(world, opening.event_id, {"code": "MEETING"})
    # When its supervisor opens the suggestion it codes
    response = call_web(deps(world), "GET", f"/items/{opening.event_id}", CLAIMS)
    body: Any = html.unescape(response["body"])
    # Then it says it was coded by hand, to what and how far, with a link to the coding; not "Rejected by"
    closed = body.split('class="flash ok closed"')[1].split("</p>")[0]
    assert "Coded by hand by E0001 on" in closed
    assert "to the indirect code MEETING: approved, on its way to Plex." in closed
    assert f'/items/{coded_id}">Open the coding</a>' in closed
    assert "Rejected by" not in closed


def test_a_coding_let_go_is_not_shown_and_the_next_one_is(world: World) -> None:
    # Given a stretch whose first coding was let go (its write could not be queued: its coder's own rejection)
    opening = publish(world)
    first = coded_event(opening, Coding(indirect_code="TRAINING"), "E0001", world.clock(), 1)
    world.audit.append(first)
    let_go = Decision(action=ApprovalAction.REJECT, reason="not coded", supervisor_id="E0001")
    world.audit.append(
        let_go.audit_event(
            record_key=first.record_key,
            item_id=first.event_id,
            employee_id="E0042",
            model_version=None,
            occurred_at=world.clock(),
            payload={"kind": "unallocated_time"},
        )
    )
    # Then the stretch has no coding: /allocation offers "Decide" again
    assert codings(world.audit.history(opening.record_key)) == {}
    assert f'/items/{opening.event_id}">Decide</a>' in stretches(with_stretches(world, 0), MACH)
    # and once coded again, that coding is the one shown
    second = code_it(world, opening.event_id, {"code": "MEETING"})
    [coded] = codings(world.audit.history(opening.record_key)).values()
    assert coded.event.event_id == second and coded.to() == "the indirect code MEETING"
