"""The dashboards' empty pages in plain words (ux141 #13): before their nightly report exists, a page says what will
fill it and when, and only the admin is told which job stores it, where, and what to check; nobody else reads
function names, storage buckets or settings."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest

from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.webapp.allocation import AllocationReports
from plexlabor.webapp.analytics import AnalyticsReports
from plexlabor.webapp.app import Dependencies
from plexlabor.webapp.forecasts import ForecastReports
from plexlabor.webapp.incidenttrends import IncidentTrendsReports
from plexlabor.webapp.reports import SkillsReports
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.viewers import ADMIN, EHS, HR, PLANNER

Reports = Callable[[InMemoryArtifactStore], Any]
PAGES: list[tuple[str, str, Reports, dict[str, str], str, str]] = [
    # path, dependency, its reports, a viewer who is not the admin, the job, where the job stores its report
    ("/allocation", "allocation", AllocationReports, PLANNER, "allocation_nightly", "reports/allocation/"),
    ("/analytics", "analytics", AnalyticsReports, HR, "analytics_nightly", "reports/analytics/"),
    ("/skills", "reports", SkillsReports, PLANNER, "skills_daily", "reports/skills/"),
    ("/forecasts", "forecasts", ForecastReports, PLANNER, "forecast_nightly", "models/forecast/"),
    ("/incidents/trends", "incident_trends", IncidentTrendsReports, EHS, "incident_trends", "reports/incidents/"),
]
WHEN = {"allocation_nightly": "after the nightly run, early the next morning", "skills_daily": "after the morning run"}
"""When a page fills, as it says it (the others: after the nightly run, early each morning)."""
INTERNAL = ("artifacts bucket", "ARTIFACTS_BUCKET_NAME", "logs and alarms", "<code>")


def _body(path: str, dependency: str, reports: Reports | None, claims: dict[str, str], *, by_hand: bool = False) -> str:
    reports_or_none: dict[str, Any] = {dependency: reports(InMemoryArtifactStore()) if reports else None}
    deps: Dependencies = dataclasses.replace(web_deps(World()), schedules_by_hand=by_hand, **reports_or_none)
    answer = call_web(deps, "GET", path, claims)
    assert answer["statusCode"] == 200
    return unescape(str(answer["body"]))


@pytest.mark.parametrize(("path", "dependency", "reports", "viewer", "job", "prefix"), PAGES)
def test_before_the_first_report_a_page_says_when_it_fills_and_only_the_admin_what_to_check(
    path: str, dependency: str, reports: Reports, viewer: dict[str, str], job: str, prefix: str
) -> None:
    theirs = _body(path, dependency, reports, viewer)
    admins = _body(path, dependency, reports, ADMIN)

    assert WHEN.get(job, "after the nightly run, early each morning") in theirs
    assert "ask plant IT" in theirs
    assert job not in theirs.split("</nav>")[1] and prefix not in theirs  # the menu may name a page, not a job
    assert not any(word in theirs for word in INTERNAL)
    assert f"For the admin: {job} stores its report under <code>{prefix}</code>" in admins
    assert "check its logs and alarms" in admins


@pytest.mark.parametrize(("path", "dependency", "reports", "viewer", "job", "prefix"), PAGES)
def test_without_a_place_to_read_from_only_the_admin_is_told_the_setting(
    path: str, dependency: str, reports: Reports, viewer: dict[str, str], job: str, prefix: str
) -> None:
    theirs = _body(path, dependency, None, viewer)
    admins = _body(path, dependency, None, ADMIN)

    assert "There is nothing to show: this installation has no place to read" in theirs and "Ask plant IT." in theirs
    assert not any(word in theirs for word in INTERNAL)
    assert "no artifacts bucket is configured (<code>ARTIFACTS_BUCKET_NAME</code>)" in admins and job in admins


@pytest.mark.parametrize(("path", "dependency", "reports", "viewer", "job", "prefix"), PAGES)
def test_on_the_local_runtime_an_empty_page_says_how_to_run_its_job(
    path: str, dependency: str, reports: Reports, viewer: dict[str, str], job: str, prefix: str
) -> None:
    """ux_s17 H3: locally nothing fires the schedules, and the pages told the admin to check logs and alarms."""
    for claims in (viewer, ADMIN):
        body = _body(path, dependency, reports, claims, by_hand=True)

        assert re.search(rf"<code>curl -X POST http://[^/]+/_local/schedules/{job}</code>", body)
        assert "logs and alarms" not in body and "ask plant IT" not in body
