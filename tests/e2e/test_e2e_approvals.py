"""The approval flow end to end on the local runtime: signed webhook -> validator -> finding ->
Step Functions -> approval e-mail (SES, captured) -> the supervisor's page -> decision -> write-back
to the Plex simulator; and every refusal on the way (forged, expired, reused links; Plex down).

One stack per module: the busiest day's anomalous punches are sent once, and each test takes its
own finding from that pool, so the tests do not depend on each other's order. The pool is what those
punches sent for review (not whatever else the audit table holds), and a test that breaks Plex first
waits for the other tests' write-backs to finish.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from infra.constants import QueueName, SecretName
from plexlabor.audit.events import AuditEventType, AuditStatus
from plexlabor.audit.links import ApprovalAction, ApprovalLinkSigner
from plexlabor_dev.local.scenario import ApprovalLink, Supervisor, labelled_punches, latest_links, record_key_of
from plexlabor_dev.local.stack import LocalStack

WAIT_S = 120  # long enough that nothing in this module escalates while a test acts on it
MAX_RECEIVE_COUNT = 3


@pytest.fixture(scope="module")
def stack(e2e_plant: Path) -> Iterator[LocalStack]:
    with LocalStack(e2e_plant, approval_wait_s=WAIT_S, max_receive_count=MAX_RECEIVE_COUNT) as started:
        yield started


@pytest.fixture(scope="module")
def pool(stack: LocalStack, busy_days: list[date]) -> list[ApprovalLink]:
    """First-stage approval links of the findings the two busiest days' punches sent for review, one per
    finding, in a stable order (two days: a 4-week plant's early days have thin histories, whose history
    findings are trend only since the engine caps their confidence)."""
    punches = [punch for day in busy_days[:2] for punch in labelled_punches(stack.plant_dir, day)]
    _deliver(stack, punches)
    stack.runtime.drain(timeout_s=60)
    for_review = _sent_for_review(stack, punches)
    assert len(for_review) >= 4, "the pool needs four findings for review"
    unstarted = for_review - _started_approvals(stack)
    assert not unstarted, f"findings recorded for review without an approval execution: {sorted(unstarted)}"
    links = _wait_for_links(stack, for_review)
    return sorted((links[finding_id] for finding_id in for_review), key=lambda link: link.finding_id)


def _deliver(stack: LocalStack, punches: list[dict[str, Any]], attempts: int = 3) -> None:
    """Send each punch until the webhook accepts it (2xx), as Plex's retrying sender does. The local
    runtime runs one handler at a time, so a webhook can wait behind a validator batch (a cold start on
    a loaded machine) longer than the sender's timeout; a repeat is harmless (one finding per record)."""
    sender = stack.webhook_sender()
    for punch in punches:
        statuses = []
        for _ in range(attempts):
            statuses.append(sender.send(punch))
            if 200 <= statuses[-1] < 300:
                break
        else:
            raise AssertionError(f"the webhook did not accept {record_key_of(punch)}: statuses {statuses}")


def _sent_for_review(stack: LocalStack, punches: list[dict[str, Any]]) -> set[str]:
    """The findings on these punches' records that were recorded for review (pending_approval)."""
    view = stack.audit()
    sent: set[str] = set()
    for key in {record_key_of(punch) for punch in punches}:
        for event in view.history(key):
            if event.event_type is AuditEventType.FINDING and event.status is AuditStatus.PENDING_APPROVAL:
                assert event.finding_id is not None  # intake names every finding it records
                sent.add(event.finding_id)
    return sent


def _executions(stack: LocalStack) -> list[dict[str, Any]]:
    sfn = stack.runtime.client("stepfunctions")
    arn = stack.runtime.resources.state_machine_arn  # type: ignore[union-attr]
    pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=arn)
    return [execution for page in pages for execution in page["executions"]]


def _started_approvals(stack: LocalStack) -> set[str]:
    """The findings whose approval execution was started (the execution's name is the finding id)."""
    return {execution["name"] for execution in _executions(stack)}


def _wait_for_links(stack: LocalStack, finding_ids: set[str]) -> dict[str, ApprovalLink]:
    """The newest link of each of these findings, once every one has been mailed; when one never is, the
    error says where each missing finding's approval got to."""

    def every_finding_linked() -> dict[str, ApprovalLink] | None:
        found = latest_links(stack.approval_links())
        return found if set(found) >= finding_ids else None

    try:
        links: dict[str, ApprovalLink] = stack.runtime.wait_for(
            every_finding_linked, timeout_s=60, what="a link for every finding sent for review"
        )
    except TimeoutError as error:
        missing = finding_ids - set(latest_links(stack.approval_links()))
        raise AssertionError(f"{error}; missing: {_approval_state(stack, missing)}") from error
    return links


