"""One contract for the artifact store: the in-memory fake, the local-folder store and the S3 adapter (moto)
behave alike (an integration test, like the audit and intake port contracts)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from plexlabor.forecast.artifacts import LATEST, InMemoryArtifactStore, LocalFolderArtifactStore, read_latest
from plexlabor.forecast.errors import ArtifactError
from plexlabor.forecast.s3 import S3ArtifactStore

BUCKET = "plexlabor-test-artifacts"


@pytest.fixture(params=["memory", "folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if request.param == "memory":
        yield InMemoryArtifactStore()
    elif request.param == "folder":
        yield LocalFolderArtifactStore(tmp_path / "artifacts")
    else:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws():
            client = boto3.client("s3", region_name="us-east-1")
            client.create_bucket(Bucket=BUCKET)
            yield S3ArtifactStore(BUCKET, client=client)


def test_what_is_put_comes_back_and_a_missing_key_is_none(store: Any) -> None:
    assert store.get("v1/model.pkl") is None
    store.put("v1/model.pkl", b"\x00\x01binary")
    store.put("v1/model.pkl", b"replaced")
    assert store.get("v1/model.pkl") == b"replaced"
    assert read_latest(store) is None
    store.put(LATEST, json.dumps({"version": "v1"}).encode(), "application/json")
    assert read_latest(store) == {"version": "v1"}


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", "."])
def test_keys_that_escape_the_prefix_are_refused(store: Any, key: str) -> None:
    with pytest.raises(ArtifactError, match="bad artifact key"):
        store.put(key, b"x")


def test_a_pointer_without_a_version_is_refused(store: Any) -> None:
    store.put(LATEST, b'{"files": []}')
    with pytest.raises(ArtifactError, match="no version"):
        read_latest(store)


def test_s3_objects_live_under_the_models_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        S3ArtifactStore(BUCKET, client=client).put("v1/forecasts.jsonl", b"{}\n")
        keys = [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET)["Contents"]]
        assert keys == ["models/forecast/v1/forecasts.jsonl"]
        with pytest.raises(ArtifactError, match="could not store"):
            S3ArtifactStore("no-such-bucket", client=client).put("v1/x", b"x")
