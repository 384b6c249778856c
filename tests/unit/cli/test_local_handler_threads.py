"""The local runtime routes what a handler's own threads write to the handler output, as it does the handler's
(ux_s17 L9: a bulk approve's pool logged two "decision recorded" lines into the demo's terminal, not handlers.log)."""

from __future__ import annotations

import io
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.function_specs import FunctionSpec
from plexlabor_dev.local.invoker import Invoker, LocalFunction, RoutedStream


def _handler(event: Any, context: Any) -> None:
    print("from the handler")
    with ThreadPoolExecutor(max_workers=2) as pool:  # as review.decisions.decide_many decides a bulk form
        list(pool.map(lambda n: sys.stdout.write(f"decision recorded {n}\n"), range(2)))


def test_a_handlers_worker_threads_write_to_the_handler_output(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal, handlers_log = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", RoutedStream(terminal, "stdout"))
    spec = FunctionSpec(name="web_app", description="test")
    function = LocalFunction(spec, "none", {}, "plexlabor-web-app", "us-east-1", _handler=_handler)
    invoker = Invoker({"web_app": function}, output=handlers_log)

    invoker.invoke("web_app", {})
    print("the demo's own line")

    assert sorted(handlers_log.getvalue().splitlines()) == [
        "decision recorded 0",
        "decision recorded 1",
        "from the handler",
    ]
    assert terminal.getvalue() == "the demo's own line\n"
