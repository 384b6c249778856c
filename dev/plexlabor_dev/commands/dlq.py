"""`plexlabor dlq list` and `plexlabor dlq redrive QUEUE`: the work queues' dead-letter queues, and
moving their messages back once the cause is fixed.

Where the queues are: `--local` reads the running `plexlabor local up` (its state file: queue URLs,
moto's endpoint and region); `--stack NAME` reads a deployed stack's outputs (`PunchQueueUrl`,
`NotifyQueueUrl`, `WritebackQueueUrl`). QUEUE is a work queue's name (`punch`, `notify`, `writeback`)
or a queue URL. A queue's DLQ is always read from its `RedrivePolicy`, the one place it is set.

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
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from infra.constants import QueueName

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
    if rate:
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
    found = message.get("MessageAttributes")
    return {"MessageAttributes": found} if found else {}


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
        _chosen(args.queue, {}) if args.queue else _no_queues()  # before making a client: none may be configured
        return boto3.client("sqs"), {}
    outputs = boto3.client("cloudformation").describe_stacks(StackName=args.stack)["Stacks"][0].get("Outputs", [])
    values = {output["OutputKey"]: output["OutputValue"] for output in outputs}
    keys = {name.value: f"{name.value.capitalize()}QueueUrl" for name in QueueName}
    return boto3.client("sqs"), {name: values[key] for name, key in keys.items() if key in values}


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


def redrive_command(args: argparse.Namespace) -> int:
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
