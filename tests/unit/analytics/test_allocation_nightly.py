"""allocation_nightly on the labelled plant with in-memory stores: the day allocated and stored with the
job-code guidance, unallocated time published once to the review queue, supervisors' decisions read;
and the ranking of misapplied job codes itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from functions.allocation_nightly import handler as allocation_nightly
from plexlabor.allocation import wiring
from plexlabor.allocation.artifact import read_artifact
from plexlabor.allocation.misapplication import Combination, Trial, job_numbers, predict
from plexlabor.allocation.nightly import KIND, AllocationNightlyEvent, job_code_decisions, run
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import InMemoryArtifactStore, read_pointer
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.pilot import PilotScope
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from plexlabor.review.items import item_from_event
from tests.support import load_event

NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)


def _request(**detail: Any) -> AllocationNightlyEvent:
    event = load_event("allocation_nightly")
    event["detail"] = {**event["detail"], **detail}
    return AllocationNightlyEvent.model_validate(event)


def _deps(plant: PlantFolder, scope: PilotScope | None = None) -> wiring.Dependencies:
    return wiring.Dependencies(
        LaborSource(PlantFolderSource(plant), "America/Detroit"),
        InMemoryAuditStore(),
        InMemoryArtifactStore(),
        scope=scope or PilotScope(),
        clock=lambda: NOW,
    )


def test_the_canonical_event_parses_and_a_malformed_day_is_refused() -> None:
    assert allocation_nightly.EVENT_MODEL.model_validate(load_event("allocation_nightly")).detail.day is None
    with pytest.raises(ValidationError):
        _request(day="yesterday")
    with pytest.raises(ValidationError):
        _request(weeks=3)


def test_a_night_stores_the_day_and_the_guidance_and_queues_unallocated_time_once(
    labelled_plant: PlantFolder,
) -> None:
    deps = _deps(labelled_plant)
    # When the schedule fires on 2026-11-21 at 09:15 UTC
    summary = run(deps, _request())
    # Then the day before (plant-local) is allocated and stored, with the guidance for the coming week
    assert (summary["day"], summary["report_key"]) == ("2026-11-20", "2026-11-20.json")
    pointer = read_pointer(deps.reports)
    assert pointer is not None
    artifact = read_artifact(deps.reports, pointer)
    t = artifact.report.totals
    assert t.jobs + t.indirect + t.unallocated == t.paid == summary["paid_minutes"] > 0
    assert artifact.guidance and [g.rank for g in artifact.guidance] == list(range(1, len(artifact.guidance) + 1))
    assert set(artifact.workcenters) >= {g.workcenter_id for g in artifact.guidance}
    assert summary["suggestions"] == summary["published"] == len(artifact.report.suggestions)
    # and on a day with unallocated stretches (2026-11-20's were a training day, recorded as indirect
    # labor), every stretch is one item in the review queue, with its department, shift and day
    summary = run(deps, _request(day="2026-11-18"))
    assert summary["suggestions"] == summary["published"] > 0
    opened = deps.store.by_status(AuditStatus.PENDING_APPROVAL)
    items = [item_from_event(event) for event in opened]
    assert {item.kind for item in items if item} == {KIND}
    first = next(item for item in items if item)
    assert first.day is not None and first.day.isoformat() == "2026-11-18"
    assert first.department and first.shift and "paid minutes" in first.note
    # and a re-run records nothing twice
    again = run(deps, _request(day="2026-11-18"))
    assert (again["published"], again["already_published"]) == (0, summary["published"])


def test_suggestions_outside_the_pilot_are_logged_not_queued(labelled_plant: PlantFolder) -> None:
    deps = _deps(labelled_plant, PilotScope(departments=("NO-SUCH-DEPT",)))
    summary = run(deps, _request(day="2026-11-19"))
    assert summary["published"] > 0
    assert deps.store.by_status(AuditStatus.PENDING_APPROVAL) == []
    assert len(deps.store.by_status(AuditStatus.LOGGED)) == summary["published"]


def _decision(entry_id: str, status: AuditStatus, anomaly: str = "JOB_CODE_MISMATCH") -> AuditEvent:
    return AuditEvent(
        record_key=f"labor-entries:{entry_id}",
        event_type=AuditEventType.DECISION,
        status=status,
        occurred_at=NOW,
        actor="S1",
        supervisor_id="S1",
        finding_id=f"F{entry_id}",
        payload={"anomaly_type": anomaly},
    )


def test_supervisors_decisions_on_job_code_findings_are_read_and_others_ignored() -> None:
    store = InMemoryAuditStore()
    for event in (
        _decision("L1", AuditStatus.APPROVED),
        _decision("L2", AuditStatus.REJECTED),
        _decision("L3", AuditStatus.REJECTED, anomaly="IMPROBABLE_DURATION"),
        _decision("L4", AuditStatus.APPROVED).model_copy(
            update={"record_key": "time-clock-entries:L4", "event_id": "e4"}
        ),
    ):
        store.append(event)
    assert job_code_decisions(store, NOW - timedelta(days=1)) == {"L1": True, "L2": False}
    assert job_code_decisions(store, NOW + timedelta(seconds=1)) == {}


def test_a_few_entries_do_not_outrank_a_steady_rate() -> None:
    # Given 40 combinations at 5 of 100 misapplied, one at 40 of 200 and one at 2 of 3
    steady = [(Combination("1", f"W{i}", "P", "10"), n < 5) for i in range(40) for n in range(100)]
    busy = [(Combination("2", "WB", "P", "10"), n < 40) for n in range(200)]
    few = [(Combination("3", "WF", "P", "10"), n < 2) for n in range(3)]
    ranked = predict([*steady, *busy, *few], top=3)
    # Then the steady 20 % comes first; the 2 of 3 is shrunk well below its raw 67 %
    assert (ranked[0].workcenter_id, ranked[0].misapplied, ranked[0].entries) == ("WB", 40, 200)
    assert ranked[1].workcenter_id == "WF" and ranked[1].predicted_rate < 0.2
    assert predict([]) == []


def test_a_combination_is_named_by_the_jobs_most_of_its_entries_ran_on() -> None:
    # Given a combination's entries on jobs J2 (twice), J1 and J3 (once each), and one on a job without a number
    c = Combination("1", "W", "P", "10")
    trials = [Trial(c, False, f"L{i}", job) for i, job in enumerate(["j2", "j1", "j2", "j3", "j9"])]
    numbers = {"j1": "J1", "j2": "J2", "j3": "J3"}
    # Then it is named by J2, then J1 (a tie with J3 goes by number), and the guidance carries them
    assert job_numbers(trials, numbers) == {c: ["J2", "J1"]}
    assert predict([(c, False)], jobs=job_numbers(trials, numbers))[0].job_nos == ["J2", "J1"]


def test_without_a_bucket_or_with_a_bad_split_the_settings_say_what_to_set(labelled_plant: PlantFolder) -> None:
    base = {"PLEXLABOR_PLANT_DIR": str(labelled_plant.path), "AUDIT_TABLE_NAME": "audit"}
    with pytest.raises(ConfigurationError, match="ARTIFACTS_BUCKET_NAME"):
        wiring.AllocationNightlySettings.from_env(base)
    with pytest.raises(ConfigurationError, match="ALLOCATION_SPLIT"):
        wiring.AllocationNightlySettings.from_env({**base, "PLEXLABOR_ARTIFACTS_DIR": "/tmp", "ALLOCATION_SPLIT": "x"})


ONLY_ELIGIBLE = {"exploration": {"propensity": 0.05, "drawn": False, "reference": "scorer-0", "below_trend": True}}
"""The evidence of a finding recorded only because the scorer's exploration found it eligible (not drawn)."""