def _approval_state(stack: LocalStack, finding_ids: set[str]) -> dict[str, Any]:
    """Where these findings' approvals are: execution status, audit events, and the notify queue."""
    runtime = stack.runtime
    statuses = {execution["name"]: execution["status"] for execution in _executions(stack)}
    view = stack.audit()
    notify_runs = runtime.invocations("approval_notify")
    return {
        "findings": {
            finding_id: {"execution": statuses.get(finding_id), "audit": view.event_types(finding_id)}
            for finding_id in sorted(finding_ids)
        },
        "notify_queue": runtime.queue_depth(QueueName.NOTIFY),
        "notify_dlq": runtime.queue_depth(QueueName.NOTIFY, dlq=True),
        "notify_records": sum(run.records for run in notify_runs),
        "notify_failed_records": sum(run.failed_records for run in notify_runs),
    }


def _settle(stack: LocalStack) -> None:
    """Wait until every decided approval has run to its end (its execution finished, its write-back
    consumed), so that a test that breaks Plex cannot fail an earlier test's write-back."""
    view = stack.audit()
    decided = {
        event.finding_id for status in (AuditStatus.APPROVED, AuditStatus.REJECTED) for event in view.by_status(status)
    }
    stack.runtime.wait_for(
        lambda: decided <= set(_execution_outputs(stack)), timeout_s=60, what="the decided approvals to finish"
    )
    stack.runtime.drain(timeout_s=60)


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    person = Supervisor()
    yield person
    person.close()


def _dead_writebacks(stack: LocalStack) -> list[dict]:
    return [body for body in stack.runtime.dlq_bodies(QueueName.WRITEBACK) if isinstance(body, dict)]


def _writes_for(stack: LocalStack, finding_id: str) -> list[dict]:
    return [write for write in stack.simulator.writes() if finding_id in json.dumps(write["body"])]


def _execution_outputs(stack: LocalStack) -> dict[str, dict]:
    """Finished approval executions: execution name (the finding id) -> output."""
    sfn = stack.runtime.client("stepfunctions")
    outputs = {}
    for execution in _executions(stack):
        if execution["status"] != "RUNNING":
            described = sfn.describe_execution(executionArn=execution["executionArn"])
            outputs[execution["name"]] = json.loads(described.get("output") or "{}")
    return outputs


def test_happy_path_from_webhook_to_writeback(stack: LocalStack, pool: list[ApprovalLink], supervisor: Supervisor):
    # Given a finding the validator sent for review, and the e-mail its supervisor received
    link = pool[0]
    view = stack.audit()
    assert view.event_types(link.finding_id)[:2] == ["finding", "notification"]
    mail = next(m for m in stack.runtime.sent_emails() if link.url in m.links())
    assert mail.to and mail.to[0].endswith("@plant.example")
    # When the supervisor opens the link and approves on the page
    page = supervisor.open(link.url)
    assert page.status == 200 and page.actions == ["approve", "reject"]
    decided = supervisor.approve(link.url)
    assert decided.status == 200
    # Then the approved correction is written to Plex (custom object) and the audit tells the whole story
    stack.runtime.wait_for(lambda: _writes_for(stack, link.finding_id), timeout_s=60, what="the write-back")
    stack.runtime.wait_for(
        lambda: "writeback" in view.event_types(link.finding_id), timeout_s=60, what="the writeback event"
    )
    events = view.for_finding(link.finding_id)
    assert [e.event_type.value for e in events] == ["finding", "notification", "decision", "writeback"]
    decision, writeback = events[2], events[3]
    assert decision.status is AuditStatus.APPROVED and decision.actor == link.supervisor_id
    assert writeback.status is AuditStatus.WRITTEN and writeback.payload.get("mode") == "custom_object"
    (write,) = _writes_for(stack, link.finding_id)
    assert write["path"].startswith("/platform/custom-objects/v1/data/")
    assert stack.runtime.wait_for(lambda: _execution_outputs(stack).get(link.finding_id), timeout_s=60)["outcome"] == (
        "approved"
    )


def test_reject_records_the_reason_and_writes_nothing(
    stack: LocalStack, pool: list[ApprovalLink], supervisor: Supervisor
):
    link = pool[1]
    # A rejection without a reason is refused and changes nothing
    assert supervisor.submit(link.url, "reject", "").status == 400
    assert stack.audit().event_types(link.finding_id) == ["finding", "notification"]
    # With a reason it is recorded, as training data, and nothing goes to Plex
    assert supervisor.reject(link.url, "Badge reader was down; the entry is right").status == 200
    decision = next(e for e in stack.audit().for_finding(link.finding_id) if e.event_type is AuditEventType.DECISION)
    assert decision.status is AuditStatus.REJECTED
    assert decision.payload["reason"] == "Badge reader was down; the entry is right"
    assert stack.runtime.wait_for(lambda: _execution_outputs(stack).get(link.finding_id), timeout_s=60)["outcome"] == (
        "rejected"
    )
    stack.runtime.drain(timeout_s=60)
    assert _writes_for(stack, link.finding_id) == []


