"""The forecasts page in process (issue 10): a small forecast run stored the way forecast_nightly stores it
(`forecast.service.store_run` into the shared artifact store), read by the web app per role; the interval
chart's data as the run has it; codes, never Plex ids; empty states; the run kept per container."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from plexlabor.forecast.artifacts import LATEST
from plexlabor.forecast.records import Driver, OperationForecast, OvertimeProjection, VarianceAlert
from plexlabor.forecast.service import ForecastRun, store_run
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.webapp.app import Dependencies
from plexlabor.webapp.forecasts import ForecastReports
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.viewers import ADMIN, HR, MOLDING, NOBODY, PLANNER

AS_OF = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
UUID = "1f0e{:04d}-aaaa-4bbb-8ccc-0123456789ab"


def _op(
    n: int,
    department: str,
    job_no: str | None,
    wc: str | None,
    hours: tuple[float, float, float, float],
    rate: float | None,
) -> OperationForecast:
    standard, p10, p50, p90 = hours
    return OperationForecast(
        as_of=AS_OF,
        job_operation_id=UUID.format(n),
        job_id=UUID.format(100 + n),
        job_no=job_no,
        part_id=UUID.format(200 + n),
        part_family="BRACKET",
        operation_no=10 * n,
        operation_code=str(10 * n),
        workcenter_id=UUID.format(300 + n),
        workcenter_code=wc,
        department=department,
        scheduled_start=AS_OF + timedelta(hours=6 * n),
        quantity=100,
        standard_hours=standard,
        p10_hours=p10,
        p50_hours=p50,
        p90_hours=p90,
        labor_rate=rate,
        cost_p10=p10 * rate if rate else None,
        cost_p50=p50 * rate if rate else None,
        cost_p90=p90 * rate if rate else None,
        variance_pct=p50 / standard - 1,
        crew_source="scheduled",
        method="model",
        model_version="forecast-20261130T0800Z-abc",
    )


OPS = [
    _op(1, "MOLD", "J100001", "PRS-01", (8.0, 7.0, 9.5, 12.0), 20.0),
    _op(2, "ASSY", "J100002", "ASM-01", (4.0, 3.5, 4.2, 5.0), None),
    _op(3, "MOLD", None, None, (6.0, 5.0, 6.1, 7.5), 18.0),
]
ALERT = VarianceAlert(
    forecast=OPS[0],
    over_hours=1.5,
    over_pct=0.1875,
    drivers=[Driver(factor="pace", hours=1.1, text="the crew scheduled at PRS-01 works at 87% of standard pace")],
    supervisor_id="E0009",
    note="Job J100001 operation 10 at PRS-01: forecast 9.5 h",
)


def _overtime(department: str, hours: float) -> OvertimeProjection:
    return OvertimeProjection(
        as_of=AS_OF,
        department=department,
        iso_week="2026-W49",
        week_start=datetime(2026, 11, 30, 5, tzinfo=UTC),
        employees=12,
        worked_hours=0.0,
        scheduled_hours=480.0 + hours,
        projected_hours=480.0 + hours,
        projected_overtime_hours=hours,
        employees_over_threshold=3,
        employees_over_limit=0,
        overtime_cost=hours * 30,
        last_week_overtime_hours=4.0,
        forecast_labor_hours=120.0,
        causes=[f"weekend shifts: 3 people scheduled for 24 h ({hours:.0f} h of the overtime)"],
        suggestion=f"Move about {hours:.0f} h of weekend work to weekday shifts of 2 colleagues under 40 h this week",
    )


def _run(version: str = "forecast-20261130T0800Z-abc") -> ForecastRun:
    return ForecastRun(
        as_of=AS_OF,
        version=version,
        model=None,
        model_blob=None,
        model_sha256=None,
        forecasts=OPS,
        alerts=[ALERT],
        overtime=[_overtime("MOLD", 18.0), _overtime("ASSY", 9.0)],
        issues={},
    )


@pytest.fixture
def store() -> InMemoryArtifactStore:
    store = InMemoryArtifactStore()
    store_run(_run(), store)
    return store


def _call(
    deps: Dependencies, claims: dict[str, Any], lambda_context: Any, query: dict[str, str] | None = None
) -> dict[str, Any]:
    return call_web(deps, "GET", "/forecasts", claims, lambda_context, query=query)


def _deps(store: InMemoryArtifactStore | None) -> Dependencies:
    reports = ForecastReports(store) if store is not None else None
    return dataclasses.replace(web_deps(World()), forecasts=reports)


def _chart(body: str) -> Any:
    found = re.search(r'<script type="application/json" id="intervals-data">(.*?)</script>', body, re.S)
    assert found, "no chart data"
    return json.loads(found.group(1))


def test_a_planner_sees_every_operation_as_the_run_has_it_and_no_plex_id(
    store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    response = _call(_deps(store), PLANNER, lambda_context)

    assert response["statusCode"] == 200
    body = response["body"]
    chart = _chart(body)
    assert chart["labels"] == ["J100001 op 10 · PRS-01", "J100002 op 20 · ASM-01", "job without a number op 30 · —"]
    assert chart["band"] == [[f.p10_hours, f.p90_hours, i] for i, f in enumerate(OPS)]
    assert chart["p50"] == [[f.p50_hours, i] for i, f in enumerate(OPS)]
    assert chart["standard"] == [[f.standard_hours, i] for i, f in enumerate(OPS)]
    assert "script-src 'self'" in response["multiValueHeaders"]["Content-Security-Policy"][0]
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", body)  # codes, never Plex ids
    assert "Mon 2026-11-30 03:00" in body and "made by the nightly run:" in body  # as of, plant time
    assert "forecast-20261130T0800Z-abc" not in body  # the run by when, not by its version (ux119 #17)
    assert "works at 87% of standard pace (+1.1 h)" in body  # the alert's driver
    assert "weekend shifts: 3 people" in body and "Move about 18 h of weekend work" in body
    assert "2026-W49" in body and "18.0 h overtime" in body and "9.0 h overtime" in body
    # the week's hours say what they are, and the workload is said not to add to the overtime
    expected = "498.0 h expected: 0.0 worked + 498.0 still to come (the shifts left, as each person usually works them)"
    assert expected in body
    assert "it does not add to the overtime figure" in body
    assert "No model yet: the forecast is Plex's standard" in body  # a standard-only run (ux_s16 #11)
    assert 'aria-current="page">Forecasts' in body


def test_the_accuracy_the_nightly_run_measured_is_shown_per_method(lambda_context: Any) -> None:
    # Given a run with a model (trained on 1,804 operations) that scored it on the two weeks it did not see
    run = _run()
    run.model = SimpleNamespace(version=run.version, trained_on=1804)  # type: ignore[assignment]
    run.accuracy = {
        "cutoff": "2026-11-16T08:00:00+00:00",
        "weeks": 2,
        "operations": 412,
        "trained_on": 1804,
        "methods": {
            "model": {"mape": 0.0437, "coverage": 0.817, "mae_hours": 1.07, "pinball": 0.35},
            "standard": {"mape": 0.0662, "coverage": None, "mae_hours": 1.72, "pinball": 0.86},
        },
    }
    store = InMemoryArtifactStore()
    store_run(run, store)

    body = _call(_deps(store), PLANNER, lambda_context)["body"]

    # Then the page says what was measured, when, on how much, per method, in plant time
    accuracy = body[body.index('id="accuracy"') :]
    assert "on the 1804 job operations finished by then" in accuracy and "on the 412 operations" in accuracy
    assert "2026-11-16 03:00" in accuracy  # the cut-off in plant time (Detroit)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>', accuracy)
    assert rows == [
        ("plexlabor&#39;s forecast (P50)", "4.4 %", "1.07", "81.7 %"),
        ("Plex standard hours", "6.6 %", "1.72", "—"),
    ]


def test_without_a_model_the_accuracy_panel_says_so_and_how_many_operations_it_waits_for(lambda_context: Any) -> None:
    """ux_s16 #11: a model "trained on 0 job operations" was scored as plexlabor's forecast."""
    # Given a run with too few finished operations to train a model, whose accuracy fold scored the fallback
    run = _run()
    run.min_training_operations = 150
    run.accuracy = {
        "cutoff": "2026-11-16T08:00:00+00:00",
        "weeks": 2,
        "operations": 40,
        "trained_on": 0,
        "methods": {
            "model": {"mape": 0.052, "coverage": 0.929, "mae_hours": 1.59, "pinball": 0.35},
            "standard": {"mape": 0.052, "coverage": None, "mae_hours": 1.59, "pinball": 0.86},
        },
    }
    store = InMemoryArtifactStore()
    store_run(run, store)
    # When a planner opens the forecasts
    body = _call(_deps(store), PLANNER, lambda_context)["body"]
    accuracy = body[body.index('id="accuracy"') :]
    # Then the panel says there is no model yet and when accuracy appears, and scores nothing as plexlabor's forecast
    expected = (
        "No model yet: the forecast is Plex's standard with a ±band; accuracy appears once 150 job operations have "
        "finished."
    )
    assert expected in accuracy
    assert "plexlabor&#39;s forecast (P50)" not in accuracy and "on the 0 job operations" not in accuracy


