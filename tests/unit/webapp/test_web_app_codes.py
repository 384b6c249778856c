"""Every page of the web app names parts' operations, jobs, workcenters and skills by their codes, never
by Plex ids (issue 9, item 6): each kind of item as its producer records it now (ids for the audit,
codes beside them) shows no UUID or long hex id, but in the collapsed "Plex ids" detail a supervisor
opens to find the record in Plex; an item recorded before codes were kept hides its ids the same way."""

from __future__ import annotations

import re
from typing import Any

import pytest

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from tests.unit.approval.approval_fakes import World, make_finding
from tests.unit.review.review_world import call_web, open_finding, web_deps
from tests.unit.webapp.viewers import ADMIN

PLEX_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.IGNORECASE)
QC02, ASM01, PNT02 = (
    "9474031b-7f26-444b-9828-9fcd59a54a7b",
    "24ede6a4-6b4c-4242-4a23-d5962217bead",
    "93f448b3-a5aa-4c81-4f42-6dcbb394fb36",
)
JOB_OPERATION, JOB, PART = (
    "d226e298-f744-4a6e-ab82-29bf9ea5818c",
    "51ca49c3-5485-4c8f-a302-850f9321d4df",
    "569908f6-c030-4b21-5315-8ce400721f84",
)
SCORER = "scorer-6b2c4bd848+norms-1794286800"
TIMELINE = {
    "v": 1,
    "day": "2026-11-02",
    "zone": "America/Detroit",
    "window": ["2026-11-02T02:00:00-05:00", "2026-11-02T18:30:00-05:00"],
    "record": {"key": "labor-entries:0cc41299-6475-4a9a-b2b0-7240230542e3", "lane": "labor", "index": 0},
    "shift": None,
    "norm": None,
    "punches": [],
    "breaks": [],
    "swipes": [],
    "sessions": [
        {
            "workcenter": QC02,
            "workcenter_code": "QC-02",
            "login": "2026-11-02T06:02:00-05:00",
            "logout": "2026-11-02T10:10:00-05:00",
        }
    ],
    "runs": [
        {
            "id": "3898d190-f9eb-4c1e-9d2b-e29c658cda14",
            "workcenter": QC02,
            "workcenter_code": "QC-02",
            "start": "2026-11-02T06:05:00-05:00",
            "end": None,
        }
    ],
    "labor": [
        {
            "id": "0cc41299-6475-4a9a-b2b0-7240230542e3",
            "workcenter": QC02,
            "workcenter_code": "QC-02",
            "job_no": "J100029",
            "operation_code": "10",
            "start": "2026-11-02T06:02:00-05:00",
            "end": "2026-11-02T07:51:00-05:00",
            "quantity": 52,
        }
    ],
}
MISMATCH = make_finding(
    finding_id="f-9d5cec2b2b7aca07c37445c5",
    record_key="labor-entries:0cc41299-6475-4a9a-b2b0-7240230542e3",
    anomaly_type="JOB_CODE_MISMATCH",
    note="Labor charged to job J100029 operation 10, which is not routed to QC-02",
    evidence={
        "job_operation": JOB_OPERATION,
        "workcenter": QC02,
        "part": PART,
        "operation_code": "10",
        "job_no": "J100029",
        "workcenter_code": "QC-02",
        "timeline": TIMELINE,
    },
    suggested_correction={"action": "recode to the job operation running at this workcenter"},
    model_version=SCORER,
)
DUPLICATE = make_finding(
    finding_id="f-cb53e3c363c94ec7600aff98",
    record_key="time-clock-entries:7d00f4f0-5b6d-4e98-90c8-2891a72bffe2",
    anomaly_type="DUPLICATE_PUNCH",
    note="Clock-in 10:03 recorded twice: the same punch as another entry (0 s apart)",
    evidence={"duplicate_of": "time-clock-entries:ad8e851a-059c-40c3-f068-96c68a1d31de", "seconds_apart": 0.0},
    suggested_correction={"action": "delete", "duplicateOf": "ad8e851a-059c-40c3-f068-96c68a1d31de"},
    model_version=SCORER,
)
UNCERTIFIED_BEFORE_CODES = make_finding(
    finding_id="f-945be85cb054d67eeb7294ec",
    record_key="labor-entries:be96e4a0-e3f9-4c89-826f-738610cf531d",
    anomaly_type="UNCERTIFIED_OPERATOR",
    note="Worked at a workcenter requiring SK-INJ_MOLD without a valid certification on 2026-11-02",
    evidence={"workcenter": QC02, "missing_skills": ["SK-INJ_MOLD"], "date": "2026-11-02"},
    suggested_correction={"action": "reassign, or renew the certification", "skills": ["SK-INJ_MOLD"]},
    model_version=SCORER,
)
"""Recorded before the validator kept codes: only the workcenter's Plex id."""
SEGMENT = {
    "plan_day": "2026-11-02",
    "plan_shifts": ["1", "2", "3"],
    "solver_status": "optimal",
    "proven_gap": 0.0,
    "segment": f"{JOB_OPERATION}/2",
    "workcenter_id": ASM01,
    "workcenter_code": "ASM-01",
    "job_no": "J100116",
    "operation_code": "30",
    "shift_code": "2",
    "start": "2026-11-02T19:30:00+00:00",
}
RECOMMENDATIONS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "crew_assignment": (
        f"job-operations:{JOB_OPERATION}",
        "crew-milp-2026.11",
        {
            **SEGMENT,
            "end": "2026-11-03T03:30:00+00:00",
            "hours": 8.0,
            "changes_current_plan": True,
            "reasons": ["holds ASSY_MECH L1 for ASM-01"],
            "note": "Suggest E0002 on ASM-01 for job J100116 operation 30 (8.0 h, shift 2): holds ASSY_MECH L1",
        },
    ),
    "crew_unstaffed": (
        f"job-operations:{JOB_OPERATION}",
        "crew-milp-2026.11",
        {
            **SEGMENT,
            "hours": 0.71,
            "seats": 1,
            "cause": "qualified_busy",
            "note": "1 seat(s) at ASM-01 for job J100116 operation 30, shift 2, stay empty: all busy",
        },
    ),
    "certification_expiring": (
        "certifications:54803006-eb8f-4862-d256-ddf816829005",
        "skills-rules-2026.11",
        {
            "recipients": [{"role": "supervisor", "id": "E0001"}, {"role": "hr", "id": "hr"}],
            "skill_id": "5f0c2a1e-0b7d-4c1e-9d2b-2e44158bae97",
            "skill_code": "PAINT_BOOTH",
            "level": 2,
            "as_of": "2026-11-02",
            "expires": "2027-01-09",
            "required_at": [PNT02],
            "required_at_codes": ["PNT-02"],
            "blocked": [
                {
                    "workcenter_id": PNT02,
                    "workcenter_code": "PNT-02",
                    "work_date": "2026-11-04",
                    "shift_code": "1",
                    "operation_ids": [JOB_OPERATION],
                    "standard_hours": 8.0,
                    "hours_secured_by_renewal": 8.0,
                }
            ],
            "note": "Certification PAINT_BOOTH L2 expires 2027-01-09 (68 days); it blocks 1 planned shift(s) at PNT-02",
        },
    ),
    "certification_used_while_lapsed": (
        "certifications:2891a72b-ffe2-4e98-90c8-7d00f4f05b6d",
        "skills-rules-2026.11",
        {
            "skill_id": "5f0c2a1e-0b7d-4c1e-9d2b-2e44158bae97",
            "skill_code": "PAINT_BOOTH",
            "level": 2,
            "renewed_by": "b15e738c-2fb2-4c1e-9d2b-cf9f878eaf6e",
            "workcenter_ids": [PNT02],
            "workcenter_codes": ["PNT-02"],
            "labor_entry_ids": ["be96e4a0-e3f9-4c89-826f-738610cf531d"],
            "labor_hours": 7.0,
            "note": "Worked 7.0 h at workcenters requiring PAINT_BOOTH L2 while the certification was lapsed",
        },
    ),
    "cross_training": (
        f"workcenters:{ASM01}",
        "skills-rules-2026.11",
        {
            "as_of": "2026-11-02",
            "workcenter_code": "ASM-01",
            "required": ["ASSY_MECH:L1"],
            "training": ["ASSY_MECH:new L1"],
            "note": "Cross-train for ASM-01: train ASSY_MECH:new L1.",
        },
    ),
    "labor_variance": (
        f"job-operations:{JOB_OPERATION}",
        "forecast-20261204T1757Z-8501506b75c5",
        {
            "as_of": "2026-12-04T17:57:13+00:00",
            "job_id": JOB,
            "job_no": "J100439",
            "operation_code": "10",
            "workcenter_id": QC02,
            "workcenter_code": "QC-02",
            "p50_hours": 42.5,
            "standard_hours": 41.5,
            "drivers": [{"factor": "crew_pace", "hours": 1.15, "text": "the crew at QC-02 works at 97% of pace"}],
            "note": "Job J100439 operation 10 at QC-02: forecast 42.5 h against 41.5 h standard, +2%.",
        },
    ),
    "overtime_projection": (
        "departments:MACH",
        "forecast-20261204T1757Z-8501506b75c5",
        {
            "as_of": "2026-12-04T17:57:13+00:00",
            "department": "MACH",
            "iso_week": "2026-W49",
            "projected_overtime_hours": 12.0,
            "causes": ["weekend shifts: 2 people scheduled for 16 h"],
            "note": "MACH 2026-W49: 12 h overtime projected (2 of 12 people into overtime).",
        },
    ),
}


