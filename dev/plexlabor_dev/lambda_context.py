"""`FakeLambdaContext`: what a handler's `context` offers in Lambda (Powertools reads most of it), for the
local runtime and the tests. Standard library only, so importing it costs nothing."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # The checker sees the Powertools type the handlers take; at run time the base stays `object`, so
    # importing this module still costs nothing.
    from aws_lambda_powertools.utilities.typing import LambdaContext as _ContextBase
else:
    _ContextBase = object

DEFAULT_ACCOUNT = "123456789012"
"""The account in the ARN (moto's default account)."""


class FakeLambdaContext(_ContextBase):
    """A function's name, ARN and memory, a fresh request id per invocation, and the time left before
    `timeout_s` (counted from construction, as Lambda counts it from the invocation)."""

    # Plain attributes where Powertools' `LambdaContext` declares read-only properties over private fields.
    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    identity: None  # type: ignore[assignment]  # Powertools types it non-optional; Lambda gives None without Cognito
    client_context: None  # type: ignore[assignment]  # likewise None outside a mobile SDK call
    tenant_id: str | None

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

    # Powertools' stub declares it a staticmethod; Lambda's (and this) is bound to the invocation.
    def get_remaining_time_in_millis(self) -> int:  # type: ignore[override]
        return max(0, int((self._deadline - time.monotonic()) * 1000))
