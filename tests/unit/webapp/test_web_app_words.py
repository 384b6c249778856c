"""Evidence a producer recorded under its own field names reads as words on the item page (ux119 #17): a
cross-training suggestion's place, effort, skills and recipients, a certification's warning window and use
while lapsed, a punch's minutes, and who proposed it, by name, never a raw key or a Plex id."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path
from typing import Any

import plexlabor.webapp
from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.approval.display import Reader, field_label, skill_words
from plexlabor.incidents.trends import IncidentTrends, store_trends
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.webapp.dashboards import CREW_FLASH
from plexlabor.webapp.reports import SkillsReports
from tests.support import make_finding
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, open_finding, recommendation, web_deps
from tests.unit.skills.skills_report_world import stored_report
from tests.unit.webapp.test_web_app_incident_trends import _call as trends_page
from tests.unit.webapp.test_web_app_incident_trends import trends  # noqa: F401 (the fixture)
from tests.unit.webapp.viewers import ADMIN, EHS, PLANNER

PROPOSER = "072b8cef-4437-4c2b-9b1e-6a1f0c2d3e4f"
PEOPLE = StaticPeopleDirectory(
    [
        Person("E0036", "E00036", "Maya Kowalski"),
        Person("E0002", "E00002", "Carla Okafor"),
        Person(PROPOSER, "E00003", "Dev Walsh"),
    ]
)


def _rows(body: str) -> dict[str, str]:
    return {
        html.unescape(re.sub(r"<[^>]+>", "", label)).strip(): html.unescape(re.sub(r"<[^>]+>", "", value)).strip()
        for label, value in re.findall(r"<tr><th scope=\"row\">(.*?)</th><td>(.*?)</td></tr>", body, re.S)
    }


def test_a_cross_training_suggestion_reads_in_words(lambda_context: Any) -> None:
    world = World()
    recommendation(
        world,
        "ct-0001",
        "cross_training",
        record_key="workcenters:0d5c",
        employee_id="E0036",
        supervisor_id="E0002",
        workcenter_code="QC-06",
        recipients=[{"role": "supervisor", "id": "E0002"}, {"role": "hr", "id": "hr"}],
        rank=2,
        required=["CMM:L1", "VISUAL_INSP:L3"],
        hours_at_risk_after_cover=51.88,
        effort_levels=6.0,
        adjacent=False,
        coverage_gain_hours=21.62,
        score=35.51,
        proposed_by=PROPOSER,
    )
    deps = dataclasses.replace(web_deps(world), people=PeopleDisplay(PEOPLE))

    body = call_web(deps, "GET", "/items/ct-0001", ADMIN, lambda_context)["body"]

    rows = _rows(body)
    assert rows["Place among this workcenter's candidates"] == "2"
    assert rows["Skills the workcenter requires"] == "CMM level 1, VISUAL_INSP level 3"
    # ux_s14 #13: "effort 6.00" for two level-1 skills, "51.88" at risk after cover under "would cover 21.6 h"
    effort = next(label for label in rows if label.startswith("Training effort"))
    assert "points (not hours)" in effort and "2 more for a new skill outside" in effort and rows[effort] == "6"
    assert rows["Hours at risk at the workcenter now (its gaps after today's cover, before any training)"] == "51.9"
    assert rows[next(label for label in rows if label.startswith("Hours of that at-risk work"))] == "21.6"
    assert "would cover 21.6 h at risk" in html.unescape(body)
    assert rows["Only skills close to ones they hold"] == "no"
    assert rows["Sent to"] == "supervisor Carla Okafor (E00002), HR"
    assert rows["Proposed by"] == "Dev Walsh (E00003)"
    read = " ".join(f"{label} {value}" for label, value in rows.items())
    for raw in ("Score", "35.51", "Rank", "Effort levels", "Adjacent", "Recipients", "hr: hr", "CMM:L1"):
        assert raw not in read, raw
    assert PROPOSER not in body


def test_certification_and_punch_keys_have_words() -> None:
    assert field_label("window_days") == "Warned this many days before expiry"
    assert field_label("in_use") == "Worked where it is required while lapsed"
    assert field_label("minutes_before") == "Clock-out before clock-in by (minutes)"
    assert skill_words("requires CMM:L1, VISUAL_INSP:L3") == "requires CMM level 1, VISUAL_INSP level 3"
    assert Reader().value({"role": "hr", "id": "hr@plant.example"}) == "HR hr@plant.example"


TEMPLATES = Path(plexlabor.webapp.__file__).parent / "templates"
INTERNAL_NAMES = re.compile(
    r"\b(crew_planner|crew_replan|allocation_nightly|analytics_nightly|forecast_nightly|skills_daily|incident_trends|punch_poller)\b"
    r"|index\.version|payload\.custom_object \}\}"
)
"""What made a page's data, by its function's name or run version, or where Plex keeps it, by its object's name."""


def test_no_page_names_a_function_a_run_version_or_a_custom_object() -> None:
    # the "nothing yet" pages (`*_empty.html`) name the function to check for an administrator
    pages = [p for p in TEMPLATES.glob("*.html") if not p.name.endswith("_empty.html")]
    said = {page.name: INTERNAL_NAMES.findall(page.read_text(encoding="utf-8")) for page in pages}
    assert {name: found for name, found in said.items() if found} == {}
    flashes = " ".join(CREW_FLASH.values())
    assert INTERNAL_NAMES.search(flashes) is None, flashes


def test_the_skills_page_says_skill_levels_in_words(lambda_context: Any) -> None:
    store = InMemoryArtifactStore()
    stored_report(store)
    deps = dataclasses.replace(web_deps(World()), reports=SkillsReports(store))

    body = call_web(deps, "GET", "/skills", PLANNER, lambda_context)["body"]

    assert re.search(r"requires [A-Z_]+ level \d", body)
    assert re.search(r"[A-Z]:L\d", body) is None  # not "CMM:L1" beside "CMM level 1"


def test_incident_counts_are_singular_for_one(trends: IncidentTrends) -> None:  # noqa: F811 (the imported fixture)
    store = InMemoryArtifactStore()
    store_trends(store, trends)  # one injury, one near miss

    body = " ".join(trends_page(store, EHS)["body"].split())

    assert "1 injury and 1 near miss reported in" in body


def test_the_item_page_names_the_day_with_its_weekday(lambda_context: Any) -> None:
    world = World()
    finding = make_finding()
    open_finding(world, finding.model_copy(update={"evidence": {**finding.evidence, "date": "2026-03-02"}}))

    body = call_web(web_deps(world), "GET", "/items/f-000000000000000000000001", ADMIN, lambda_context)["body"]

    assert '<th scope="row">Day</th><td>Mon 2026-03-02</td>' in body