@pytest.fixture
def world() -> World:
    world = World()
    for finding in (MISMATCH, DUPLICATE, UNCERTIFIED_BEFORE_CODES):
        open_finding(world, finding)
    for number, (kind, (record, version, payload)) in enumerate(RECOMMENDATIONS.items()):
        world.audit.append(
            AuditEvent(
                record_key=record,
                event_type=AuditEventType.RECOMMENDATION,
                status=AuditStatus.PENDING_APPROVAL,
                occurred_at=world.clock(),
                actor="producer",
                finding_id=_item_id(number),
                employee_id="E0002",
                supervisor_id="E0001",
                model_version=version,
                payload={"kind": kind, **payload},
            )
        )
    return world


def _get(world: World, path: str, context: Any) -> str:
    response = call_web(web_deps(world), "GET", path, ADMIN, context)
    assert response["statusCode"] == 200, path
    body: str = response["body"]
    return body


def _read(page: str) -> str:
    """What a person reads: the page's text and its fields' values, but the "Plex ids" detail."""
    page = re.sub(r'<details class="plex-ids">.*?</details>', " ", page, flags=re.S)
    typed = " ".join(re.findall(r'<input(?![^>]*type="(?:checkbox|hidden)")[^>]*value="([^"]*)"', page))
    return re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.S) + typed


