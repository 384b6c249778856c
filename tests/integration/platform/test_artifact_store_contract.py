"""One contract for the shared artifact store (`plexlabor.platform.artifacts`): the in-memory fake, the
folder store and the S3 adapter on moto behave alike, so the fakes the tests use cannot drift."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from plexlabor.platform.artifacts import (
    ArtifactError,
    ArtifactSettings,
    ArtifactStore,
    LocalFolderArtifactStore,
)
from plexlabor.platform.s3artifacts import S3ArtifactStore
from tests.support import ARTIFACTS_BUCKET as BUCKET

PREFIX = "reports/skills/"


@pytest.fixture
def store(new_artifact_store: Callable[[str], ArtifactStore]) -> ArtifactStore:
    return new_artifact_store(PREFIX)


def test_what_is_put_comes_back_replaced_and_a_missing_key_is_none(store: ArtifactStore) -> None:
    assert isinstance(store, ArtifactStore)
    assert store.get("2026-11-23.json") is None
    store.put("2026-11-23.json", b'{"a": 1}', "application/json")
    store.put("2026-11-23.json", b'{"a": 2}', "application/json")
    store.put("nested/latest.json", b"\x00binary")
    assert store.get("2026-11-23.json") == b'{"a": 2}'
    assert store.get("nested/latest.json") == b"\x00binary"
    assert store.get("nested") is None


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", ".", "a/"])
def test_keys_that_would_leave_the_prefix_are_refused(store: ArtifactStore, key: str) -> None:
    with pytest.raises(ArtifactError, match="bad artifact key"):
        store.put(key, b"x")
    with pytest.raises(ArtifactError, match="bad artifact key"):
        store.get(key)


def test_s3_keeps_objects_under_its_prefix_with_their_content_type(s3: Any) -> None:
    S3ArtifactStore(BUCKET, PREFIX, client=s3).put("latest.json", b"{}", "application/json")
    [listed] = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert listed["Key"] == "reports/skills/latest.json"
    assert s3.head_object(Bucket=BUCKET, Key=listed["Key"])["ContentType"] == "application/json"


def test_s3_failures_are_artifact_errors_naming_the_object(s3: Any) -> None:
    with pytest.raises(ArtifactError, match="could not store s3://no-such-bucket/reports/skills/x: NoSuchBucket"):
        S3ArtifactStore("no-such-bucket", PREFIX, client=s3).put("x", b"x")
    with pytest.raises(ArtifactError, match="prefix must look like"):
        S3ArtifactStore(BUCKET, "reports", client=s3)


def test_the_settings_choose_the_bucket_or_a_folder_under_the_prefix(tmp_path: Path) -> None:
    assert ArtifactSettings.from_env({}).artifact_store(PREFIX) is None
    s3 = ArtifactSettings.from_env({"ARTIFACTS_BUCKET_NAME": BUCKET}).artifact_store(PREFIX)
    assert isinstance(s3, S3ArtifactStore) and (s3.bucket, s3.prefix) == (BUCKET, PREFIX)
    folder = ArtifactSettings.from_env({"PLEXLABOR_ARTIFACTS_DIR": str(tmp_path)}).artifact_store(PREFIX)
    assert isinstance(folder, LocalFolderArtifactStore)
    folder.put("latest.json", b"{}")
    assert (tmp_path / "reports" / "skills" / "latest.json").read_bytes() == b"{}"
