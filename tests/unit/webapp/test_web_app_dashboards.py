"""The dashboards in process (issue 10): skill coverage and the certification timeline built from a small
skills report in an artifact store, for each role; the charts' data as the report has it; empty states;
"propose training" into the review queue; the charts' scripts and their Content-Security-Policy."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.audit import AuditEventType, AuditStatus
from plexlabor.platform.artifacts import LATEST, InMemoryArtifactStore
from plexlabor.skills.artifact import build_artifact, store_artifact
from plexlabor.skills.engine import assess_skills
from plexlabor.webapp.app import Dependencies
from plexlabor.webapp.dashboards import STATIC_CACHE, _static
from plexlabor.webapp.incidenttrends import TrendsScope
from plexlabor.webapp.reports import SkillsReports
from plexlabor.webapp.skillviews import CertificationScope
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.skills.skills_builder import SkillsBuilder
from tests.unit.skills.skills_report_world import GENERATED_AT, small_artifact, stored_report
from tests.unit.webapp.viewers import ADMIN, HR, MOLDING, NOBODY, PLANNER

PEOPLE = StaticPeopleDirectory(
    [Person("E1", "E00001", "Ann Lee"), Person("E2", "E00002", "Bo Chen"), Person("E3", "E00003", "Cy Ruiz")]
)


@pytest.fixture
def store() -> InMemoryArtifactStore:
    store = InMemoryArtifactStore()
    stored_report(store)
    return store


@pytest.fixture
def world() -> World:
    return World()


def _deps(world: World, store: InMemoryArtifactStore | None) -> Dependencies:
    reports = SkillsReports(store) if store is not None else None
    return dataclasses.replace(web_deps(world), people=PeopleDisplay(PEOPLE), reports=reports)


def skills_deps_world() -> tuple[Dependencies, World]:
    """A fresh world, and the web app's dependencies on it with the small skills report stored."""
    store = InMemoryArtifactStore()
    stored_report(store)
    world = World()
    return _deps(world, store), world


