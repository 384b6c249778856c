"""`plexlabor dlq list` and `plexlabor dlq redrive QUEUE`: the work queues' dead-letter queues, and
moving their messages back once the cause is fixed.

Where the queues are: `--local` reads the running `plexlabor local up` (its state file: queue URLs,
moto's endpoint and region); `--stack NAME` reads a deployed stack's outputs (`PunchQueueUrl`,
`NotifyQueueUrl`, ...: one per work queue). QUEUE is a work queue's name (each of
`infra.constants.QueueName`: `plexlabor dlq list --help` lists them) or a queue URL. A queue's DLQ is
always read from its `RedrivePolicy`, the one place it is set.

How messages move back:
- on AWS, an SQS **message move task** (`StartMessageMoveTask` from the DLQ to its source queue, at
  `--rate` messages a second if given); SQS moves them in the background and `dlq list` shows the
  running task and its progress;
- moto, which the local runtime runs, has no message move tasks, so `--local` (or `--by-hand`) moves
  them here: receive up to 10, send them to the source queue with their message attributes, delete from
  the DLQ those that were sent; at most `--max` messages, until a receive finds none. A crash between
  the send and the delete leaves the message in both queues: it can be handled twice, never lost, and
  every consumer is idempotent (punch_validator per record, approval_notify by stable event ids,
  plex_writeback per finding).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urlparse

from plexlabor_dev.local.project import repo_root

repo_root()  # `infra` lives at the root of the checkout, not in an installed package

from infra.constants import QueueName  # noqa: E402

BATCH = 10
"""SQS's most messages per receive, send batch and delete batch."""
VISIBILITY_S = 60
"""How long a message being moved by hand stays hidden in the DLQ (the send and the delete take ms)."""
DEFAULT_MAX = 10_000


@dataclass(frozen=True)
class DeadLetters:
    """A work queue and its dead-letter queue."""

    name: str
    source_url: str
    source_arn: str
    dlq_url: str
    dlq_arn: str


@dataclass(frozen=True)
class Moved:
    moved: int
    unsent: int
    """Messages the source queue refused: they stay in the DLQ."""


