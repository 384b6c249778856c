"""Unallocated time coded by hand (ux164 #5, #17): the item names the person; a stretch with no job is not
approvable (nothing to approve) but coded on `/allocation/code`, to one of the plant's indirect codes or a job
operation worked that day, checked against the night's report (a 400 naming the field otherwise); the coding is
recorded as the reviewer's choice and approved (chosen by hand in the KPIs, the suggestion it codes rejected:
overridden), and plex_writeback writes it: a job's labor entry, or the indirect code's record in the suggestions
custom object, in the write mode (dry run by default)."""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from functions.plex_writeback.handler import handler as writeback_handler
from plexlabor.allocation import wiring
from plexlabor.allocation.artifact import AllocationArtifact, WorkcenterRef, store_artifact
from plexlabor.allocation.coding import CodingRefusedError, read_coding
from plexlabor.allocation.nightly import suggestion_event
from plexlabor.allocation.report import AllocationReport, JobCost, Totals
from plexlabor.approval.corrections import with_fallback_paths
from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.approval.writeback import WritebackService
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.models import IndirectLaborEntry, LaborEntry
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.platform.errors import ConfigurationError
from plexlabor.plex.settings import PlexSettings
from plexlabor.plex.writeback import PlexWriter
from plexlabor.review.decisions import NothingToApproveError, ReviewService
from plexlabor.review.kpis import compute_kpis
from plexlabor.review.queue import ReviewQueue, Role, Viewer
from plexlabor.webapp.allocation import AllocationReports
from plexlabor.webapp.app import Dependencies
from tests.support import FakeLambdaContext, make_unallocated
from tests.unit.approval.approval_fakes import FakePlex, World, sqs_event
from tests.unit.review.review_world import call_web, web_deps

DAY = date(2026, 3, 2)
START = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
SUPERVISOR = Viewer("E0001", frozenset({Role.SUPERVISOR}))
CLAIMS = {"cognito:username": "E0001", "cognito:groups": "supervisor"}
PLANNER = {"cognito:username": "P0001", "cognito:groups": "planner"}
NAMED = PeopleDisplay(StaticPeopleDirectory([Person("E0042", "1042", "Grace Adams")]))
CODES = ["TRAINING", "MEETING", "WAITING", "MAINTENANCE", "MATERIAL_HANDLING"]


def day_job(number: int, operation: int, workcenter: int) -> JobCost:
    """Job J10000<number>'s operation, worked that day at WC-<workcenter> (its ids J-<number>, JO-<number>)."""
    return JobCost(
        job_operation_id=f"JO-{number}",
        job_no=f"J10000{number}",
        operation_no=operation,
        workcenter_id=f"WC-ID-{workcenter}",
        job_id=f"J-{number}",
        minutes=300,
        cost=120.0,
        earned_standard_hours=5.0,
        standard_cost=120.0,
    )


JOBS = [day_job(7, 20, 10), day_job(8, 10, 11)]


def publish(world: World, job: bool = False, later: int = 0) -> AuditEvent:
    """A 40-minute stretch of E0042 (MACH, supervisor E0001) on DAY (`later` hours after 13:00 UTC), with or
    without a likely job."""
    stretch = make_unallocated(START + timedelta(hours=later), 40, job=job)
    event = suggestion_event(
        DAY, stretch, world.clock(), AuditStatus.PENDING_APPROVAL, workcenter_code="WC-10" if job else None
    )
    world.audit.append(event)
    return event


def night_report() -> InMemoryArtifactStore:
    """allocation_nightly's report of DAY as the web app reads it: the plant's codes and the day's jobs."""
    store = InMemoryArtifactStore()
    report = AllocationReport(
        day=DAY, split="equal", totals=Totals(), employees=[], departments={}, shifts={}, jobs=JOBS, suggestions=[]
    )
    workcenters = {"WC-ID-10": WorkcenterRef(code="WC-10", department="MACH"), "WC-ID-11": WorkcenterRef(code="WC-11")}
    artifact = AllocationArtifact(
        generated_at=START + timedelta(days=1),
        day=DAY,
        report=report,
        workcenters=workcenters,
        indirect_codes=CODES,
    )
    store_artifact(store, artifact)
    return store


def deps(world: World) -> Dependencies:
    return dataclasses.replace(web_deps(world), people=NAMED, allocation=AllocationReports(night_report()))


def code(world: World, item_id: str, form: dict[str, str], claims: dict[str, str] = CLAIMS) -> dict[str, Any]:
    return call_web(deps(world), "POST", "/allocation/code", claims, form={"item": item_id, **form})


def code_it(world: World, item_id: str, form: dict[str, str]) -> str:
    """The item id of the coding posted (the page it answers with)."""
    response = code(world, item_id, form)
    assert response["statusCode"] == 303
    [location] = response["multiValueHeaders"]["Location"]
    return str(location).rsplit("/items/", 1)[1]


