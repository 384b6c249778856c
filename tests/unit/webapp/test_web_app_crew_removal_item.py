"""A crew removal's item page names the seat it removes (the person, workcenter, shift and day, a link to the accepted
assignment) instead of its raw item id ("Removes f0918aef…", ux_s14 #11, which also widened the page on a phone); the
id stays in the "Plex ids" detail."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from plexlabor.crew.removals import removal_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment, web_deps
from tests.unit.webapp.viewers import PLANNER

SEAT = "f0918aef37e1521e8d8d7eb2b701e553"
"""The accepted assignment's item id, as crew.publish makes them (32 hex digits, no UUID dashes)."""


def test_the_removal_names_the_seat_it_removes_and_links_it(lambda_context: Any) -> None:
    world = World()
    seat = crew_assignment(world, SEAT, employee_id="E0042", supervisor_id="E0001")
    removal = removal_event(seat, world.clock(), 0, world.clock(), ZoneInfo("America/Detroit"))
    world.audit.append(removal)

    page = call_web(web_deps(world), "GET", f"/items/{removal.finding_id}", PLANNER, lambda_context)

    assert page["statusCode"] == 200
    body = str(page["body"]).replace("&#39;", "'")
    link = f'<a href="/dev/items/{SEAT}">E0042\'s accepted seat at WC-10 · shift 1 · Wed 2026-03-04</a>'
    assert f'<tr><th scope="row">Removes</th><td>{link}</td></tr>' in body
    outside_the_detail = body.replace(link, "").split('class="plex-ids"')[0]
    assert SEAT not in outside_the_detail
    assert SEAT in body.split('class="plex-ids"')[1]
