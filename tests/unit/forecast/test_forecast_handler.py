"""The forecast_nightly handler: an EventBridge tick in; artifacts in S3 and suggestions in DynamoDB (moto) out."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.forecast_nightly import handler as forecast_nightly
from functions.forecast_refresh import handler as forecast_refresh
from plexlabor import intraday
from plexlabor.audit import AuditStatus, InMemoryAuditStore
from plexlabor.audit.dynamodb import DynamoDbAuditStore, create_audit_table
from plexlabor.forecast import wiring
from plexlabor.forecast.artifacts import PREFIX, read_latest
from plexlabor.forecast.data import read_forecast_data
from plexlabor.forecast.service import jsonl, load_model, run_forecast
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.platform.s3artifacts import S3ArtifactStore
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from plexlabor.skills import wiring as skills_wiring
from tests.support import REGION, FakeLambdaContext, load_event, use_fake_aws

from .conftest import FAST

TABLE = "plexlabor-test-audit"
BUCKET = "plexlabor-test-artifacts"
EVENT = load_event("forecast_nightly")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, labelled_plant: PlantFolder) -> Iterator[dict[str, Any]]:
    use_fake_aws(monkeypatch)
    for name, value in {
        "AUDIT_TABLE_NAME": TABLE,
        "ARTIFACTS_BUCKET_NAME": BUCKET,
        "PLEXLABOR_PLANT_DIR": str(labelled_plant.path),
        # Plumbing, not sensitivity: any P50 above standard alerts, so the publishing path always runs.
        "FORECAST_SETTINGS": FAST.model_copy(
            update={"alert_horizon_days": 14, "alert_margin": 0.0, "alert_min_hours": 0.0}
        ).model_dump_json(),
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("PLEXLABOR_TIMEZONE", "PLEXLABOR_ARTIFACTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    wiring.dependencies.cache_clear()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_audit_table(dynamodb, TABLE)
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        yield {"dynamodb": dynamodb, "s3": s3}
    wiring.dependencies.cache_clear()


def test_the_nightly_tick_retrains_stores_and_publishes(aws: dict[str, Any]) -> None:
    # When the canonical nightly event arrives (Saturday 2026-11-21 03:00 in Detroit)
    summary = forecast_nightly.handler(EVENT, FakeLambdaContext())
    # Then a model was trained and the upcoming operations forecast
    assert summary["as_of"] == "2026-11-21T08:00:00+00:00" and summary["method"] == "model"
    assert summary["trained_on"] >= FAST.min_training_operations and summary["forecasts"] > 100
    assert summary["alerts"] > 0 and summary["published"] >= summary["alerts"]
    # and the artifacts are in S3 under models/forecast/, the pointer naming a model that loads
    store = S3ArtifactStore(BUCKET, PREFIX, client=aws["s3"])
    pointer = read_latest(store)
    assert pointer is not None and pointer["version"] == summary["version"]
    in_force = load_model(store, pointer)
    assert in_force is not None and in_force.model.version == summary["version"] == pointer["model_version"]
    stored = store.get(f"{summary['version']}/forecasts.jsonl")
    assert stored is not None
    forecasts = stored.decode().splitlines()
    assert len(forecasts) == summary["forecasts"] and json.loads(forecasts[0])["kind"] == "operation"
    # and the alerts are recommendations waiting in the review queue, keyed to their job operations
    audit = DynamoDbAuditStore(TABLE, client=aws["dynamodb"])
    waiting = audit.by_status(AuditStatus.PENDING_APPROVAL, limit=1000)
    assert len(waiting) == summary["published"]
    kinds = {event.payload["kind"] for event in waiting}
    assert "labor_variance" in kinds and all(e.actor == "forecast_nightly" for e in waiting)
    variance = next(e for e in waiting if e.payload["kind"] == "labor_variance")
    assert variance.record_key.startswith("job-operations:") and variance.model_version == summary["version"]
    assert variance.payload["drivers"] and variance.payload["note"].startswith("Job ")
    # A retried delivery of the same tick records nothing twice
    again = forecast_nightly.handler(EVENT, FakeLambdaContext())
    assert again["published"] == 0 and again["already_published"] == summary["published"]


def test_a_replay_as_of_another_moment_with_injected_fakes(labelled_plant: PlantFolder) -> None:
    deps = wiring.Dependencies(
        source=LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit"),
        artifacts=InMemoryArtifactStore(),
        audit=InMemoryAuditStore(),
        settings=FAST,
    )
    event = {**EVENT, "detail": {"as_of": "2026-11-07T05:00:00Z"}}
    summary = forecast_nightly.handler(event, FakeLambdaContext(), dependencies=deps)
    assert summary["as_of"] == "2026-11-07T05:00:00+00:00"
    assert read_latest(deps.artifacts)["version"] == summary["version"]  # type: ignore[index]


def test_the_nightly_run_scores_the_model_in_force_on_weeks_it_did_not_see(labelled_plant: PlantFolder) -> None:
    source = LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit")
    as_of = datetime(2026, 11, 21, 8, tzinfo=UTC)
    deps = wiring.Dependencies(source, InMemoryArtifactStore(), InMemoryAuditStore(), settings=FAST)

    summary = forecast_nightly.handler(
        {**EVENT, "detail": {"as_of": as_of.isoformat()}}, FakeLambdaContext(), dependencies=deps
    )

    # Then the run stored one fold of the backtest: cut off two weeks back, scored on work begun since
    accuracy = read_latest(deps.artifacts)["accuracy"]  # type: ignore[index]
    assert accuracy == summary["accuracy"]
    assert datetime.fromisoformat(accuracy["cutoff"]) == as_of - timedelta(weeks=FAST.accuracy_weeks)
    assert accuracy["operations"] > 0 and FAST.min_training_operations <= accuracy["trained_on"] < summary["trained_on"]
    assert set(accuracy["methods"]) == {"model", "standard", "operation_median", "seasonal_naive"}
    assert all(0 < m["mape"] < 1 for m in accuracy["methods"].values())
    assert 0 < accuracy["methods"]["model"]["coverage"] <= 1
    # and reading wider for it changed nothing in the forecast itself
    alone = run_forecast(read_forecast_data(source.port, source.timezone, as_of, FAST), FAST)
    stored = deps.artifacts.get(f"{summary['version']}/forecasts.jsonl")
    assert stored == jsonl(alone.forecasts) and summary["trained_on"] == alone.summary()["trained_on"]


def _intraday(deps: wiring.Dependencies) -> intraday.Dependencies:
    """forecast_refresh's dependencies: the forecasts' and, on the same source, the skill coverage's."""
    return intraday.Dependencies(deps, skills_wiring.Dependencies(deps.source, InMemoryAuditStore()))


