"""What `make demo` leaves up for the person who opens its pages (ux_s17): punch_validator's approval wait as the
runtime was started with, not the seconds of step 6 (H2); the state file `--local` commands read (M1); the
dashboards it points to drawn from reports of today's plant (H3). The demo runs once, on a small plant, and is
looked at while it stays up (`stay_up`, replaced here) and after it stopped."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from plexlabor_dev import demo
from plexlabor_dev.local import runtime as local_runtime
from plexlabor_dev.local.signin import LOCAL_PASSWORD, LOGIN_PATH
from plexlabor_dev.local.state import STATE_VARIABLE, command_environment, read_state

KEEP_UP = 1
DASHBOARDS = ("/skills", "/certifications", "/forecasts", "/allocation", "/analytics", "/incidents/trends")


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """What the demo's runtime showed while it stayed up, and whether its state file was left behind."""
    found: dict[str, Any] = {}
    state_file = tmp_path_factory.mktemp("state") / "local-runtime.json"

    def look(seconds: int) -> None:
        (runtime,) = local_runtime._ACTIVE  # the demo's runtime, in this process
        found["wait"] = runtime.environment_for("punch_validator")["APPROVAL_WAIT_SECONDS"]
        found["state"] = _or_error(read_state)
        found["cli"] = _or_error(lambda: command_environment("plex_writeback"))
        with requests.Session() as admin:
            form = {"username": "admin", "password": LOCAL_PASSWORD, "next": "/queue"}
            admin.post(f"{runtime.api_url}{LOGIN_PATH}", data=form, timeout=30).raise_for_status()
            found["pages"] = {path: admin.get(f"{runtime.api_url}{path}", timeout=60).text for path in DASHBOARDS}

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(STATE_VARIABLE, str(state_file))
        patch.setattr(demo, "stay_up", look)
        args = argparse.Namespace(
            employees=10, weeks=2, seed=7, workdir=str(tmp_path_factory.mktemp("demo")), keep_up=KEEP_UP
        )
        assert demo.demo_command(args) == 0
    found["left"] = state_file.exists()
    yield found


def _or_error(read: Callable[[], Any]) -> Any:
    """What `read` returns, or the error it raised (each test looks at its own part)."""
    try:
        return read()
    except Exception as error:
        return error


def test_after_the_demo_punch_validator_waits_as_the_runtime_was_started(seen: dict[str, Any]) -> None:
    """H2: step 6's waits of seconds stayed, so every finding after the demo escalated and expired in a minute."""
    assert seen["wait"] == str(demo.FIRST_WAIT_S + KEEP_UP)


def test_local_commands_find_the_demos_runtime_while_it_is_up_and_no_state_is_left(seen: dict[str, Any]) -> None:
    """M1: `--local` commands said "no local runtime is running" while the demo ran."""
    assert not isinstance(seen["state"], Exception), seen["state"]
    assert seen["state"].pid == os.getpid() and seen["state"].urls["api"].startswith("http://127.0.0.1")
    assert seen["cli"]["AWS_ENDPOINT_URL"] == seen["state"].urls["moto"] and seen["cli"]["AUDIT_TABLE_NAME"]
    assert seen["left"] is False


def test_the_dashboards_the_demo_points_to_are_drawn_for_today(seen: dict[str, Any]) -> None:
    """H3: /skills showed the replayed day's report (weeks old); /forecasts, /allocation, /analytics and
    /incidents/trends were empty."""
    pages = seen["pages"]
    today = datetime.now(ZoneInfo("America/Detroit")).date()
    assert f"Report of {today:%a %Y-%m-%d}" in pages["/skills"]
    assert f"Report of {today:%a %Y-%m-%d}" in pages["/certifications"]
    for path, empty in (
        ("/forecasts", "No forecasts yet"),
        ("/allocation", "No allocation yet"),
        ("/analytics", "No scores yet"),
        ("/incidents/trends", "No incident trends yet"),
    ):
        assert empty not in pages[path] and "There is nothing to show" not in pages[path], path
