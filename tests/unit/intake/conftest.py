"""Unit fixtures of the intake handlers: in-memory ports and a small labelled plant.

Every port is a fake (queue, cursor, norms, audit, approvals, idempotency). The Powertools switches,
the fake Lambda context (tests/conftest.py) and the network blocker (tests/unit/conftest.py) are
shared, so nothing here can reach AWS or Plex by accident.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.intake.approvals import InMemoryApprovalStarter
from plexlabor.intake.recording import FindingRecorder
from tests.unit.intake.intake_samples import plant_source as plant_source
from tests.unit.intake.intake_samples import samples as samples

NOW = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)


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
