"""The local runtime's lifecycle: the process environment is put back exactly, handler modules are
forgotten (the next runtime cold-starts them), and two runtimes cannot overlap in one process."""

from __future__ import annotations

import os
import sys
import time

import pytest
import requests
from toy_functions import attempts, send_toy, toy_runtime

from plexlabor_dev.local.runtime import LocalRuntime


def test_environment_is_restored_and_the_next_runtime_cold_starts(toy_package: str) -> None:
    # Given a developer shell with credentials, a profile and a leaked table name
    sentinel = {
        "AWS_ACCESS_KEY_ID": "AKIAREALLOOKING",
        "AWS_PROFILE": "someone",
        "AWS_ENDPOINT_URL_DYNAMODB": "http://elsewhere:1",
        "STATE_TABLE_NAME": "real-table",
        "PLEXLABOR_PLEX_API_KEY": "real-key",
    }
    saved = {name: os.environ.get(name) for name in sentinel}
    os.environ.update(sentinel)
    try:
        before = dict(os.environ)
        started = time.perf_counter()
        with toy_runtime(toy_package) as runtime:
            # Then while it runs, nothing of the shell reaches boto3 or the functions
            assert "AWS_PROFILE" not in os.environ and "AWS_ENDPOINT_URL_DYNAMODB" not in os.environ
            assert "PLEXLABOR_PLEX_API_KEY" not in os.environ
            assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
            env = requests.get(f"{runtime.api_url}/toy/x", timeout=10).json()["env"]
            assert env["STATE_TABLE_NAME"] is None
            send_toy(runtime, {"id": "cold-1"})
            runtime.drain(timeout_s=15)
            assert attempts(runtime, "cold-1") == 1  # a fresh consumer module, on this moto server
        # And afterwards the environment is exactly as before
        assert dict(os.environ) == before
        assert not [name for name in sys.modules if name.startswith(toy_package + ".toy_")]
        assert time.perf_counter() - started < 30
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def test_two_runtimes_cannot_overlap(toy_package: str) -> None:
    with toy_runtime(toy_package), pytest.raises(RuntimeError, match="another LocalRuntime"):
        LocalRuntime().start()
