"""The scorer's model registry (`plexlabor.validation.registry`) on each artifact store: in memory, a
folder and S3 on moto behave alike (models, cards, rows, the pointer in force)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from plexlabor.platform.artifacts import ArtifactError, ArtifactStore, InMemoryArtifactStore, LocalFolderArtifactStore
from plexlabor.platform.s3artifacts import S3ArtifactStore
from plexlabor.validation.registry import SCORER_PREFIX, ModelRegistry
from plexlabor.validation.scorer import ScorerModel
from tests.support import REGION, use_fake_aws

BUCKET = "plexlabor-test-artifacts"
AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    use_fake_aws(monkeypatch)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture(params=["memory", "folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    if request.param == "memory":
        return InMemoryArtifactStore()
    if request.param == "folder":
        return LocalFolderArtifactStore(tmp_path / "models" / "scorer")
    return S3ArtifactStore(BUCKET, SCORER_PREFIX, client=request.getfixturevalue("s3"))


def _model(version: str) -> ScorerModel:
    packaged = ScorerModel.load()
    return ScorerModel(version, packaged.priors, packaged.families, {"window": {"from": "a", "to": "b"}})


def test_models_cards_and_rows_come_back_and_the_pointer_moves(store: ArtifactStore) -> None:
    registry = ModelRegistry(store)
    assert registry.in_force() is None and registry.pointer() is None and registry.model("scorer-a") is None

    registry.save(_model("scorer-a"), {"metrics": {"candidate": {"precision": 0.9}}}, b'{"row": 1}\n')
    registry.save(_model("scorer-b"), {"metrics": {}})
    assert registry.model("scorer-a") == _model("scorer-a")
    assert registry.card("scorer-a") == {"metrics": {"candidate": {"precision": 0.9}}, "version": "scorer-a"}
    assert store.get("scorer-a/training.jsonl") == b'{"row": 1}\n'
    assert store.get("scorer-b/training.jsonl") is None

    first = registry.put_in_force("scorer-a", by="scorer_retrain", at=AT)
    second = registry.put_in_force("scorer-b", by="ops-1", at=AT)
    assert first == {"version": "scorer-a", "since": AT.isoformat(), "by": "scorer_retrain", "previous": None}
    assert second["previous"] == "scorer-a" and registry.in_force() == "scorer-b"
    assert registry.pointer() == second


def test_a_version_not_stored_cannot_be_put_in_force(store: ArtifactStore) -> None:
    registry = ModelRegistry(store)
    with pytest.raises(ArtifactError, match="no stored model"):
        registry.put_in_force("scorer-missing", by="ops-1", at=AT)
    assert registry.in_force() is None


def test_a_malformed_pointer_or_model_is_an_artifact_error(store: ArtifactStore) -> None:
    registry = ModelRegistry(store)
    store.put("latest.json", b"not json")
    store.put("scorer-x/model.json", b'{"priors": {}}')
    with pytest.raises(ArtifactError):
        registry.in_force()
    with pytest.raises(ArtifactError, match="malformed"):
        registry.model("scorer-x")