def test_forged_expired_and_reused_links_are_refused(
    stack: LocalStack, pool: list[ApprovalLink], supervisor: Supervisor
):
    link = pool[2]
    view = stack.audit()
    before = view.event_types(link.finding_id)
    payload, signature = link.token.split(".")
    tampered_claims = f"{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    other_key = ApprovalLinkSigner(b"k" * 32).issue(
        link.finding_id, link.supervisor_id, ["approve"], timedelta(hours=1)
    )
    real_key = stack.runtime.secret_value(SecretName.APPROVAL_SIGNING_KEY).encode()
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    expired = ApprovalLinkSigner(real_key, clock=lambda: two_hours_ago).issue(
        link.finding_id, link.supervisor_id, [ApprovalAction.APPROVE], timedelta(hours=1)
    )
    base = link.url.rsplit("/", 1)[0]
    # Forged (changed claims, or signed with another key): 403, whether viewed or posted
    for token in (tampered_claims, other_key, "not-a-token"):
        assert supervisor.open(f"{base}/{token}").status == 403
        assert supervisor.submit(f"{base}/{token}", "approve").status == 403
    # Expired (a genuine signature, past its expiry): 410
    assert supervisor.open(f"{base}/{expired}").status == 410
    assert supervisor.submit(f"{base}/{expired}", "approve").status == 410
    assert view.event_types(link.finding_id) == before  # nothing changed
    # Used once, then reused: the second POST (and a later view) is 410 and records nothing
    assert supervisor.approve(link.url).status == 200
    assert supervisor.submit(link.url, "reject", "changed my mind").status == 410
    assert supervisor.open(link.url).status == 410
    decisions = [e for e in view.for_finding(link.finding_id) if e.event_type is AuditEventType.DECISION]
    assert [d.status for d in decisions] == [AuditStatus.APPROVED]
    # and the one approval is written back (here, before another test can break Plex under it)
    stack.runtime.wait_for(
        lambda: "writeback" in view.event_types(link.finding_id), timeout_s=60, what="the writeback event"
    )


def test_plex_down_during_writeback_is_retried_then_dead_lettered(
    stack: LocalStack, pool: list[ApprovalLink], supervisor: Supervisor
):
    link = pool[3]
    runtime = stack.runtime
    _settle(stack)  # no other test's write-back is still on its way to Plex
    # Given Plex answers every write with 500
    stack.simulator.set_faults(rate_500=1.0, paths=["/platform/custom-objects"])
    try:
        # When the supervisor approves
        assert supervisor.approve(link.url).status == 200
        # Then the write-back is tried max_receive_count times, lands in the DLQ, and the audit says so
        runtime.wait_for(
            lambda: any(
                dead["request"]["finding"]["finding_id"] == link.finding_id for dead in _dead_writebacks(stack)
            ),
            timeout_s=60,
            what="the write-back in the DLQ",
        )
        types = stack.audit().event_types(link.finding_id)
    finally:
        stack.simulator.set_faults(reset=True)
    assert types[-1] == "writeback_failed" and "writeback" not in types
    attempts = [i for i in runtime.invocations("plex_writeback") if i.failed_records]
    assert len(attempts) >= MAX_RECEIVE_COUNT
    (dead,) = _dead_writebacks(stack)
    assert dead["request"]["finding"]["finding_id"] == link.finding_id
    failed = stack.audit().for_finding(link.finding_id)[-1]
    assert failed.status is AuditStatus.WRITE_FAILED
    assert _writes_for(stack, link.finding_id) == []  # never half-written


def test_duplicate_webhook_delivery_yields_one_finding(stack: LocalStack, busy_days: list[date]):
    # Given the anomalous punches of another day, each delivered twice (a retrying sender)
    punches = labelled_punches(stack.plant_dir, busy_days[2])
    assert punches
    started = time.monotonic()
    report = stack.send_punches([punch for punch in punches for _ in range(2)])
    assert report.sent == 2 * len(punches)
    stack.runtime.drain(timeout_s=60)
    # Then each record has at most one finding per anomaly type, and one approval per finding
    record_keys = {f"{'time-clock-entries' if 'clockinTime' in p else 'labor-entries'}:{p['id']}" for p in punches}
    findings = [e for key in record_keys for e in stack.audit().history(key) if e.event_type is AuditEventType.FINDING]
    assert findings, "the day's anomalies produced findings"
    per_type = [(e.record_key, e.payload.get("anomaly_type")) for e in findings]
    assert len(per_type) == len(set(per_type))
    executions = stack.runtime.client("stepfunctions").list_executions(
        stateMachineArn=stack.runtime.resources.state_machine_arn  # type: ignore[union-attr]
    )["executions"]
    names = [e["name"] for e in executions]
    assert len(names) == len(set(names))
    assert {e.finding_id for e in findings if e.status is AuditStatus.PENDING_APPROVAL} <= set(names)
    assert time.monotonic() - started < 30
