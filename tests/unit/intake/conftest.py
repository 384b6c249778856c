"""Unit fixtures of the intake handlers: Powertools test switches, no network, in-memory ports.

Every port is a fake (queue, cursor, norms, audit, approvals, idempotency); a test that opens a
socket fails, so nothing here can reach AWS or Plex by accident.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

# Powertools reads these when the handler modules create Logger/Tracer/Metrics (at import).
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "plexlabor")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "plexlabor-test")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.intake.approvals import InMemoryApprovalStarter
from plexlabor.intake.recording import FindingRecorder
from plexlabor.plex.folder import PlantFolderSource
from tests.unit.intake.intake_samples import FakeLambdaContext, PlantSamples, find_samples, make_plant

NOW = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Unit tests never open a connection (AWS, Plex, anything)."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("unit tests must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture(scope="session")
def plant_source(tmp_path_factory: pytest.TempPathFactory) -> PlantFolderSource:
    """A small labelled plant as a labor-data port (generated and parsed once per session)."""
    return make_plant(tmp_path_factory.mktemp("intake-plant"))


@pytest.fixture(scope="session")
def samples(plant_source: PlantFolderSource) -> PlantSamples:
    return find_samples(plant_source)


@pytest.fixture
def audit() -> InMemoryAuditStore:
    return InMemoryAuditStore()


@pytest.fixture
def approvals() -> InMemoryApprovalStarter:
    return InMemoryApprovalStarter()


@pytest.fixture
def recorder(audit: InMemoryAuditStore, approvals: InMemoryApprovalStarter) -> FindingRecorder:
    return FindingRecorder(
        audit=audit, approvals=approvals, actor="punch_validator", clock=lambda: NOW, default_supervisor="SUP-DEFAULT"
    )