def test_a_model_scored_where_its_fold_had_too_few_operations_is_not_measured(lambda_context: Any) -> None:
    # Given a run with a model now, whose fold two weeks back had 90 finished operations (a model needs 150)
    run = _run()
    run.model = SimpleNamespace(version=run.version, trained_on=300)  # type: ignore[assignment]
    run.min_training_operations = 150
    run.accuracy = {
        "cutoff": "2026-11-16T08:00:00+00:00",
        "weeks": 2,
        "operations": 40,
        "trained_on": 90,
        "methods": {"model": {"mape": 0.05, "coverage": 0.9, "mae_hours": 1.5, "pinball": 0.3}},
    }
    store = InMemoryArtifactStore()
    store_run(run, store)
    body = _call(_deps(store), PLANNER, lambda_context)["body"]
    accuracy = body[body.index('id="accuracy"') :]
    assert "only 90 job operations had finished, fewer than the 150 a model needs" in accuracy
    assert "plexlabor&#39;s forecast (P50)" not in accuracy


def test_the_cost_chart_leaves_out_operations_without_a_pay_rate(
    store: InMemoryArtifactStore, lambda_context: Any
) -> None:
    chart = _chart(_call(_deps(store), ADMIN, lambda_context, {"measure": "cost"})["body"])

    assert chart["unit"] == "$"
    assert chart["band"] == [[140.0, 240.0, 0], [90.0, 135.0, 2]]
    assert chart["p50"] == [[190.0, 0], [pytest.approx(109.8), 2]]
    assert chart["standard"] == [[160.0, 0], [108.0, 2]]


