"""Least privilege on the scorer's registry (`models/scorer/`), which holds each version's pseudonymised training
rows beside its model: the functions that score findings may get only what `validation.registry.scorer_in_force`
reads (the pointers and the models), the web app only the retrain's last run, scorer_retrain all of it."""

from __future__ import annotations

from datetime import UTC, datetime
from fnmatch import fnmatchcase

import pytest

from infra.constants import SCORER_MODELS_PREFIX
from infra.testing import Synthesized
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.validation.registry import ModelRegistry, ScorerLoader, rows_key
from plexlabor.validation.scorer import ScorerModel

SCORERS = ("punch_validator", "norms_refresh", "validation_backfill")
MODELS = [f"{SCORER_MODELS_PREFIX}{key}" for key in ("latest.json", "shadow.json", "*/model.json")]
ROWS = f"{SCORER_MODELS_PREFIX}{rows_key('scorer-20261130')}"
CARD = f"{SCORER_MODELS_PREFIX}scorer-20261130/card.json"


def _gets(synthesized: Synthesized, name: str, action: str = "s3:GetObject") -> list[str]:
    """The object keys (S3 patterns) function `name` may `action` in the artifacts bucket."""
    bucket = f"<{synthesized.logical_id(synthesized.stack.artifacts.bucket)}.Arn>/"
    granted = synthesized.granted(name, action, flatten=True)
    return [resource.removeprefix(bucket) for resource in granted if resource.startswith(bucket)]


def _may_get(patterns: list[str], key: str) -> bool:
    """S3's resource match: `*` any run of characters, `/` included (fnmatch's `*` does the same)."""
    return any(fnmatchcase(key, pattern) for pattern in patterns)


@pytest.mark.parametrize("name", SCORERS)
def test_a_function_that_scores_findings_gets_the_pointers_and_models_not_the_training_rows(
    synthesized: Synthesized, name: str
) -> None:
    scorer_reads = [pattern for pattern in _gets(synthesized, name) if pattern.startswith(SCORER_MODELS_PREFIX)]
    assert sorted(scorer_reads) == sorted(MODELS)
    gets = _gets(synthesized, name)
    assert _may_get(gets, f"{SCORER_MODELS_PREFIX}scorer-20261130/model.json")
    assert not _may_get(gets, ROWS) and not _may_get(gets, CARD)
    assert not any(pattern.startswith(SCORER_MODELS_PREFIX) for pattern in _gets(synthesized, name, "s3:PutObject"))


def test_the_web_app_gets_the_retrains_last_runs_only(synthesized: Synthesized) -> None:
    registries = (SCORER_MODELS_PREFIX, "models/incidents/")
    gets = [pattern for pattern in _gets(synthesized, "web_app") if pattern.startswith(registries)]
    assert sorted(gets) == ["models/incidents/runs/last.json", "models/scorer/runs/last.json"]
    assert not _may_get(gets, ROWS) and not _may_get(gets, f"{SCORER_MODELS_PREFIX}latest.json")


def test_scorer_retrain_still_reads_and_writes_the_whole_registry(synthesized: Synthesized) -> None:
    assert f"{SCORER_MODELS_PREFIX}*" in _gets(synthesized, "scorer_retrain")
    assert f"{SCORER_MODELS_PREFIX}*" in _gets(synthesized, "scorer_retrain", "s3:PutObject")


def test_the_grant_covers_every_key_the_loader_reads() -> None:
    """The keys come from the registry (`IN_FORCE_KEYS`): the loader, with a model in force and one in shadow,
    reads nothing outside them, so the narrowed grant cannot make it fall back to the packaged model."""

    class RecordingStore(InMemoryArtifactStore):
        def __init__(self) -> None:
            super().__init__()
            self.reads: list[str] = []

        def get(self, key: str) -> bytes | None:
            self.reads.append(key)
            return super().get(key)

    store, packaged, at = RecordingStore(), ScorerModel.load(), datetime(2026, 11, 30, tzinfo=UTC)
    registry = ModelRegistry(store)
    for version in ("scorer-a", "scorer-b"):
        registry.save(ScorerModel(version, packaged.priors, packaged.families), {"metrics": {}}, rows=b"{}\n")
    registry.put_in_force("scorer-a", by="t", at=at)
    registry.put_shadow("scorer-b", at=at)
    loader, store.reads = ScorerLoader(registry), []  # putting them in force read their cards: not the loader

    assert loader().version == "scorer-a" and loader.shadow() is not None
    assert {"latest.json", "shadow.json", "scorer-a/model.json", "scorer-b/model.json"} == set(store.reads)
    assert all(_may_get(MODELS, f"{SCORER_MODELS_PREFIX}{key}") for key in store.reads)
