"""Every Plex call ends while the invocation still has `DEADLINE_MARGIN_S` left to record its failure (review_infra_s17
#6): its timeouts are bounded by the time left, and no retry is made that would not fit (the simulator over HTTP)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from plexlabor.platform.deadline import invocation_deadline
from plexlabor.plex import PlexLaborClient, PlexRateLimitedError, PlexServerError, PlexSettings, PlexTimeoutError
from plexlabor.plex.transport import DEADLINE_MARGIN_S, ConnectTransport
from plexlabor_dev.simulator.server import SimulatorServer

EMPLOYEES = "/mdm/v1/employees"
SUGGESTIONS = "/platform/custom-objects/v1/data/labor_suggestions"


def _calls(sim: SimulatorServer, path: str) -> int:
    return sum(1 for entry in sim.requests() if entry["path"] == path)


def test_a_slow_answer_times_out_within_the_time_left_less_the_margin(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given Plex answering in 4 s, a client that would wait 30 s for it, and 2 s left of the invocation past the margin
    plex_sim.set_faults(latency_ms=4000)
    client = PlexLaborClient(plex_settings(timeout_s=30.0, connect_timeout_s=5.0))
    started = time.monotonic()
    # When it reads / Then it gives up after those 2 s, without a retry that could not fit
    with invocation_deadline(DEADLINE_MARGIN_S + 2.05), pytest.raises(PlexTimeoutError, match=r"within 2 s"):
        client.employees()
    assert 1.9 < time.monotonic() - started < 3.5  # one attempt: a retry would have taken 2 s more


@pytest.mark.parametrize(("seconds_left", "calls"), [(60.0, 4), (DEADLINE_MARGIN_S + 2.0, 1)])
def test_a_failed_read_is_retried_only_while_a_whole_attempt_still_fits(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings], seconds_left: float, calls: int
) -> None:
    # Given Plex answering 500 without end, 3 retries, attempts of at most 3 s (1 s connect + 2 s read)
    plex_sim.set_faults(next=["500"] * 6)
    client = PlexLaborClient(plex_settings(max_retries=3))
    # When it reads with a minute left, or with 2 s past the margin (less than the 3 s an attempt may take)
    with invocation_deadline(seconds_left), pytest.raises(PlexServerError):
        client.employees()
    # Then every retry was made, or none
    assert _calls(plex_sim, EMPLOYEES) == calls


def test_no_call_is_started_when_only_the_margin_is_left(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    client = PlexLaborClient(plex_settings())
    with invocation_deadline(DEADLINE_MARGIN_S + 0.5), pytest.raises(PlexTimeoutError, match="not called"):
        client.employees()
    assert _calls(plex_sim, EMPLOYEES) == 0


@pytest.mark.parametrize(("seconds_left", "calls"), [(60.0, 2), (DEADLINE_MARGIN_S + 2.0, 1)])
def test_a_post_is_repeated_after_a_503_only_while_it_still_fits(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings], seconds_left: float, calls: int
) -> None:
    # Given a write Plex rejects once with 503 (Retry-After 0: the backoff), sent with an idempotency key
    plex_sim.set_faults(next=["503"], retry_after_s=0)
    transport = ConnectTransport(plex_settings())
    # When it is sent with a minute left it is repeated and goes through; with 2 s past the margin it fails at once
    with invocation_deadline(seconds_left):
        if calls == 2:
            transport.post(SUGGESTIONS, {"reference": "f-1"}, idempotency_key="k-1")
        else:
            with pytest.raises(PlexServerError):
                transport.post(SUGGESTIONS, {"reference": "f-1"}, idempotency_key="k-1")
    assert _calls(plex_sim, SUGGESTIONS) == calls


def test_a_429_is_not_waited_out_when_the_retry_after_it_would_not_fit(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given Plex answering in 1.5 s, 429 (Retry-After 1 s) first, attempts of at most 3 s, 3.5 s left past the margin
    plex_sim.set_faults(latency_ms=1500, next=["429"], retry_after_s=1)
    client = PlexLaborClient(plex_settings())
    started = time.monotonic()
    # When it reads / Then the 429 is the answer: the wait and a whole attempt after it (4 s) would not end in time
    with invocation_deadline(DEADLINE_MARGIN_S + 3.5), pytest.raises(PlexRateLimitedError):
        client.employees()
    assert time.monotonic() - started < 3.5
    assert _calls(plex_sim, EMPLOYEES) == 1


def test_a_retry_after_a_longer_wait_than_planned_gets_the_time_left_then(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given Plex answering in 3 s, 429 (Retry-After 1 s) first, attempts of at most 4.5 s (1 s connect + 3.5 s read),
    # and a process held to 20 calls a minute: the retry waits 3 s more for its token than the 429 asked
    plex_sim.set_faults(latency_ms=3000, next=["429"], retry_after_s=1)
    settings = plex_settings(timeout_s=3.5, backoff_jitter_s=0.0, rate_limit_per_minute=20, rate_limit_burst=1)
    client = PlexLaborClient(settings)
    started = time.monotonic()
    # When it reads with 8.8 s left past the margin (the wait and a whole attempt fit when the 429 comes, at 3 s)
    with (
        invocation_deadline(DEADLINE_MARGIN_S + 8.8),
        pytest.raises(PlexTimeoutError, match=r"no answer within 1\.\d s"),
    ):
        client.employees()
    # Then the retry, started at 7 s, waits only what is left (< 1.8 s), not its 3.5 s, and fails in time
    assert time.monotonic() - started < 8.8 + 0.25


def test_a_ten_second_function_still_reads_plex(
    plex_sim: SimulatorServer, plex_settings: Callable[..., PlexSettings]
) -> None:
    # Given the shortest function that reads Plex (approval_callback: 10 s, its page names people)
    client = PlexLaborClient(plex_settings())
    # When it reads the people with its whole time left / Then they are read (a 10 s margin left it no call)
    with invocation_deadline(10.0):
        assert client.employees()
    assert _calls(plex_sim, EMPLOYEES) == 1
