"""`/allocation` in process (issue 14): allocation_nightly's day of the labelled plant, stored as the function
stores it, read by the web app per role; the job-code guidance beside timecards in the queue; empty
states; who is refused."""

from __future__ import annotations

import dataclasses
import html
from datetime import UTC, datetime
from typing import Any

import pytest

from plexlabor.allocation import wiring
from plexlabor.allocation.artifact import AllocationArtifact, read_artifact, store_artifact
from plexlabor.allocation.misapplication import Guidance
from plexlabor.allocation.nightly import AllocationNightlyEvent, run, suggestion_id
from plexlabor.allocation.report import Suggestion
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.plant import PlantFolder
from plexlabor.platform.artifacts import InMemoryArtifactStore, read_pointer
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from plexlabor.review.items import ReviewItem
from plexlabor.webapp.allocation import AllocationIndex, AllocationReports, _ordinal, job_code, queue_guidance
from plexlabor.webapp.app import Dependencies
from tests.support import load_event, make_finding, make_unallocated
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, open_finding, web_deps
from tests.unit.webapp.viewers import ADMIN, EHS, HR, PLANNER


@pytest.fixture(scope="module")
def store(labelled_plant: PlantFolder) -> InMemoryArtifactStore:
    """2026-11-20 of the labelled plant, allocated and stored by allocation_nightly's run."""
    reports = InMemoryArtifactStore()
    source = LaborSource(PlantFolderSource(labelled_plant), "America/Detroit")
    deps = wiring.Dependencies(source, InMemoryAuditStore(), reports)
    event = load_event("allocation_nightly")
    event["detail"] = {"day": "2026-11-20"}
    run(deps, AllocationNightlyEvent.model_validate(event))
    return reports


@pytest.fixture(scope="module")
def artifact(store: InMemoryArtifactStore) -> AllocationArtifact:
    pointer = read_pointer(store)
    assert pointer is not None
    return read_artifact(store, pointer)


@pytest.fixture(scope="module")
def often(artifact: AllocationArtifact) -> AllocationArtifact:
    """The day with its top combination often misapplied (12 of its entries): the labelled plant has none the queue
    calls so (`webapp.allocation.often_misapplied`)."""
    top = artifact.guidance[0]
    return artifact.model_copy(
        update={"guidance": [top.model_copy(update={"misapplied": 12, "entries": 64}), *artifact.guidance[1:]]}
    )


@pytest.fixture(scope="module")
def often_store(often: AllocationArtifact) -> InMemoryArtifactStore:
    reports = InMemoryArtifactStore()
    store_artifact(reports, often)
    return reports


def _call(store: InMemoryArtifactStore | None, claims: dict[str, Any]) -> Any:
    deps: Dependencies = dataclasses.replace(
        web_deps(World()), allocation=AllocationReports(store) if store is not None else None
    )
    return call_web(deps, "GET", "/allocation", claims)


@pytest.mark.parametrize("claims", [ADMIN, PLANNER])
def test_plant_wide_viewers_see_totals_departments_shifts_job_cost_and_guidance(
    often_store: InMemoryArtifactStore, often: AllocationArtifact, claims: dict[str, str]
) -> None:
    artifact = often
    response = _call(often_store, claims)
    assert response["statusCode"] == 200
    body = html.unescape(response["body"])
    t = artifact.report.totals
    assert f"{t.paid / 60:.1f} h by {t.employees} people" in body and f"${t.payroll:,.2f}" in body
    assert f"{t.unallocated / 60:.1f} h" in body
    assert 'id="shifts-title"' in body and 'id="jobs-title"' in body
    assert "at once are split equally." in body  # the default split, in words
    assert "Paid time of Fri 2026-11-20 (plant time" in body  # the day as every page writes it (ux164 #17)
    assert "No low-confidence job-code finding was logged in these weeks." in body  # the trend log is empty here
    first_job = artifact.report.jobs[0]
    assert f'<th scope="row">{first_job.job_no}</th>' in body
    # the guidance: the combinations often misapplied, ranked, with their workcenter's code (never its Plex id)
    top = artifact.guidance[0]
    assert artifact.workcenters[top.workcenter_id].code in body and top.workcenter_id not in body
    assert (
        job_code(top) in body
        and top.job_nos[0] in job_code(top)
        and top.part_id not in body
        and top.part_id[-6:] not in body
    )
    assert f"{top.misapplied} / {top.entries}" in body
    # every department with paid time is listed
    assert all(f'<th scope="row">{name}</th>' in body for name in artifact.report.departments)


