"""The crew board after UX walkthrough s13: the objective panel says in words which rejected seat the supervisor's
plan keeps (#15), the filter and the totals count the empty seats that wait and each links to its item (#4), an
approved empty seat reads "acknowledged" (#17e), the plans listed catch up with new days (#17d), and a swap whose write
to Plex could not be queued says the choice is recorded and waits (not "could not be recorded: try again")."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from plexlabor.webapp import crewboard
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment, recommendation, web_deps
from tests.unit.webapp.test_web_app_crew import DAY, FIGURES, SEGMENT, Replans, _decide, _with_replan, board_world
from tests.unit.webapp.viewers import PLANNER

BOARD = "/crew?day=2026-03-04&shift=1"


def _text(body: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("&#39;", "'").split())


def _board(deps: Any, lambda_context: Any, **query: str) -> str:
    response = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=query or DAY)
    assert response["statusCode"] == 200
    return str(response["body"])


def test_the_objective_panel_says_which_rejected_seat_the_supervisors_plan_keeps(lambda_context: Any) -> None:
    # Given the planner rejected E0042 at WC-10 (crew-0001), and a re-plan published since whose figures say the
    # supervisor's plan (Plex's shift assignments) keeps that seat
    world = board_world()
    deps = web_deps(world)
    assert (
        _decide(deps, "crew-0001", lambda_context, action="reject", reason="not him", next=BOARD)["statusCode"] == 303
    )
    current = {**FIGURES["current"], "plan_change": 100.0}
    rejected = [{"employee_id": "E0042", "segment": "op-7|1", "workcenter_code": "WC-10"}]
    crew_assignment(
        world,
        "crew-0020",
        employee_id="E0050",
        segment="op-8|1",
        plan_figures={**FIGURES, "shifts": ["1"], "current": current, "current_rejected": rejected},
    )

    # When the planner opens the board
    text = _text(_board(deps, lambda_context))

    # Then the panel says so in words, naming who rejected it
    assert (
        "The supervisor's plan keeps E0042 at WC-10 (job J100001 op 20), which you rejected: Plex's shift assignments "
        "do not know the board's decisions." in text
    )


def _short_seat_in_assy(world: World) -> None:
    recommendation(
        world,
        "crew-0009",
        "crew_unstaffed",
        note="2 seats at ASM-02 for job J100049 operation 10, shift 1, stay empty: nobody qualified is free",
        workcenter_code="ASM-02",
        workcenter_id="W-ASM-02",
        department="ASSY",
        shift_code="1",
        plan_day="2026-03-04",
        segment="op-9|1",
        start="2026-03-04T06:00:00+00:00",
        end="2026-03-04T14:30:00+00:00",
        hours=8.0,
        seats=2,
        cause="qualified_busy",
    )


def test_waiting_empty_seats_are_counted_by_the_filter_and_the_totals_and_link_to_their_item(
    lambda_context: Any,
) -> None:
    # Given a shift with two empty seats at ASM-02 (department ASSY) waiting for a decision, and nobody placed there
    world = board_world()
    _short_seat_in_assy(world)
    deps = web_deps(world)

    # When the planner opens the shift, then department ASSY
    whole = _board(deps, lambda_context)
    assy = _board(deps, lambda_context, **DAY, dept="ASSY")

    # Then the department's option names the waiting empty seats apart, as do the totals, and the seat links its item
    assert "ASSY (0 seats filled, 0 waiting, 2 empty seats to acknowledge)" in whole
    totals = _text(assy)
    assert (
        "0 waiting, 0 accepted, 0 rejected; 2 seats stay empty, 2 waiting to be acknowledged (marked below)." in totals
    )
    assert '<option value="ASM-02">ASM-02 (0 seats filled, 0 waiting, 2 empty seats to acknowledge)</option>' in assy
    back = "back=%2Fcrew%3Fday%3D2026-03-04%26shift%3D1%26dept%3DASSY"
    assert f'<a href="/dev/items/short-seats~2026-03-04~1~ASM-02?{back}">Decide it</a>' in assy  # its group


def test_an_empty_seat_the_planner_approved_reads_acknowledged(world: World, lambda_context: Any) -> None:
    deps = web_deps(world)
    assert _decide(deps, "crew-0003", lambda_context, action="approve", next=BOARD)["statusCode"] == 303

    text = _text(_board(deps, lambda_context))

    assert "stay empty: nobody qualified is free · acknowledged by P0001" in text
    assert "· accepted" not in text


@pytest.fixture
def world() -> World:
    return board_world()


def _plan_of_the_5th(world: World) -> None:
    crew_assignment(
        world,
        "crew-0105",
        employee_id="E0050",
        **{**SEGMENT, "segment": "op-5|1", "end": "2026-03-05T14:30:00+00:00"},
        plan_day="2026-03-05",
        start="2026-03-05T06:00:00+00:00",
    )


def test_a_day_asked_for_shows_in_the_plans_listed_at_once(world: World, lambda_context: Any) -> None:
    # Given the board of a day without suggestions listed the plans (2026-03-04 only)
    deps = web_deps(world)
    before = _text(_board(deps, lambda_context, day="2026-03-09"))
    assert "Crew plans you may see: Wed 2026-03-04 (shift 1)." in before

    # When a plan of 2026-03-05 is published and a planner opens that day from its address
    _plan_of_the_5th(world)
    assert "No crew suggestions" not in _board(deps, lambda_context, day="2026-03-05")

    # Then the list shows it at once (it waited five minutes)
    after = _text(_board(deps, lambda_context, day="2026-03-09"))
    assert "Crew plans you may see: Wed 2026-03-04 (shift 1); Thu 2026-03-05 (shift 1)." in after


def test_the_plans_listed_catch_up_with_a_day_published_since(
    world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticks = [1000.0]
    monkeypatch.setattr(crewboard, "time", SimpleNamespace(monotonic=lambda: ticks[0]))
    deps = web_deps(world)
    assert "Thu 2026-03-05" not in _board(deps, lambda_context, day="2026-03-09")

    # When a plan of 2026-03-05 is published, and the list is asked for 11 s later (not five minutes)
    _plan_of_the_5th(world)
    ticks[0] += 11

    # Then it is listed
    assert "Thu 2026-03-05 (shift 1)" in _text(_board(deps, lambda_context, day="2026-03-09"))


def test_a_swap_whose_write_could_not_be_queued_says_it_is_recorded_and_waits(
    world: World, lambda_context: Any
) -> None:
    # Given the write-back queue does not take the swap's write
    deps = _with_replan(world, Replans())
    world.writebacks.failing = True
    form = {"item": "crew-0001", "employee": "E0050", "next": BOARD}

    # When the planner swaps E0050 in for E0042
    refused = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=form)

    # Then the board says the choice is recorded and waits, not "could not be recorded: try again"
    [location] = refused["multiValueHeaders"]["Location"]
    assert refused["statusCode"] == 303 and "why=not_queued" in location
    text = _text(_board(deps, lambda_context, **dict(parse_qsl(urlsplit(location).query))))
    assert "could not be recorded" not in text
    assert (
        "Not swapped: the operator chosen is recorded as your choice for this seat, but its write to Plex could not be "
        "queued, so it is not accepted yet: it waits below, beside the suggestion it was to replace" in text
    )
    # and it is so: E0050 waits on the seat's job operation beside E0042, nothing went to Plex
    assert "E0050" in text and world.writebacks.sent == []
    again = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=form)
    # pressing again (the queue still down) finishes the same recorded choice or says so again: nothing duplicated
    assert "why=not_queued" in again["multiValueHeaders"]["Location"][0] and world.writebacks.sent == []
