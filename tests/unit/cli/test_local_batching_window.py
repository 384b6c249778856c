"""The local runtime batches its queues as AWS does (ux_s14 #14): a burst of approval notices waits for
approval_notify's window, so a supervisor gets one digest, not one mail per batch of a second."""

from __future__ import annotations

import pytest

from infra.function_specs import FUNCTION_SPECS
from plexlabor_dev.local.runtime import BATCHING_WINDOW_ENV, LocalRuntime

SPECS = {spec.name: spec for spec in FUNCTION_SPECS}


def test_without_a_cap_each_queue_batches_for_its_specs_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BATCHING_WINDOW_ENV, raising=False)
    runtime = LocalRuntime()
    assert runtime.batching_window_s(SPECS["approval_notify"]) == 60
    assert runtime.batching_window_s(SPECS["punch_validator"]) == 5


def test_a_cap_given_or_set_for_the_tests_shortens_every_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BATCHING_WINDOW_ENV, "0.5")
    assert LocalRuntime().batching_window_s(SPECS["approval_notify"]) == 0.5
    assert LocalRuntime(max_batching_window_s=2).batching_window_s(SPECS["approval_notify"]) == 2
    assert LocalRuntime(max_batching_window_s=2).batching_window_s(SPECS["punch_validator"]) == 2
