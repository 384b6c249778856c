"""A consumer killed mid-batch (SIGKILL: no exception, no cleanup, as a Lambda's sandbox dies on a crash or
an out-of-memory) on the local runtime's queues (a moto server and the Plex simulator on 127.0.0.1); the
consumer runs in a process of its own (`tests.fault_injection.consume`), is killed, then started again.

- punch_validator, killed while a batch is half done (some of its records counted, the batch not
  finished): when the queue has drained, every accepted punch is validated exactly once (the state table
  counts each record once, no record's finding is recorded twice) or sits in the DLQ (none here), every
  review finding has exactly one approval execution, nothing is left on the queue;
- plex_writeback, killed once Plex has applied a write and before its message is done: when the queue
  has drained, Plex applied each approval's write once (by its Idempotency-Key), each approval has one
  `writeback` event, a field update with the values it replaced, nothing is left on the queue or its DLQ.

As on AWS, the queue's visibility timeout outlasts the function's timeout (the time the handler's context
says it has left), so a record the killed process left "in progress" in the idempotency table has expired
when SQS brings it back.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO

import pytest
import requests

from infra.constants import QueueName
from plexlabor.audit import AuditEventType, AuditStatus
from plexlabor.audit.dynamodb import DynamoDbValidationCounter
from plexlabor.plex.transport import DEADLINE_MARGIN_S
from plexlabor_dev.local.scenario import busiest_days, day_replay, labelled_punches, latest_links, record_key_of
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec
from tests.fault_injection import BATCH_DONE, BATCH_STARTED
from tests.support import ROOT, generated_plant

PLANT = PlantSpec(employees=12, weeks=2, seed=11, anomaly_rate=0.1)
APPROVAL_PLANT = PlantSpec(employees=20, weeks=4, seed=7, anomaly_rate=0.1)
"""As the end-to-end tests' plant: its busiest day has 4-6 review findings."""
WRITE_KEY_PREFIX = "plexlabor-writeback-"
"""A write-back's Idempotency-Key: this and the finding id (`approval.writeback`)."""
TIMEOUT_MS = 2_000
"""The validator's timeout as its context tells it: a record left in progress expires this long after it began."""
VISIBILITY_S = 4
"""The punch queue's visibility timeout: longer than TIMEOUT_MS, as CDK sets it (6 x the function's timeout)."""
WRITEBACK_TIMEOUT_MS = int((DEADLINE_MARGIN_S + 2) * 1000)
"""plex_writeback's timeout as its context tells it: 2 s for Plex once the Plex client keeps its margin (with
TIMEOUT_MS it made no Plex call at all)."""
WRITEBACK_VISIBILITY_S = 8
"""The write-back queue's visibility timeout: longer than WRITEBACK_TIMEOUT_MS."""
ATTEMPTS = 4
"""Batches watched for a kill that lands mid-batch (one is enough; a batch can finish before it is caught)."""
WAIT_S = 120


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_plant(tmp_path_factory, "crash", PLANT)