@pytest.mark.parametrize("eligible_too", [False, True], ids=["logged", "with-exploration-only-findings"])
def test_the_trend_log_is_ranked_the_same_way_from_its_logged_findings(
    labelled_plant: PlantFolder, eligible_too: bool
) -> None:
    # Given low-confidence JOB_CODE_MISMATCH findings logged on three entries of one workcenter
    deps = _deps(labelled_plant)
    source = PlantFolderSource(labelled_plant)
    end = datetime(2026, 11, 21, 5, tzinfo=UTC)
    entries = [e for e in source.labor_entries(end - timedelta(days=14), end) if e.end_time is not None]
    workcenter = entries[0].workcenter_id
    chosen = [e for e in entries if e.workcenter_id == workcenter][:3]
    others = [e for e in entries if e.workcenter_id != workcenter][:4] if eligible_too else []
    for entry in [*chosen, *others]:
        deps.store.append(
            AuditEvent(
                record_key=f"labor-entries:{entry.id}",
                event_type=AuditEventType.FINDING,
                status=AuditStatus.LOGGED,
                occurred_at=NOW - timedelta(days=1),
                actor="punch_validator",
                finding_id=f"F{entry.id}",
                model_version="scorer-1",
                payload={
                    "anomaly_type": "JOB_CODE_MISMATCH",
                    "confidence": 0.3,
                    **({"evidence": ONLY_ELIGIBLE} if entry in others else {}),
                },
            )
        )
    summary = run(deps, _request())
    pointer = read_pointer(deps.reports)
    assert pointer is not None
    trend = read_artifact(deps.reports, pointer).trend
    # Then the trend ranks that workcenter's combinations first, counting the logged findings only (not those
    # recorded only as eligible for the scorer's exploration)
    assert summary["trend_findings_read"] == 3
    assert trend[0].workcenter_id == workcenter and trend[0].misapplied >= 1
    assert sum(row.misapplied for row in trend) == 3
