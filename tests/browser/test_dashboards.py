"""The dashboards in chromium, on the local runtime (issue 10): skills_daily fired there, as `make demo`
does, stores its report in the (moto) artifacts bucket; the web app serves the skill coverage heatmap
and the certification timeline from it, drawn by the vendored ECharts. Each chart is checked against
the report's own numbers (read from the bucket), not only for being there; a click on a heatmap cell
opens who is qualified there; a proposed training reaches HR's review queue. Every page: no request
beyond 127.0.0.1 (the `page` fixture), no script error or Content-Security-Policy violation, axe-core
clean, screenshots at 1280 and 820 px.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from plexlabor.audit.events import AuditEventType, AuditStatus
from plexlabor.plant import PlantFolder
from plexlabor.skills.artifact import REPORT_PREFIX, SkillsArtifact
from plexlabor.skills.data import default_as_of
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec
from tests.browser.harness import assert_no_serious_violations, chart, local_stack, screenshots, sign_in
from tests.support import generated_plant

if TYPE_CHECKING:
    from playwright.sync_api import Page

DASHBOARD_PLANT = PlantSpec(employees=30, weeks=4, seed=7, anomaly_rate=0.1)
"""Nine workcenters with work over 14 days, gaps, cross-training candidates, two expiring certifications."""


@dataclass
class Dashboards:
    stack: LocalStack
    base: str
    artifact: SkillsArtifact
    numbers: dict[str, str]
    """Employee id -> employee number (how the pages name people to everyone, beside names)."""


@pytest.fixture(scope="module")
def dash(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboards]:
    plant = generated_plant(tmp_path_factory, "dashboard", DASHBOARD_PLANT)
    as_of = default_as_of(PlantFolder(plant))
    with local_stack(tmp_path_factory, "dashboard", plant) as stack:
        runtime = stack.runtime
        summary = runtime.fire("skills_daily", detail={"as_of": as_of.isoformat(), "publish": False})
        artifact = SkillsArtifact.model_validate_json(runtime.artifact(f"{REPORT_PREFIX}{summary['report_key']}"))
        numbers = {str(row["id"]): str(row["employeeNo"]) for row in PlantFolder(plant).iter_raw("employees")}
        yield Dashboards(stack, runtime.api_url, artifact, numbers)


def expected_heatmap(artifact: SkillsArtifact) -> tuple[list[str], dict[tuple[str, str], list[float]]]:
    """What the heatmap must show, from the report alone: workcenters by hours at risk (then code), and
    per (workcenter code, column label) the hours at risk, seats required, qualified, hours scheduled."""
    report = artifact.report
    risk: dict[str, float] = defaultdict(float)
    for row in report.coverage:
        risk[row.workcenter_id] += row.hours_at_risk
    codes = {wc: artifact.workcenters[wc].code for wc in risk}
    ranked = sorted(risk, key=lambda wc: (-round(risk[wc], 2), codes[wc], wc))[:30]
    cells = {
        (codes[row.workcenter_id], f"{row.work_date:%a %m-%d} {_shift_code(artifact, row.shift_id)}"): [
            row.hours_at_risk,
            row.crew_needed,
            row.qualified,
            row.standard_hours,
        ]
        for row in report.coverage
        if row.workcenter_id in ranked
    }
    return [codes[wc] for wc in ranked], cells


def _shift_code(artifact: SkillsArtifact, shift_id: str) -> str:
    return next(s.code for s in artifact.shifts if s.id == shift_id)


def test_the_heatmap_draws_the_reports_coverage_and_a_click_opens_the_cell(
    page: Page, problems: list[str], dash: Dashboards
) -> None:
    cached: list[str] = []
    page.on(
        "response",
        # the scripts only: the page's icon (/static/favicon.svg, a day's caching) comes whenever the browser asks
        lambda r: cached.append(r.headers.get("cache-control", "")) if "/static/" in r.url and ".js" in r.url else None,
    )
    sign_in(page, dash, "planner", then="/skills")

    drawn = chart(page, "heatmap")

    rows, cells = expected_heatmap(dash.artifact)
    report = dash.artifact.report
    assert drawn["y"] == rows and len(rows) >= 5
    days = [report.as_of + timedelta(days=n) for n in range(report.horizon_days)]
    assert drawn["x"] == [f"{day:%a %m-%d} {s.code}" for day in days for s in dash.artifact.shifts]
    [series] = drawn["series"]
    shown = {(drawn["y"][p["value"][1]], drawn["x"][p["value"][0]]): p["value"][2:] for p in series["data"]}
    assert shown == cells and any(v[0] > 0 for v in shown.values())
    assert len(cached) == 2 and all("max-age=31536000" in c for c in cached)  # echarts and dashboards.js
    assert_no_serious_violations(page)
    screenshots(page, "skills-coverage")

    # Click, where ECharts drew it, the cell with the most hours at risk among those with people planned
    by_cell = {
        (
            dash.artifact.workcenters[r.workcenter_id].code,
            f"{r.work_date:%a %m-%d} {_shift_code(dash.artifact, r.shift_id)}",
        ): r
        for r in report.coverage
    }

    def planned(point: dict[str, Any]) -> bool:
        people = by_cell[(drawn["y"][point["value"][1]], drawn["x"][point["value"][0]])].people
        return bool(people.qualified and (people.unqualified or people.on_leave))

    top = max(filter(planned, series["data"]), key=lambda p: (p["value"][2], -p["value"][1], -p["value"][0]))
    where = "([value]) => echarts.getInstanceByDom(document.getElementById('heatmap'))"
    x, y = page.evaluate(where + ".convertToPixel({seriesIndex: 0}, value)", [top["value"][:2]])
    box = page.locator("#heatmap").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**#cell")
    code, column = drawn["y"][top["value"][1]], drawn["x"][top["value"][0]]
    row = by_cell[(code, column)]
    detail = page.locator("#cell").inner_text()
    assert detail.startswith(f"{code} · {row.work_date:%a %Y-%m-%d} · shift {_shift_code(dash.artifact, row.shift_id)}")
    assert f"{row.qualified} qualified and available of {row.crew_needed} required seat" in detail
    lines = dict(line.split("\t", 1) for line in detail.splitlines() if "\t" in line)
    for heading, people in (("Qualified", row.people.qualified), ("On leave", row.people.on_leave)):
        assert all(dash.numbers[p] in lines[heading] for p in people), (heading, lines[heading])
    for person in row.people.unqualified:
        assert dash.numbers[person.employee_id] in lines["Blocked"]
    assert_no_serious_violations(page)
    screenshots(page, "skills-coverage-cell")
    assert problems == []


def test_the_timeline_places_each_certification_by_its_report_and_filters_by_department(
    page: Page, problems: list[str], dash: Dashboards
) -> None:
    sign_in(page, dash, "hr", then="/certifications")

    drawn = chart(page, "timeline")

    report = dash.artifact.report
    alerts = sorted([*report.lapsed, *report.expiring], key=lambda a: (a.expires, a.kind, a.certification_id))
    assert alerts, "the plant needs a certification to show"
    by_name = {s["name"]: s["data"] for s in drawn["series"]}
    for kind, name in (("lapsed", "Lapsed"), ("expiring", "Expiring")):
        points = [(p["id"], p["value"][0], p["value"][1], p["blocked"]) for p in by_name[name]]
        assert points == [
            (a.certification_id, a.expires.isoformat(), a.hours_blocked, len(a.blocked))
            for a in alerts
            if a.kind == kind
        ]
    assert page.locator("tbody tr").count() == len(alerts)
    assert_no_serious_violations(page)
    screenshots(page, "certification-timeline")

    # Filter to the department of one of them: the chart and the table show just that department's
    department = dash.artifact.employees[alerts[0].employee_id].department
    assert department is not None
    page.get_by_label("Department").select_option(department)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**department=*")
    narrowed = chart(page, "timeline")
    wanted = {a.certification_id for a in alerts if dash.artifact.employees[a.employee_id].department == department}
    assert {p["id"] for s in narrowed["series"] for p in s["data"]} == wanted
    assert page.locator("tbody tr").count() == len(wanted)
    assert problems == []


def test_a_proposed_training_waits_for_hr_in_the_review_queue(page: Page, dash: Dashboards) -> None:
    sign_in(page, dash, "planner", then="/skills")
    first = dash.artifact.report.training[0]
    candidate = first.candidates[0]
    form = f"form:has(input[name=workcenter_id][value='{first.workcenter_id}'])"
    button = page.locator(f"{form}:has(input[name=employee_id][value='{candidate.employee_id}']) button")
    assert dash.numbers[candidate.employee_id] in (button.get_attribute("aria-label") or "")
    button.click()
    page.wait_for_url("**proposed=new**")
    assert "the training waits for HR in the review queue" in page.get_by_role("status").inner_text()

    [event] = [
        e
        for e in dash.stack.audit().by_status(AuditStatus.PENDING_APPROVAL)
        if e.event_type is AuditEventType.RECOMMENDATION and e.payload.get("proposed_by") == "planner"
    ]
    assert (event.payload["kind"], event.employee_id) == ("cross_training", candidate.employee_id)
    assert event.record_key == f"workcenters:{first.workcenter_id}"

    page.goto(f"{dash.base}/dev/logout")
    sign_in(page, dash, "hr", then="/queue")
    link = page.locator(f"a[href$='/items/{event.finding_id}']")
    assert link.count() == 1
    link.click()
    assert f"Cross-train for {first.workcenter_code}" in page.locator("main").inner_text()
