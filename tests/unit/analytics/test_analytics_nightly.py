"""analytics_nightly: the scheduled handler on a generated plant (a plant folder in, a report folder out),
and `run` with in-memory stores; the stored report is what the web app reads."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from functions.analytics_nightly import handler as analytics_nightly
from plexlabor.analytics import wiring
from plexlabor.analytics.artifact import REPORT_PREFIX, read_artifact
from plexlabor.analytics.nightly import AnalyticsNightlyEvent, run
from plexlabor.audit.dynamodb import DynamoDbAuditStore
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import InMemoryArtifactStore, LocalFolderArtifactStore, read_pointer
from plexlabor.platform.errors import ConfigurationError
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from tests.support import audit_table_on_moto, load_event
from tests.unit.analytics.test_finding_decisions import MEASURE, decided

WINDOW = (datetime(2026, 10, 24, 4, tzinfo=UTC), datetime(2026, 11, 21, 5, tzinfo=UTC))
"""The four weeks a run on 2026-11-21 scores (Detroit's midnights: EDT, then EST)."""


def _event(**detail: Any) -> dict[str, Any]:
    event = load_event("analytics_nightly")
    event["detail"] = {**event["detail"], **detail}
    return event


TABLE = "plexlabor-audit-analytics-test"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, labelled_plant: PlantFolder, tmp_path: Path) -> Iterator[Any]:
    """The function's environment on moto: an audit table, the labelled plant as its Plex, a folder as its
    artifacts bucket (`environment`)."""
    environment = {
        "PLEXLABOR_PLANT_DIR": str(labelled_plant.path),
        "PLEXLABOR_ARTIFACTS_DIR": str(tmp_path),
        "ARTIFACTS_BUCKET_NAME": None,
        "ANALYTICS_WEEKS": None,
    }
    with audit_table_on_moto(monkeypatch, TABLE, environment, wiring.dependencies.cache_clear) as client:
        yield client


@pytest.fixture
def environment(aws: Any, tmp_path: Path) -> Path:
    return tmp_path


def test_the_canonical_event_parses() -> None:
    request = analytics_nightly.EVENT_MODEL.model_validate(load_event("analytics_nightly"))
    assert request.detail.as_of is None and request.detail.weeks is None


def test_a_scheduled_run_stores_the_scores_of_the_last_full_days_for_the_web_app(
    environment: Path, lambda_context: Any
) -> None:
    # When the nightly schedule fires at 09:45 UTC on 2026-11-21 (04:45 in Detroit)
    summary = analytics_nightly.handler(_event(), lambda_context)
    # Then the four weeks ending the day before are scored and stored under reports/analytics/
    assert (summary["as_of"], summary["weeks"], summary["report_key"]) == ("2026-11-20", 4, "2026-11-20.json")
    store = LocalFolderArtifactStore(environment / REPORT_PREFIX.rstrip("/"))
    pointer = read_pointer(store)
    assert pointer is not None and pointer.key == "2026-11-20.json"
    artifact = read_artifact(store, pointer)
    report = artifact.report
    assert len(report.operators) == summary["operators"] > 20 and summary["crews"] == len(report.crews) > 1
    # the window ends at the plant's midnight after as_of (EST: 05:00 UTC) and spans four weeks
    assert report.end.isoformat() == "2026-11-21T05:00:00+00:00"
    assert (report.end - report.begin).days == 28
    # each operator's crew is kept for the operator's card, and every operator has one
    assert set(artifact.crew_of) == {unit.key for unit in report.operators}
    assert set(artifact.crew_of.values()) == {crew.key for crew in report.crews}
    # the summary has counts only
    assert set(summary["ranked"]) == {
        "efficiency",
        "scrap_share",
        "caused_stops_per_entry",
        "nonconformances_per_entry",
    }
    # and with nothing decided in the audit table, upheld findings are left out, saying why
    assert (summary["findings_upheld"], summary["findings_rejected"]) == (0, 0)
    reason = "no validation finding about these operators was decided in the window"
    assert summary["absent"] == {MEASURE: reason} and report.absent[MEASURE].reason == reason
    assert report.absent[MEASURE].label == "Upheld validation findings per worked day"


