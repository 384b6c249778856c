"""The scores and allocation pages in chromium, on the local runtime (issue 14): analytics_nightly and
allocation_nightly fired there, as their schedules would, store their reports in the (moto) artifacts
bucket; the web app draws the funnel plot with the vendored ECharts. The plot's points are checked
against the stored report (read from the bucket): every operator the viewer may see, at their volume
and the value the funnel tests (efficiency: their robust pace), inside or outside the limits as scored;
a supervisor's plot holds their departments' operators only; a planner is refused the scores. The
allocation page: a supervisor sees their departments only, and its unallocated time is in the review
queue. No request beyond 127.0.0.1, no script error or CSP violation, axe-core clean, screenshots at
1280 and 820 px.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from plexlabor.allocation.artifact import REPORT_PREFIX as ALLOCATION_PREFIX
from plexlabor.allocation.artifact import AllocationArtifact
from plexlabor.analytics.artifact import REPORT_PREFIX, AnalyticsArtifact
from plexlabor.plant import PlantFolder
from plexlabor.webapp.app import PAGE_SIZE
from plexlabor_dev.local.signin import LocalUser, plant_users
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec
from tests.browser.harness import assert_no_serious_violations, chart, local_stack, screenshots, sign_in
from tests.support import generated_plant

if TYPE_CHECKING:
    from playwright.sync_api import Page

SCORES_PLANT = PlantSpec(employees=40, weeks=4, seed=7, anomaly_rate=0.1)
"""Four weeks of 40 people: enough operators in several departments for a funnel plot per supervisor."""


@dataclass
class Reports:
    stack: LocalStack
    base: str
    scores: AnalyticsArtifact
    allocation: AllocationArtifact
    supervisor: LocalUser


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    plant = generated_plant(tmp_path_factory, "scores", SCORES_PLANT)
    end = PlantFolder(plant).meta().end.date()
    with local_stack(tmp_path_factory, "scores", plant) as stack:
        runtime = stack.runtime
        scored = runtime.fire("analytics_nightly", detail={"as_of": end.isoformat(), "weeks": 4})
        allocated = runtime.fire("allocation_nightly", detail={"day": (end - timedelta(days=2)).isoformat()})
        scores = AnalyticsArtifact.model_validate_json(runtime.artifact(f"{REPORT_PREFIX}{scored['report_key']}"))
        allocation = AllocationArtifact.model_validate_json(
            runtime.artifact(f"{ALLOCATION_PREFIX}{allocated['report_key']}")
        )
        scored_departments = {unit.department for unit in scores.report.operators}
        supervisor = next(u for u in plant_users(plant) if set(u.departments) & scored_departments)
        yield Reports(stack, runtime.api_url, scores, allocation, supervisor)


def _expected_points(artifact: AnalyticsArtifact, departments: set[str] | None) -> list[tuple[str, float, float, str]]:
    """The efficiency funnel's points from the report: (employee number, volume, robust pace, outside or '')."""
    return sorted(
        (unit.label, s.volume, s.raw if s.funnel_value is None else s.funnel_value, s.outside_funnel or "")
        for unit in artifact.report.operators
        if (s := unit.measures.get("efficiency")) is not None
        and s.volume > 0
        and s.funnel_low is not None
        and (departments is None or unit.department in departments)
    )


def _drawn_points(page: Page) -> list[tuple[str, float, float, str]]:
    drawn = chart(page, "funnel")
    series = {s["name"]: s["data"] for s in drawn["series"] if s["name"] in ("Inside the limits", "Outside")}
    points = [(p[2], p[0], p[1], p[3]) for name in ("Inside the limits", "Outside") for p in series.get(name, [])]
    assert all((outside != "") == (name == "Outside") for name in series for *_, outside in series[name])
    return sorted(points)


def _close(a: list[tuple[str, float, float, str]], b: list[tuple[str, float, float, str]]) -> bool:
    return len(a) == len(b) and all(
        x[0] == y[0] and x[3] == y[3] and abs(x[1] - y[1]) < 1e-6 and abs(x[2] - y[2]) < 1e-6
        for x, y in zip(a, b, strict=True)
    )


def test_the_funnel_plots_every_operator_of_the_report_for_an_admin(
    page: Page, problems: list[str], reports: Reports
) -> None:
    sign_in(page, reports, "admin", then="/analytics")
    expected = _expected_points(reports.scores, None)
    assert len(expected) >= 20
    assert _close(_drawn_points(page), expected)
    # the table lists the same operators, and the plant's value is the line the points are judged by
    rows = page.locator("#operators-title + div table tbody tr").count()
    assert rows == len(reports.scores.report.operators)
    assert_no_serious_violations(page)
    screenshots(page, "analytics-funnel")
    assert problems == []


def test_a_supervisors_funnel_holds_their_departments_only_and_a_planner_is_refused(
    page: Page, problems: list[str], reports: Reports
) -> None:
    user = reports.supervisor
    sign_in(page, reports, user.username, then="/analytics")
    expected = _expected_points(reports.scores, set(user.departments))
    everyone = _expected_points(reports.scores, None)
    assert expected and len(expected) < len(everyone)
    assert _close(_drawn_points(page), expected)
    assert page.locator("#shifts-title").count() == 0
    assert_no_serious_violations(page)
    assert problems == []

    page.context.clear_cookies()
    sign_in(page, reports, "planner", then="/queue")
    response = page.goto(f"{reports.base}/analytics")
    assert response is not None and response.status == 403
    assert "Scores" not in page.locator("nav").first.inner_text()
    assert_no_serious_violations(page)


def test_the_allocation_page_shows_a_supervisor_their_departments_and_queues_unallocated_time(
    page: Page, problems: list[str], reports: Reports
) -> None:
    user = reports.supervisor
    sign_in(page, reports, user.username, then="/allocation")
    report = reports.allocation.report
    shown = set(page.locator("#departments-title + .scroll table tbody th").all_inner_texts())
    assert shown == {name for name in report.departments if name in user.departments}
    assert page.locator("#jobs-title").count() == 0 and page.locator("#shifts-title").count() == 0
    assert_no_serious_violations(page)
    screenshots(page, "allocation-supervisor")

    page.context.clear_cookies()
    sign_in(page, reports, "admin", then="/allocation")
    jobs = page.locator("#jobs-title + p + div table tbody tr")
    assert jobs.count() == min(50, len(report.jobs)) > 0
    assert_no_serious_violations(page)
    screenshots(page, "allocation-admin")
    page.goto(f"{reports.base}/queue?kind=unallocated_time")
    assert page.locator("tbody tr").count() == min(len(report.suggestions), PAGE_SIZE) > 0
    assert json.dumps(problems) == "[]"