class Consumer:
    """A consuming function in a child process on its queue of the runtime; its `batch`/`done` lines
    read by a thread."""

    def __init__(
        self,
        stack: LocalStack,
        log: IO[str],
        function: str = "punch_validator",
        queue_name: QueueName = QueueName.PUNCH,
        timeout_ms: int = TIMEOUT_MS,
    ) -> None:
        runtime = stack.runtime
        assert runtime.resources is not None
        environment = {**os.environ, **runtime.environment_for(function)}
        environment["PYTHONPATH"] = os.pathsep.join(str(ROOT / part) for part in (".", "layers/core", "dev"))
        command = [
            sys.executable,
            "-m",
            "tests.fault_injection",
            function,
            runtime.resources.queue_urls[queue_name],
            runtime.resources.queue_arns[queue_name],
            str(timeout_ms),
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=log, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(log,), daemon=True).start()

    def _read(self, log: IO[str]) -> None:
        """The consumer's `batch`/`done` lines to `lines`; the handler's own log lines to `log`."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith((BATCH_STARTED, BATCH_DONE)):
                self.lines.put(line.strip())
            else:
                log.write(line)

    def next_line(self, timeout_s: float) -> str | None:
        try:
            return self.lines.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def _validated(counter: DynamoDbValidationCounter) -> int:
    return sum(day.validated for day in counter.days(date(2000, 1, 1), date(2099, 12, 31)))


def _kill_mid_batch(stack: LocalStack, counter: DynamoDbValidationCounter, log: IO[str]) -> tuple[int, int]:
    """Start the consumer and kill it once a batch has counted some of its records but not all; (records
    counted of that batch, its size). Another batch is watched if one finishes before the kill."""
    consumer = Consumer(stack, log)
    try:
        for _ in range(ATTEMPTS):
            line = consumer.next_line(WAIT_S)
            assert line and line.startswith(BATCH_STARTED), line
            size, before = int(line.split()[1]), _validated(counter)
            deadline = time.monotonic() + WAIT_S
            while time.monotonic() < deadline:
                counted = _validated(counter) - before
                if 0 < counted < size:
                    consumer.kill()
                    return counted, size
                if consumer.lines.qsize():  # `done`: the batch finished before it was caught
                    assert consumer.next_line(1) == f"{BATCH_DONE} {size}"
                    break
                time.sleep(0.01)
        pytest.fail(f"no kill landed mid-batch in {ATTEMPTS} batches")
    finally:
        if consumer.process.poll() is None:
            consumer.kill()


def _in_progress(stack: LocalStack) -> int:
    """Records the killed process left "in progress" in the idempotency table (Powertools' marker)."""
    assert stack.runtime.resources is not None
    table = stack.runtime.resources.idempotency_table
    items = stack.runtime.client("dynamodb").scan(TableName=table)["Items"]
    return sum(1 for item in items if item.get("status", {}).get("S") == "INPROGRESS")


def _drained(stack: LocalStack, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while stack.runtime.queue_depth(QueueName.PUNCH) and time.monotonic() < deadline:
        time.sleep(0.2)


@pytest.fixture
def stack(plant: Path) -> Iterator[LocalStack]:
    with LocalStack(plant, approval_wait_s=3600, start_pollers=False, visibility_timeout_s=VISIBILITY_S) as started:
        yield started


def test_the_validator_killed_mid_batch_validates_every_accepted_punch_once(
    stack: LocalStack, plant: Path, tmp_path: Path
) -> None:
    runtime = stack.runtime
    assert runtime.resources is not None
    counter = DynamoDbValidationCounter(runtime.resources.state_table, client=runtime.client("dynamodb"))
    day = busiest_days(plant)[0][0]
    punches = day_replay(plant, day).punches
    assert len(punches) > 20, "more than two batches"
    assert stack.send_punches(punches).failed == 0
    accepted = len(punches)

    with (tmp_path / "consumer.log").open("w", encoding="utf-8") as log:
        # When the validator is killed while a batch is half done, then started again
        counted, size = _kill_mid_batch(stack, counter, log)
        assert runtime.queue_depth(QueueName.PUNCH) > 0
        stranded = _in_progress(stack)
        restarted = Consumer(stack, log)
        try:
            _drained(stack, WAIT_S)
        finally:
            restarted.kill()
    print(f"killed after {counted} of a batch of {size} ({stranded} left in progress); {accepted} punches accepted")

    # Then every accepted punch was validated once (or dead-lettered), each finding recorded once
    dead = runtime.queue_depth(QueueName.PUNCH, dlq=True)
    assert runtime.queue_depth(QueueName.PUNCH) == 0
    assert (dead, _validated(counter)) == (0, accepted), (dead, _validated(counter), accepted)
    audit = stack.audit()
    findings = [e for p in punches for e in audit.history(record_key_of(p)) if e.event_type is AuditEventType.FINDING]
    assert findings, "the busy day has findings"
    twice = {finding: n for finding, n in Counter(e.finding_id for e in findings).items() if n > 1}
    assert not twice, twice
    # and every review finding has one approval execution
    executions = runtime.client("stepfunctions").list_executions(stateMachineArn=runtime.resources.state_machine_arn)[
        "executions"
    ]
    names = Counter(execution["name"] for execution in executions)
    review = {e.finding_id for e in findings if e.status is AuditStatus.PENDING_APPROVAL}
    assert set(names) == review and all(n == 1 for n in names.values()), (names, review)


@pytest.fixture
def approving_stack(e2e_like_plant: Path) -> Iterator[LocalStack]:
    """Every consumer running in the runtime but plex_writeback: approved findings wait on the write-back queue."""
    with LocalStack(e2e_like_plant, approval_wait_s=3600, visibility_timeout_s=WRITEBACK_VISIBILITY_S) as started:
        started.runtime.pollers.pop("plex_writeback").stop()
        yield started


@pytest.fixture(scope="module")
def e2e_like_plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_plant(tmp_path_factory, "approval", APPROVAL_PLANT)


def _approve_a_busy_day(stack: LocalStack, plant: Path) -> list[str]:
    """A busy day's punches with anomalies delivered, each review finding approved through its mailed link;
    the approved findings, once their write-back messages are on the queue."""
    day = busiest_days(plant)[0][0]
    assert stack.send_punches(labelled_punches(plant, day)).failed == 0
    stack.runtime.drain(timeout_s=WAIT_S)
    review = {e.finding_id for e in stack.audit().by_status(AuditStatus.PENDING_APPROVAL)}
    deadline = time.monotonic() + WAIT_S  # Step Functions (moto's thread) sends the notify message a moment later
    while len(links := latest_links(stack.approval_links())) < len(review) and time.monotonic() < deadline:
        time.sleep(0.2)
        stack.runtime.drain(timeout_s=WAIT_S)
    assert review and set(links) == review, (review, set(links))
    for link in links.values():
        answer = requests.post(link.url, data={"action": "approve"}, timeout=60)
        assert answer.status_code == 200, answer.status_code
    deadline = time.monotonic() + WAIT_S
    while stack.runtime.queue_depth(QueueName.WRITEBACK) < len(links) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stack.runtime.queue_depth(QueueName.WRITEBACK) == len(links)
    return sorted(links)


def _kill_mid_write(stack: LocalStack, log: IO[str], waiting: int) -> bool:
    """Start plex_writeback and kill it as soon as Plex has applied a write, before its message is done (the
    message still on the queue); whether its `writeback` event was recorded by then."""
    for _ in range(ATTEMPTS):
        applied = len(stack.simulator.writes())
        consumer = Consumer(stack, log, "plex_writeback", QueueName.WRITEBACK, WRITEBACK_TIMEOUT_MS)
        try:
            deadline = time.monotonic() + WAIT_S
            while len(stack.simulator.writes()) == applied and time.monotonic() < deadline:
                time.sleep(0.005)
            consumer.kill()
        finally:
            if consumer.process.poll() is None:
                consumer.kill()
        finding = str(stack.simulator.writes()[-1]["idempotencyKey"]).removeprefix(WRITE_KEY_PREFIX)
        recorded = any(e.event_type is AuditEventType.WRITEBACK for e in stack.audit().for_finding(finding))
        if stack.runtime.queue_depth(QueueName.WRITEBACK) == waiting:
            return recorded
        waiting = stack.runtime.queue_depth(QueueName.WRITEBACK)  # that one finished first: watch the next
    pytest.fail(f"no kill landed between a write and its message's end in {ATTEMPTS} tries")


def test_the_write_back_killed_after_plex_applied_a_write_writes_each_approval_once(
    approving_stack: LocalStack, e2e_like_plant: Path, tmp_path: Path
) -> None:
    stack = approving_stack
    approved = _approve_a_busy_day(stack, e2e_like_plant)
    with (tmp_path / "consumer.log").open("w", encoding="utf-8") as log:
        # When plex_writeback is killed once Plex has applied a write, before the message is done; then started again
        recorded = _kill_mid_write(stack, log, len(approved))
        restarted = Consumer(stack, log, "plex_writeback", QueueName.WRITEBACK, WRITEBACK_TIMEOUT_MS)
        try:
            deadline = time.monotonic() + WAIT_S
            while stack.runtime.queue_depth(QueueName.WRITEBACK) and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            restarted.kill()
    posts = sum(1 for r in stack.simulator.requests() if r["method"] == "POST" and "/custom-objects/" in r["path"])
    state = "recorded" if recorded else "not recorded yet"
    print(f"killed after a write ({state}); {len(approved)} approved, {posts} write POSTs")

    # Then each approval was written once, its write-back recorded once with the values it replaced
    assert stack.runtime.queue_depth(QueueName.WRITEBACK) == 0
    assert stack.runtime.queue_depth(QueueName.WRITEBACK, dlq=True) == 0
    applied = Counter(str(write["idempotencyKey"]) for write in stack.simulator.writes())
    assert len(applied) == len(approved) and all(n == 1 for n in applied.values()), applied
    kinds: Counter[str] = Counter()
    for finding in approved:
        written = [e for e in stack.audit().for_finding(finding) if e.event_type is AuditEventType.WRITEBACK]
        assert len(written) == 1, (finding, written)
        kinds[str(written[0].payload.get("kind"))] += 1
        # a suggestion record is new in Plex (it replaces nothing); a field update keeps what it replaced
        assert written[0].payload.get("kind") == "suggestion" or written[0].previous_values, written[0]
    print(f"write-backs by kind: {dict(kinds)}")
