"""The approval flow end to end on the local runtime: signed webhook -> validator -> finding ->
Step Functions -> approval e-mail (SES, captured) -> the supervisor's page -> decision -> write-back
to the Plex simulator; and every refusal on the way (forged, expired, reused links; Plex down).

One stack per module: the busiest day's anomalous punches are sent once, and each test takes its
own finding from that pool, so the tests do not depend on each other's order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from infra.constants import QueueName, SecretName
from plexlabor.audit.events import AuditEventType, AuditStatus
from plexlabor.audit.links import ApprovalAction, ApprovalLinkSigner
from plexlabor_dev.local.scenario import ApprovalLink, Supervisor, labelled_punches, latest_links
from plexlabor_dev.local.stack import LocalStack

WAIT_S = 120  # long enough that nothing in this module escalates while a test acts on it
MAX_RECEIVE_COUNT = 3


@pytest.fixture(scope="module")
def stack(e2e_plant: Path) -> Iterator[LocalStack]:
    with LocalStack(e2e_plant, approval_wait_s=WAIT_S, max_receive_count=MAX_RECEIVE_COUNT) as started:
        yield started


@pytest.fixture(scope="module")
def pool(stack: LocalStack, busy_days: list[date]) -> list[ApprovalLink]:
    """First-stage approval links of the busiest day's findings, one per finding, in a stable order."""
    report = stack.send_punches(labelled_punches(stack.plant_dir, busy_days[0]))
    assert report.failed == 0
    stack.runtime.drain(timeout_s=60)
    pending = {event.finding_id for event in stack.audit().findings(AuditStatus.PENDING_APPROVAL)}
    assert len(pending) >= 4, "the pool needs four findings for review"

    def every_finding_linked() -> dict[str, ApprovalLink] | None:
        found = latest_links(stack.approval_links())
        return found if set(found) >= pending else None

    links = stack.runtime.wait_for(every_finding_linked, timeout_s=60, what="a link for every pending finding")
    return sorted((links[finding_id] for finding_id in pending), key=lambda link: link.finding_id)


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    person = Supervisor()
    yield person
    person.close()


def _writes_for(stack: LocalStack, finding_id: str) -> list[dict]:
    return [write for write in stack.simulator.writes() if finding_id in json.dumps(write["body"])]


def _execution_outputs(stack: LocalStack) -> dict[str, dict]:
    """Finished approval executions: execution name (the finding id) -> output."""
    sfn = stack.runtime.client("stepfunctions")
    arn = stack.runtime.resources.state_machine_arn  # type: ignore[union-attr]
    outputs = {}
    for execution in sfn.list_executions(stateMachineArn=arn)["executions"]:
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


def test_plex_down_during_writeback_is_retried_then_dead_lettered(
    stack: LocalStack, pool: list[ApprovalLink], supervisor: Supervisor
):
    link = pool[3]
    runtime = stack.runtime
    # Given Plex answers every write with 500
    stack.simulator.set_faults(rate_500=1.0, paths=["/platform/custom-objects"])
    try:
        # When the supervisor approves
        assert supervisor.approve(link.url).status == 200
        # Then the write-back is tried max_receive_count times, lands in the DLQ, and the audit says so
        runtime.wait_for(lambda: runtime.queue_depth(QueueName.WRITEBACK, dlq=True) == 1, timeout_s=60, what="the DLQ")
        types = stack.audit().event_types(link.finding_id)
    finally:
        stack.simulator.set_faults(reset=True)
    assert types[-1] == "writeback_failed" and "writeback" not in types
    attempts = [i for i in runtime.invocations("plex_writeback") if i.failed_records]
    assert len(attempts) >= MAX_RECEIVE_COUNT
    (dead,) = runtime.dlq_bodies(QueueName.WRITEBACK)
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