def by_type(world: World, item_id: str, kind: AuditEventType) -> list[AuditEvent]:
    return [e for e in world.audit.for_finding(item_id) if e.event_type is kind]


def test_the_summary_names_the_person_with_their_number(world: World) -> None:
    opening = publish(world)
    queue = html.unescape(call_web(deps(world), "GET", "/queue", CLAIMS)["body"])
    assert "Grace Adams (1042): 40 paid minutes on 2026-03-02" in queue
    page = html.unescape(call_web(deps(world), "GET", f"/items/{opening.event_id}", CLAIMS)["body"])
    assert "Grace Adams (1042): 40 paid minutes" in page and "1042: 40" not in page.replace("(1042): 40", "")


def test_a_stretch_with_no_job_has_nothing_to_approve(world: World) -> None:
    # Given a stretch no job was scanned near
    opening = publish(world)
    page = call_web(deps(world), "GET", f"/items/{opening.event_id}", CLAIMS)["body"]
    # Then its page offers coding it and rejecting it, not an approval that changes nothing
    assert 'value="approve"' not in page and 'value="reject"' in page
    assert f'/allocation/code?item={opening.event_id}"' in page and "nothing to approve" in page
    # and an approval (the queue's bulk form, a crafted post) is refused with the reason, nothing recorded
    service = ReviewService(ReviewQueue(world.audit, clock=world.clock), world.audit, world.callback, world.writebacks)
    with pytest.raises(NothingToApproveError, match="Code it on its page"):
        service.decide(SUPERVISOR, opening.event_id, "approve", None)
    [outcome] = service.decide_many(SUPERVISOR, [opening.event_id], "approve", None)
    assert outcome.action is None and "approving would change nothing" in str(outcome.problem)
    assert by_type(world, opening.event_id, AuditEventType.DECISION) == [] and world.writebacks.sent == []
    # while a stretch with a likely job keeps its Approve, and a way to code it otherwise
    with_job = publish(world, job=True, later=2)
    page = call_web(deps(world), "GET", f"/items/{with_job.event_id}", CLAIMS)["body"]
    assert 'value="approve"' in page and "Code it otherwise" in page


def test_the_coding_form_offers_the_plants_codes_and_the_days_jobs(world: World) -> None:
    opening = publish(world)
    response = call_web(deps(world), "GET", "/allocation/code", CLAIMS, query={"item": opening.event_id})
    assert response["statusCode"] == 200
    body = html.unescape(response["body"])
    assert [o for o in re.findall(r'<option value="(\w+)"', body) if o in CODES] == CODES
    assert '<option value="J100007">' in body and '<option value="J100008">' in body
    assert "Nothing reaches Plex: the write mode is dry run" in body  # what the write mode does, said before


def test_coding_to_an_indirect_code_is_recorded_approved_and_written(world: World) -> None:
    opening = publish(world)
    # When the supervisor codes it to training
    coded_id = code_it(world, opening.event_id, {"code": "training"})
    # Then their choice is a suggestion of their own, approved, its write on the way first
    [coded] = by_type(world, coded_id, AuditEventType.RECOMMENDATION)
    assert coded.actor == "E0001" and coded.payload["chosen_by_hand"] is True
    assert coded.payload["replaces"] == opening.event_id and coded.payload["indirect_code"] == "TRAINING"
    assert coded.payload["indirect_entry"] == {
        "employeeId": "E0042",
        "indirectCode": "TRAINING",
        "startTime": "2026-03-02T13:00:00.0000000Z",
        "endTime": "2026-03-02T13:40:00.0000000Z",
    }
    [message] = world.writebacks.sent
    assert isinstance(message, RecommendationWriteback) and message.item_id == coded_id
    [approved] = by_type(world, coded_id, AuditEventType.DECISION)
    [rejected] = by_type(world, opening.event_id, AuditEventType.DECISION)
    assert approved.status is AuditStatus.APPROVED and approved.payload["via"] == "allocation"
    assert rejected.status is AuditStatus.REJECTED and rejected.payload["reason"] == (
        "coded by hand to the indirect code TRAINING"
    )
    # and the KPIs count it chosen by hand, and the suggestion, which proposed no job, coded without a proposal: no
    # override of the model, out of the approve rate (ux_s13 #17c); one action of the supervisor (#17b)
    kpis = compute_kpis(world.audit, clock=world.clock)
    [row] = [r for r in kpis.by_kind if r.kind == "unallocated_time"]
    assert (row.chosen_by_hand, row.coded_without_proposal, row.overridden, row.approved, row.rejected) == (
        1,
        1,
        0,
        0,
        0,
    )
    assert row.approve_rate is None and [day.decided for day in kpis.by_reviewer_day] == [1]
    # and its page says it was coded and approved
    page = html.unescape(call_web(deps(world), "GET", f"/items/{coded_id}", CLAIMS)["body"])
    assert "Grace Adams (1042): 40 paid minutes on 2026-03-02" in page and "coded by hand to the indirect code" in page


