"""Faults injected into every AWS client of the process (tests only): an operation answers with an
error code its next N calls, as a throttled or unavailable service would, then works again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError


@contextmanager
def failing(operation: str, times: int, code: str = "ThrottlingException") -> Iterator[Counter[str]]:
    """Every AWS client answers `operation` (e.g. "TransactWriteItems") with `code` its next `times`
    calls; yields the count of failures injected so far."""
    original: Callable[..., Any] = BaseClient._make_api_call  # type: ignore[attr-defined]
    injected: Counter[str] = Counter()

    def call(client: BaseClient, name: str, params: dict[str, Any]) -> Any:
        if name == operation and injected[name] < times:
            injected[name] += 1
            error = {"Error": {"Code": code, "Message": f"injected: {operation} {code}"}}
            raise ClientError(error, name)  # type: ignore[arg-type]
        return original(client, name, params)

    BaseClient._make_api_call = call  # type: ignore[attr-defined,method-assign]
    try:
        yield injected
    finally:
        BaseClient._make_api_call = original  # type: ignore[attr-defined,method-assign]


BATCH_STARTED = "batch"
BATCH_DONE = "done"


def consume(function: str, queue_url: str, queue_arn: str, timeout_ms: int) -> None:
    """Feed a queue to `functions.<function>.handler` for ever, as Lambda's SQS event source does (the
    local runtime's `QueuePoller`: batches of the function's batch size, the failed ones left to come
    back); for a consumer run in a process of its own and killed (SIGKILL) mid-batch. The AWS and
    function settings come from the environment. Prints `batch <n>` before a batch of n messages and
    `done <n>` after it, for the test that kills it; `timeout_ms` is the time the handler's context says
    it has left (the Lambda timeout)."""
    import importlib
    import os

    import boto3

    from infra.function_specs import FUNCTION_SPECS
    from plexlabor_dev.local.sqs import QueuePoller
    from tests.support import FakeLambdaContext

    handler = importlib.import_module(f"functions.{function}.handler").handler

    def invoke(name: str, event: dict[str, Any], records: int) -> Any:
        print(BATCH_STARTED, records, flush=True)
        result = handler(event, FakeLambdaContext(f"plexlabor-local-{name}", timeout_s=timeout_ms / 1000))
        print(BATCH_DONE, records, flush=True)
        return result

    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])
    poller = QueuePoller(
        sqs=sqs,
        function=function,
        queue_url=queue_url,
        queue_arn=queue_arn,
        region=os.environ["AWS_REGION"],
        invoke=invoke,
        batch_size=next(spec.batch_size for spec in FUNCTION_SPECS if spec.name == function),
    )
    while True:
        poller.poll_once()


if __name__ == "__main__":  # python -m tests.fault_injection FUNCTION QUEUE_URL QUEUE_ARN TIMEOUT_MS
    import sys

    consume(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
