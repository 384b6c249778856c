"""Logging, tracing and metrics for every handler: one Logger, Tracer and Metrics, one decorator stack.

Service name and metrics namespace come from Powertools' own variables (`POWERTOOLS_SERVICE_NAME`,
`POWERTOOLS_METRICS_NAMESPACE`), which the stack sets on every function. Logs carry business keys
the handler appends (`record_key`, `finding_id`), never the raw event: it holds personal data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer

from plexlabor.platform.deadline import invocation_deadline, seconds_left_of

logger = Logger()
tracer = Tracer()
metrics = Metrics()

HandlerT = TypeVar("HandlerT", bound=Callable[..., Any])


def lambda_handler(*, correlation_id_path: str | None = None) -> Callable[[HandlerT], HandlerT]:
    """The decorators every handler wears, in one order: the Lambda context and a fresh log state,
    an X-Ray segment (the response is not captured: it may name employees), metrics flushed at the end,
    and the invocation's remaining time for code that waits (`platform.deadline`)."""

    def decorate(function: HandlerT) -> HandlerT:
        @functools.wraps(function)
        def within_deadline(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
            with invocation_deadline(seconds_left_of(context)):
                return function(event, context, *args, **kwargs)

        traced = tracer.capture_lambda_handler(within_deadline, capture_response=False)
        measured = metrics.log_metrics(traced)
        return logger.inject_lambda_context(measured, correlation_id_path=correlation_id_path, clear_state=True)  # type: ignore[return-value]

    return decorate
