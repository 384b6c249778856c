"""`plexlabor dlq list|redrive --local` against a moto server on 127.0.0.1 named by the local
runtime's state file, as `plexlabor local up` writes it (moto has no message move tasks: moved by hand)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from plexlabor_dev.cli import main
from plexlabor_dev.local.state import STATE_VARIABLE, LocalState, write_state

REGION = "us-east-1"


@pytest.fixture
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_list_and_redrive_on_the_local_runtime(
    moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sqs: Any = boto3.client(
        "sqs", region_name=REGION, endpoint_url=moto_url, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    queues = {}
    for name in ("punch", "notify", "writeback"):
        dlq = sqs.create_queue(QueueName=f"plexlabor-local-{name}-dlq")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
        queues[name] = sqs.create_queue(QueueName=f"plexlabor-local-{name}", Attributes={"RedrivePolicy": policy})[
            "QueueUrl"
        ]
        if name == "punch":
            for n in range(4):
                sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({"punch": n}))
    state = LocalState(pid=os.getpid(), region=REGION, stage="local", urls={"moto": moto_url}, queues=queues)
    monkeypatch.setenv(STATE_VARIABLE, str(write_state(state, tmp_path / "local-runtime.json")))

    assert main(["dlq", "list", "--local"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in listed] == [
        "notify: 0 in the DLQ (0 in flight)",
        "punch: 4 in the DLQ (0 in flight)",
        "writeback: 0 in the DLQ (0 in flight)",
    ]
    assert main(["dlq", "redrive", "punch", "--local"]) == 0
    assert "punch: moved 4 from the DLQ back" in capsys.readouterr().out
    back = sqs.receive_message(QueueUrl=queues["punch"], MaxNumberOfMessages=10)["Messages"]
    assert sorted(json.loads(m["Body"])["punch"] for m in back) == [0, 1, 2, 3]
    assert main(["dlq", "list", "punch", "--local"]) == 0
    assert capsys.readouterr().out.startswith("punch: 0 in the DLQ")
