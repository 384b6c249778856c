"""Bounded load on the punch webhook (issue 17), run by `make bench` (never by `make test`); it prints
its figures.

The local runtime (moto, the Plex simulator, the local API gateway, every handler in this process) on
127.0.0.1 only. THREADS senders for SECONDS each post signed deliveries of one time-clock entry, every
one a different record of a generated plant, at most MAX_DELIVERIES in all: accepted per second,
latency p50 / p99 / max, and every answer that is not a 202 (a 5xx or a connection error is an error).
Then the runtime drains (punch_validator consumes the queue, at most DRAIN_TIMEOUT_S) and the state
table's validation counter (one marker per record, `DynamoDbValidationCounter`) must hold every
accepted record exactly once, with no message left on the punch queue or its DLQ.

Everything shares 2 cores and one Python process (the senders, the gateway, the handlers, moto), and
the local runtime runs one handler at a time (`invoker.INVOCATION_LOCK`): a delivery waits while a
validator batch runs. So the bench also prints the webhook handler's own time and how long the
validator held the runtime. The figure is this machine's, not the deployed design's (there each
function has its own concurrency); docs/reliability.md sets the deployed limits beside it on paper.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import requests

from infra.constants import QueueName, SecretName
from plexlabor.audit.dynamodb import DynamoDbValidationCounter
from plexlabor.plant import PlantFolder
from plexlabor.webhooks import sign
from plexlabor_dev.local.scenario import record_key_of
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

THREADS = 8
SECONDS = 60.0
MAX_DELIVERIES = 12_000
"""More than 8 threads can send in 60 s here (the plant has ~5,200 punches: its size bounds it too)."""
DRAIN_TIMEOUT_S = 900.0
PLANT = PlantSpec(employees=150, weeks=4, seed=1717, anomaly_rate=0.02)
"""~5,200 time-clock entries, few anomalies: the load is intake and validation, not approvals."""


class Senders:
    """The shared work: the next punch to send, and what each delivery got."""

    def __init__(self, punches: list[dict[str, Any]], url: str, secret: str) -> None:
        self._punches = iter(punches[:MAX_DELIVERIES])
        self._lock = threading.Lock()
        self.url, self.secret = url, secret
        self.latencies_s: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.accepted: set[str] = set()

    def _next(self) -> dict[str, Any] | None:
        with self._lock:
            return next(self._punches, None)

    def run(self, deadline: float) -> None:
        session = requests.Session()
        while time.monotonic() < deadline and (punch := self._next()) is not None:
            body = json.dumps(punch).encode()
            headers = {"Content-Type": "application/json", **sign(body, self.secret, int(time.time()))}
            started = time.perf_counter()
            try:
                status = str(session.post(self.url, data=body, headers=headers, timeout=30).status_code)
            except requests.RequestException as error:
                status = type(error).__name__
            took = time.perf_counter() - started
            with self._lock:
                self.statuses[status] += 1
                if status == "202":
                    self.latencies_s.append(took)
                    self.accepted.add(record_key_of(punch))


def _percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1] if len(values) > 1 else 0.0


def test_bench_signed_webhooks_for_a_minute_every_accepted_punch_validated(tmp_path: Path) -> None:
    generate_plant(PLANT, tmp_path)
    punches = list(PlantFolder(tmp_path).iter_raw("time-clock-entries"))
    with (
        (tmp_path / "handlers.log").open("w") as handler_output,
        LocalStack(tmp_path, approval_wait_s=3600, handler_output=handler_output) as stack,
    ):
        runtime = stack.runtime
        senders = Senders(punches, stack.punches_url, runtime.secret_value(SecretName.WEBHOOK_HMAC))
        started, wall_started = time.monotonic(), time.time()
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            for sender in [pool.submit(senders.run, started + SECONDS) for _ in range(THREADS)]:
                sender.result()
        sent_s = time.monotonic() - started
        drained_s = runtime.drain(timeout_s=DRAIN_TIMEOUT_S, settle_s=2.0)
        assert runtime.resources is not None
        counter = DynamoDbValidationCounter(runtime.resources.state_table, client=runtime.client("dynamodb"))
        validated = sum(day.validated for day in counter.days(date(2000, 1, 1), date(2099, 12, 31)))
        left = runtime.queue_depth(QueueName.PUNCH), runtime.queue_depth(QueueName.PUNCH, dlq=True)
        handler_s = sorted(i.seconds for i in runtime.invocations("punch_webhook") if i.trigger == "api")
        during = [i for i in runtime.invocations("punch_validator") if i.started < wall_started + sent_s]

    accepted = senders.statuses["202"]
    latencies = sorted(senders.latencies_s)
    errors = {status: n for status, n in senders.statuses.items() if status != "202"}
    print(
        f"\nwebhook load: {THREADS} threads x {sent_s:.0f} s, 127.0.0.1, local runtime (plant of "
        f"{len(punches)} punches)\n"
        f"  deliveries {sum(senders.statuses.values())}, accepted {accepted} ({accepted / sent_s:.1f}/s), "
        f"other answers {errors or 0}\n"
        f"  latency of accepted: p50 {_percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {_percentile(latencies, 0.99) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms\n"
        f"  punch_webhook's own time (in the handler): p50 {_percentile(handler_s, 0.5) * 1000:.0f} ms, "
        f"p99 {_percentile(handler_s, 0.99) * 1000:.0f} ms; punch_validator ran {len(during)} batches "
        f"for {sum(i.seconds for i in during):.0f} s while the senders sent (one invocation at a time locally)\n"
        f"  drained {drained_s:.0f} s after the last delivery; validated {validated} of {len(senders.accepted)} "
        f"accepted records; punch queue {left[0]}, DLQ {left[1]}"
    )
    assert accepted > 0 and errors == {}
    assert validated == len(senders.accepted) == accepted  # each record once: none lost, none twice
    assert left == (0, 0)