def test_the_guidance_lists_only_codes_often_misapplied_and_else_says_none_stands_out(
    store: InMemoryArtifactStore, often_store: InMemoryArtifactStore, often: AllocationArtifact
) -> None:
    # ux_s14 #12: ten rows at the plant's shrunk rate, some 0 of 4 misapplied, read as the codes to watch
    plain = html.unescape(_call(store, PLANNER)["body"])
    assert "No job code stands out: none was misapplied that often" in plain
    assert "3 or more of a code's entries, and at least 10% of them, misapplied in the last" in plain
    assert not any(f"<td>{g.misapplied} / {g.entries}</td>" in plain for g in often.guidance)
    marked = html.unescape(_call(often_store, PLANNER)["body"])
    top = often.guidance[0]
    assert f"<td>{top.misapplied} / {top.entries}</td>" in marked and "No job code stands out" not in marked
    assert not any(f"<td>{g.misapplied} / {g.entries}</td>" in marked for g in often.guidance[1:])


def test_a_supervisor_sees_their_departments_only_and_no_job_cost(
    store: InMemoryArtifactStore, artifact: AllocationArtifact
) -> None:
    department = next(name for name, share in artifact.report.departments.items() if share.unallocated)
    claims = {"cognito:username": "S0009", "cognito:groups": "supervisor", "custom:departments": department}
    body = html.unescape(_call(store, claims)["body"])
    others = [name for name in artifact.report.departments if name != department]
    assert f'<th scope="row">{department}</th>' in body
    assert not any(f'<th scope="row">{name}</th>' in body for name in others)
    assert 'id="shifts-title"' not in body and 'id="jobs-title"' not in body
    theirs = [row for row in artifact.report.employees if row.department == department]
    paid = sum(row.paid for row in theirs)
    assert f"Your departments: {paid / 60:.1f} h paid" in body


def test_others_are_refused_and_without_a_report_the_page_says_why(store: InMemoryArtifactStore) -> None:
    assert _call(store, EHS)["statusCode"] == 403
    assert "No allocation yet" in _call(InMemoryArtifactStore(), ADMIN)["body"]
    assert "no artifacts bucket is configured" in _call(None, ADMIN)["body"]


def _item(workcenter: str | None, shift: str | None) -> ReviewItem:
    return ReviewItem(
        item_id="I1",
        kind="punch_finding",
        type="JOB_CODE_MISMATCH",
        record_key="labor-entries:L1",
        note="n",
        confidence=0.9,
        severity="medium",
        created_at=datetime(2026, 11, 21, tzinfo=UTC),
        model_version=None,
        employee_id="E1",
        supervisor_id=None,
        department=None,
        workcenter=workcenter,
        shift=shift,
        day=None,
        evidence={},
        proposed=None,
    )


def test_the_queue_shows_the_guidance_beside_timecards_of_the_same_workcenter_and_shift(
    often: AllocationArtifact,
) -> None:
    artifact = often
    top = artifact.guidance[0]
    code = artifact.workcenters[top.workcenter_id].code
    store = InMemoryArtifactStore()
    index = AllocationIndex.of(artifact, store_artifact(store, artifact))
    line = queue_guidance(index, [_item(code, top.shift)])["I1"]
    assert f"on shift {top.shift}" in line and f"{top.misapplied} of its {top.entries} entr" in line
    # the rank and the counts in words (ux119 #21: was "(#1; 2 of 9 entries)")
    assert f"({_ordinal(top.rank)} highest in the plant;" in line and "#" not in line
    assert f"in the last {artifact.guidance_weeks} weeks" in line and "misapplied)" in line
    assert [_ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]
    # the job code named by the job number(s) Plex shows and the operation, never by a piece of the part's id
    assert top.job_nos and all(number.startswith("J") for number in top.job_nos)
    assert f"{', '.join(top.job_nos)} op {top.operation_code}" in line and top.part_id[-6:] not in line
    # another shift at that workcenter, an unknown workcenter, or no report: nothing
    other_shift = "no-such-shift"
    assert queue_guidance(index, [_item(code, other_shift)]) == {}
    assert queue_guidance(index, [_item("NOWHERE", top.shift)]) == {}
    assert queue_guidance(None, [_item(code, top.shift)]) == {}
    assert isinstance(top, Guidance)


