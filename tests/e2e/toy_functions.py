"""Toy handlers for the local runtime's own tests: written into a temporary package under tmp_path.

- `toy_api` (API): echoes the event and a few environment variables; `?raise=1` raises,
  `?malformed=1` answers something that is not a proxy response; POST forwards the body to the
  punch queue (it is granted `SendTo(punch)`).
- `toy_consumer` (punch queue): counts each message's attempts in the state table; a body
  `{"id": ..., "fail_times": n}` fails its first n attempts (reported in `batchItemFailures`).
  It keeps the first record of every message it sees in the state table as well.
- `toy_tick` (schedule): checks its detail (`why`, text, nothing else), stores the event in the state table.
"""

from __future__ import annotations

import json
import textwrap
import uuid
from pathlib import Path
from typing import Any

from infra.constants import QueueName
from infra.function_specs import FunctionSpec, SendTo, TableAccess
from plexlabor_dev.local.apigw import Route
from plexlabor_dev.local.runtime import LocalRuntime

MAX_RECEIVE_COUNT = 2

_API = """
import json
import os

import boto3

SEEN_ENV = ("PUNCH_QUEUE_URL", "STATE_TABLE_NAME", "AUDIT_TABLE_NAME", "AWS_LAMBDA_FUNCTION_NAME",
            "POWERTOOLS_SERVICE_NAME", "PLEXLABOR_STAGE", "AWS_ENDPOINT_URL", "TOY_EXTRA")


def handler(event, context):
    query = event.get("queryStringParameters") or {}
    if query.get("raise"):
        raise RuntimeError("toy failure")
    if query.get("malformed"):
        return "not a proxy response"
    if event["httpMethod"] == "POST" and event["resource"].startswith("/toy/"):
        boto3.client("sqs").send_message(QueueUrl=os.environ["PUNCH_QUEUE_URL"], MessageBody=event["body"])
    body = {
        "event": event,
        "env": {name: os.environ.get(name) for name in SEEN_ENV},
        "context": {"function_name": context.function_name, "remaining_ms": context.get_remaining_time_in_millis()},
    }
    return {
        "statusCode": 201 if event["httpMethod"] == "POST" else 200,
        "headers": {"Content-Type": "application/json", "X-Toy": "yes"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": json.dumps(body),
    }
"""

_CONSUMER = """
import json
import os

import boto3

_dynamodb = None


def _table():
    global _dynamodb
    if _dynamodb is None:
        _dynamodb = boto3.client("dynamodb")
    return _dynamodb, os.environ["STATE_TABLE_NAME"]


def handler(event, context):
    client, table = _table()
    failures = []
    for record in event["Records"]:
        body = json.loads(record["body"])
        key = {"pk": {"S": "toy#" + body["id"]}, "sk": {"S": "attempts"}}
        attempts = int(client.update_item(
            TableName=table, Key=key, UpdateExpression="ADD attempts :one",
            ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW",
        )["Attributes"]["attempts"]["N"])
        client.put_item(TableName=table, Item={
            "pk": {"S": "toy#" + body["id"]}, "sk": {"S": "record#%d" % attempts},
            "record": {"S": json.dumps(record)},
        })
        if attempts <= int(body.get("fail_times", 0)):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
"""

_TICK = """
import json
import os

import boto3
from pydantic import BaseModel, ConfigDict


class Detail(BaseModel):
    model_config = ConfigDict(extra="forbid")
    why: str = ""


def handler(event, context):
    Detail.model_validate(event.get("detail") or {})  # as a scheduled handler parses its event model
    boto3.client("dynamodb").put_item(TableName=os.environ["STATE_TABLE_NAME"], Item={
        "pk": {"S": "tick#" + event["id"]}, "sk": {"S": "event"}, "event": {"S": json.dumps(event)},
        "function": {"S": context.function_name},
    })
    return {"ok": True, "id": event["id"]}
"""

TOY_SPECS = (
    FunctionSpec(name="toy_api", description="toy API", timeout_s=5, access=(SendTo(QueueName.PUNCH),)),
    FunctionSpec(
        name="toy_consumer",
        description="toy consumer",
        access=(TableAccess.STATE_READ_WRITE,),
        consumes=QueueName.PUNCH,
        batch_size=10,
    ),
    FunctionSpec(name="toy_tick", description="toy schedule", access=(TableAccess.STATE_READ_WRITE,)),
    FunctionSpec(name="toy_missing", description="spec whose handler does not exist"),
)

TOY_ROUTES = (
    Route("GET", "/toy/{item}", "toy_api"),
    Route("POST", "/toy/{item}", "toy_api"),
    Route("ANY", "/files/{path+}", "toy_api"),
    Route("GET", "/missing", "toy_missing"),
)


def write_toy_package(root: Path) -> str:
    """Write the toy package under `root` (put on sys.path by the caller); returns its name."""
    package = f"toyfns_{uuid.uuid4().hex[:8]}"
    base = root / package
    base.mkdir(parents=True)
    (base / "__init__.py").write_text("")
    for name, source in (("toy_api", _API), ("toy_consumer", _CONSUMER), ("toy_tick", _TICK)):
        (base / name).mkdir()
        (base / name / "__init__.py").write_text("")
        (base / name / "handler.py").write_text(textwrap.dedent(source))
    return package


def toy_runtime(package: str, **overrides: Any) -> LocalRuntime:
    """A runtime with the toy functions only (no state machine), failing fast to the DLQ."""
    options: dict[str, Any] = {
        "specs": TOY_SPECS,
        "functions_package": package,
        "routes": TOY_ROUTES,
        "max_receive_count": MAX_RECEIVE_COUNT,
        "visibility_timeout_s": 1,
        "state_machine_file": Path("/nonexistent"),
        "environment": {"TOY_EXTRA": "for-every-function"},
    }
    options.update(overrides)
    return LocalRuntime(**options)


def state_item(runtime: LocalRuntime, pk: str, sk: str) -> dict[str, Any] | None:
    assert runtime.resources is not None
    return (
        runtime.client("dynamodb")
        .get_item(TableName=runtime.resources.state_table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True)
        .get("Item")
    )


def attempts(runtime: LocalRuntime, message_id: str) -> int:
    """How many times toy_consumer saw the message with body id `message_id`."""
    item = state_item(runtime, f"toy#{message_id}", "attempts")
    return int(item["attempts"]["N"]) if item else 0


def send_toy(runtime: LocalRuntime, body: dict[str, Any]) -> None:
    assert runtime.resources is not None
    runtime.client("sqs").send_message(
        QueueUrl=runtime.resources.queue_urls[QueueName.PUNCH],
        MessageBody=json.dumps(body),
        MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}},
    )