def test_findings_decided_in_the_audit_table_are_scored_for_each_operator(
    aws: Any, environment: Path, lambda_context: Any
) -> None:
    # Given two operators' punch findings decided in the window in the audit table (DynamoDB), one each
    # way, and one decided after it
    store = LocalFolderArtifactStore(environment / REPORT_PREFIX.rstrip("/"))
    audit = DynamoDbAuditStore(TABLE, client=aws)
    source = PlantFolderSource(PlantFolder(Path(os.environ["PLEXLABOR_PLANT_DIR"])))
    first, second = sorted({entry.employee_id for entry in source.labor_entries(*WINDOW)})[:2]
    for event in (
        decided(first, 1, upheld=True),
        decided(first, 2, upheld=True, at=WINDOW[1] + timedelta(hours=1)),
        decided(second, 3, upheld=False),
    ):
        audit.append(event)
    # When the nightly schedule fires
    summary = analytics_nightly.handler(_event(), lambda_context)
    # Then the decisions of the window are read and the measure is scored like the others
    assert (summary["findings_upheld"], summary["findings_rejected"], summary["absent"]) == (1, 1, {})
    assert MEASURE in summary["ranked"]
    pointer = read_pointer(store)
    assert pointer is not None
    report = read_artifact(store, pointer).report
    by_key = {unit.key: unit for unit in report.operators}
    assert (by_key[first].findings_upheld, by_key[second].findings_rejected) == (1, 1)
    assert by_key[first].measures[MEASURE].raw > 0 == by_key[second].measures[MEASURE].raw
    assert all(MEASURE in unit.measures for unit in (*report.operators, *report.crews, *report.shifts))


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_a_malformed_detail_is_refused(environment: Path, lambda_context: Any) -> None:
    with pytest.raises(ValidationError):
        analytics_nightly.handler(_event(weeks=0), lambda_context)
    with pytest.raises(ValidationError):
        analytics_nightly.handler(_event(as_of="yesterday"), lambda_context)


def test_without_a_bucket_a_folder_or_the_audit_table_the_settings_say_what_to_set(
    labelled_plant: PlantFolder,
) -> None:
    plant = {"PLEXLABOR_PLANT_DIR": str(labelled_plant.path), "AUDIT_TABLE_NAME": TABLE}
    with pytest.raises(ConfigurationError, match="ARTIFACTS_BUCKET_NAME"):
        wiring.AnalyticsNightlySettings.from_env(plant)
    with pytest.raises(ConfigurationError, match="ANALYTICS_WEEKS"):
        wiring.AnalyticsNightlySettings.from_env({**plant, "PLEXLABOR_ARTIFACTS_DIR": "/tmp", "ANALYTICS_WEEKS": "0"})
    with pytest.raises(ConfigurationError, match="AUDIT_TABLE_NAME"):
        wiring.AnalyticsNightlySettings.from_env(
            {"PLEXLABOR_PLANT_DIR": str(labelled_plant.path), "PLEXLABOR_ARTIFACTS_DIR": "/tmp"}
        )


def test_a_rerun_the_same_day_replaces_the_report_and_the_detail_picks_the_window(labelled_plant: PlantFolder) -> None:
    # Given in-memory stores
    store = InMemoryArtifactStore()
    deps = wiring.Dependencies(
        LaborSource(PlantFolderSource(labelled_plant), "America/Detroit"), InMemoryAuditStore(), store, weeks=4
    )
    request = AnalyticsNightlyEvent.model_validate(_event(as_of="2026-11-10", weeks=2))
    # When the run is asked for two weeks ending 2026-11-10, twice
    first = run(deps, request)
    again = run(deps, request)
    # Then one report is kept for that day, for the two weeks asked
    assert first == again and first["weeks"] == 2
    assert sorted(store.objects) == ["2026-11-10.json", "latest.json"]
    pointer = read_pointer(store)
    assert pointer is not None
    report = read_artifact(store, pointer).report
    assert (report.end - report.begin).days == 14 and report.end.isoformat() == "2026-11-11T05:00:00+00:00"
