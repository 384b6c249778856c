"""forecast_nightly's runs in the shared artifact store (`plexlabor.platform.artifacts`, whose one contract
test covers the stores): the `models/forecast/` layout, the pointer, and the checked run files."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from plexlabor.forecast.artifacts import LATEST, PREFIX, read_latest, read_run_file, run_key
from plexlabor.forecast.errors import ArtifactError
from plexlabor.platform.artifacts import ArtifactSettings, InMemoryArtifactStore
from plexlabor.platform.s3artifacts import S3ArtifactStore
from tests.support import ARTIFACTS_BUCKET as BUCKET


def test_the_pointer_is_read_and_a_pointer_without_a_version_is_refused() -> None:
    store = InMemoryArtifactStore()
    assert read_latest(store) is None
    store.put(LATEST, json.dumps({"version": "v1"}).encode(), "application/json")
    assert read_latest(store) == {"version": "v1"}
    store.put(LATEST, b'{"files": []}')
    with pytest.raises(ArtifactError, match="no version"):
        read_latest(store)
    store.put(LATEST, b"not json")
    with pytest.raises(ArtifactError, match="not JSON"):
        read_latest(store)
    with pytest.raises(ArtifactError, match="bad artifact version"):
        run_key("a/b", "model.pkl")


def test_run_files_are_checked_against_the_pointer() -> None:
    store = InMemoryArtifactStore()
    body = b'{"kind": "operation"}\n'
    pointer = {"version": "v1", "file_sha256": {"v1/forecasts.jsonl": hashlib.sha256(body).hexdigest()}}
    with pytest.raises(ArtifactError, match="missing"):
        read_run_file(store, pointer, "forecasts.jsonl")
    store.put("v1/forecasts.jsonl", body)
    assert read_run_file(store, pointer, "forecasts.jsonl") == body
    assert read_run_file(store, {"version": "v1"}, "forecasts.jsonl") == body  # an older pointer: no hashes
    store.put("v1/forecasts.jsonl", b"changed\n")
    with pytest.raises(ArtifactError, match="sha256"):
        read_run_file(store, pointer, "forecasts.jsonl")


def test_s3_objects_live_under_the_models_prefix(s3: Any) -> None:
    store = ArtifactSettings.from_env({"ARTIFACTS_BUCKET_NAME": BUCKET}).artifact_store(PREFIX)
    assert isinstance(store, S3ArtifactStore)
    store._client = s3
    store.put("v1/forecasts.jsonl", b"{}\n")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == ["models/forecast/v1/forecasts.jsonl"]
