"""Starting supervisor approvals: the `ApprovalStarter` port of `plexlabor.approval.request`, on AWS
Step Functions, and an in-memory fake.

One execution per finding: the execution name is the finding id, so a second start of the same
finding (a retried batch record, the nightly sweep re-finding it) is refused by Step Functions with
`ExecutionAlreadyExists`, which `start` reports as False. Standard workflows keep names unique for
90 days after an execution ends.
"""

from __future__ import annotations

import threading
from typing import Any

from plexlabor.approval.request import ApprovalRequest


class StepFunctionsApprovalStarter:
    """`start_execution(name=request.execution_name, input=request.model_dump_json())`."""

    def __init__(self, state_machine_arn: str, client: Any | None = None) -> None:
        if not state_machine_arn:
            raise ValueError("state_machine_arn must not be empty")
        self.state_machine_arn = state_machine_arn
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # only when AWS is really used
            from botocore.config import Config

            self._client = boto3.client(
                "stepfunctions",
                config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5),
            )
        return self._client

    def start(self, request: ApprovalRequest) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=request.execution_name,
                input=request.model_dump_json(),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return False
            raise
        return True


class InMemoryApprovalStarter:
    """The fake: remembers each started request by execution name; a second start returns False."""

    def __init__(self) -> None:
        self.started: dict[str, ApprovalRequest] = {}
        self.attempts = 0
        self._lock = threading.Lock()

    def start(self, request: ApprovalRequest) -> bool:
        with self._lock:
            self.attempts += 1
            if request.execution_name in self.started:
                return False
            self.started[request.execution_name] = request
            return True
