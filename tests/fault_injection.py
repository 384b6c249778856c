"""Faults injected into every AWS client of the process (tests only): an operation answers with an
error code its next N calls, as a throttled or unavailable service would, then works again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError


@contextmanager
def failing(operation: str, times: int, code: str = "ThrottlingException") -> Iterator[Counter[str]]:
    """Every AWS client answers `operation` (e.g. "TransactWriteItems") with `code` its next `times`
    calls; yields the count of failures injected so far."""
    original: Callable[..., Any] = BaseClient._make_api_call  # type: ignore[attr-defined]
    injected: Counter[str] = Counter()

    def call(client: BaseClient, name: str, params: dict[str, Any]) -> Any:
        if name == operation and injected[name] < times:
            injected[name] += 1
            error = {"Error": {"Code": code, "Message": f"injected: {operation} {code}"}}
            raise ClientError(error, name)  # type: ignore[arg-type]
        return original(client, name, params)

    BaseClient._make_api_call = call  # type: ignore[attr-defined,method-assign]
    try:
        yield injected
    finally:
        BaseClient._make_api_call = original  # type: ignore[attr-defined,method-assign]
