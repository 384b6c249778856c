"""Starting supervisor approvals: the `ApprovalStarter` port of `plexlabor.approval.request`, on AWS
Step Functions, and an in-memory fake.

One execution per finding: the execution name is the finding id, so a second start of the same
finding (a retried batch record, the nightly sweep re-finding it) is refused by Step Functions with
`ExecutionAlreadyExists`, which `start` reports as False. Standard workflows keep names unique for
90 days after an execution ends. While the first execution still runs, a start with the same name
and input succeeds and returns it; `start` recognises it by its earlier `startDate` (a repeat within
`clock_skew_s` of the first start is reported True, but it is still the same one execution).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from plexlabor.approval.request import ApprovalRequest
from plexlabor.platform.aws import LazyClient


class StepFunctionsApprovalStarter:
    """`start_execution(name=request.execution_name, input=request.model_dump_json())`."""

    def __init__(self, state_machine_arn: str, client: Any | None = None, clock_skew_s: float = 1.0) -> None:
        if not state_machine_arn:
            raise ValueError("state_machine_arn must not be empty")
        self.state_machine_arn = state_machine_arn
        self.clock_skew_s = clock_skew_s
        self._client = client

    client = LazyClient("stepfunctions")

    def start(self, request: ApprovalRequest) -> bool:
        asked_at = datetime.now(UTC)
        try:
            response = self.client.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=request.execution_name,
                input=request.model_dump_json(),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return False
            raise
        # StartExecution with the name *and input* of a still-running execution succeeds and returns
        # that execution: an execution that started before we asked is the earlier one.
        started = response.get("startDate")
        return not (isinstance(started, datetime) and started < asked_at - timedelta(seconds=self.clock_skew_s))


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
