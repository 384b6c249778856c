"""Every canonical event in `events/` parses with the model of the function it triggers.

`events/<name>.json` (or `events/<name>_<variant>.json`) belongs to `functions/<name>/`; its handler
module names the event's pydantic model `EVENT_MODEL` (and, for an HTTP API, the body's model
`BODY_MODEL`). A handler without `EVENT_MODEL` is reported as skipped, naming what to add.
`events/plex/` holds Plex API samples, not Lambda events (tested in tests/unit/plex).
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "plexlabor")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "plexlabor-test")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")

ROOT = Path(__file__).resolve().parents[2]
EVENTS = sorted((ROOT / "events").glob("*.json"))
FUNCTIONS = sorted(p.name for p in (ROOT / "functions").iterdir() if (p / "handler.py").is_file())


def function_for(event_file: Path) -> str:
    """The longest function name the file is named after (`approval_callback_get` → `approval_callback`)."""
    stem = event_file.stem
    matches = [name for name in FUNCTIONS if stem == name or stem.startswith(name + "_")]
    if not matches:
        pytest.fail(f"events/{event_file.name} names no function in functions/ ({', '.join(FUNCTIONS)})")
    return max(matches, key=len)


def test_there_is_an_event_for_each_intake_function() -> None:
    names = {function_for(path) for path in EVENTS}
    assert {"punch_webhook", "punch_poller", "punch_validator", "norms_refresh"} <= names


@pytest.mark.parametrize("event_file", EVENTS, ids=[path.stem for path in EVENTS])
def test_the_event_parses_with_its_functions_model(event_file: Path) -> None:
    function = function_for(event_file)
    module = importlib.import_module(f"functions.{function}.handler")
    model = getattr(module, "EVENT_MODEL", None)
    if model is None:
        pytest.skip(f"functions/{function}/handler.py has no EVENT_MODEL (the pydantic model of its event)")
    event = json.loads(event_file.read_text(encoding="utf-8"))
    parsed = model.model_validate(event)
    body_model = getattr(module, "BODY_MODEL", None)
    if body_model is not None:
        body_model.model_validate_json(parsed.body)
