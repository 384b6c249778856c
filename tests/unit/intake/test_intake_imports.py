"""Importing a handler reads no configuration and, on the real-time path, loads no numeric stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
REALTIME = ("punch_webhook", "punch_poller", "punch_validator")
HEAVY = ("numpy", "scipy", "sklearn", "pandas")


def test_handlers_import_with_an_empty_environment_and_realtime_ones_without_numpy() -> None:
    # Given an interpreter with no AWS, Powertools or plexlabor variables at all
    code = (
        "import importlib, json, sys\n"
        f"heavy = {{}}\n"
        f"for name in {list((*REALTIME, 'norms_refresh'))!r}:\n"
        "    importlib.import_module(f'functions.{name}.handler')\n"
        f"    heavy[name] = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps(heavy))\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'layers' / 'core'}"}
    # When every handler module is imported (as Lambda's init does)
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    # Then nothing failed for want of configuration, and the real-time ones stayed light
    assert result.returncode == 0, result.stderr
    heavy = json.loads(result.stdout.strip().splitlines()[-1])
    assert all(heavy[name] == [] for name in REALTIME), heavy
