"""The dashboards at plant scale (issue 10), run by `make bench` (never by `make test`); it prints its figures.

`PlantSpec(employees=5000, weeks=4, seed=401)` (bench_skills' plant): generated, read and assessed (not
timed), its report stored as skills_daily stores it (`skills.artifact`) in an in-memory artifact store.
Then, through the real handler (`functions.web_app.handler.handler`, in process, with injected
Dependencies and the people named from a directory of the plant's 5,000 employees):

1. the first request after a new report: read the pointer and the report, parse and index it, render
   `/skills` (what one request of a warm container pays once per report; wall and CPU time);
2. warm: 3 calls, then up to 50 timed ones within RENDER_BUDGET_S per page; p50 / p95 / max and the
   page's size: `/skills` for an admin (page 1 and page 20 of the heatmap), for a supervisor of one
   department, with a cell's detail open, and `/certifications` for HR.

3. in Chromium (Debian's, as the browser tests drive it; skipped without it): the admin's `/skills`
   page as the handler rendered it, served with the two scripts from 127.0.0.1, from navigation until
   ECharts holds every point and has drawn its canvas; RENDERS times in fresh contexts (nothing cached)
   and RENDERS reloads (the scripts cached).

Targets (issue 10): `/skills` server p95 < 500 ms warm, rendered in Chromium < 1.5 s. Printed as met or
missed; asserted: every page answers 200 with its chart's data, and the browser draws every point.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from functions.web_app.handler import handler
from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.skills.artifact import build_artifact, store_artifact
from plexlabor.skills.data import SkillsInput, load_from_folder
from plexlabor.skills.engine import assess_skills
from plexlabor.skills.report import SkillsReport
from plexlabor.webapp.app import Dependencies
from plexlabor.webapp.dashboards import _static
from plexlabor.webapp.reports import SkillsReports
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from tests.support import FakeLambdaContext
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import web_deps, web_event
from tests.unit.webapp.viewers import ADMIN, HR

SPEC = PlantSpec(employees=5000, weeks=4, seed=401)
TARGET_P95_MS = 500.0
TARGET_RENDER_S = 1.5
RENDERS = 5
WARM_UP, CALLS, RENDER_BUDGET_S = 3, 50, 60.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def _series(call: Callable[[], dict[str, Any]]) -> tuple[list[float], dict[str, Any]]:
    for _ in range(WARM_UP):
        response = call()
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < CALLS and time.perf_counter() - started < RENDER_BUDGET_S:
        begin = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - begin)
    return times, response


def _points(body: str, name: str) -> Any:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', body, re.S)
    assert found, f"no {name} chart on the page"
    return json.loads(found.group(1))


@dataclass
class Plant:
    data: SkillsInput
    report: SkillsReport
    deps: Dependencies
    prepared_s: float
    stored_s: float
    report_bytes: int

    def get(self, path: str, claims: dict[str, str], query: dict[str, str] | None = None) -> dict[str, Any]:
        event = web_event("GET", path, query=query, authorizer={"claims": claims})
        return handler(event, FakeLambdaContext(), dependencies=self.deps)


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Plant:
    folder = tmp_path_factory.mktemp("dashboard-bench-plant")
    started = time.perf_counter()
    generate_plant(SPEC, folder)
    data = load_from_folder(folder)
    report = assess_skills(data)
    prepared = time.perf_counter() - started
    store = InMemoryArtifactStore()
    begin = time.perf_counter()
    pointer = store_artifact(store, build_artifact(report, data, datetime.now(UTC)))
    stored = time.perf_counter() - begin
    people = StaticPeopleDirectory(
        Person(str(row["id"]), row.get("employeeNo"), f"{row.get('firstName')} {row.get('lastName')}")
        for row in PlantFolder(folder).iter_raw("employees")
    )
    deps = dataclasses.replace(web_deps(World()), people=PeopleDisplay(people), reports=SkillsReports(store))
    return Plant(data, report, deps, prepared, stored, pointer.bytes)


def test_dashboards_benchmark(plant: Plant) -> None:
    data, report, get = plant.data, plant.report, plant.get
    departments = sorted({wc.department for wc in data.workcenters.values() if wc.department})
    busiest = max(departments, key=lambda d: sum(1 for wc in data.workcenters.values() if wc.department == d))
    supervisor = {"cognito:username": "S0001", "cognito:groups": "supervisor", "custom:departments": busiest}
    top = report.gaps[0]
    cell = {"wc": top.workcenter_id, "day": top.work_date.isoformat(), "shift": top.shift_id}

    begin, cpu = time.perf_counter(), time.process_time()
    first = get("/skills", ADMIN)
    cold, cold_cpu = time.perf_counter() - begin, time.process_time() - cpu
    assert first["statusCode"] == 200

    pages = {
        "/skills admin, page 1": lambda: get("/skills", ADMIN),
        "/skills admin, page 20": lambda: get("/skills", ADMIN, {"page": "20"}),
        f"/skills supervisor ({busiest})": lambda: get("/skills", supervisor),
        "/skills admin, a cell open": lambda: get("/skills", ADMIN, cell),
        "/certifications hr": lambda: get("/certifications", HR),
    }
    results = {}
    for name, call in pages.items():
        times, response = _series(call)
        assert response["statusCode"] == 200, name
        body = response["body"]
        chart = "timeline-data" if "certifications" in name else "heatmap-data"
        points = _points(body, chart)
        count = len(points["points"]) if chart == "heatmap-data" else sum(len(s) for s in points["series"].values())
        assert count > 0, name
        results[name] = (times, len(body), count)

    totals = report.totals
    print()
    print(
        f"plant: {SPEC.employees} employees, seed {SPEC.seed}; {len(data.workcenters)} workcenters, "
        f"{totals.coverage_rows} workcenter shifts with work, {totals.gaps} gaps, {len(report.training)} "
        f"workcenters with training candidates, {len(report.expiring) + len(report.lapsed)} certifications "
        f"expiring or lapsed (generated, read and assessed in {plant.prepared_s:.0f} s, not timed)"
    )
    print(f"report artifact: {plant.report_bytes / 1e6:.1f} MB, built and stored in {plant.stored_s:.2f} s")
    print(f"first request after a new report (read, parse, index, render): {_ms(cold)} ms wall, {_ms(cold_cpu)} ms CPU")
    print(f"{'warm page':<34} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'calls':>5} {'KB':>6} {'points':>6}")
    for name, (times, size, count) in results.items():
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
        print(
            f"{name:<34} {_ms(statistics.median(times)):>7} {_ms(p95):>7} {_ms(max(times)):>7} "
            f"{len(times):>5} {size / 1024:>6.0f} {count:>6}"
        )
    admin_times = results["/skills admin, page 1"][0]
    p95 = statistics.quantiles(admin_times, n=20)[-1]
    print(f"target /skills p95 < {TARGET_P95_MS:.0f} ms warm: {'met' if p95 * 1000 < TARGET_P95_MS else 'MISSED'}")


DRAWN = """(count) => {
  const element = document.getElementById("heatmap");
  const chart = window.echarts && element && echarts.getInstanceByDom(element);
  const canvas = element && element.querySelector("canvas");
  return Boolean(chart && canvas && canvas.width > 0 && chart.getOption().series[0].data.length === count);
}"""


def test_the_coverage_page_renders_in_chromium(plant: Plant, tmp_path: Path) -> None:
    try:
        from playwright.sync_api import sync_playwright

        from tests.browser.harness import CHROMIUM_ARGS, LAUNCH_TIMEOUT_MS, find_chromium, serve_pages
    except ImportError:
        pytest.skip("Playwright is not installed")
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium not found (make install)")
    library, script = _static("echarts.min.js"), _static("dashboards.js")
    if library is None or script is None:
        pytest.skip("the charting library is not vendored (make assets)")
    body = plant.get("/skills", ADMIN)["body"]
    count = len(_points(body, "heatmap-data")["points"])
    pages = {"/dev/skills.html": body, "/dev/static/echarts.min.js": library, "/dev/static/dashboards.js": script}
    cold: list[float] = []
    warm: list[float] = []
    with serve_pages(pages) as base, sync_playwright() as playwright:
        home: dict[str, str | float | bool] = {
            **os.environ,
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / ".config"),
        }
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=list(CHROMIUM_ARGS), env=home, timeout=LAUNCH_TIMEOUT_MS
        )
        try:
            for _ in range(RENDERS):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                for series in (cold, warm):
                    begin = time.perf_counter()
                    page.goto(f"{base}/dev/skills.html")
                    page.wait_for_function(DRAWN, arg=count, timeout=20_000, polling=10)
                    series.append(time.perf_counter() - begin)
                context.close()
        finally:
            browser.close()
    print()
    print(
        f"/skills in Chromium (1280 px, {count} points, {len(body) / 1024:.0f} KB page, "
        f"{len(library) / 1024:.0f} KB library): to drawn, first view {_ms(statistics.median(cold))} ms median "
        f"(max {_ms(max(cold))}), scripts cached {_ms(statistics.median(warm))} ms median (max {_ms(max(warm))}); "
        f"target < {TARGET_RENDER_S} s: {'met' if max(cold) < TARGET_RENDER_S else 'MISSED'}"
    )