def _call(
    deps: Dependencies,
    method: str,
    path: str,
    claims: dict[str, Any],
    lambda_context: Any,
    query: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> dict[str, Any]:
    return call_web(deps, method, path, claims, lambda_context, query=query, form=form)


def _propose_training(deps: Dependencies, claims: dict[str, Any], lambda_context: Any, as_of: str) -> dict[str, Any]:
    """Training E4 at workcenter V, proposed from the skills page of `as_of` (the report's: 2026-11-23)."""
    form = {"workcenter_id": "V", "employee_id": "E4", "as_of": as_of}
    return _call(deps, "POST", "/skills/training", claims, lambda_context, form=form)


def _chart(body: str, name: str) -> Any:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', body, re.S)
    assert found, f"no {name} block"
    return json.loads(found.group(1))


def _csp(response: dict[str, Any]) -> str:
    return str(response["multiValueHeaders"]["Content-Security-Policy"][0])


def test_the_heatmap_carries_every_workcenter_shift_of_the_report_and_the_page_runs_only_its_own_scripts(
    world: World, store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    response = _call(_deps(world, store), "GET", "/skills", PLANNER, lambda_context)

    assert response["statusCode"] == 200
    body = response["body"]
    chart = _chart(body, "heatmap-data")
    assert chart["y"] == ["WC-10", "WC-20"]  # most hours at risk first: 14 h, then 7 h
    assert len(chart["x"]) == 14 * 3 and chart["x"][:4] == ["Mon 11-23 1", "Mon 11-23 2", "Mon 11-23 3", "Tue 11-24 1"]
    expected = {
        (row.workcenter_id, row.work_date.isoformat(), row.shift_id): [
            row.hours_at_risk,
            row.crew_needed,
            row.qualified,
            row.standard_hours,
        ]
        for row in small_artifact().report.coverage
    }
    found = {}
    for point in chart["points"]:
        x, y, *numbers = point["value"]
        day = f"2026-11-{23 + x // 3}"
        shift = f"S{x % 3 + 1}"
        key = ({"WC-10": "W", "WC-20": "V"}[chart["y"][y]], day, shift)
        found[key] = numbers
        assert point["url"] == f"/dev/skills?wc={key[0]}&day={day}&shift={shift}#cell"
    assert found == expected and chart["max"] == 8.0
    assert "script-src 'self'" in _csp(response) and _csp(response).startswith("default-src 'none'")
    scripts = re.findall(r"<script([^>]*)>", body)
    assert all(
        'type="application/json"' in s or re.search(r'src="/dev/static/[a-z.]+\?v=[0-9a-f]{12}"', s) for s in scripts
    )
    assert "Bo Chen (E00002)" in body and "Propose training" in body  # a candidate, named by the directory
    queue = _call(_deps(world, store), "GET", "/queue", PLANNER, lambda_context)
    assert "script-src" not in _csp(queue)  # every other page stays without scripts


def test_a_cell_names_who_is_qualified_on_leave_and_blocked_by_which_certification(
    world: World, store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    query = {"wc": "W", "day": "2026-11-28", "shift": "S1"}
    body = _call(_deps(world, store), "GET", "/skills", PLANNER, lambda_context, query)["body"]
    assert "WC-10 · Sat 2026-11-28 · shift 1 (06:00)" in body
    assert "0 qualified and available of 1 required seat;" in body and "mostly lapsed certification" in body
    assert "Ann Lee (E00001): missing A:L2 (lapsed certification C0001)" in body

    monday = _call(_deps(world, store), "GET", "/skills", PLANNER, lambda_context, {**query, "day": "2026-11-23"})
    text = monday["body"]
    assert '<th scope="row">Qualified</th><td>Ann Lee (E00001)</td>' in text
    assert '<th scope="row">On leave</th><td>Cy Ruiz (E00003)</td>' in text
    assert "Bo Chen (E00002): missing A:L2" in text


def test_a_supervisor_sees_the_workcenters_of_their_departments_only(
    world: World, store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    deps = _deps(world, store)
    body = _call(deps, "GET", "/skills", MOLDING, lambda_context)["body"]
    assert _chart(body, "heatmap-data")["y"] == ["WC-10"] and "WC-20" not in body
    other = _call(deps, "GET", "/skills", MOLDING, lambda_context, {"wc": "V", "day": "2026-11-24", "shift": "S1"})
    assert "not in your view" in other["body"]
    timeline = _call(deps, "GET", "/certifications", MOLDING, lambda_context)["body"]
    series = _chart(timeline, "timeline-data")["series"]
    assert [p["id"] for p in series["expiring"]] == ["C0001"] and series["lapsed"] == []  # E4 is in ASSY
    theirs = _call(deps, "GET", "/certifications", {**MOLDING, "cognito:username": "SUP1"}, lambda_context)["body"]
    assert len(_chart(theirs, "timeline-data")["series"]["lapsed"]) == 1  # ... and reports to SUP1
    refused = _call(deps, "GET", "/skills", NOBODY, lambda_context)
    assert refused["statusCode"] == 403


def test_proposing_training_puts_a_cross_training_suggestion_in_hrs_queue_once(
    world: World, store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    deps = _deps(world, store)

    first = _propose_training(deps, PLANNER, lambda_context, "2026-11-23")
    again = _propose_training(deps, PLANNER, lambda_context, "2026-11-23")

    assert first["statusCode"] == again["statusCode"] == 303
    [event] = [e for e in world.audit.by_status(AuditStatus.PENDING_APPROVAL)]
    # no Plex ids in the page's address (ux113 N11): the row and the flash read the review queue's item
    assert first["multiValueHeaders"]["Location"] == [f"/dev/skills?proposed=new&item={event.finding_id}#training"]
    assert again["multiValueHeaders"]["Location"] == [f"/dev/skills?proposed=already&item={event.finding_id}#training"]
    assert event.event_type is AuditEventType.RECOMMENDATION and event.actor == "P0001"
    assert (event.payload["kind"], event.payload["proposed_by"], event.payload["department"]) == (
        "cross_training",
        "P0001",
        "ASSY",
    )
    queue = _call(deps, "GET", "/queue", HR, lambda_context)["body"]
    assert f"/dev/items/{event.finding_id}" in queue
    shown = _call(deps, "GET", "/skills", PLANNER, lambda_context, {"proposed": "new"})["body"]
    assert "the training waits for HR in the review queue" in shown


def test_the_candidate_just_proposed_says_so_instead_of_offering_the_button_again(
    world: World, store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    deps = _deps(world, store)
    before = _call(deps, "GET", "/skills", PLANNER, lambda_context)["body"]
    buttons = re.findall(r'aria-label="Propose training ([^"]*)"', before)

    for outcome, says in (("new", "the training waits for HR"), ("already", "already suggested this week")):
        location = _propose_training(deps, PLANNER, lambda_context, "2026-11-23")["multiValueHeaders"]["Location"][0]
        assert f"proposed={outcome}" in location
        query = dict(parse_qsl(urlsplit(location).query))
        after = _call(deps, "GET", "/skills", PLANNER, lambda_context, query)["body"]
        # E4 at V: its button is gone, in its place what became of the proposal; the other candidates keep theirs
        left = re.findall(r'aria-label="Propose training ([^"]*)"', after)
        assert len(left) == len(buttons) - 1 and set(left) < set(buttons)
        assert says in after and "Proposed: in HR's review queue<" in after
    # reloaded later without the flash (ux113 L27): still no button while it waits in HR's queue
    reloaded = _call(deps, "GET", "/skills", HR, lambda_context)["body"]
    assert len(re.findall(r'aria-label="Propose training ([^"]*)"', reloaded)) == len(buttons) - 1
    assert "Proposed: in HR's review queue<" in reloaded


def test_a_proposal_from_an_old_page_or_outside_ones_departments_is_not_recorded(
    world: World, store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    deps = _deps(world, store)
    stale = _propose_training(deps, PLANNER, lambda_context, "2026-11-16")
    assert stale["multiValueHeaders"]["Location"] == ["/dev/skills?proposed=stale#training"]
    assert _propose_training(deps, MOLDING, lambda_context, "2026-11-23")["statusCode"] == 404
    assert world.audit.by_status(AuditStatus.PENDING_APPROVAL) == []


REPORT_DAY_NOON = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
"""Noon in Detroit on the skills report's day (2026-11-23)."""


def test_days_to_a_certifications_expiry_count_from_the_pages_day_not_the_reports(
    world: World, store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    """ux_s17 L10: the demo's report of an older day said "expires in 37 days" when it was 12 from today."""
    world.clock.now = REPORT_DAY_NOON + timedelta(days=2)  # Wed 2026-11-25: C0001 expires on Thu 11-26

    body = _call(_deps(world, store), "GET", "/certifications", HR, lambda_context)["body"]

    assert "expires in 1 day<" in body and "lapsed 12 days ago" in body
    world.clock.now = REPORT_DAY_NOON + timedelta(days=3)
    assert "expires today" in _call(_deps(world, store), "GET", "/certifications", HR, lambda_context)["body"]


def test_the_timeline_places_each_certification_at_its_expiry_with_the_work_it_blocks(
    world: World, store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    world.clock.now = REPORT_DAY_NOON
    deps = _deps(world, store)
    response = _call(deps, "GET", "/certifications", HR, lambda_context)
    body = response["body"]

    chart = _chart(body, "timeline-data")
    assert (chart["as_of"], chart["start"], chart["end"]) == ("2026-11-23", "2026-11-10", "2027-02-24")
    assert chart["series"]["lapsed"] == [
        {"value": ["2026-11-13", 7.0], "name": "B L1 · E4", "blocked": 1, "id": "C0004"}
    ]
    assert chart["series"]["expiring"] == [
        {
            "value": ["2026-11-26", 6.0],
            "name": "A L2 · Ann Lee (E00001)",
            "blocked": 1,
            "id": "C0001",
        }
    ]
    assert "script-src 'self'" in _csp(response)
    assert "WC-10 Sat 11-28 shift 1: 6.0 h (6.0 h secured by renewing)" in body
    assert "lapsed 10 days ago" in body and "expires in 3 days" in body

    by_number = _call(deps, "GET", "/certifications", HR, lambda_context, {"employee": "e00001"})["body"]
    assert [p["id"] for p in _chart(by_number, "timeline-data")["series"]["expiring"]] == ["C0001"]
    by_place = _call(deps, "GET", "/certifications", HR, lambda_context, {"workcenter": "WC-20"})["body"]
    assert _chart(by_place, "timeline-data")["series"] == {"lapsed": [chart["series"]["lapsed"][0]], "expiring": []}
    none = _call(deps, "GET", "/certifications", HR, lambda_context, {"department": "ASSY", "workcenter": "WC-10"})
    assert "No items match: department ASSY, workcenter WC-10." in none["body"] and "timeline-data" not in none["body"]


@pytest.mark.parametrize("path", ["/skills", "/certifications"])
def test_without_a_report_the_page_says_what_is_missing_and_why(world: World, lambda_context: Any, path: str) -> None:
    unconfigured = _call(_deps(world, None), "GET", path, ADMIN, lambda_context)
    assert unconfigured["statusCode"] == 200 and "no artifacts bucket is configured" in unconfigured["body"]
    empty = _call(_deps(world, InMemoryArtifactStore()), "GET", path, ADMIN, lambda_context)
    assert "No skills report yet" in empty["body"] and "skills_daily" in empty["body"]
    assert "script" not in empty["body"]


def test_a_new_report_shows_once_the_pointer_is_read_again_and_a_broken_one_keeps_the_last(
    store: InMemoryArtifactStore,
) -> None:
    clock = [0.0]
    reports = SkillsReports(store, ttl_s=30, monotonic=lambda: clock[0])
    first = reports.current()
    assert first.index is not None and first.index.as_of.isoformat() == "2026-11-23"
    later = small_artifact().model_copy(
        update={"report": small_artifact().report.model_copy(update={"horizon_days": 7})}
    )
    store_artifact(store, later)
    assert reports.current().index is first.index  # within the TTL: no read
    clock[0] = 31
    assert reports.current().index is not first.index
    store.put(LATEST, b"garbage")
    clock[0] = 62
    broken = reports.current()
    assert broken.index is not None and broken.problem is not None and "pointer" in broken.problem


def test_the_charts_scripts_are_served_with_a_year_of_caching(
    world: World, store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    deps = _deps(world, store)
    script = _call(deps, "GET", "/static/dashboards.js", PLANNER, lambda_context)
    assert script["statusCode"] == 200 and not script["isBase64Encoded"]  # REST APIs pass base64 through
    assert "echarts.init" in script["body"]
    assert script["multiValueHeaders"]["Cache-Control"] == [STATIC_CACHE]
    assert script["multiValueHeaders"]["Content-Type"] == ["text/javascript; charset=utf-8"]
    assert _call(deps, "GET", "/static/app.py", PLANNER, lambda_context)["statusCode"] == 404
    if _static("echarts.min.js") is None:
        pytest.skip("echarts is not vendored here (make assets)")
    library = _call(deps, "GET", "/static/echarts.min.js", PLANNER, lambda_context)
    assert library["statusCode"] == 200 and not library["isBase64Encoded"]
    assert library["body"].encode() == _static("echarts.min.js")


def test_a_cell_says_what_is_scheduled_beyond_its_seats(world: World, lambda_context: Any) -> None:
    # Given two crew-of-2 operations of 17 h each on Monday's 1st shift at W (34 h for 2 seats of 8.5 h)
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 1}, code="WC-10", department="MOLD")
    plant.employee("E1")
    plant.op("W", day=0, hours=17, crew=2)
    plant.op("W", day=0, hours=17, crew=2, part="P2")
    data = plant.build()
    store = InMemoryArtifactStore()
    store_artifact(store, build_artifact(assess_skills(data), data, GENERATED_AT))
    # When the planner opens the cell
    query = {"wc": "W", "day": "2026-11-23", "shift": "S1"}
    body = _call(_deps(world, store), "GET", "/skills", PLANNER, lambda_context, query)["body"]
    # Then it counts what the seats can work and names the rest
    assert (
        "17.0 h scheduled (and 17.0 h more at the same time than its seats can work in the shift, not counted), "
        "17.0 h at risk" in body
    )


def test_every_page_links_its_icon_and_the_icon_is_served(world: World, lambda_context: Any) -> None:
    """ux_s17 L8: no page linked an icon, so the browser asked for /favicon.ico, a 404 on every page's console."""
    from plexlabor.webapp.dashboards import FAVICON_SVG

    deps = web_deps(world)
    page = _call(deps, "GET", "/queue", PLANNER, lambda_context)["body"]
    assert '<link rel="icon" href="/dev/static/favicon.svg" type="image/svg+xml">' in page
    icon = _call(deps, "GET", "/static/favicon.svg", PLANNER, lambda_context)
    assert icon["statusCode"] == 200 and icon["body"] == FAVICON_SVG
    assert icon["multiValueHeaders"]["Content-Type"] == ["image/svg+xml"]
    assert icon["multiValueHeaders"]["Content-Security-Policy"][0].startswith("default-src 'none'")


def test_the_ehs_lead_reads_the_whole_plants_certification_timeline_but_not_the_skill_coverage(
    world: World, store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    """ux_s17 L11: the ehs role got a 403 on /certifications, so forklift and lockout certifications were invisible to
    the EHS lead; the skill coverage (cross-training, HR's) stays closed to them."""
    from tests.unit.webapp.viewers import EHS

    world.clock.now = REPORT_DAY_NOON
    deps = _deps(world, store)
    response = _call(deps, "GET", "/certifications", EHS, lambda_context)
    assert response["statusCode"] == 200
    as_hr = _chart(_call(deps, "GET", "/certifications", HR, lambda_context)["body"], "timeline-data")
    assert _chart(response["body"], "timeline-data")["series"] == as_hr["series"]  # the whole plant's, as HR's
    assert _call(deps, "GET", "/skills", EHS, lambda_context)["statusCode"] == 403


def test_a_report_page_refused_says_whom_it_is_for_by_its_own_rules(
    world: World, store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    """ux_s17 L11: /skills told the EHS lead "The dashboards are for planners, HR, admins and supervisors.", though
    the EHS lead reads the certification timeline, a dashboard."""
    from tests.unit.webapp.viewers import EHS

    world.clock.now = REPORT_DAY_NOON
    refused = _call(_deps(world, store), "GET", "/skills", EHS, lambda_context)
    assert refused["statusCode"] == 403
    assert "Skill coverage is for planners, HR, admins and supervisors (their departments)." in refused["body"]
    assert "dashboards are for" not in refused["body"]
    # the words follow each page's rules: the EHS lead is among the timeline's readers, supervisors read all trends
    assert CertificationScope.readers() == "planners, HR, the EHS lead, admins and supervisors (their departments)"
    assert TrendsScope.readers() == "planners, the EHS lead, admins and supervisors"
