"""A burst of 429s is waited out, not failed on, within the read's patience and the invocation's remaining time
(the simulator over real HTTP on 127.0.0.1)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from plexlabor.platform.deadline import invocation_deadline
from plexlabor.plex import PlexLaborClient, PlexRateLimitedError, PlexSettings
from plexlabor.plex.transport import DEADLINE_MARGIN_S
from plexlabor_dev.simulator.server import SimulatorServer

EMPLOYEES = "/mdm/v1/employees"


def _statuses(sim: SimulatorServer) -> list[int]:
    return [entry["status"] for entry in sim.requests() if entry["path"] == EMPLOYEES]


def test_a_burst_of_429s_longer_than_max_retries_is_waited_out(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given six 429s in a row and a client with 2 retries (Retry-After capped to 0 s: its tiny backoff instead)
    plex_sim.set_faults(next=["429"] * 6, retry_after_s=1)
    client = PlexLaborClient(plex_settings(max_retries=2, retry_after_max_s=0))
    # When it reads / Then it got through on the seventh call: a 429 spends no retry
    assert len(client.employees()) == 4
    assert _statuses(plex_sim) == [429] * 6 + [200]


def test_429_waits_stop_at_the_reads_patience(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given 429s without end and a read that may wait out 429s for 2.5 s in all (each counts at least 1 s)
    plex_sim.set_faults(next=["429"] * 20, retry_after_s=1)
    client = PlexLaborClient(plex_settings(retry_after_max_s=0, rate_limited_patience_s=2.5))
    # When it reads / Then it gives up after two waits with the typed error
    with pytest.raises(PlexRateLimitedError):
        client.employees()
    assert _statuses(plex_sim) == [429] * 3


def test_a_retry_after_that_would_outlast_the_invocation_is_not_waited(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given a 429 asking for 5 s while the invocation has 5 s left past the margin (no whole attempt after the wait)
    plex_sim.set_faults(next=["429"], retry_after_s=5)
    client = PlexLaborClient(plex_settings())
    started = time.monotonic()
    # When it reads / Then it raises at once instead of running into the function's timeout
    with invocation_deadline(DEADLINE_MARGIN_S + 5.0), pytest.raises(PlexRateLimitedError) as caught:
        client.employees()
    assert time.monotonic() - started < 2
    assert caught.value.retry_after_s == 5
    assert _statuses(plex_sim) == [429]


def test_with_time_left_the_same_retry_after_is_waited_through_the_bucket(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given a client with its rate limit on, a 429 asking for 1 s, and a minute left of the invocation
    plex_sim.set_faults(next=["429"], retry_after_s=1)
    client = PlexLaborClient(plex_settings(rate_limit_per_minute=6000, rate_limit_burst=10))
    started = time.monotonic()
    with invocation_deadline(60.0):
        employees = client.employees()
    # Then it waited the second out (the bucket held) and read on the next call
    assert len(employees) == 4 and 0.95 <= time.monotonic() - started < 5
    assert _statuses(plex_sim) == [429, 200]


def test_a_read_a_person_waits_on_does_not_wait_out_a_429(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    plex_sim.set_faults(next=["429"], retry_after_s=1)
    client = PlexLaborClient(plex_settings().interactive())
    with pytest.raises(PlexRateLimitedError):
        client.employees()
    assert _statuses(plex_sim) == [429]
