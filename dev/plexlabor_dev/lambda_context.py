"""`FakeLambdaContext`: what a handler's `context` offers in Lambda (Powertools reads most of it), for the
local runtime and the tests. Standard library only, so importing it costs nothing."""

from __future__ import annotations

import time
import uuid

DEFAULT_ACCOUNT = "123456789012"
"""The account in the ARN (moto's default account)."""


class FakeLambdaContext:
    """A function's name, ARN and memory, a fresh request id per invocation, and the time left before
    `timeout_s` (counted from construction, as Lambda counts it from the invocation)."""

    def __init__(
        self,
        function_name: str = "plexlabor-function",
        *,
        region: str = "us-east-1",
        account: str = DEFAULT_ACCOUNT,
        memory_mb: int = 1024,
        timeout_s: float = 900,
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account}:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"local/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
