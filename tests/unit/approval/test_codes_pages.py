"""The approval e-mail and link pages name workcenters, jobs and operations by their codes (issue 9,
item 6): Plex ids (the record, the finding, ids in the evidence and the correction) appear only in the
collapsed "Plex ids" detail, where a supervisor can copy one to find the record in Plex."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from approval_fakes import World, api_event, make_finding, make_request, notice

from functions.approval_callback.handler import handler
from plexlabor.approval.digest import compose_digest
from plexlabor.approval.display import Reader
from plexlabor.validation.findings import Finding
from tests.support import FakeLambdaContext

READER = Reader(ZoneInfo("America/Detroit"))
PLEX_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.IGNORECASE)
LABOR = "labor-entries:0cc41299-6475-4a9a-b2b0-7240230542e3"
WORKCENTER, PART, JOB_OPERATION = (
    "9474031b-7f26-444b-9828-9fcd59a54a7b",
    "569908f6-c030-4b21-5315-8ce400721f84",
    "d226e298-f744-4a6e-ab82-29bf9ea5818c",
)
FINDING = "f-9d5cec2b2b7aca07c37445c5"


def _mismatch() -> Finding:
    """A job code mismatch as the validator writes it now: ids for the audit, codes for people."""
    return make_finding(
        finding_id=FINDING,
        record_key=LABOR,
        anomaly_type="JOB_CODE_MISMATCH",
        note="Labor charged to job J100029 operation 10, which is not routed to QC-02",
        evidence={
            "job_operation": JOB_OPERATION,
            "workcenter": WORKCENTER,
            "part": PART,
            "operation_code": "10",
            "job_no": "J100029",
            "workcenter_code": "QC-02",
        },
        suggested_correction={"action": "recode to the job operation running at this workcenter"},
        model_version="scorer-6b2c4bd848+norms-1794286800",
    )


def _read(page: str) -> str:
    """What a person reads on a page: its text but the collapsed "Plex ids" detail."""
    page = re.sub(r'<details class="plex-ids">.*?</details>', " ", page, flags=re.S)
    return re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.S)


def _page(world: World, method: str, token: str, **form: str) -> dict[str, Any]:
    event = api_event(method, token, urlencode(form) if method == "POST" else None)
    return handler(event, FakeLambdaContext(), dependencies=world.callback, reader=READER)


def test_the_link_page_names_the_job_and_workcenter_by_code_and_keeps_plex_ids_in_a_detail(world: World) -> None:
    (token,) = world.notified(notice(make_request(_mismatch(), employee_number="E00002")))
    page = _page(world, "GET", token)["body"]

    read = _read(page)
    assert PLEX_ID.findall(read) == []
    assert "<th>Job</th><td>J100029</td>" in page and "<th>Workcenter</th><td>QC-02</td>" in page
    assert "<th>Operation</th><td>10</td>" in page and "<th>Produced by</th><td>scorer + norms</td>" in page
    detail = re.search(r'<details class="plex-ids"><summary>Plex ids</summary>(.*?)</details>', page, re.S)
    assert detail, "the Plex ids detail"
    for plex_id in (LABOR, FINDING, WORKCENTER, PART, JOB_OPERATION, "scorer-6b2c4bd848+norms-1794286800"):
        assert plex_id in detail.group(1)


def test_a_duplicates_correction_keeps_the_other_entrys_id_in_the_detail(world: World) -> None:
    duplicate = make_finding(
        anomaly_type="DUPLICATE_PUNCH",
        record_key="time-clock-entries:7d00f4f0-5b6d-4e98-90c8-2891a72bffe2",
        note="Clock-in 10:03 recorded twice: the same punch as another entry (0 s apart)",
        evidence={"duplicate_of": "time-clock-entries:ad8e851a-059c-40c3-f068-96c68a1d31de", "seconds_apart": 0.0},
        suggested_correction={"action": "delete", "duplicateOf": "ad8e851a-059c-40c3-f068-96c68a1d31de"},
    )
    (token,) = world.notified(notice(make_request(duplicate)))
    page = _page(world, "GET", token)["body"]

    assert PLEX_ID.findall(_read(page)) == []
    assert "<th>Action</th><td>delete</td>" in page and "ad8e851a-059c-40c3-f068-96c68a1d31de" in page


def test_the_decision_page_says_what_was_decided_without_the_record_id(world: World) -> None:
    (token,) = world.notified(notice(make_request(_mismatch(), employee_number="E00002")))
    page = _page(world, "POST", token, action="approve")["body"]

    assert "Job code mismatch for employee E00002" in page
    assert PLEX_ID.findall(_read(page)) == []


def test_the_digest_shows_no_plex_id(world: World) -> None:
    world.notified(notice(make_request(_mismatch(), employee_number="E00002")))
    content = compose_digest(world.notifier.sent[0], READER)

    assert "job J100029 operation 10" in content.text
    for text in (content.text, _read(content.html)):
        assert PLEX_ID.findall(re.sub(r"https?://\S+", " ", text)) == []
