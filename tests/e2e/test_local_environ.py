"""The local runtime's `os.environ` (`ConsistentEnviron`): threads that read the whole environment while
handlers' variables come and go never see a variable vanish under them. Before, moto's Step Functions
thread making a boto3 client (`urllib.request.getproxies` iterates `os.environ.items()`) got
KeyError('POWERTOOLS_SERVICE_NAME') as the validator's call ended: the approval execution failed with
States.Runtime and its finding was never mailed (tests/e2e/test_e2e_approvals.py's pool timed out)."""

from __future__ import annotations

import os
import threading
import time
import urllib.request

from plexlabor_dev.local.environment import ConsistentEnviron, EnvPatch

HANDLER_VARIABLES = {f"PLEXLABOR_TEST_VARIABLE_{i}": "value" for i in range(30)}


def _read_while_patching(seconds: float) -> tuple[int, list[str]]:
    """`getproxies()` in one thread while another applies and restores a handler's variables, as the
    invoker does around each call: (reads done, errors met)."""
    stop = threading.Event()
    errors: list[str] = []
    reads = 0

    def patch() -> None:
        while not stop.is_set():
            EnvPatch(HANDLER_VARIABLES).apply().restore()

    def read() -> None:
        nonlocal reads
        while not stop.is_set():
            try:
                urllib.request.getproxies()
                os.environ.copy()
                reads += 1
            except Exception as error:
                errors.append(repr(error))

    threads = [threading.Thread(target=patch), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    return reads, errors


def test_whole_environment_reads_never_see_a_variable_vanish() -> None:
    uninstall = ConsistentEnviron.install()
    try:
        reads, errors = _read_while_patching(seconds=1.5)
    finally:
        uninstall()
    assert reads > 0 and errors == []


def test_it_is_the_same_environment_and_goes_away_on_uninstall() -> None:
    original = os.environ
    uninstall = ConsistentEnviron.install()
    try:
        assert isinstance(os.environ, ConsistentEnviron) and os.environ is not original
        with EnvPatch({"PLEXLABOR_TEST_SHARED": "yes"}):
            assert original["PLEXLABOR_TEST_SHARED"] == "yes" and os.getenv("PLEXLABOR_TEST_SHARED") == "yes"
            assert os.environ.copy()["PLEXLABOR_TEST_SHARED"] == "yes"
            assert ("PLEXLABOR_TEST_SHARED", "yes") in os.environ.items()
            assert (os.environ | {"PLEXLABOR_TEST_OTHER": "1"})["PLEXLABOR_TEST_SHARED"] == "yes"
        assert "PLEXLABOR_TEST_SHARED" not in original
    finally:
        uninstall()
    assert os.environ is original