def test_a_supervisor_sees_their_departments_only(store: InMemoryArtifactStore, lambda_context: Any) -> None:
    body = _call(_deps(store), MOLDING, lambda_context)["body"]

    assert _chart(body)["labels"] == ["J100001 op 10 · PRS-01", "job without a number op 30 · —"]
    assert "J100002" not in body and "ASSY" not in body and "9.0 h overtime" not in body
    assert "18.0 h overtime" in body and "works at 87% of standard pace" in body
    filtered = _chart(_call(_deps(store), PLANNER, lambda_context, {"department": "ASSY"})["body"])
    assert filtered["labels"] == ["J100002 op 20 · ASM-01"]


@pytest.mark.parametrize("claims", [HR, NOBODY])
def test_roles_without_forecasts_are_refused(
    store: InMemoryArtifactStore, lambda_context: Any, claims: dict[str, Any]
) -> None:
    response = _call(_deps(store), claims, lambda_context)

    assert response["statusCode"] == 403
    assert "for planners, admins and supervisors" in response["body"]


def test_empty_states_say_what_is_missing_and_why(lambda_context: Any) -> None:
    unconfigured = _call(_deps(None), ADMIN, lambda_context)
    assert unconfigured["statusCode"] == 200 and "no artifacts bucket is configured" in unconfigured["body"]
    none_yet = _call(_deps(InMemoryArtifactStore()), ADMIN, lambda_context)["body"]
    assert "No forecasts yet" in none_yet and "models/forecast/" in none_yet and "intervals-data" not in none_yet
    broken = InMemoryArtifactStore()
    broken.put(LATEST, b'{"version": "v9", "as_of": "2026-11-30T08:00:00+00:00"}')
    unreadable = _call(_deps(broken), ADMIN, lambda_context)["body"]  # the admin is told what is wrong
    assert "could not be read" in unreadable and "v9/forecasts.jsonl is missing" in unreadable


