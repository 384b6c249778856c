"""scorer_retrain: the scheduled handler end to end on moto (DynamoDB audit table, S3 artifacts bucket)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.scorer_retrain import handler as scorer_retrain
from plexlabor.audit import AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.audit.dynamodb import DynamoDbAuditStore, create_audit_table
from plexlabor.learning import wiring
from plexlabor.learning.events import MODEL_RECORD_KEY
from plexlabor.learning.service import code_version
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.platform.s3artifacts import S3ArtifactStore
from plexlabor.validation.registry import SALT_PREFIX, SCORER_PREFIX, ModelRegistry, ScorerLoader
from plexlabor.validation.scorer import ScorerModel
from tests.support import REGION, FakeLambdaContext, load_event, use_fake_aws
from tests.unit.learning.learning_samples import decisions

TABLE = "plexlabor-audit-retrain-test"
BUCKET = "plexlabor-artifacts-retrain-test"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    use_fake_aws(monkeypatch)
    monkeypatch.setenv("AUDIT_TABLE_NAME", TABLE)
    monkeypatch.setenv("ARTIFACTS_BUCKET_NAME", BUCKET)
    monkeypatch.setenv("SCORER_PLANT", "detroit")
    wiring.dependencies.cache_clear()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        create_audit_table(dynamodb, TABLE)
        s3.create_bucket(Bucket=BUCKET)
        yield dynamodb, s3
    wiring.dependencies.cache_clear()


def _deps(aws: tuple[Any, Any]) -> wiring.Dependencies:
    deps = wiring.dependencies()
    deps.clock = lambda: NOW
    return deps


def _record(dynamodb: Any, events: list[Any]) -> None:
    store = DynamoDbAuditStore(TABLE, client=dynamodb)
    for event in events:
        store.append(event)


def test_the_canonical_event_parses() -> None:
    request = scorer_retrain.EVENT_MODEL.model_validate(load_event("scorer_retrain"))
    assert request.detail.promote is True


def test_too_few_decisions_train_nothing(aws: tuple[Any, Any]) -> None:
    dynamodb, s3 = aws
    _record(dynamodb, decisions(20, seed=1, start=NOW - timedelta(days=5)))
    summary = scorer_retrain.handler(load_event("scorer_retrain"), FakeLambdaContext(), dependencies=_deps(aws))
    assert summary == {"plant": "detroit", "decisions": 20, "status": "too_few_decisions"}
    assert ModelRegistry(S3ArtifactStore(BUCKET, SCORER_PREFIX, client=s3)).in_force() is None


def test_a_better_candidate_is_stored_promoted_audited_and_picked_up_by_the_validator(aws: tuple[Any, Any]) -> None:
    dynamodb, s3 = aws
    _record(dynamodb, decisions(120, seed=2, start=NOW - timedelta(days=20)))
    # When the weekly schedule fires (twice: a retry records nothing twice)
    summary = scorer_retrain.handler(load_event("scorer_retrain"), FakeLambdaContext(), dependencies=_deps(aws))
    again = scorer_retrain.handler(load_event("scorer_retrain"), FakeLambdaContext(), dependencies=_deps(aws))

    assert summary["status"] == "promoted", summary
    assert summary["in_force_version"] == ScorerModel.load().version
    version = summary["version"]
    assert again["version"] == version
    registry = ModelRegistry(S3ArtifactStore(BUCKET, SCORER_PREFIX, client=s3))
    assert registry.in_force() == version
    card = registry.card(version)
    assert card is not None
    assert card["code_version"] == code_version() and card["plant"] == "detroit"
    assert card["counts"]["training"]["decisions"] + card["counts"]["holdout"]["decisions"] == 120
    assert card["training_window"]["to"] < card["holdout_window"]["from"]
    assert card["metrics"]["candidate"]["precision"] >= card["metrics"]["in_force"]["precision"]
    rows = s3.get_object(Bucket=BUCKET, Key=f"{SCORER_PREFIX}{version}/training.jsonl")["Body"].read().decode()
    assert len(rows.splitlines()) == card["counts"]["training"]["decisions"]
    assert "E-1" not in rows and "SUP-1" not in rows and "Jane" not in rows
    assert json.loads(rows.splitlines()[0])["evidence"]["plant"] == "detroit"
    salt = s3.get_object(Bucket=BUCKET, Key=f"{SALT_PREFIX}detroit.key")["Body"].read()
    assert len(salt) == 32
    assert registry.store.get("salt/detroit.key") is None  # not beside the rows
    [event] = DynamoDbAuditStore(TABLE, client=dynamodb).history(MODEL_RECORD_KEY)
    assert (event.event_type, event.status, event.model_version) == (
        AuditEventType.MODEL,
        AuditStatus.PROMOTED,
        version,
    )
    assert event.actor == "scorer_retrain" and event.payload["metrics"] == card["metrics"]
    # the plant's cut of early clock-ins (its supervisors reject them under 40 min), learnt on the older
    # decisions and checked on the newest, is stored in the model with its counts and carried by the event
    cut = card["cuts"]["EARLY_CLOCK_IN"]
    assert cut["why"] == "learned" and cut["held_out"]["holds"], cut
    assert 30 <= cut["cut"]["minimum"] <= 35.001 and cut["cut"]["decisions"] == card["counts"]["training"]["decisions"]
    assert event.payload["cuts"] == {"EARLY_CLOCK_IN": cut["cut"]} == summary["cuts"]
    # And a validator reading the registry scores with it, cut included
    in_force = ScorerLoader(registry)()
    assert in_force.version == version and in_force.cuts["EARLY_CLOCK_IN"].minimum == cut["cut"]["minimum"]


def test_when_promotion_is_not_asked_for_the_candidate_is_a_shadow(aws: tuple[Any, Any]) -> None:
    dynamodb, s3 = aws
    _record(dynamodb, decisions(100, seed=3, start=NOW - timedelta(days=20)))
    event = load_event("scorer_retrain")
    event["detail"] = {"promote": False}
    summary = scorer_retrain.handler(event, FakeLambdaContext(), dependencies=_deps(aws))
    assert summary["status"] == "shadow" and summary["reasons"]
    registry = ModelRegistry(S3ArtifactStore(BUCKET, SCORER_PREFIX, client=s3))
    assert registry.in_force() is None and registry.model(summary["version"]) is not None
    assert registry.shadow() == summary["version"]  # validators score it beside the model in force
    [audit] = DynamoDbAuditStore(TABLE, client=dynamodb).history(MODEL_RECORD_KEY)
    assert audit.status is AuditStatus.SHADOW and audit.payload["reasons"] == summary["reasons"]


def test_a_poisoned_week_is_kept_in_shadow_and_the_model_in_force_stays() -> None:
    """The same handler on in-memory stores (moto's appends are slow): clean decisions, a promotion, then a
    week decided half by a coin: the candidate stays a shadow."""
    audit, store = InMemoryAuditStore(), InMemoryArtifactStore()
    deps = wiring.Dependencies(audit, ModelRegistry(store), plant="detroit", clock=lambda: NOW)
    start = NOW - timedelta(days=60)
    for event in decisions(160, seed=4, start=start):
        audit.append(event)
    first = scorer_retrain.handler(load_event("scorer_retrain"), FakeLambdaContext(), dependencies=deps)
    for event in decisions(80, seed=54, first=160, start=start, random_share=0.5):
        audit.append(event)
    second = scorer_retrain.handler(load_event("scorer_retrain"), FakeLambdaContext(), dependencies=deps)

    assert first["status"] == "promoted" and second["status"] == "shadow", second
    assert "agree with the model in force" in second["reasons"][0]
    assert ModelRegistry(store).in_force() == first["version"]
    assert ModelRegistry(store).shadow() == second["version"]
    statuses = sorted(e.status for e in audit.history(MODEL_RECORD_KEY))  # same instant: order by id
    assert statuses == sorted([AuditStatus.PROMOTED, AuditStatus.SHADOW])


def test_without_a_bucket_or_folder_the_function_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_TABLE_NAME", TABLE)
    monkeypatch.delenv("ARTIFACTS_BUCKET_NAME", raising=False)
    monkeypatch.delenv("PLEXLABOR_ARTIFACTS_DIR", raising=False)
    wiring.dependencies.cache_clear()
    with pytest.raises(Exception, match="ARTIFACTS_BUCKET_NAME"):
        wiring.dependencies()
    wiring.dependencies.cache_clear()


@pytest.mark.parametrize(
    ("variables", "plant"),
    [
        ({"SCORER_PLANT": "detroit", "PLEXLABOR_STAGE": "prod"}, "detroit"),
        ({"PLEXLABOR_STAGE": "saltillo"}, "saltillo"),  # the stack's stage: one stack per plant
        ({}, "plant"),
    ],
)
def test_the_plant_decisions_are_kept_under_is_named_by_the_deployment(variables: dict[str, str], plant: str) -> None:
    settings = wiring.RetrainSettings.from_env({"AUDIT_TABLE_NAME": "audit", **variables})

    assert settings.plant == plant


def test_the_gate_judges_at_the_review_threshold_the_plants_policy_routes_at() -> None:
    """review_s17 M2: a plant routing at 0.85 (plexlabor:validationPolicy) had its candidates judged at 0.7."""
    policy = {"VALIDATION_POLICY": '{"review_threshold": 0.85, "trend_threshold": 0.2}'}

    assert wiring.RetrainSettings.from_env({"AUDIT_TABLE_NAME": "audit", **policy}).gate.review_threshold == 0.85
    assert wiring.RetrainSettings.from_env({"AUDIT_TABLE_NAME": "audit"}).gate.review_threshold == 0.7


def test_the_shadows_live_routing_is_in_the_next_retrains_summary_and_card() -> None:
    # Given a shadow candidate whose scores punch_validator recorded with the findings decided since (the
    # decision events carry them, as decision_event copies them from the finding)
    audit, store = InMemoryAuditStore(), InMemoryArtifactStore()
    registry = ModelRegistry(store)
    packaged = ScorerModel.load()
    registry.save(ScorerModel("scorer-shadow01", packaged.priors, packaged.families), {"metrics": {}})
    registry.put_shadow("scorer-shadow01", at=NOW - timedelta(days=30))
    for event in decisions(120, seed=6, start=NOW - timedelta(days=20)):
        would = event.payload["features"]["beyond_grace_min"] >= 40
        shadow = {"model_version": "scorer-shadow01", "confidence": 0.9 if would else 0.1, "would_review": would}
        audit.append(event.model_copy(update={"payload": {**event.payload, "shadow": shadow}}))
    deps = wiring.Dependencies(audit, registry, plant="detroit", clock=lambda: NOW)
    # When the weekly retrain runs
    summary = scorer_retrain.handler(load_event("scorer_retrain"), FakeLambdaContext(), dependencies=deps)
    # Then its summary and the new candidate's card say how the shadow routed the live findings
    live = summary["shadow_live"]
    assert live["version"] == "scorer-shadow01" and live["decisions"] == 120
    assert 0 < live["flagged"] < 120 and live["precision"] > 0.9
    card = registry.card(summary["version"])
    assert card is not None and card["metrics"]["shadow_live"] == live
