"""AWS adapters of the intake ports: SQS (punch queue), DynamoDB (poll cursor), S3 (norms).

The only intake module besides `approvals.py` that talks to AWS. Clients are the platform's
(`plexlabor.platform.aws.LazyClient`: its timeouts and retries), made on first use (never at import);
tests pass their own clients.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from plexlabor.audit.events import AUDIT_TIME_FORMAT, format_audit_time
from plexlabor.audit.schema import STATE_TABLE
from plexlabor.intake.cursor import CURSOR_PK_PREFIX, CURSOR_SK
from plexlabor.intake.errors import EnqueueError
from plexlabor.intake.messages import PunchMessage
from plexlabor.intake.norms_store import LATEST_KEY, version_key
from plexlabor.platform.aws import LazyClient
from plexlabor.platform.clock import aware_utc
from plexlabor.validation.norms import Norms

SQS_BATCH = 10  # SendMessageBatch takes at most 10 entries


def _named(value: str, parameter: str) -> str:
    """The queue, table or bucket an adapter is aimed at; an empty one is refused, naming the parameter."""
    if not value:
        raise ValueError(f"{parameter} must not be empty")
    return value


class SqsPunchQueue:
    """`SendMessageBatch` in chunks of 10. Entries SQS reports `Failed` are retried once when the
    fault is SQS's (`SenderFault` false); whatever still fails raises EnqueueError."""

    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self.queue_url = _named(queue_url, "queue_url")
        self._client = client

    client = LazyClient("sqs")

    def send(self, messages: Sequence[PunchMessage]) -> None:
        failed: list[str] = []
        reasons: set[str] = set()
        for start in range(0, len(messages), SQS_BATCH):
            pending = list(messages[start : start + SQS_BATCH])
            for attempt in range(2):
                rejected = self._send_chunk(pending, reasons)
                failed += [pending[i].record_key for i, sender_fault in rejected if sender_fault or attempt == 1]
                pending = [pending[i] for i, sender_fault in rejected if not sender_fault]
                if not pending:
                    break
        if failed:
            raise EnqueueError(failed, ", ".join(sorted(reasons)) or "SendMessageBatch failed")

    def _send_chunk(self, chunk: list[PunchMessage], reasons: set[str]) -> list[tuple[int, bool]]:
        """Send one chunk; return (index, sender_fault) of each entry SQS did not take."""
        entries = [
            {
                "Id": str(i),
                "MessageBody": message.model_dump_json(),
                "MessageAttributes": {"record_key": {"DataType": "String", "StringValue": message.record_key}},
            }
            for i, message in enumerate(chunk)
        ]
        try:
            response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
        except ClientError as error:
            reasons.add(error.response.get("Error", {}).get("Code", "ClientError"))
            return [(i, False) for i in range(len(chunk))]
        rejected = []
        for entry in response.get("Failed", []):
            reasons.add(str(entry.get("Code", "Failed")))
            rejected.append((int(entry["Id"]), bool(entry.get("SenderFault", False))))
        return rejected


class DynamoDbCursorStore:
    """Cursors in the state table: `pk = cursor#<name>`, `sk = cursor`, `position` = the instant as
    a fixed-width UTC string (so string order is time order), moved by a conditional UpdateItem."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.table_name = _named(table_name, "table_name")
        self._client = client

    client = LazyClient("dynamodb")

    def _key(self, name: str) -> dict[str, Any]:
        return {
            STATE_TABLE.partition_key: {"S": CURSOR_PK_PREFIX + name},
            STATE_TABLE.sort_key: {"S": CURSOR_SK},
        }

    def get(self, name: str) -> datetime | None:
        item = self.client.get_item(TableName=self.table_name, Key=self._key(name), ConsistentRead=True).get("Item")
        if not item or "position" not in item:
            return None
        return datetime.strptime(item["position"]["S"], AUDIT_TIME_FORMAT).replace(tzinfo=UTC)

    def advance(self, name: str, to: datetime) -> bool:
        position = format_audit_time(aware_utc("the cursor", to))
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=self._key(name),
                UpdateExpression="SET #p = :p, #u = :u",
                ConditionExpression="attribute_not_exists(#p) OR #p < :p",
                ExpressionAttributeNames={"#p": "position", "#u": "updated_at"},
                ExpressionAttributeValues={
                    ":p": {"S": position},
                    ":u": {"S": format_audit_time(datetime.now(UTC))},
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True


class S3NormsStore:
    """Norms as JSON in the artifacts bucket: `norms/<version>.json`, then (unless saved for a backfill only)
    `norms/latest.json`."""

    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self.bucket = _named(bucket, "bucket")
        self._client = client

    client = LazyClient("s3")

    def latest(self) -> Norms | None:
        return self._read(LATEST_KEY)

    def version(self, version: str) -> Norms | None:
        return self._read(version_key(version))

    def _read(self, key: str) -> Norms | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return Norms.from_json(json.loads(response["Body"].read()))

    def save(self, norms: Norms, *, latest: bool = True) -> str:
        body = json.dumps(norms.to_json(), separators=(",", ":")).encode("utf-8")
        key = version_key(norms.version)
        for target in (key, LATEST_KEY) if latest else (key,):
            self.client.put_object(Bucket=self.bucket, Key=target, Body=body, ContentType="application/json")
        return key
