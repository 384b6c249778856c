"""`/incidents/trends` in process: incident_trends' report as the function stores it, drawn for the roles
it is for (chart data and tables from the stored numbers), refused to others, the empty states."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plexlabor.incidents.trends import IncidentFact, IncidentTrends, compute_trends, store_trends
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.webapp.incidenttrends import IncidentTrendsReports
from tests.unit.approval.approval_fakes import World
from tests.unit.incidents.test_incident_trends import _window
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.viewers import ADMIN, EHS, HR

SUPERVISOR = {"cognito:username": "E0001", "cognito:groups": "supervisor"}


@pytest.fixture(scope="module")
def trends() -> IncidentTrends:
    incidents = [
        IncidentFact(date(2026, 11, 10), "injury", "W1", "1", "6"),
        IncidentFact(date(2026, 11, 20), "near_miss", "W2", "2", "uncoded"),
    ]
    return compute_trends(
        incidents, _window(), as_of=date(2026, 11, 22), weeks=2, zone=ZoneInfo("UTC"), generated_at=datetime.now(UTC)
    )


def _call(store: InMemoryArtifactStore | None, claims: dict[str, Any]) -> dict[str, Any]:
    deps = dataclasses.replace(
        web_deps(World()), incident_trends=IncidentTrendsReports(store) if store is not None else None
    )
    return call_web(deps, "GET", "/incidents/trends", claims)


@pytest.mark.parametrize("claims", [EHS, SUPERVISOR])
def test_the_page_draws_the_stored_weeks_and_rates(trends: IncidentTrends, claims: dict[str, str]) -> None:
    store = InMemoryArtifactStore()
    store_trends(store, trends)
    response = _call(store, claims)
    assert response["statusCode"] == 200
    assert "script-src 'self'" in response["multiValueHeaders"]["Content-Security-Policy"][0]
    body = response["body"]
    data = json.loads(html.unescape(re.search(r'id="trend-data">(.*?)</script>', body, re.S).group(1)))  # type: ignore[union-attr]
    assert data["weeks"] == ["2026-11-09", "2026-11-16"]
    assert data["injuries"] == [1, 0] and data["near_misses"] == [0, 1]
    assert data["injury_rate"] == [w.injury_rate for w in trends.weekly] and data["overtime"] == [20, 20]
    assert f"<strong>{trends.total.injury_rate:.2f}</strong> injuries" in body
    workcenters = body.split('id="workcenter-table"')[1].split("</table>")[0]
    assert '<th scope="row">W1</th>' in workcenters and f"{trends.by_workcenter[0].injury_rate:.2f}" in workcenters
    assert 'id="fatigue-table"' in body and "not attributed" in body
    assert 'href="/dev/incidents/trends" aria-current="page"' in body


def test_others_are_refused_and_without_a_report_the_page_says_why(trends: IncidentTrends) -> None:
    assert _call(InMemoryArtifactStore(), HR)["statusCode"] == 403
    empty = _call(InMemoryArtifactStore(), EHS)
    assert empty["statusCode"] == 200 and "No incident trends yet" in empty["body"]
    assert "no artifacts bucket is configured" in _call(None, ADMIN)["body"]


def test_the_fatigue_and_workcenter_tables_say_they_count_labor_hours(trends: IncidentTrends) -> None:
    # Given a report whose paid hours (the headline) exceed the labor hours logged at workcenters
    # (indirect work is paid but logged at no workcenter)
    labor = sum(r.hours for r in trends.fatigue)
    assert labor == pytest.approx(sum(r.hours for r in trends.by_workcenter))
    trends = trends.model_copy(update={"total": trends.total.model_copy(update={"hours": labor + 60})})
    store = InMemoryArtifactStore()
    store_trends(store, trends)
    # When the EHS lead opens the page
    body = _call(store, EHS)["body"]
    # Then the headline names both, and the fatigue and workcenter tables head their hours "Labor hours"
    assert f"{trends.total.hours:,.0f} hours worked (paid hours from the time clock" in body
    assert f"{labor:,.0f} labor hours logged at workcenters" in body
    for table in ("fatigue", "workcenter"):
        head = body.split(f'id="{table}-table"')[1].split("</thead>")[0]
        assert "Labor hours" in head and "Hours worked" not in head
    assert "Hours worked" in body.split('id="shift-table"')[1].split("</thead>")[0]


def test_the_weeks_name_each_event_category_by_its_title(trends: IncidentTrends) -> None:
    store = InMemoryArtifactStore()
    store_trends(store, trends)
    weeks = _call(store, EHS)["body"].split('id="weekly-table"')[1].split("</table>")[0]
    assert "<td>6 Contact with objects and equipment: 1</td>" in weeks and "<td>uncoded: 1</td>" in weeks
    assert "<td>6: 1</td>" not in weeks


def _paragraph(body: str, paragraph_id: str) -> str:
    return body.split(f'id="{paragraph_id}"')[1].split("</p>")[0]


def test_the_page_says_when_the_nightly_run_made_it(trends: IncidentTrends) -> None:
    # Given trends the nightly run made at 09:45 UTC on Monday (ux_s15 #9: an injury logged later was missing, unsaid)
    made = trends.model_copy(update={"generated_at": datetime(2026, 11, 23, 9, 45, tzinfo=UTC)})
    store = InMemoryArtifactStore()
    store_trends(store, made)
    # When the EHS lead opens the page
    said = _paragraph(_call(store, EHS)["body"], "trends-made")
    # Then it says when they were made and that a report made since is not counted yet
    assert "Made by the nightly run at " in said and "2026-11-23" in said
    assert "An incident reported since is counted from the next nightly run." in said


def test_rates_from_few_hours_are_marked_and_the_threshold_is_said(trends: IncidentTrends) -> None:
    # Given the fixture's small plant (well under 20,000 hours), then the same with the plant's hours over it
    assert not trends.total.steady and trends.total.hours > 0
    store = InMemoryArtifactStore()
    store_trends(store, trends)
    body = _call(store, EHS)["body"]
    # Then every rate is marked, the threshold and its reason are said, with what one injury does to this plant's rate
    workcenters = body.split('id="workcenter-table"')[1].split("</table>")[0]
    rate = trends.by_workcenter[0].injury_rate
    assert f'{rate:.2f} <span class="muted few-hours">(few hours)</span>' in workcenters
    weeks = body.split('id="weekly-table"')[1].split("</table>")[0]
    assert weeks.count("(few hours)") == sum(w.injury_rate is not None for w in trends.weekly)
    said = _paragraph(body, "few-hours")
    assert "under 20,000 hours (10 full-time workers for a year)" in said
    assert f"one injury more or less moves its rate by {200_000 / trends.total.hours:.2f}" in said
    steady = trends.model_copy(
        update={"by_shift": [r.model_copy(update={"hours": 25_000.0}) for r in trends.by_shift]}
        | {"total": trends.total.model_copy(update={"hours": 25_000.0})}
    )
    store_trends(store, steady.model_copy(update={"generated_at": datetime.now(UTC)}))
    body = _call(store, EHS)["body"]
    assert "(few hours)" not in body.split('id="shift-table"')[1].split("</table>")[0]
    assert "one injury more or less moves its rate" not in _paragraph(body, "few-hours")
