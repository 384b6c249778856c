"""The dashboards' scripts ship with the web app: the core layer carries the app's own chart script and
the charting library `make assets` vendors into the package (never fetched from a CDN at run time)."""

from __future__ import annotations

from pathlib import Path

from infra.constants import (
    ALLOCATION_REPORTS_PREFIX,
    ANALYTICS_REPORTS_PREFIX,
    FORECAST_RUNS_PREFIX,
    INCIDENT_REPORTS_PREFIX,
    INCIDENT_RUNS_PREFIX,
    SCORER_RUNS_PREFIX,
    SKILLS_REPORTS_PREFIX,
)
from infra.function_specs import FUNCTION_SPECS, BucketAccess
from infra.staging import stage_core_layer
from plexlabor.allocation.artifact import REPORT_PREFIX as ALLOCATION_PREFIX
from plexlabor.analytics.artifact import REPORT_PREFIX as ANALYTICS_PREFIX
from plexlabor.forecast.artifacts import PREFIX as FORECAST_PREFIX
from plexlabor.incidents.trends import REPORT_PREFIX as INCIDENTS_PREFIX
from plexlabor.skills.artifact import REPORT_PREFIX
from plexlabor.webapp.dashboards import STATIC_FILES


def test_the_core_layer_carries_every_script_the_dashboards_serve(tmp_path: Path) -> None:
    static = stage_core_layer(tmp_path) / "python" / "plexlabor" / "webapp" / "static"
    missing = [path for path in STATIC_FILES.values() if not (static / path).is_file()]
    assert missing == [], f"not in the core layer: {missing}; run `make assets` before building the layers"
    library = (static / "vendor" / "echarts.min.js").read_text(encoding="utf-8")
    assert "echarts" in library[:2000] and len(library) > 500_000
    assert (
        "http://" not in (static / "dashboards.js").read_text()
        and "https://" not in (static / "dashboards.js").read_text()
    )


def test_the_granted_prefix_is_where_skills_daily_stores_its_report() -> None:
    assert SKILLS_REPORTS_PREFIX == REPORT_PREFIX
    assert ANALYTICS_REPORTS_PREFIX == ANALYTICS_PREFIX  # and analytics_nightly its scores
    assert INCIDENT_REPORTS_PREFIX == INCIDENTS_PREFIX  # and incident_trends its report
    assert ALLOCATION_REPORTS_PREFIX == ALLOCATION_PREFIX  # and allocation_nightly its report
    assert FORECAST_RUNS_PREFIX == FORECAST_PREFIX  # and forecast_nightly its runs


def test_the_web_app_reads_where_skills_daily_forecast_nightly_and_analytics_nightly_write_and_nothing_more() -> None:
    # and the retrains' last-run records (/kpis), whose folders test_infra_functions ties to where they write
    specs = {spec.name: spec for spec in FUNCTION_SPECS}
    web_app = [need for need in specs["web_app"].needs if isinstance(need, BucketAccess)]
    readable = [
        BucketAccess.read(REPORT_PREFIX),
        BucketAccess.read(FORECAST_PREFIX),
        BucketAccess.read(ANALYTICS_PREFIX),
        BucketAccess.read(ALLOCATION_PREFIX),
        BucketAccess.read(INCIDENTS_PREFIX),
        BucketAccess.read(SCORER_RUNS_PREFIX, "last.json"),
        BucketAccess.read(INCIDENT_RUNS_PREFIX, "last.json"),
    ]
    assert web_app == readable
    assert BucketAccess.read_write(FORECAST_PREFIX) in specs["forecast_nightly"].needs
    assert BucketAccess.read_write(ANALYTICS_PREFIX) in specs["analytics_nightly"].needs
    assert BucketAccess.read_write(INCIDENTS_PREFIX) in specs["incident_trends"].needs
    assert BucketAccess.read_write(ALLOCATION_PREFIX) in specs["allocation_nightly"].needs
