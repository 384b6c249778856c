"""Skill coverage beside the crew plan (ux_s14 #1): a shift with more certified operators than seats read "0.0 h 2/1"
while the crew board left its seat empty (setup, rest rule). Coverage counts certifications only; where a crew plan
exists the page now says how many seats it left empty there, why (the plan's own words) and links the board."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from typing import Any

from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.skills.artifact import build_artifact, store_artifact
from plexlabor.skills.engine import assess_skills
from plexlabor.webapp.reports import SkillsReports
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, recommendation, web_deps
from tests.unit.skills.skills_builder import SkillsBuilder
from tests.unit.skills.skills_report_world import GENERATED_AT
from tests.unit.webapp.viewers import PLANNER

WHY = "1 seat at WC-10 for job J1 op 10, shift 1, stays empty: none of the 2 qualified operators may work it (rest: 2)"


def _world() -> tuple[World, InMemoryArtifactStore]:
    """Tue 2026-11-24 shift 1 at WC-10: one seat, both planned operators certified; its crew plan left the seat empty.
    Wed 2026-11-25 has work there too, and no crew plan."""
    plant = SkillsBuilder().skill("SK-A", "G1")
    plant.workcenter("W", {"SK-A": 1}, code="WC-10", department="MOLD")
    for employee in ("E1", "E2"):
        plant.employee(employee).plan(employee, day=1, workcenter="W")
        plant.cert(employee, "SK-A", 1)
    plant.op("W", day=1, hours=8)
    plant.op("W", day=2, hours=8)
    data = plant.build()
    store = InMemoryArtifactStore()
    store_artifact(store, build_artifact(assess_skills(data), data, GENERATED_AT))
    world = World()
    world.clock.now = GENERATED_AT  # the plan published the morning of the report
    recommendation(
        world,
        "crew-0001",
        "crew_unstaffed",
        note=WHY,
        workcenter_code="WC-10",
        workcenter_id="W",
        department="MOLD",
        shift_code="1",
        plan_day="2026-11-24",
        segment="op-1|1",
        start="2026-11-24T11:00:00+00:00",
        end="2026-11-24T19:30:00+00:00",
        hours=8.0,
        seats=1,
        cause="qualified_busy",
    )
    return world, store


def _skills(lambda_context: Any, **query: str) -> str:
    world, store = _world()
    deps = dataclasses.replace(web_deps(world), reports=SkillsReports(store))
    response = call_web(deps, "GET", "/skills", PLANNER, lambda_context, query=query or None)
    assert response["statusCode"] == 200
    return str(response["body"])


def test_a_cell_the_crew_plan_left_empty_says_so_beside_its_certified_count(lambda_context: Any) -> None:
    body = _skills(lambda_context)

    cell = re.search(r'<td class="(\w+)"><a href="[^"]*day=2026-11-24[^"]*">([^<]*)</a> ([^<]*)<br>(.*?)</td>', body)
    assert cell is not None, "no crew-plan line in Tue's cell"
    assert cell.groups()[1:] == ("0.0 h", "2/1", '<span class="small">crew plan: 1 seat empty</span>')
    assert cell.group(1) == "risk"  # not "ok": the plan says the shift is short
    assert "Qualified means holding the workcenter's certifications that day" in html.unescape(body)
    data = re.search(r'<script type="application/json" id="heatmap-data">(.*?)</script>', body, re.S)
    assert data is not None
    chart = json.loads(data[1])
    planned = [p for p in chart["points"] if p.get("plan")]
    assert [p["plan"] for p in planned] == ["crew plan: 1 seat empty"]
    assert "day=2026-11-24" in planned[0]["url"]


def test_the_cell_names_why_the_plan_left_it_empty_and_links_the_board(lambda_context: Any) -> None:
    text = html.unescape(_skills(lambda_context, wc="W", day="2026-11-24", shift="S1"))

    assert (
        f"The crew plan for this shift leaves 1 seat here empty, though 2 are qualified by certification: {WHY}" in text
    )
    assert '<a href="/dev/crew?day=2026-11-24&shift=1&wc=WC-10">Open this shift on the crew board</a>' in text


def test_a_shift_without_a_crew_plan_says_the_count_is_of_certifications_only(lambda_context: Any) -> None:
    text = html.unescape(_skills(lambda_context, wc="W", day="2026-11-25", shift="S1"))

    assert "No crew plan for this shift yet: the count above is of certifications only" in text
    assert "The crew plan for this shift leaves" not in text
