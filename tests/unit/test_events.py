"""Every function has a canonical event in `events/`, and every canonical event parses with the model
of the function it triggers.

`events/<name>.json` (or `events/<name>_<variant>.json`) belongs to `functions/<name>/`; its handler
module names the event's pydantic model `EVENT_MODEL` (and, for an HTTP API, the body's model
`BODY_MODEL`). A function without an event, or a handler without `EVENT_MODEL`, fails.
`events/plex/` holds Plex API samples, not Lambda events (tested in tests/unit/plex).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tests.support import EVENTS_DIR, function_names, load_event

EVENTS = sorted(EVENTS_DIR.glob("*.json"))
FUNCTIONS = function_names()


def function_for(event_file: Path) -> str:
    """The longest function name the file is named after (`approval_callback_get` → `approval_callback`)."""
    stem = event_file.stem
    matches = [name for name in FUNCTIONS if stem == name or stem.startswith(name + "_")]
    if not matches:
        pytest.fail(f"events/{event_file.name} names no function in functions/ ({', '.join(FUNCTIONS)})")
    return max(matches, key=len)


def test_functions_and_events_are_found() -> None:
    # The parametrized tests below would pass vacuously on an empty list
    assert len(FUNCTIONS) >= 10, FUNCTIONS
    assert len(EVENTS) >= len(FUNCTIONS), [path.name for path in EVENTS]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_there_is_an_event_for_each_function(function: str) -> None:
    events = [path.name for path in EVENTS if function_for(path) == function]
    assert events, f"functions/{function}/ has no canonical event: add events/{function}.json"


@pytest.mark.parametrize("event_file", EVENTS, ids=[path.stem for path in EVENTS])
def test_the_event_parses_with_its_functions_model(event_file: Path) -> None:
    function = function_for(event_file)
    module = importlib.import_module(f"functions.{function}.handler")
    model = getattr(module, "EVENT_MODEL", None)
    assert model is not None, f"functions/{function}/handler.py has no EVENT_MODEL (the pydantic model of its event)"
    variant = event_file.stem.removeprefix(function).removeprefix("_") or None
    parsed = model.model_validate(load_event(function, variant))
    body_model = getattr(module, "BODY_MODEL", None)
    if body_model is not None:
        body_model.model_validate_json(parsed.body)