def test_coding_to_a_job_of_the_day_charges_its_operation_at_its_workcenter(world: World) -> None:
    opening = publish(world, job=True)  # the likely job was J100007 op 20: the supervisor knows better
    coded_id = code_it(world, opening.event_id, {"job": "j100008", "operation": "10"})
    [coded] = by_type(world, coded_id, AuditEventType.RECOMMENDATION)
    assert coded.payload["labor_entry"] == {
        "employeeId": "E0042",
        "workcenterId": "WC-ID-11",
        "jobId": "J-8",
        "jobOperationId": "JO-8",
        "startTime": "2026-03-02T13:00:00.0000000Z",
        "endTime": "2026-03-02T13:40:00.0000000Z",
        "quantity": 0.0,
    }
    assert "coded by hand to job J100008 op 10 at WC-11 (suggested: job J100007 op 20)" in coded.payload["note"]
    [rejected] = by_type(world, opening.event_id, AuditEventType.DECISION)
    assert rejected.status is AuditStatus.REJECTED
    # and the KPIs count the likely job the supervisor coded otherwise as overridden: the model was wrong
    [row] = [r for r in compute_kpis(world.audit, clock=world.clock).by_kind if r.kind == "unallocated_time"]
    assert (row.chosen_by_hand, row.overridden, row.coded_without_proposal) == (1, 1, 0)


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"code": "COFFEE"}, "Indirect code: 'COFFEE' is not one of the plant's codes (TRAINING, MEETING"),
        ({"job": "J999999", "operation": "10"}, "Job: no labor was recorded on job 'J999999' on 2026-03-02"),
        ({"job": "J100007", "operation": "30"}, "Operation: job J100007 had no labor on operation 30 on 2026-03-02"),
        ({"job": "J100007", "operation": "x"}, "Operation: give the operation number of job J100007"),
        ({"code": "TRAINING", "job": "J100007"}, "Choose an indirect code or a job, not both."),
        ({}, "Choose an indirect code, or give the job number and operation."),
    ],
)
def test_a_coding_the_day_does_not_allow_is_refused_naming_the_field(
    world: World, form: dict[str, str], says: str
) -> None:
    opening = publish(world)
    response = code(world, opening.event_id, form)
    assert response["statusCode"] == 400
    body = html.unescape(response["body"])
    assert f"Not coded: {says}" in body and 'action="/dev/allocation/code"' in body  # the form again, as typed
    assert world.writebacks.sent == [] and len(world.audit.for_finding(opening.event_id)) == 1


def test_a_report_stored_before_job_ids_refuses_a_job_saying_why() -> None:
    old = AllocationArtifact.model_validate_json(night_report().get("2026-03-02.json") or b"")
    jobs = [job.model_copy(update={"job_id": None}) for job in old.report.jobs]
    old = old.model_copy(update={"report": old.report.model_copy(update={"jobs": jobs})})
    with pytest.raises(CodingRefusedError, match="made before a job could be chosen here"):
        read_coding({"job": "J100007", "operation": "20"}, old)
    assert read_coding({"code": "meeting"}, old).indirect_code == "MEETING"


def test_who_does_not_decide_the_item_cannot_code_it(world: World) -> None:
    opening = publish(world)
    for method, request in (
        ("GET", {"query": {"item": opening.event_id}}),
        ("POST", {"form": {"item": opening.event_id, "code": "TRAINING"}}),
    ):
        assert call_web(deps(world), method, "/allocation/code", PLANNER, **request)["statusCode"] == 404
    assert world.writebacks.sent == [] and len(world.audit.for_finding(opening.event_id)) == 1
    code(world, opening.event_id, {"code": "TRAINING"})
    again = code(world, opening.event_id, {"code": "MEETING"})  # decided: no second coding
    assert again["statusCode"] == 404 and len(world.writebacks.sent) == 1


@dataclass
class PlexWithTime(FakePlex):
    labor: list[LaborEntry] = field(default_factory=list)
    indirect: list[IndirectLaborEntry] = field(default_factory=list)

    def labor_entries(self, begin: datetime, end: datetime) -> list[LaborEntry]:
        return [e for e in self.labor if begin <= e.start_time < end]

    def indirect_labor_entries(self, begin: datetime, end: datetime) -> list[IndirectLaborEntry]:
        return [e for e in self.indirect if begin <= e.start_time < end]


