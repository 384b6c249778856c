"""The forecasts page in chromium, on the local runtime (issue 10): forecast_nightly fired there, as its
schedule would, on a plant large enough to train the model (60 employees x 8 weeks: 260 finished job
operations, 600+ upcoming ones) stores its run in the (moto) artifacts bucket; the web app draws the
interval chart from it with the vendored ECharts. The chart's points are checked against the run's own
forecasts file (read from the bucket), not only for being there; a supervisor sees their department's;
no request beyond 127.0.0.1, no script error or CSP violation, axe-core clean, 820 px without sideways
scrolling, screenshots at 1280 and 820 px.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest

from plexlabor.forecast.artifacts import LATEST, PREFIX
from plexlabor.forecast.records import OperationForecast, VarianceAlert
from plexlabor.plant import PlantFolder
from plexlabor_dev.local.signin import LocalUser, plant_users
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec
from tests.browser.harness import assert_no_serious_violations, chart, local_stack, screenshots, sign_in
from tests.support import generated_plant

if TYPE_CHECKING:
    from playwright.sync_api import Page

FORECAST_PLANT = PlantSpec(employees=60, weeks=8, seed=7, anomaly_rate=0.1)
"""The smallest generated plant whose history trains the model with the nightly's own settings (150+
finished job operations); 30 x 4 and 40 x 8 fall back to standard hours."""
ALERTS = {"alert_margin": 0.02, "alert_min_hours": 0.5, "alert_horizon_days": 7}
"""A looser alert rule (a FORECAST_SETTINGS override, as an operator may set): this plant's operations run
close to standard (P50 at most 8 % above it), and the page should show alerts with their drivers (at
5 % the few above it fall beyond the 7 days since the generator's job operations carry actual times)."""
PER_PAGE = 25


@dataclass
class Forecasts:
    stack: LocalStack
    base: str
    pointer: dict[str, Any]
    forecasts: list[OperationForecast]
    alerts: list[VarianceAlert]
    supervisor: LocalUser


@pytest.fixture(scope="module")
def fc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Forecasts]:
    plant = generated_plant(tmp_path_factory, "forecast", FORECAST_PLANT)
    as_of = PlantFolder(plant).meta().end
    overrides = {"forecast_nightly": {"FORECAST_SETTINGS": json.dumps(ALERTS)}}
    with local_stack(tmp_path_factory, "forecast", plant, function_environment=overrides) as stack:
        runtime = stack.runtime
        summary = runtime.fire("forecast_nightly", detail={"as_of": as_of.isoformat()})
        assert summary["method"] == "model" and summary["forecasts"] > PER_PAGE and summary["alerts"] > 0
        run = f"{PREFIX}{summary['version']}"
        pointer = json.loads(runtime.artifact(f"{PREFIX}{LATEST}"))
        forecasts = [
            OperationForecast.model_validate_json(x) for x in runtime.artifact(f"{run}/forecasts.jsonl").splitlines()
        ]
        alerts = [VarianceAlert.model_validate_json(x) for x in runtime.artifact(f"{run}/alerts.jsonl").splitlines()]
        planned = {f.department for f in forecasts}
        supervisor = next(u for u in plant_users(plant) if set(u.departments) & planned)
        yield Forecasts(stack, runtime.api_url, pointer, forecasts, alerts, supervisor)


def _first_page(forecasts: list[OperationForecast], department: str | None = None) -> list[OperationForecast]:
    """The operations the page's first page must show: by scheduled start, then job number, operation."""
    chosen = [f for f in forecasts if department is None or f.department == department]
    never = datetime.max
    chosen.sort(
        key=lambda f: (
            f.scheduled_start.replace(tzinfo=None) if f.scheduled_start else never,
            f.job_no or "",
            f.operation_no,
            f.job_operation_id,
        )
    )
    return chosen[:PER_PAGE]


def _expected(ops: list[OperationForecast]) -> dict[str, Any]:
    return {
        "P10–P90": [[f.p10_hours, f.p90_hours, i] for i, f in enumerate(ops)],
        "P50": [[f.p50_hours, i] for i, f in enumerate(ops)],
        "Standard": [[f.standard_hours, i] for i, f in enumerate(ops)],
    }


def test_the_interval_chart_draws_the_runs_forecasts_and_the_alerts_their_drivers(
    page: Page, problems: list[str], fc: Forecasts
) -> None:
    sign_in(page, fc, "planner", then="/forecasts")

    drawn = chart(page, "intervals")

    ops = _first_page(fc.forecasts)
    assert drawn["y"] == [f"{f.job_no} op {f.operation_code} · {f.workcenter_code}" for f in ops]
    assert {s["name"]: s["data"] for s in drawn["series"]} == _expected(ops)
    assert page.locator("#intervals-table-title + .scroll tbody tr").count() == PER_PAGE
    main = page.locator("main").inner_text()
    assert f"trained on {fc.pointer['trained_on']} finished" in main
    assert fc.alerts[0].drivers[0].text in main  # the largest alert's first driver
    assert page.locator("#alerts tbody tr").count() == len(fc.alerts)
    model = fc.pointer["accuracy"]["methods"]["model"]  # the accuracy the nightly run measured, as it stored it
    accuracy = page.locator("#accuracy").inner_text()
    assert f"on the {fc.pointer['accuracy']['operations']} operations" in accuracy
    assert f"{model['mape'] * 100:.1f} %" in accuracy and f"{model['coverage'] * 100:.1f} %" in accuracy
    assert_no_serious_violations(page)
    screenshots(page, "forecasts")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # 820 px: no sideways scroll
    assert problems == []


def test_a_supervisor_sees_the_chart_of_their_department(page: Page, problems: list[str], fc: Forecasts) -> None:
    sign_in(page, fc, fc.supervisor.username, then="/forecasts")

    drawn = chart(page, "intervals")

    shown = [f for f in fc.forecasts if f.department in fc.supervisor.departments]
    assert {s["name"]: s["data"] for s in drawn["series"]} == _expected(_first_page(shown))
    assert f"You see departments {', '.join(fc.supervisor.departments)}" in page.locator("main").inner_text()
    assert problems == []
