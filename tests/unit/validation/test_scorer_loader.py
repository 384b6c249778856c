"""The validator's scorer: the model in force from the registry, cached per container and re-checked on a
TTL; the packaged model when there is none or it cannot be read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from plexlabor.platform.artifacts import ArtifactError, InMemoryArtifactStore
from plexlabor.validation.registry import DEFAULT_MAX_AGE_S, ModelRegistry, ScorerLoader
from plexlabor.validation.scorer import ScorerModel

AT = datetime(2026, 11, 23, tzinfo=UTC)
PACKAGED = ScorerModel.load()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class CountingStore(InMemoryArtifactStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []
        self.broken = False

    def get(self, key: str) -> bytes | None:
        self.reads.append(key)
        if self.broken:
            raise ArtifactError("could not read s3://bucket/models/scorer/latest.json: AccessDenied")
        return super().get(key)


def _stored(registry: ModelRegistry, version: str) -> ScorerModel:
    model = ScorerModel(version, {**PACKAGED.priors, "MISSED_PUNCH": 0.5}, PACKAGED.families)
    registry.save(model, {"metrics": {}})
    return model


def test_the_default_ttl_is_ten_minutes() -> None:
    assert DEFAULT_MAX_AGE_S == 600


def test_no_registry_or_no_model_in_force_is_the_packaged_model() -> None:
    assert ScorerLoader(None)().version == PACKAGED.version
    assert ScorerLoader(ModelRegistry(InMemoryArtifactStore()))().version == PACKAGED.version


def test_the_model_in_force_is_cached_and_a_new_one_is_picked_up_after_the_ttl() -> None:
    store, clock = CountingStore(), Clock()
    registry = ModelRegistry(store)
    first = _stored(registry, "scorer-a")
    registry.put_in_force("scorer-a", by="t", at=AT)
    loader = ScorerLoader(registry, max_age_s=600, clock=clock)

    assert loader() == first
    reads = len(store.reads)
    clock.now = 599
    assert loader() == first and len(store.reads) == reads  # within the TTL: no read at all

    second = _stored(registry, "scorer-b")
    registry.put_in_force("scorer-b", by="t", at=AT)
    assert loader() == first  # still within the TTL
    clock.now = 601
    assert loader() == second  # re-checked after it

    store.reads.clear()
    clock.now = 1202
    assert loader() == second and store.reads == ["latest.json", "shadow.json"]  # same versions: the pointers only


def test_an_unreadable_registry_falls_back_to_the_packaged_model_and_is_logged(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    store, clock = CountingStore(), Clock()
    registry = ModelRegistry(store)
    _stored(registry, "scorer-a")
    registry.put_in_force("scorer-a", by="t", at=AT)
    store.broken = True
    loader = ScorerLoader(registry, clock=clock)

    assert loader().version == PACKAGED.version
    assert "scorer registry unreadable" in capsys.readouterr().out + caplog.text
    store.broken = False
    clock.now = 601
    assert loader().version == "scorer-a"  # readable again after the TTL


def test_a_pointer_to_a_model_that_is_not_stored_is_the_packaged_model() -> None:
    store = InMemoryArtifactStore()
    store.put("latest.json", b'{"version": "scorer-gone"}')
    assert ScorerLoader(ModelRegistry(store))().version == PACKAGED.version


def test_a_shadow_candidate_is_loaded_on_the_same_check_and_ends_when_a_model_is_put_in_force() -> None:
    store, clock = CountingStore(), Clock()
    registry = ModelRegistry(store)
    _stored(registry, "scorer-a")
    registry.put_in_force("scorer-a", by="t", at=AT)
    candidate = _stored(registry, "scorer-b")
    loader = ScorerLoader(registry, max_age_s=600, clock=clock)
    assert loader().version == "scorer-a" and loader.shadow() is None
    # Given the retrain keeps scorer-b in shadow
    registry.put_shadow("scorer-b", at=AT)
    assert registry.shadow() == "scorer-b"
    clock.now = 601
    # Then the validator scores with scorer-a and scores scorer-b beside it, after the TTL
    assert loader().version == "scorer-a" and loader.shadow() == candidate
    # and once a model is put in force there is no shadow
    registry.put_in_force("scorer-b", by="t", at=AT)
    clock.now = 1202
    assert loader().version == "scorer-b" and loader.shadow() is None and registry.shadow() is None


def test_a_shadow_that_cannot_be_read_is_no_shadow_and_never_stops_validation() -> None:
    store = InMemoryArtifactStore()
    registry = ModelRegistry(store)
    _stored(registry, "scorer-a")
    registry.put_in_force("scorer-a", by="t", at=AT)
    store.put("shadow.json", b'{"version": "scorer-gone"}')
    loader = ScorerLoader(registry)
    assert loader().version == "scorer-a" and loader.shadow() is None
    store.put("shadow.json", b"not json")
    assert ScorerLoader(registry)().version == "scorer-a"


def test_only_a_stored_model_can_be_shadowed() -> None:
    with pytest.raises(ArtifactError, match="no stored model scorer-x"):
        ModelRegistry(InMemoryArtifactStore()).put_shadow("scorer-x", at=AT)
