"""ux_s15 #8: a call-off's time on the crew board carries its weekday when it was taken on another day than the
board's ("Tue 15:00", not a bare "15:00" that reads as the board's day), and a call-off recorded for the rest of the
day on shift 1 says, on shift 1, what it did on the day's later shifts ("· shift 2: re-planned (their seat there)"):
shift 1 read "no seat in the plan: nothing to re-plan" alone while the person's shift-2 seat was re-planned."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from plexlabor.crew.replanning import applied_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import Replans, _with_replan
from tests.unit.webapp.test_web_app_crew_call_off_day import FORM, world
from tests.unit.webapp.viewers import PLANNER

__all__ = ["world"]  # the fixture: shift 1 (06:00-14:30 UTC) and shift 2 of Wed 2026-03-04, E0042 seated on both

SHIFT_1 = {"day": "2026-03-04", "shift": "1", "done": "calloff_day"}


def _call_off_line(body: str, who: str) -> str:
    [line] = [li for li in re.findall(r"<li>(.*?)</li>", body, re.S) if f"{who} called off" in li]
    return " ".join(re.sub(r"<[^>]+>", " ", line).split())


def test_a_call_off_taken_the_day_before_says_its_weekday(world: World, lambda_context: Any) -> None:
    world.clock.now = datetime(2026, 3, 3, 20, 0, tzinfo=UTC)  # Tue 15:00 in Detroit, the evening before
    deps = _with_replan(world, Replans())
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)["statusCode"] == 303

    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=SHIFT_1)["body"]

    assert "E0042 called off at Tue 15:00 by P0001" in _call_off_line(body, "E0042")


def test_a_call_off_of_today_keeps_the_bare_time(world: World, lambda_context: Any) -> None:
    deps = _with_replan(world, Replans())
    call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)

    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=SHIFT_1)["body"]

    assert "E0042 called off at 04:40 by P0001" in _call_off_line(body, "E0042")


def test_the_shift_a_call_off_was_taken_on_says_what_it_did_on_the_later_shifts(
    world: World, lambda_context: Any
) -> None:
    replans = Replans()
    deps = _with_replan(world, replans)
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)["statusCode"] == 303
    assert [m.shift for m in replans.sent] == ["1", "2"]

    pending = _call_off_line(call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=SHIFT_1)["body"], "E0042")
    for sent in replans.sent:  # crew_replan: shift 1 had no seat of theirs left to re-plan, shift 2 re-planned
        world.audit.append(applied_event(sent, world.clock(), no_seat=sent.shift == "1"))
    done = _call_off_line(call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=SHIFT_1)["body"], "E0042")

    assert "· shift 2: re-plan pending" in pending
    assert "no seat in the plan: nothing to re-plan · shift 2: re-planned (their seat there)" in done
