"""The forecast's suggestions are raised when they are published, not at the forecast's as-of moment (ux_s14 #10: a
nightly as of midnight and run at 21:07 showed its overtime projections as "raised 00:00", and the KPIs counted 21 h
to decide them). The as-of stays in each suggestion's payload, and its id (one per plant day) does not change."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.forecast_nightly import handler as forecast_nightly
from plexlabor.audit import AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.forecast import wiring
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from tests.support import FakeLambdaContext, load_event

from .conftest import FAST

AS_OF = datetime(2026, 11, 7, 5, tzinfo=UTC)
RAISED = datetime(2026, 11, 8, 2, 7, tzinfo=UTC)
"""The run published its suggestions 21 h after the moment it forecast as of (a replay, a late or re-run nightly)."""


def test_the_suggestions_are_raised_when_published_with_the_as_of_kept(labelled_plant: PlantFolder) -> None:
    audit = InMemoryAuditStore()
    deps = wiring.Dependencies(
        LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit"),
        InMemoryArtifactStore(),
        audit,
        settings=FAST,
        clock=lambda: RAISED,
    )
    event = {**load_event("forecast_nightly"), "detail": {"as_of": AS_OF.isoformat()}}

    summary = forecast_nightly.handler(event, FakeLambdaContext(), dependencies=deps)

    published = [
        e for e in audit.by_status(AuditStatus.PENDING_APPROVAL) if e.event_type is AuditEventType.RECOMMENDATION
    ]
    assert summary["published"] > 0 and len(published) == summary["published"]
    assert {e.occurred_at for e in published} == {RAISED}
    assert {datetime.fromisoformat(str(e.payload["as_of"])) for e in published} == {AS_OF}
