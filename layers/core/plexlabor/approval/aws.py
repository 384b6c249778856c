"""The boto3 adapters of the approval ports: the only approval module that imports boto3.

- `DynamoDbTaskTokenStore`: the state table, one item per notified stage:
  `pk` = `approval#<finding_id>`, `sk` = `<stage>`, with the task token, the supervisor, the link's
  nonce and expiry, the request (JSON, for the review page), and `expires_at` (TTL, epoch seconds).
- `SesNotifier`: SES `SendEmail` of the composed digest.
- `StepFunctionsTaskCallback`: `SendTaskSuccess`; `TaskTimedOut` / `InvalidToken` /
  `TaskDoesNotExist` become `ApprovalClosedError` (moto answers `InvalidToken` where AWS says
  `TaskTimedOut`).
Each takes its boto3 client, else gets it on first use (`plexlabor.platform.aws.LazyClient`).
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from plexlabor.approval.digest import EmailContent, compose_digest
from plexlabor.approval.errors import ApprovalClosedError
from plexlabor.approval.messages import Stage
from plexlabor.approval.ports import Digest, PendingApproval, stage_order
from plexlabor.approval.request import ApprovalRequest
from plexlabor.audit import AuditUnavailableError
from plexlabor.audit.schema import STATE_TABLE
from plexlabor.platform.aws import LazyClient

APPROVAL_PK_PREFIX = "approval#"
TOKEN_RETENTION = timedelta(days=2)
"""How long a stored task token outlives its link (then DynamoDB TTL removes it)."""

_CLOSED_CODES = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class DynamoDbTaskTokenStore:
    def __init__(self, table_name: str, dynamodb: Any | None = None) -> None:
        self.table_name = table_name
        self._client = dynamodb

    dynamodb = LazyClient("dynamodb")

    def save(self, pending: PendingApproval) -> None:
        ttl = math.ceil((pending.link_expires_at + TOKEN_RETENTION).timestamp())
        item = {
            STATE_TABLE.partition_key: {"S": APPROVAL_PK_PREFIX + pending.finding_id},
            STATE_TABLE.sort_key: {"S": pending.stage.value},
            "task_token": {"S": pending.task_token},
            "supervisor_id": {"S": pending.supervisor_id},
            "link_nonce": {"S": pending.link_nonce},
            "link_expires_at": {"S": pending.link_expires_at.isoformat()},
            "notified_at": {"S": pending.notified_at.isoformat()},
            "request": {"S": pending.request.model_dump_json()},
            "expires_at": {"N": str(ttl)},
        }
        try:
            self.dynamodb.put_item(TableName=self.table_name, Item=item)
        except (ClientError, BotoCoreError) as error:
            raise AuditUnavailableError("state table unavailable while storing the task token") from error

    def for_finding(self, finding_id: str) -> list[PendingApproval]:
        try:
            page = self.dynamodb.query(
                TableName=self.table_name,
                KeyConditionExpression="#pk = :pk",
                ExpressionAttributeNames={"#pk": STATE_TABLE.partition_key},
                ExpressionAttributeValues={":pk": {"S": APPROVAL_PK_PREFIX + finding_id}},
                ConsistentRead=True,
            )
        except (ClientError, BotoCoreError) as error:
            raise AuditUnavailableError("state table unavailable while reading the task token") from error
        found = [
            PendingApproval(
                finding_id=finding_id,
                stage=Stage(item[STATE_TABLE.sort_key]["S"]),
                supervisor_id=item["supervisor_id"]["S"],
                task_token=item["task_token"]["S"],
                link_nonce=item["link_nonce"]["S"],
                link_expires_at=item["link_expires_at"]["S"],
                notified_at=item["notified_at"]["S"],
                request=ApprovalRequest.model_validate_json(item["request"]["S"]),
            )
            for item in page.get("Items", [])
        ]
        return sorted(found, key=lambda pending: stage_order(pending.stage))


class SesNotifier:
    """Sends each digest as one SES e-mail from `sender` (a verified identity)."""

    def __init__(self, sender: str, ses: Any | None = None) -> None:
        self.sender = sender
        self._client = ses

    ses = LazyClient("ses")

    def send(self, digest: Digest) -> str | None:
        return self.send_email(digest.address, compose_digest(digest))

    def send_email(self, address: str, content: EmailContent) -> str | None:
        """One e-mail (text + HTML) to `address`; the SES message id."""
        answer = self.ses.send_email(
            Source=self.sender,
            Destination={"ToAddresses": [address]},
            Message={
                "Subject": {"Data": content.subject, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": content.text, "Charset": "UTF-8"},
                    "Html": {"Data": content.html, "Charset": "UTF-8"},
                },
            },
        )
        return str(answer.get("MessageId")) if answer.get("MessageId") else None


class StepFunctionsTaskCallback:
    def __init__(self, stepfunctions: Any | None = None) -> None:
        self._client = stepfunctions

    stepfunctions = LazyClient("stepfunctions")

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        try:
            self.stepfunctions.send_task_success(taskToken=task_token, output=json.dumps(output))
        except ClientError as error:
            if _code(error) in _CLOSED_CODES:
                raise ApprovalClosedError(
                    "this approval request timed out (or was already answered) before your decision arrived; "
                    "nothing was changed"
                ) from error
            raise
