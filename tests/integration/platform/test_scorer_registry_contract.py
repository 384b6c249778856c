"""The scorer's model registry (`plexlabor.validation.registry`) on each artifact store: in memory, a
folder and S3 on moto behave alike (models, cards, rows, the pointer in force)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from plexlabor.platform.artifacts import ArtifactError, ArtifactStore
from plexlabor.validation.registry import SCORER_PREFIX, ModelRegistry
from plexlabor.validation.scorer import ScorerModel

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(new_artifact_store: Callable[[str], ArtifactStore]) -> ArtifactStore:
    return new_artifact_store(SCORER_PREFIX)


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


def test_a_rollback_hold_is_kept_in_the_pointer_until_the_next_move(store: ArtifactStore) -> None:
    registry = ModelRegistry(store)
    registry.save(_model("scorer-a"), {"metrics": {}})
    registry.put_in_force("scorer-a", by="ops-1", at=AT, hold=True)
    assert registry.promotion_hold() == {"by": "ops-1", "since": AT.isoformat()}
    registry.put_packaged("scorer-packaged", by="ops-2", at=AT, hold=True)
    assert registry.promotion_hold() == {"by": "ops-2", "since": AT.isoformat()} and registry.in_force() is None
    registry.put_in_force("scorer-a", by="ops-3", at=AT)
    assert registry.promotion_hold() is None and registry.in_force() == "scorer-a"


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