def test_the_queue_and_the_item_page_show_the_guidance_beside_a_timecard_at_that_workcenter(
    often: AllocationArtifact,
) -> None:
    # Given a job-code finding at the top combination's workcenter and shift, and one elsewhere
    artifact, store = often, InMemoryArtifactStore()
    store_artifact(store, artifact)
    top = artifact.guidance[0]
    code = artifact.workcenters[top.workcenter_id].code
    world = World()
    evidence = {"workcenter_code": code, "shift": top.shift}
    here = make_finding(finding_id="f-here", anomaly_type="JOB_CODE_MISMATCH", evidence=evidence)
    elsewhere = make_finding(finding_id="f-elsewhere", record_key="time-clock-entries:T0000003")
    for finding in (here, elsewhere):
        open_finding(world, finding)
    deps = dataclasses.replace(web_deps(world), allocation=AllocationReports(store))
    # When the admin opens the queue and the finding
    queue = call_web(deps, "GET", "/queue", ADMIN)
    item = call_web(deps, "GET", "/items/f-here", ADMIN)
    # Then the guidance stands beside that timecard only, and on its page
    body = html.unescape(queue["body"])
    assert body.count("Job codes often misapplied here") == 1
    rate = f"{100 * top.predicted_rate:.1f} %"
    assert f"on shift {top.shift}, {rate} predicted for this week (1st highest in the plant;" in body
    assert "Job-code guidance" in html.unescape(item["body"])


def test_a_job_code_is_named_by_job_numbers_and_family_never_by_a_plex_id() -> None:
    guidance = Guidance(
        rank=1,
        shift="1",
        workcenter_id="W",
        part_id="0b1c2d3e-5d9306",
        part_family="BRACKETS",
        operation_code="10",
        entries=72,
        misapplied=2,
        predicted_rate=0.02,
    )
    assert job_code(guidance.model_copy(update={"job_nos": ["J101057"]})) == "job J101057 op 10 (BRACKETS)"
    assert job_code(guidance.model_copy(update={"job_nos": ["J1", "J2"]})) == "jobs J1, J2 op 10 (BRACKETS)"
    assert job_code(guidance) == "BRACKETS op 10"  # a report stored before job numbers


@pytest.fixture(scope="module")
def with_stretches(artifact: AllocationArtifact) -> tuple[InMemoryArtifactStore, list[Suggestion]]:
    """The labelled plant's day (it has no unallocated stretch of 15 minutes) with two stretches of MACH's people."""
    stretches = [
        make_unallocated(datetime(2026, 11, 20, 14, tzinfo=UTC), 50, job=False),
        make_unallocated(datetime(2026, 11, 20, 18, tzinfo=UTC), 20, employee_id="E0043", employee_no="1043"),
    ]
    report = artifact.report.model_copy(update={"suggestions": stretches})
    reports = InMemoryArtifactStore()
    store_artifact(reports, artifact.model_copy(update={"report": report}))
    return reports, stretches


@pytest.mark.parametrize("claims", [PLANNER, HR])
def test_who_does_not_decide_unallocated_time_reads_the_stretches_with_who_decides_them(
    with_stretches: tuple[InMemoryArtifactStore, list[Suggestion]], claims: dict[str, str]
) -> None:
    """ux164 #13: planners and HR were sent to /queue?kind=unallocated_time, which shows them none of them."""
    reports, stretches = with_stretches
    body = html.unescape(_call(reports, claims)["body"])
    assert "/queue?kind=unallocated_time" not in body and "/items/" not in body
    assert "in the review queue of the person's supervisor" in body and "this list is for reading" in body
    # who decides, named (here by id: no directory), as one the stretch waits for, not one who decided (ux2_s13 #3)
    assert body.count("<td>waits for E0001</td></tr>") == len(stretches) and "Decided by" not in body


def test_a_supervisor_decides_the_stretches_of_their_department_from_the_page(
    with_stretches: tuple[InMemoryArtifactStore, list[Suggestion]],
) -> None:
    reports, stretches = with_stretches
    mach = {"cognito:username": "S0009", "cognito:groups": "supervisor", "custom:departments": "MACH"}
    body = html.unescape(_call(reports, mach)["body"])
    assert "/queue?kind=unallocated_time" in body and "this list is for reading" not in body
    assert all(f'/items/{suggestion_id(s)}">Decide</a>' in body for s in stretches)
    admin = html.unescape(_call(reports, ADMIN)["body"])
    assert all(f'/items/{suggestion_id(s)}">Decide</a>' in admin for s in stretches)


def test_the_night_stores_the_plants_indirect_codes_and_the_days_jobs_by_job(artifact: AllocationArtifact) -> None:
    """What coding unallocated time by hand is checked against (`allocation.coding`): the configured codes, the
    departments' and those Plex recorded that day; each job operation of the day with its job."""
    codes = artifact.indirect_codes
    assert codes[:3] == ["TRAINING", "MEETING", "WAITING"] and {"MAINTENANCE", "MATERIAL_HANDLING"} <= set(codes)
    assert len(codes) == len(set(codes))
    recorded = {code for row in artifact.report.employees for code in row.indirect}
    assert recorded <= set(codes)
    assert artifact.report.jobs and all(job.job_id for job in artifact.report.jobs)
