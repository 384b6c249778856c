"""Unallocated time on the local runtime, from the nightly run to Plex: allocation_nightly fired for the
plant's days publishes `unallocated_time` suggestions; the person's supervisor signs in (the dev login,
over HTTP on 127.0.0.1), sees the item in the queue with its reason, and approves it; the write-back
queue's plex_writeback writes its labor entry in the stack's write mode (a custom-object record the
simulator receives) and the audit table records it with the previous values (Plex held no entry)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, OpenerDirector, Request, build_opener

import pytest

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.plant import PlantFolder
from plexlabor_dev.local.signin import LOCAL_PASSWORD
from plexlabor_dev.local.stack import LocalStack

DAYS_TRIED = 10


@pytest.fixture(scope="module")
def published(e2e_plant: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalStack, AuditEvent]]:
    """The stack, and one pending suggestion with a job to charge (allocation_nightly fired day by day)."""
    last = PlantFolder(e2e_plant).meta().end.date() - timedelta(days=1)
    log = (tmp_path_factory.mktemp("unallocated-logs") / "handlers.log").open("w", encoding="utf-8")
    with log, LocalStack(e2e_plant, handler_output=log) as stack:
        for back in range(DAYS_TRIED):
            stack.runtime.fire("allocation_nightly", detail={"day": (last - timedelta(days=back)).isoformat()})
            found = [
                e
                for e in stack.audit().by_status(AuditStatus.PENDING_APPROVAL)
                if e.payload.get("kind") == "unallocated_time" and e.payload.get("labor_entry")
            ]
            if found:
                yield stack, found[0]
                return
        pytest.fail(f"no unallocated stretch with a likely job in the plant's last {DAYS_TRIED} days")


def signed_in(stack: LocalStack, employee_id: str) -> OpenerDirector:
    """A client holding the session of the local user who is `employee_id`."""
    pool = stack.runtime.user_pool
    assert pool is not None
    username = next(user.username for user in pool.users if user.employee_id == employee_id)
    opener = build_opener(HTTPCookieProcessor(CookieJar()))
    form = urlencode({"username": username, "password": LOCAL_PASSWORD, "next": "/queue"}).encode()
    with opener.open(Request(f"{stack.runtime.api_url}/dev/login", data=form), timeout=30) as reply:
        assert reply.status == 200
    return opener


def test_an_approved_stretch_reaches_plex_as_a_labor_entry(published: tuple[LocalStack, AuditEvent]) -> None:
    stack, opening = published
    item_id, base = str(opening.finding_id), stack.runtime.api_url
    client = signed_in(stack, str(opening.supervisor_id))
    # The queue shows the item with its reason: the minutes, the job and why that job
    with client.open(f"{base}/queue?kind=unallocated_time", timeout=30) as reply:
        queue = reply.read().decode()
    assert item_id in queue
    payload = opening.payload
    reason = re.escape(f"{payload['minutes']} paid minutes") + r".*" + re.escape(f"job {payload['job_no']} op")
    assert re.search(reason + r".*their scan of it", queue, re.S)
    # Approving it from the item page
    form = urlencode({"action": "approve"}).encode()
    with client.open(Request(f"{base}/items/{item_id}", data=form, headers={"Origin": base}), timeout=30) as reply:
        assert reply.status == 200
    audit = stack.audit()

    def written() -> list[AuditEvent]:
        return [e for e in audit.for_finding(item_id) if e.event_type is AuditEventType.WRITEBACK]

    (event,) = stack.runtime.wait_for(written, timeout_s=60, what="the labor entry's write-back")
    assert event.previous_values == {"laborEntries": []}
    assert event.payload["sent"] is True and event.payload["mode"] == "custom_object"
    records = [w for w in stack.simulator.writes() if w["body"].get("reference") == item_id]
    (record,) = records
    assert record["body"]["action"] == "labor-entry-create"
    assert json.loads(record["body"]["payloadJson"]) == payload["labor_entry"]
    (decision,) = [e for e in audit.for_finding(item_id) if e.event_type is AuditEventType.DECISION]
    assert decision.status is AuditStatus.APPROVED
