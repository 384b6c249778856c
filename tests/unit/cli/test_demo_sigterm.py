"""`make demo` stopped by a plain `kill` (SIGTERM) while it stays up cleans up as Ctrl-C does: the state file it
wrote for `--local` commands (03c90cb1) is removed, not left naming a runtime that is gone. The demo's steps are
replaced by stand-ins; its own `demo_command`, `_write_state` and `stay_up` run, in a process of their own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from plexlabor_dev.local.state import STATE_VARIABLE

DEMO = """
import argparse, sys, types
from plexlabor_dev import demo

resources = types.SimpleNamespace(
    audit_table="audit", state_table="state", idempotency_table="idem", queue_urls={}, dlq_urls={}, secret_arns={}
)
runtime = types.SimpleNamespace(
    resources=resources, region="us-east-1", stage="local", functions=[], urls=lambda: {}, environment_for=dict
)
local = types.SimpleNamespace(runtime=runtime, urls=lambda: {"plex": "http://127.0.0.1:1"})
demo._plant_and_batch = lambda args, plant_dir: set()
demo._serverless = lambda stack, *args, **kwargs: {"state_file": demo._write_state(stack, local)}
demo._print_summary = lambda summary, *args: print("state file", summary["state_file"], flush=True)
sys.exit(demo.demo_command(argparse.Namespace(workdir=sys.argv[1], keep_up=600)))
"""


def test_sigterm_while_the_demo_stays_up_removes_its_state_file(tmp_path: Path) -> None:
    state = tmp_path / "local-runtime.json"
    env = {**os.environ, STATE_VARIABLE: str(state)}
    with subprocess.Popen(
        [sys.executable, "-c", DEMO, str(tmp_path / "work")], env=env, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == f"state file {state}"
        assert state.is_file()
        while "stays up" not in process.stdout.readline():  # from here Ctrl-C ends the demo as planned
            pass

        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)

    assert process.returncode == 0 and "Everything stopped and cleaned up." in out
    assert not state.exists()