def test_the_hourly_refresh_forecasts_with_the_model_in_force_and_trains_nothing(labelled_plant: PlantFolder) -> None:
    source = LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit")
    deps = wiring.Dependencies(source, InMemoryArtifactStore(), InMemoryAuditStore(), settings=FAST)
    night, later = datetime(2026, 11, 20, 8, tzinfo=UTC), datetime(2026, 11, 20, 17, 30, tzinfo=UTC)
    # Given the nightly run of the day
    nightly = forecast_nightly.handler(
        {**EVENT, "detail": {"as_of": night.isoformat()}}, FakeLambdaContext(), dependencies=deps
    )

    # When the refresh runs in the afternoon (the skill coverage refreshed on the same read: test_intraday.py)
    summary = forecast_refresh.handler(
        {**EVENT, "detail": {"as_of": later.isoformat()}}, FakeLambdaContext(), dependencies=_intraday(deps)
    )["forecasts"]

    # Then it forecast as of the afternoon with the nightly's model, trained nothing, and says so
    pointer = read_latest(deps.artifacts)
    assert pointer is not None and pointer["version"] == summary["version"] == "forecast-20261120T1730Z-refresh"
    assert pointer["model_version"] == nightly["version"] and "train" not in summary["seconds"]
    assert summary["as_of"] == later.isoformat() and summary["trained_on"] == nightly["trained_on"]
    assert summary["accuracy"] == nightly["accuracy"]  # the model in force's, carried over
    # what the day's data changed is in it: the forecasts are those of a run as of the afternoon
    with_model = run_forecast(
        read_forecast_data(source.port, source.timezone, later, FAST), FAST, load_model(deps.artifacts, pointer)
    )
    assert deps.artifacts.get(f"{summary['version']}/forecasts.jsonl") == jsonl(with_model.forecasts)
    assert summary["forecasts"] != nightly["forecasts"]  # operations started since 03:00 left the horizon
    # and a suggestion the nightly run published is not published again
    assert summary["already_published"] > 0
    # and the next refresh loads the same model through the refresh's pointer
    in_force = load_model(deps.artifacts, pointer)
    assert in_force is not None and in_force.model.version == nightly["version"]


def test_a_refresh_with_no_model_in_force_runs_the_nightly_job(labelled_plant: PlantFolder) -> None:
    source = LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit")
    deps = wiring.Dependencies(source, InMemoryArtifactStore(), InMemoryAuditStore(), settings=FAST)

    summary = forecast_refresh.handler(EVENT, FakeLambdaContext(), dependencies=_intraday(deps))["forecasts"]

    assert summary["method"] == "model" and summary["seconds"]["train"] > 0
    assert summary["version"] == summary["model_version"] and summary["accuracy"] is not None


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_a_bad_detail_is_refused() -> None:
    from aws_lambda_powertools.utilities.parser import ValidationError

    with pytest.raises(ValidationError):
        forecast_nightly.handler({**EVENT, "detail": {"as_of": "yesterday"}}, FakeLambdaContext())


def test_in_advisory_mode_nothing_waits_for_a_decision(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # Given alerts configured to wait for a decision, and the rollout in advisory mode
    settings = json.loads(os.environ["FORECAST_SETTINGS"]) | {"alert_status": "pending_approval"}
    monkeypatch.setenv("FORECAST_SETTINGS", json.dumps(settings))
    monkeypatch.setenv("ADVISORY_MODE", "true")
    # When the nightly tick runs
    summary = forecast_nightly.handler(EVENT, FakeLambdaContext())
    # Then every suggestion is recorded, logged and flagged advisory; none waits for a decision
    store = DynamoDbAuditStore(TABLE, client=aws["dynamodb"])
    logged = store.by_status(AuditStatus.LOGGED, limit=1000)
    assert summary["published"] == len(logged) > 0
    assert store.by_status(AuditStatus.PENDING_APPROVAL, limit=1000) == []
    assert {(e.payload["held"], e.payload["advisory"]) for e in logged} == {("advisory_mode", True)}