def _detail(page: str) -> str:
    found = re.search(r'<details class="plex-ids"><summary>Plex ids</summary>(.*?)</details>', page, re.S)
    assert found, "the Plex ids detail"
    return found.group(1)


def _item_id(number: int) -> str:
    return f"{number:02d}e0199dbd0a56d39be15a303345af18"


def _items(world: World) -> dict[str, str]:
    """Kind (a punch finding's anomaly type) -> item id."""
    findings = {f.anomaly_type.value: f.finding_id for f in (MISMATCH, DUPLICATE, UNCERTIFIED_BEFORE_CODES)}
    return findings | {kind: _item_id(number) for number, kind in enumerate(RECOMMENDATIONS)}


def test_no_page_shows_a_plex_id_but_in_its_plex_ids_detail(world: World, lambda_context: Any) -> None:
    pages = {"queue": _get(world, "/queue", lambda_context)}
    pages |= {kind: _get(world, f"/items/{item}", lambda_context) for kind, item in _items(world).items()}
    assert len(pages) == 1 + 3 + len(RECOMMENDATIONS)

    shown = {name: sorted(set(PLEX_ID.findall(_read(page)))) for name, page in pages.items()}
    assert {name: ids for name, ids in shown.items() if ids} == {}
    for name, page in pages.items():
        if name != "queue":
            assert "Record" in _detail(page), name  # the record to find in Plex, one click away


def test_a_job_code_mismatch_shows_job_operation_and_workcenter_codes(world: World, lambda_context: Any) -> None:
    page = _get(world, f"/items/{MISMATCH.finding_id}", lambda_context)

    assert '<tr><th scope="row">Workcenter</th><td>QC-02</td></tr>' in page
    assert "Labor at QC-02 on job J100029 op 10" in page  # its day, by codes
    assert '<th scope="row">Job</th><td>J100029</td>' in page and "Produced by</th><td>scorer + norms<" in page
    detail = _detail(page)
    for plex_id in (MISMATCH.record_key, QC02, PART, JOB_OPERATION, SCORER):
        assert plex_id in detail


def test_a_crew_assignment_shows_the_job_and_not_its_segment_key(world: World, lambda_context: Any) -> None:
    page = _get(world, f"/items/{_items(world)['crew_assignment']}", lambda_context)

    assert '<th scope="row">Job</th><td>J100116</td>' in page and '<th scope="row">Operation</th><td>30</td>' in page
    assert "Segment" not in _read(page) and f"{JOB_OPERATION}/2" in _detail(page)


def test_a_duplicates_id_is_not_offered_as_a_field_to_edit(world: World, lambda_context: Any) -> None:
    page = _get(world, f"/items/{DUPLICATE.finding_id}", lambda_context)

    # deleting a duplicate is advice, approved as it stands: no field to edit, least of all an id
    assert 'name="correction.duplicateOf"' not in page and 'name="correction.action"' not in page
    assert "ad8e851a-059c-40c3-f068-96c68a1d31de" in _detail(page)


def test_an_item_recorded_before_codes_hides_the_workcenter_id(world: World, lambda_context: Any) -> None:
    page = _get(world, f"/items/{UNCERTIFIED_BEFORE_CODES.finding_id}", lambda_context)

    assert '<th scope="row">Workcenter</th>' not in page.split("<h2>Evidence</h2>")[0]
    assert "SK-INJ_MOLD" in _read(page) and QC02 in _detail(page)
