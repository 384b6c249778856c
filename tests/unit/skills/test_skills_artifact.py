"""The skills report as an artifact: who is where per workcenter shift, stored for the dashboards
(`reports/skills/<as_of>.json`, then `latest.json`), read back checked, never with names; and a
person's training proposal as the same cross-training suggestion the daily run publishes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.skills_daily import handler as skills_daily
from plexlabor.audit import AuditStatus
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import LATEST, ArtifactError, InMemoryArtifactStore, read_pointer
from plexlabor.platform.pilot import PilotScope
from plexlabor.skills import wiring
from plexlabor.skills.artifact import SkillsArtifact, read_artifact
from plexlabor.skills.publish import PublishOptions, report_events, training_proposal
from tests.support import REGION, FakeLambdaContext, load_event, use_fake_aws
from tests.unit.skills.skills_report_world import GENERATED_AT, small_artifact, stored_report

TABLE = "plexlabor-audit-skills-artifact"
BUCKET = "plexlabor-artifacts-skills-test"


def test_each_coverage_row_says_who_is_qualified_on_leave_and_blocked_by_what() -> None:
    artifact = small_artifact()
    rows = {(r.workcenter_id, r.work_date.day): r for r in artifact.report.coverage}
    monday, saturday, tuesday = rows[("W", 23)], rows[("W", 28)], rows[("V", 24)]

    assert (monday.crew_needed, monday.qualified, monday.hours_at_risk) == (2, 1, 8.0)
    assert (monday.people.qualified, monday.people.on_leave) == (["E1"], ["E3"])
    assert [(u.employee_id, u.missing_skills, u.lapsed_certification_ids) for u in monday.people.unqualified] == [
        ("E2", ["SK-A"], [])
    ]
    assert [(u.employee_id, u.lapsed_certification_ids) for u in saturday.people.unqualified] == [("E1", ["C0001"])]
    assert [(u.employee_id, u.lapsed_certification_ids) for u in tuesday.people.unqualified] == [
        ("E2", []),
        ("E4", ["C0004"]),
    ]
    assert artifact.workcenters["W"].model_dump() == {
        "code": "WC-10",
        "department": "MOLD",
        "building": "B1",
        "required": ["A:L2"],
    }
    assert [s.code for s in artifact.shifts] == ["1", "2", "3"]
    assert artifact.employees["E4"].department == "ASSY" and artifact.skills == {"SK-A": "A", "SK-B": "B"}


def test_the_report_is_stored_then_pointed_at_and_reads_back_checked() -> None:
    store = InMemoryArtifactStore()
    assert read_pointer(store) is None

    pointer = stored_report(store)

    assert list(store.objects) == ["2026-11-23.json", LATEST]  # the report first, the pointer last
    assert store.content_types[LATEST] == "application/json"
    assert read_pointer(store) == pointer and pointer.as_of == date(2026, 11, 23)
    assert pointer.generated_at == GENERATED_AT and pointer.bytes == len(store.objects[pointer.key])
    assert read_artifact(store, pointer) == small_artifact()


def test_a_report_that_does_not_match_its_pointer_is_refused() -> None:
    store = InMemoryArtifactStore()
    pointer = stored_report(store)
    store.put(pointer.key, store.objects[pointer.key] + b" ")
    with pytest.raises(ArtifactError, match="does not match the sha256"):
        read_artifact(store, pointer)
    store.put(LATEST, b"{not json")
    with pytest.raises(ArtifactError, match="not a skills report pointer"):
        read_pointer(store, "skills report")


def test_a_checked_report_that_is_not_a_skills_report_is_refused_by_name() -> None:
    store = InMemoryArtifactStore()
    pointer = stored_report(store)
    body = b'{"generated_at": "not a time"}'
    store.put(pointer.key, body)
    matching = pointer.model_copy(update={"sha256": hashlib.sha256(body).hexdigest()})
    with pytest.raises(ArtifactError, match=r"^2026-11-23\.json is not a skills report: \d+ problem\(s\)$"):
        read_artifact(store, matching)


def test_a_proposal_is_the_weeks_cross_training_suggestion_waiting_for_hr_whatever_the_pilot() -> None:
    report = small_artifact().report
    [assembly] = [t for t in report.training if t.workcenter_id == "V"]
    held_back = PublishOptions(scope=PilotScope(advisory=True))
    published = {e.event_id: e for e in report_events(report, GENERATED_AT, held_back)}

    event = training_proposal(report.as_of, assembly, 1, "P0001", GENERATED_AT, department="ASSY")

    assert event.event_id in published and published[event.event_id].status is AuditStatus.LOGGED
    assert event.status is AuditStatus.PENDING_APPROVAL and event.actor == "P0001"
    assert (event.record_key, event.employee_id, event.supervisor_id) == ("workcenters:V", "E4", "SUP1")
    assert event.payload["kind"] == "cross_training" and event.payload["proposed_by"] == "P0001"
    assert event.payload["department"] == "ASSY" and event.payload["training"] == ["B level 1 (renewal)"]
    assert {"role": "hr", "id": "hr"} in event.payload["recipients"]
    second = training_proposal(report.as_of, assembly, 2, "P0001", GENERATED_AT)
    assert second.employee_id == "E2" and second.event_id != event.event_id
    with pytest.raises(ValueError, match="not a candidate"):
        training_proposal(report.as_of, assembly, 3, "P0001", GENERATED_AT)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, labelled_plant: PlantFolder) -> Iterator[Any]:
    use_fake_aws(monkeypatch)
    monkeypatch.setenv("AUDIT_TABLE_NAME", TABLE)
    monkeypatch.setenv("ARTIFACTS_BUCKET_NAME", BUCKET)
    monkeypatch.setenv("PLEXLABOR_PLANT_DIR", str(labelled_plant.path))
    monkeypatch.delenv("PLEXLABOR_TIMEZONE", raising=False)
    wiring.dependencies.cache_clear()
    with mock_aws():
        from plexlabor.audit.dynamodb import create_audit_table

        create_audit_table(boto3.client("dynamodb", region_name=REGION), TABLE)
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        yield s3
    wiring.dependencies.cache_clear()


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_the_daily_run_stores_its_report_in_the_bucket_without_names(aws: Any, labelled_plant: PlantFolder) -> None:
    event = load_event("skills_daily")
    event["detail"] = {"publish": False}

    summary = skills_daily.handler(event, FakeLambdaContext())

    keys = sorted(o["Key"] for o in aws.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == ["reports/skills/2026-11-21.json", "reports/skills/latest.json"]
    assert summary["report_key"] == "2026-11-21.json"
    raw = aws.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()
    artifact = SkillsArtifact.model_validate_json(raw)
    assert artifact.report.totals.coverage_rows == summary["coverage_rows"] > 0
    assert len(artifact.report.coverage) == summary["coverage_rows"]
    text = raw.decode()
    people = [json.loads(line) for line in (labelled_plant.path / "employees.jsonl").read_text().splitlines()]
    leaks = [p[k] for p in people for k in ("firstName", "lastName", "email") if p.get(k) and f'"{p[k]}"' in text]
    assert leaks == [] and all(p["id"] in artifact.employees for p in people)