@dataclass
class Posts:
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def post(self, path: str, body: dict[str, Any], *, idempotency_key: str | None = None) -> Any:
        self.posts.append((path, body))
        return dataclasses.make_dataclass("Answer", [("status_code", int), ("content", bytes)])(201, b"")


def write_back(world: World, plex: Any, mode: str) -> Posts:
    """plex_writeback on the messages the web app sent, in `mode`, reading `plex` (a `FakePlex`)."""
    transport = Posts()
    settings = with_fallback_paths(PlexSettings(api_key="k", write_mode=mode))  # type: ignore[arg-type]
    writer = PlexWriter(settings, transport=transport)  # type: ignore[arg-type]
    service = WritebackService(audit=world.audit, writer=writer, plex=plex, max_receive_count=3, clock=world.clock)
    bodies = [message.model_dump_json() for message in world.writebacks.sent]
    assert writeback_handler(sqs_event(*bodies), FakeLambdaContext(), dependencies=service) == {"batchItemFailures": []}
    return transport


def indirect(code: str) -> IndirectLaborEntry:
    return IndirectLaborEntry(
        id="IL-1", employee_id="E0042", indirect_code=code, start_time=START, end_time=START + timedelta(minutes=40)
    )


@pytest.mark.parametrize("mode", ["dry_run", "custom_object", "direct"])
def test_an_indirect_coding_is_written_as_a_record_of_indirect_labor(world: World, mode: str) -> None:
    opening = publish(world)
    coded_id = code_it(world, opening.event_id, {"code": "TRAINING"})
    posts = write_back(world, PlexWithTime(), mode)
    [written] = by_type(world, coded_id, AuditEventType.WRITEBACK)
    record = written.payload["record"]
    assert record["action"] == "indirect-labor-entry" and record["indirectCode"] == "TRAINING"
    assert (record["approvedBy"], record["itemId"]) == ("E0001", coded_id)
    assert written.previous_values == {"indirectLaborEntries": []}
    assert written.payload["sent"] is (mode != "dry_run")
    if mode == "dry_run":
        assert posts.posts == []
    else:  # Plex has no public write of indirect labor: a record of the suggestions custom object in either mode
        [(path, body)] = posts.posts
        assert path.endswith("/plexlabor_suggestions") and body == record


def test_an_indirect_coding_plex_holds_already_or_charged_since_is_not_written(world: World) -> None:
    opening = publish(world)
    coded_id = code_it(world, opening.event_id, {"code": "TRAINING"})
    assert write_back(world, PlexWithTime(indirect=[indirect("TRAINING")]), "direct").posts == []
    [written] = by_type(world, coded_id, AuditEventType.WRITEBACK)
    assert written.payload["already_applied"] is True
    other = World()
    opening = publish(other)
    coded_id = code_it(other, opening.event_id, {"code": "TRAINING"})
    assert write_back(other, PlexWithTime(indirect=[indirect("MEETING")]), "direct").posts == []
    [failed] = by_type(other, coded_id, AuditEventType.WRITEBACK_FAILED)
    assert "charged since the coding" in failed.payload["message"]


def test_a_job_coding_is_written_as_its_labor_entry(world: World) -> None:
    opening = publish(world)
    coded_id = code_it(world, opening.event_id, {"job": "J100007", "operation": "20"})
    posts = write_back(world, PlexWithTime(), "direct")
    [(path, body)] = posts.posts
    assert path == "/production/v1/production-history/labor-entries" and body["jobOperationId"] == "JO-7"
    [written] = by_type(world, coded_id, AuditEventType.WRITEBACK)
    assert written.payload["labor_entry"] == body and written.previous_values == {"laborEntries": []}


@pytest.fixture
def world() -> World:
    return World()


def test_the_plants_codes_are_a_setting_of_allocation_nightly(labelled_plant: PlantFolder) -> None:
    base = {"AUDIT_TABLE_NAME": "a", "PLEXLABOR_ARTIFACTS_DIR": "/tmp", "PLEXLABOR_PLANT_DIR": str(labelled_plant.path)}
    assert wiring.AllocationNightlySettings.from_env(base).indirect_codes == ("TRAINING", "MEETING", "WAITING")
    configured = wiring.AllocationNightlySettings.from_env({**base, "ALLOCATION_INDIRECT_CODES": "TRAINING, SAFETY"})
    assert wiring.build(configured).policy.codes(["SETUP"]) == [
        "TRAINING",
        "SAFETY",
        "MAINTENANCE",
        "MATERIAL_HANDLING",
        "SETUP",
    ]
    with pytest.raises(ConfigurationError, match="ALLOCATION_INDIRECT_CODES"):
        wiring.AllocationNightlySettings.from_env({**base, "ALLOCATION_INDIRECT_CODES": " , "})