def test_the_run_is_kept_per_container_until_the_pointer_names_another(store: InMemoryArtifactStore) -> None:
    now = [0.0]
    reports = ForecastReports(store, ttl_s=30, monotonic=lambda: now[0])
    first = reports.current().index
    assert first is not None and len(first.forecasts) == 3
    store_run(dataclasses.replace(_run("forecast-20261201T0800Z-def"), forecasts=OPS[:1]), store)
    assert reports.current().index is first  # within the TTL: not read again
    now[0] = 31.0
    second = reports.current().index
    assert second is not None and second.version == "forecast-20261201T0800Z-def" and len(second.forecasts) == 1
    store.put("forecast-20261201T0800Z-def/alerts.jsonl", b"altered\n")
    pointer = json.loads(store.get(LATEST) or b"{}")
    store.put(LATEST, json.dumps({**pointer, "seconds": {"store": 9.9}}).encode())  # a re-stored run
    now[0] = 62.0
    kept = reports.current()
    assert kept.index is second and kept.problem is not None and "sha256" in kept.problem


def test_the_department_filter_lists_every_department_with_a_forecast(lambda_context: Any) -> None:
    """ux164 #17: MAINT and SHIP had overtime projections but no job operations, and the filter left them out
    (it listed only the departments of job operations); each is selectable and narrows the page to its rows."""
    store = InMemoryArtifactStore()
    run = dataclasses.replace(
        _run(), overtime=[_overtime("MOLD", 18.0), _overtime("MAINT", 6.0), _overtime("SHIP", 4.0)]
    )
    store_run(run, store)
    body = _call(_deps(store), PLANNER, lambda_context)["body"]
    filter_select = re.search(r'<select name="department">(.*?)</select>', body, re.S)
    assert filter_select is not None
    assert re.findall(r"<option[^>]*>(\w+)</option>", filter_select.group(1)) == [
        "any",
        "ASSY",
        "MAINT",
        "MOLD",
        "SHIP",
    ]
    ship = _call(_deps(store), PLANNER, lambda_context, {"department": "SHIP"})["body"]
    assert "4.0 h overtime" in ship and "18.0 h overtime" not in ship and "6.0 h overtime" not in ship
    molding = re.search(
        r'<select name="department">(.*?)</select>', _call(_deps(store), MOLDING, lambda_context)["body"], re.S
    )
    assert molding is not None and "SHIP" not in molding.group(1) and "MOLD" in molding.group(1)


def test_the_overtime_threshold_shown_is_the_one_the_run_projected_after(lambda_context: Any) -> None:
    """The plant's `overtime_after_hours` (here 38 h), recorded with each projection, not a fixed 40 h."""
    store = InMemoryArtifactStore()
    run = _run()
    run.overtime = [_overtime("MOLD", 18.0).model_copy(update={"overtime_after_hours": 38.0})]
    store_run(run, store)
    body = _call(_deps(store), PLANNER, lambda_context)["body"]
    assert "3 over 38 h" in body and "over 40 h" not in body
