"""A consumer killed mid-batch (SIGKILL: no exception, no cleanup, as a Lambda's sandbox dies on a crash or an
out-of-memory) on the local runtime's queues (a moto server and the Plex simulator on 127.0.0.1): a busy
day's punches are delivered by signed webhook, punch_validator runs in a process of its own
(`tests.fault_injection.consume`) and is killed while a batch is half done (some of its records counted,
the batch not finished), then started again. When the queue has drained, the invariants hold:

- every accepted punch is validated exactly once (the state table counts each record once, and no
  record's finding is recorded twice), or sits in the DLQ (none here);
- every review finding has exactly one approval execution, named by the finding;
- nothing is left on the punch queue.

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

from infra.constants import QueueName
from plexlabor.audit import AuditEventType, AuditStatus
from plexlabor.audit.dynamodb import DynamoDbValidationCounter
from plexlabor_dev.local.scenario import busiest_days, day_replay, record_key_of
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from tests.fault_injection import BATCH_DONE, BATCH_STARTED
from tests.support import ROOT

PLANT = PlantSpec(employees=12, weeks=2, seed=11, anomaly_rate=0.1)
TIMEOUT_MS = 2_000
"""The validator's timeout as its context tells it: a record left in progress expires this long after it began."""
VISIBILITY_S = 4
"""The punch queue's visibility timeout: longer than TIMEOUT_MS, as CDK sets it (6 x the function's timeout)."""
ATTEMPTS = 4
"""Batches watched for a kill that lands mid-batch (one is enough; a batch can finish before it is caught)."""
WAIT_S = 120


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash-plant")
    generate_plant(PLANT, path)
    return path


class Consumer:
    """punch_validator in a child process on the runtime's punch queue; its `batch`/`done` lines read
    by a thread."""

    def __init__(self, stack: LocalStack, log: IO[str]) -> None:
        runtime = stack.runtime
        assert runtime.resources is not None
        environment = {**os.environ, **runtime.environment_for("punch_validator")}
        environment["PYTHONPATH"] = os.pathsep.join(str(ROOT / part) for part in (".", "layers/core", "dev"))
        command = [
            sys.executable,
            "-m",
            "tests.fault_injection",
            "punch_validator",
            runtime.resources.queue_urls[QueueName.PUNCH],
            runtime.resources.queue_arns[QueueName.PUNCH],
            str(TIMEOUT_MS),
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
