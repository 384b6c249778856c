"""The one shape of a scheduled function: parse → build (cached) → run → respond.

A scheduled function's `functions/<name>/handler.py` is its event model and one line,
`handler = scheduled_handler(EVENT_MODEL, dependencies, run)`, where `dependencies` is the
capability's wiring (`PerEnvironment(Settings, build)`: built on first use, rebuilt only when a
variable it reads changes) and `run(deps, request)` the capability's entry point. The handler:

- wears the platform's decorators (`observability.lambda_handler`: Lambda context and fresh log
  state, an X-Ray segment without the response, metrics flushed at the end);
- parses the EventBridge event into the model with Powertools' parser (a malformed event raises
  its `ValidationError`: the schedule's retry policy and DLQ see it);
- takes the dependencies a test injects (`handler(event, context, dependencies=fakes)`), else the
  wiring's cached ones;
- returns what `run` returns: a JSON-safe summary (ids and counts, never personal data).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from plexlabor.platform.observability import lambda_handler

DepsT = TypeVar("DepsT")
DepsT_contra = TypeVar("DepsT_contra", contravariant=True)
RequestT = TypeVar("RequestT", bound=BaseModel)


class ScheduledHandler(Protocol[DepsT_contra]):
    """`handler(event, context)` on Lambda; `handler(event, context, dependencies=fakes)` in tests."""

    def __call__(
        self, event: dict[str, Any], context: LambdaContext, dependencies: DepsT_contra | None = None
    ) -> dict[str, Any]: ...


def scheduled_handler(
    event_model: type[RequestT],
    dependencies: Callable[[], DepsT],
    run: Callable[[DepsT, RequestT], dict[str, Any]],
) -> ScheduledHandler[DepsT]:
    """The Lambda handler of a scheduled function: parse `event_model`, build, `run`, respond."""
    build = dependencies

    @lambda_handler()
    def handler(event: dict[str, Any], context: LambdaContext, dependencies: DepsT | None = None) -> dict[str, Any]:
        request = parse(event=event, model=event_model)
        return run(build() if dependencies is None else dependencies, request)

    return handler
