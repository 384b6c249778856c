"""norms_refresh with fakes: norms saved where the validator reads them; the sweep records once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.norms_refresh import handler as nightly
from plexlabor.audit import AuditStatus
from plexlabor.intake.norms_store import LATEST_KEY, InMemoryNormsStore, version_key
from plexlabor.intake.recording import FindingRecorder
from plexlabor.intake.wiring import NORMS_REFRESH_ACTOR, NormsRefreshDependencies
from plexlabor.models.anomalies import AnomalyType
from tests.support import FakeLambdaContext
from tests.unit.intake.intake_samples import NoSupervisors, scheduled_event

NOW = datetime(2026, 11, 26, 3, tzinfo=UTC)


@pytest.fixture
def recorder(audit, approvals) -> FindingRecorder:
    return FindingRecorder(
        audit=audit, approvals=approvals, actor=NORMS_REFRESH_ACTOR, clock=lambda: NOW, default_supervisor="SUP-1"
    )


def make_deps(plant_source, recorder, store: InMemoryNormsStore) -> NormsRefreshDependencies:
    meta = plant_source.plant.meta()
    return NormsRefreshDependencies(
        source=plant_source,
        timezone=meta.timezone,
        norms_store=store,
        recorder=recorder,
        history=timedelta(weeks=26),
        sweep_window=timedelta(days=2),
        clock=lambda: meta.end,
    )


def test_norms_are_computed_from_history_and_stored_as_latest(plant_source, recorder) -> None:
    store = InMemoryNormsStore()
    result = nightly.handler(
        scheduled_event(), FakeLambdaContext(), dependencies=make_deps(plant_source, recorder, store)
    )
    latest = store.latest()
    assert latest is not None and latest.version == result["norms_version"]
    assert result["norms_key"] == version_key(latest.version) and set(store.saved) == {result["norms_key"]}
    assert len(latest.employees) >= 15  # everyone with punches in the history
    assert LATEST_KEY.endswith("latest.json")


def test_the_sweep_records_batch_only_findings_once(plant_source, recorder, audit, approvals) -> None:
    deps = make_deps(plant_source, recorder, InMemoryNormsStore())
    # When the nightly job runs twice (a retry, or the next night over the same days)
    first = nightly.handler(scheduled_event(), FakeLambdaContext(), dependencies=deps)["sweep"]
    second = nightly.handler(scheduled_event(), FakeLambdaContext(), dependencies=deps)["sweep"]
    # Then the first recorded its findings and the second found the same and recorded nothing
    assert first["findings"] > 0 and first["new"] == first["findings"]
    assert second["findings"] == first["findings"] and second["new"] == 0 and second["approvals_started"] == 0
    recorded = audit.by_status(AuditStatus.PENDING_APPROVAL, limit=10_000) + audit.by_status(
        AuditStatus.LOGGED, limit=10_000
    )
    assert len(recorded) == first["findings"]
    assert {e.actor for e in recorded} == {"norms_refresh"}
    assert len(approvals.started) == first["approvals_started"] > 0


def test_the_sweep_finds_what_no_punch_triggers(plant_source, recorder) -> None:
    # Over the whole history, the batch-only checks (no clock-in, unattended machine) come up.
    deps = make_deps(plant_source, recorder, InMemoryNormsStore())
    deps.sweep_window = timedelta(weeks=4)
    sweep = nightly.handler(scheduled_event(), FakeLambdaContext(), dependencies=deps)["sweep"]
    assert {AnomalyType.UNATTENDED_MACHINE.value, AnomalyType.MISSED_PUNCH.value} <= set(sweep["by_type"])


def test_as_of_in_the_event_detail_moves_the_run(plant_source, recorder) -> None:
    meta = plant_source.plant.meta()
    as_of = meta.end - timedelta(days=7)
    deps = make_deps(plant_source, recorder, InMemoryNormsStore())
    result = nightly.handler(scheduled_event({"as_of": as_of.isoformat()}), FakeLambdaContext(), dependencies=deps)
    assert result["as_of"] == as_of.isoformat()
    assert result["norms_version"] == f"norms-{int(as_of.timestamp())}"


def test_the_sweep_records_findings_nobody_can_approve_as_unrouted_once(plant_source, audit, approvals) -> None:
    # Given a plant where nobody has a supervisor, and a recorder without a default supervisor
    recorder = FindingRecorder(audit=audit, approvals=approvals, actor=NORMS_REFRESH_ACTOR, clock=lambda: NOW)
    deps = make_deps(plant_source, recorder, InMemoryNormsStore())
    deps.source = NoSupervisors(plant_source)  # type: ignore[assignment]
    # When the sweep runs twice
    first = nightly.handler(scheduled_event(), FakeLambdaContext(), dependencies=deps)["sweep"]
    second = nightly.handler(scheduled_event(), FakeLambdaContext(), dependencies=deps)["sweep"]
    # Then its review findings are recorded, unrouted, the first night only, and nobody is asked
    unrouted = [e for e in audit.by_status(AuditStatus.LOGGED, limit=10_000) if e.payload.get("unrouted")]
    assert first["unroutable"] == len(unrouted) > 0 and second["unroutable"] == 0
    assert {e.payload["unrouted"] for e in unrouted} == {"no_supervisor"} and approvals.started == {}
    assert first["new"] == first["findings"]  # every finding recorded, none lost