def dead_letters(sqs: Any, name: str, source_url: str) -> DeadLetters:
    """The queue at `source_url` and its DLQ, from its `RedrivePolicy` (ValueError: it has none)."""
    attributes = sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["QueueArn", "RedrivePolicy"])
    found = attributes.get("Attributes", {})
    policy = found.get("RedrivePolicy")
    if not policy:
        raise ValueError(f"queue {name} ({source_url}) has no dead-letter queue (no RedrivePolicy)")
    dlq_arn = json.loads(policy)["deadLetterTargetArn"]
    _, _, _, _, account, dlq_name = dlq_arn.split(":", 5)
    dlq_url = sqs.get_queue_url(QueueName=dlq_name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    return DeadLetters(name, source_url, found["QueueArn"], dlq_url, dlq_arn)


def depth(sqs: Any, queue_url: str) -> tuple[int, int]:
    """(visible, in flight) messages of a queue (SQS's approximate counts)."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    found = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return int(found.get(names[0], 0)), int(found.get(names[1], 0))


def start_move_task(sqs: Any, queues: DeadLetters, rate: int | None = None) -> str:
    """An SQS message move task from the DLQ back to its source queue; its handle."""
    request: dict[str, Any] = {"SourceArn": queues.dlq_arn, "DestinationArn": queues.source_arn}
    if rate is not None:
        request["MaxNumberOfMessagesPerSecond"] = rate
    return str(sqs.start_message_move_task(**request)["TaskHandle"])


def move_by_hand(sqs: Any, queues: DeadLetters, limit: int = DEFAULT_MAX) -> Moved:
    """Move up to `limit` messages from the DLQ to the source queue here (where there are no move
    tasks): each batch is sent, then deleted from the DLQ only for the messages the send accepted."""
    moved = unsent = 0
    while moved + unsent < limit:
        received = sqs.receive_message(
            QueueUrl=queues.dlq_url,
            MaxNumberOfMessages=min(BATCH, limit - moved - unsent),
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["MessageGroupId"],
            VisibilityTimeout=VISIBILITY_S,
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not received:
            break
        entries = [{"Id": str(n), "MessageBody": m["Body"], **_attributes(m)} for n, m in enumerate(received)]
        answer = sqs.send_message_batch(QueueUrl=queues.source_url, Entries=entries)
        sent = {int(entry["Id"]) for entry in answer.get("Successful", [])}
        unsent += len(received) - len(sent)
        if sent:
            done = [{"Id": str(n), "ReceiptHandle": received[n]["ReceiptHandle"]} for n in sorted(sent)]
            sqs.delete_message_batch(QueueUrl=queues.dlq_url, Entries=done)
            moved += len(sent)
    return Moved(moved, unsent)


def _attributes(message: Mapping[str, Any]) -> dict[str, Any]:
    """A moved message's attributes; from a FIFO DLQ also its group, deduplicated by its DLQ message id (its own id
    may still be in the source queue's 5-minute deduplication window)."""
    found = message.get("MessageAttributes")
    attributes: dict[str, Any] = {"MessageAttributes": found} if found else {}
    group = message.get("Attributes", {}).get("MessageGroupId")
    if group:
        attributes |= {"MessageGroupId": group, "MessageDeduplicationId": message["MessageId"]}
    return attributes


def running_task(sqs: Any, queues: DeadLetters) -> str | None:
    """What the newest message move task of the DLQ says ("RUNNING, 12 of 40 moved"), or None."""
    tasks = sqs.list_message_move_tasks(SourceArn=queues.dlq_arn, MaxResults=1).get("Results", [])
    if not tasks:
        return None
    task = tasks[0]
    status = task.get("Status", "?")
    moved, total = task.get("ApproximateNumberOfMessagesMoved", 0), task.get("ApproximateNumberOfMessagesToMove")
    failure = f" ({task['FailureReason']})" if task.get("FailureReason") else ""
    return f"{status}, {moved} of {total if total is not None else '?'} moved{failure}"


# -- the commands ------------------------------------------------------------------------------------


def _client_and_queues(args: argparse.Namespace) -> tuple[Any, dict[str, str]]:
    """An SQS client and the work queues' URLs by name, from the local runtime or a stack."""
    import boto3

    if args.local:
        from plexlabor_dev.local.state import read_state

        state = read_state()
        sqs = boto3.client(
            "sqs",
            region_name=state.region,
            endpoint_url=state.urls["moto"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        return sqs, dict(state.queues)
    if not args.stack:
        _, url = _chosen(args.queue, {}) if args.queue else _no_queues()  # before making a client
        return _aws_client("sqs", _region_of(url)), {}
    cloudformation = _aws_client("cloudformation", None)
    outputs = cloudformation.describe_stacks(StackName=args.stack)["Stacks"][0].get("Outputs", [])
    values = {output["OutputKey"]: output["OutputValue"] for output in outputs}
    keys = {name.value: f"{name.value.capitalize()}QueueUrl" for name in QueueName}
    return _aws_client("sqs", None), {name: values[key] for name, key in keys.items() if key in values}


def _region_of(url: str) -> str | None:
    """The region in an SQS queue URL (`https://sqs.<region>.amazonaws.com/...`, or the legacy
    `https://<region>.queue.amazonaws.com/...`); None for any other host."""
    parts = (urlparse(url).hostname or "").split(".")
    if len(parts) >= 4 and parts[0] == "sqs" and parts[-2:] == ["amazonaws", "com"]:
        return parts[1]
    if len(parts) == 4 and parts[1:] == ["queue", "amazonaws", "com"]:
        return parts[0]
    return None


def _aws_client(service: str, region: str | None) -> Any:
    """A client in the configured region, else `region`; a clear error when there is neither."""
    import boto3

    session = boto3.session.Session()
    chosen = session.region_name or region
    if chosen is None:
        raise ValueError("no AWS region: set AWS_DEFAULT_REGION (e.g. us-east-1), or give QUEUE as an SQS queue URL")
    return session.client(service, region_name=chosen)


def _aws_errors(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """One line instead of a traceback when AWS refuses or cannot be reached (exit 1)."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return command(args)
        except (BotoCoreError, ClientError) as error:
            print(f"plexlabor: error: AWS: {error}", file=sys.stderr)
            return 1

    return run


def _no_queues() -> NoReturn:
    raise ValueError("no queues to list: give --local or --stack NAME, or QUEUE as a queue URL")


def _chosen(queue: str, known: Mapping[str, str]) -> tuple[str, str]:
    """(name, URL) of QUEUE: a queue URL, or a name the local runtime or stack knows."""
    if queue.startswith(("https://", "http://")):
        return queue.rstrip("/").rsplit("/", 1)[-1], queue
    if queue in known:
        return queue, known[queue]
    names = ", ".join(sorted(known)) or "none: give --local or --stack NAME, or QUEUE as a queue URL"
    raise ValueError(f"QUEUE {queue!r} is not a work queue here (known: {names})")


@_aws_errors
def list_command(args: argparse.Namespace) -> int:
    sqs, known = _client_and_queues(args)
    chosen = dict([_chosen(args.queue, known)]) if args.queue else known
    if not chosen:
        _no_queues()
    for name, url in sorted(chosen.items()):
        queues = dead_letters(sqs, name, url)
        visible, in_flight = depth(sqs, queues.dlq_url)
        task = None if args.local or args.by_hand else running_task(sqs, queues)
        line = f"{name}: {visible} in the DLQ ({in_flight} in flight), {queues.dlq_url}"
        print(line + (f"; move task {task}" if task else ""))
    return 0


MAX_MOVE_RATE = 500
"""SQS's bound on a message move task's MaxNumberOfMessagesPerSecond."""


@_aws_errors
def redrive_command(args: argparse.Namespace) -> int:
    if args.max is not None and args.max < 1:
        raise ValueError(f"--max: move at least 1 message, not {args.max}")
    if args.rate is not None and not 1 <= args.rate <= MAX_MOVE_RATE:
        raise ValueError(f"--rate: messages a second, 1 to {MAX_MOVE_RATE} (SQS's bound), not {args.rate}")
    sqs, known = _client_and_queues(args)
    name, url = _chosen(args.queue, known)
    queues = dead_letters(sqs, name, url)
    if args.local or args.by_hand:
        result = move_by_hand(sqs, queues, DEFAULT_MAX if args.max is None else args.max)
        left, _ = depth(sqs, queues.dlq_url)
        print(f"{name}: moved {result.moved} from the DLQ back to {url} ({left} left in the DLQ)")
        if result.unsent:
            print(f"plexlabor: {result.unsent} not accepted by {url}; they stay in the DLQ", file=sys.stderr)
            return 1
        return 0
    handle = start_move_task(sqs, queues, args.rate)
    print(
        f"{name}: message move task started from {queues.dlq_arn} to {queues.source_arn} ({handle}); "
        f"`plexlabor dlq list --stack {args.stack or '...'}` shows its progress"
    )
    return 0
