"""`plexlabor dlq`: a dead-letter queue's messages go back to their work queue, bodies and attributes
intact, once each; on AWS through an SQS message move task (moto has none: its request is checked
with botocore's Stubber)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from infra.constants import QueueName
from plexlabor_dev.cli import main
from plexlabor_dev.commands.dlq import DeadLetters, dead_letters, move_by_hand, start_move_task

REGION = "us-east-1"


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield boto3.client("sqs", region_name=REGION)


def work_queue(sqs: Any, name: str = "punch") -> DeadLetters:
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
    url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": policy})["QueueUrl"]
    return dead_letters(sqs, name, url)


def dead_letter(sqs: Any, queues: DeadLetters, count: int) -> None:
    for n in range(count):
        attributes = {"source": {"DataType": "String", "StringValue": f"webhook-{n}"}}
        sqs.send_message(QueueUrl=queues.dlq_url, MessageBody=json.dumps({"n": n}), MessageAttributes=attributes)


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages", []
    ):
        found += batch
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)]
        )
    return found


def test_the_dlq_is_read_from_the_redrive_policy(sqs: Any) -> None:
    queues = work_queue(sqs)
    assert queues.dlq_url.endswith("/punch-dlq") and queues.dlq_arn.endswith(":punch-dlq")
    assert queues.source_arn.endswith(":punch")
    plain = sqs.create_queue(QueueName="plain")["QueueUrl"]
    with pytest.raises(ValueError, match="has no dead-letter queue"):
        dead_letters(sqs, "plain", plain)


def test_moving_by_hand_sends_every_message_back_once_with_its_attributes(sqs: Any) -> None:
    queues = work_queue(sqs)
    dead_letter(sqs, queues, 25)
    result = move_by_hand(sqs, queues)
    assert (result.moved, result.unsent) == (25, 0)
    back = drain(sqs, queues.source_url)
    assert sorted(json.loads(m["Body"])["n"] for m in back) == list(range(25))
    assert {m["MessageAttributes"]["source"]["StringValue"] for m in back} == {f"webhook-{n}" for n in range(25)}
    assert drain(sqs, queues.dlq_url) == []


def test_moving_by_hand_from_a_fifo_dlq_keeps_each_message_in_its_group(sqs: Any) -> None:
    """The replan queue and its DLQ are FIFO: a message goes back in its group, and is not taken for a duplicate of
    itself when it went to the DLQ within SQS's 5-minute deduplication window."""
    fifo = {"FifoQueue": "true"}
    dlq_url = sqs.create_queue(QueueName="replan-dlq.fifo", Attributes=fifo)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    url = sqs.create_queue(QueueName="replan.fifo", Attributes={**fifo, "RedrivePolicy": policy})["QueueUrl"]
    queues = dead_letters(sqs, "replan", url)
    for n in range(3):
        sqs.send_message(
            QueueUrl=url, MessageBody=json.dumps({"n": n}), MessageGroupId="plant", MessageDeduplicationId=f"m{n}"
        )
    for _ in range(2):  # received once each (maxReceiveCount 1), then moved to the DLQ at the next receive
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    assert len(drain(sqs, url)) == 0

    assert move_by_hand(sqs, queues).moved == 3
    back = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["MessageGroupId"])
    assert sorted(json.loads(m["Body"])["n"] for m in back["Messages"]) == [0, 1, 2]
    assert {m["Attributes"]["MessageGroupId"] for m in back["Messages"]} == {"plant"}


def test_moving_by_hand_stops_at_the_limit_and_leaves_the_rest(sqs: Any) -> None:
    queues = work_queue(sqs)
    dead_letter(sqs, queues, 12)
    assert move_by_hand(sqs, queues, limit=5).moved == 5
    assert len(drain(sqs, queues.source_url)) == 5 and len(drain(sqs, queues.dlq_url)) == 7


def test_on_aws_a_message_move_task_goes_from_the_dlq_to_its_queue() -> None:
    client = boto3.client("sqs", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    queues = DeadLetters("notify", "https://q/notify", "arn:aws:sqs:us-east-1:1:notify", "https://q/dlq", "arn:dlq")
    with Stubber(client) as stub:
        expected = {"SourceArn": "arn:dlq", "DestinationArn": "arn:aws:sqs:us-east-1:1:notify"}
        stub.add_response("start_message_move_task", {"TaskHandle": "task-1"}, {**expected})
        stub.add_response(
            "start_message_move_task", {"TaskHandle": "task-2"}, {**expected, "MaxNumberOfMessagesPerSecond": 5}
        )
        assert start_move_task(client, queues) == "task-1"
        assert start_move_task(client, queues, rate=5) == "task-2"
        stub.assert_no_pending_responses()


def test_the_cli_moves_a_queue_given_by_url_and_names_an_unknown_queue(
    sqs: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    queues = work_queue(sqs, "writeback")
    dead_letter(sqs, queues, 3)
    assert main(["dlq", "list", queues.source_url, "--by-hand"]) == 0
    assert "writeback: 3 in the DLQ" in capsys.readouterr().out
    assert main(["dlq", "redrive", queues.source_url, "--by-hand"]) == 0
    assert "moved 3 from the DLQ" in capsys.readouterr().out
    assert main(["dlq", "redrive", "punch"]) == 2
    assert "QUEUE 'punch' is not a work queue here" in capsys.readouterr().err


def test_a_queue_url_gives_the_region_when_none_is_configured(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        queues = work_queue(sqs, "notify")
        dead_letter(sqs, queues, 2)
        assert queues.source_url.startswith("https://sqs.eu-west-1.amazonaws.com/")
        # Given no region anywhere but the queue's URL: the URL's region is used
        assert main(["dlq", "list", queues.source_url, "--by-hand"]) == 0
        assert "notify: 2 in the DLQ" in capsys.readouterr().out
        # and with neither a region nor a URL the command says what to set, exit 2, no traceback
        assert main(["dlq", "list", "--stack", "plexlabor-prod"]) == 2
        err = capsys.readouterr().err
        assert "no AWS region: set AWS_DEFAULT_REGION" in err and "Traceback" not in err


def test_aws_refusing_is_one_line(sqs: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dlq", "list", "--stack", "no-such-stack"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("plexlabor: error: AWS: ") and "no-such-stack" in err and len(err.splitlines()) == 1


def test_the_command_runs_outside_the_checkout(tmp_path: Path) -> None:
    """The installed `plexlabor` finds `infra` from any folder (it is not an installed package)."""
    code = "import sys; from plexlabor_dev.cli import main; sys.exit(main(['dlq', 'list']))"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "no queues to list" in run.stderr, run.stderr


@pytest.mark.parametrize("action", ["list", "redrive"])
def test_the_help_names_every_work_queue(action: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Every queue `infra.constants.QueueName` defines has a DLQ the commands take by name (replan too)."""
    with pytest.raises(SystemExit):
        main(["dlq", action, "--help"])
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps the help
    for name in QueueName:
        assert f"{name.value}," in shown or f"{name.value} or a queue URL" in shown, name
