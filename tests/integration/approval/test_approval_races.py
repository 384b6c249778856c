"""Approve and expire racing on the same request, on moto with the approval ASL really running: the
supervisor approves around the moment the request's wait runs out, while approval_notify consumes the
expiry. Whatever the interleaving, the request ends in exactly one terminal state: approved (one
decision, one write-back message, the execution says approved) or expired (410 to the supervisor, no
decision, nothing to write back)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from approval_aws import SUPERVISORS, Stack

from tests.support import make_finding, make_request

RECORD_KEY = "time-clock-entries:T0000002"
WAIT_S = 3
CLOSING = ("decision", "expired")


@pytest.mark.parametrize("offset_s", [0.0, 3.0, 4.5], ids=lambda s: f"approve-at-{s}s")
def test_approve_and_expire_racing_end_in_exactly_one_terminal_state(stack: Stack, offset_s: float) -> None:
    finding = make_finding(finding_id=f"f-race{int(offset_s * 10):020d}", record_key=RECORD_KEY)
    finding = finding.model_copy(update={"suggested_correction": {"clockoutTime": "2026-03-02T14:07:00.0000000Z"}})
    execution = stack.start(make_request(finding, wait_seconds=WAIT_S))
    assert stack.notify() >= 1  # the mail (on a loaded machine, the expiry may come in the same batch)
    [token] = stack.links_for(SUPERVISORS["E0001"])
    notified_at = time.monotonic()

    def approve() -> int:
        time.sleep(max(0.0, notified_at + offset_s - time.monotonic()))
        return int(stack.decide(token, action="approve")["statusCode"])

    with ThreadPoolExecutor(max_workers=2) as pool:
        decided = pool.submit(approve)
        expiries = pool.submit(stack.notify, WAIT_S + 4)  # the expiry, if the state machine sends one
        status = decided.result()
        expiries.result()

    output = json.loads(stack.wait_for_execution(execution)["output"])
    while stack.notify(wait_s=0.5):  # anything the state machine sent late
        pass
    closing = [event for event in stack.story(RECORD_KEY) if event in CLOSING]
    print(f"approve at {offset_s} s: {status}, {closing}, execution {output['outcome']}")
    assert len(closing) == 1
    if closing == ["decision"]:
        assert status == 200 and output["outcome"] == "approved"
        assert stack.depth("writeback") == 1
    else:
        assert status == 410 and output["outcome"] == "expired"
        assert stack.depth("writeback") == 0
