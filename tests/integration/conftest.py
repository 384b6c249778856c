"""Fixtures shared by the integration tier: moto's dummy credentials and region for every test (never a real
account), moto itself (`aws`), S3 on moto with the artifacts bucket, and each artifact store
(`plexlabor.platform.artifacts`) in turn for the contract tests of what is kept in it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from plexlabor.platform.artifacts import ArtifactStore, InMemoryArtifactStore, LocalFolderArtifactStore
from plexlabor.platform.s3artifacts import S3ArtifactStore
from tests.support import ARTIFACTS_BUCKET, REGION, use_fake_aws

NewArtifactStore = Callable[[str], ArtifactStore]
"""Makes an empty store that keeps its objects under a prefix (`models/scorer/`)."""


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never reach a real account: dummy credentials and a fixed region (`use_fake_aws`), moto or not."""
    use_fake_aws(monkeypatch)


@pytest.fixture
def aws() -> Iterator[None]:
    """moto's AWS for the rest of the test (a parametrised fixture can start it with `request.getfixturevalue`)."""
    with mock_aws():
        yield


@pytest.fixture
def s3(aws: None) -> Any:
    """An S3 client on moto, with the bucket ARTIFACTS_BUCKET."""
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=ARTIFACTS_BUCKET)
    return client


@pytest.fixture(params=["memory", "folder", "s3"])
def new_artifact_store(request: pytest.FixtureRequest, tmp_path: Path) -> NewArtifactStore:
    """Each artifact store in turn: in memory, a folder (the prefix is its sub-folder) and S3 on moto."""

    def new(prefix: str) -> ArtifactStore:
        if request.param == "memory":
            return InMemoryArtifactStore()
        if request.param == "folder":
            return LocalFolderArtifactStore(tmp_path / prefix)
        return S3ArtifactStore(ARTIFACTS_BUCKET, prefix, client=request.getfixturevalue("s3"))

    return new
