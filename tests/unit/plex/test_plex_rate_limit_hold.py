"""A 429's wait holds the whole process's bucket; the invocation's remaining time as handlers set it."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from urllib3.response import HTTPResponse

from plexlabor.platform import deadline
from plexlabor.platform.observability import lambda_handler
from plexlabor.plex import transport
from plexlabor.plex.settings import PlexSettings
from plexlabor.plex.transport import TokenBucket, build_retry


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_hold_makes_every_caller_wait_it_out_then_the_rate_goes_on() -> None:
    # Given a full bucket of 2 calls a second
    clock = FakeClock()
    bucket = TokenBucket(2.0, 10, clock=clock, sleep=clock.sleep)
    # When a 429 holds it for 5 s
    bucket.hold(5.0)
    # Then the next callers wait the 5 s out, then one per half second, not a burst
    assert [bucket.acquire() for _ in range(3)] == pytest.approx([5.5, 0.5, 0.5])


def test_a_hold_shorter_than_the_debt_already_owed_changes_nothing() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1.0, 1, clock=clock, sleep=clock.sleep)
    bucket._reserve(5)  # 4 s owed
    bucket.hold(1.0)
    assert bucket.acquire() == pytest.approx(5.0)


def test_remaining_time_counts_down_within_the_block_and_is_unknown_outside() -> None:
    assert deadline.remaining_s() is None
    with deadline.invocation_deadline(30.0):
        left = deadline.remaining_s()
        assert left is not None and 29.0 < left <= 30.0
    assert deadline.remaining_s() is None


def test_handlers_set_the_remaining_time_from_the_lambda_context() -> None:
    seen: list[float | None] = []

    @lambda_handler()
    def handler(event: dict, context: object) -> dict:
        seen.append(deadline.remaining_s())
        return {}

    context = SimpleNamespace(
        function_name="f",
        memory_limit_in_mb=128,
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:f",
        aws_request_id="r",
        get_remaining_time_in_millis=lambda: 42_000,
    )
    started = time.monotonic()
    handler({}, context)
    assert seen[0] is not None and 40.0 < seen[0] <= 42.0 + (time.monotonic() - started)
    assert deadline.remaining_s() is None


def test_a_context_without_the_method_gives_no_deadline() -> None:
    assert deadline.seconds_left_of(object()) is None
    assert deadline.seconds_left_of(SimpleNamespace(get_remaining_time_in_millis=lambda: "soon")) is None


def test_a_429_with_a_retry_after_that_is_no_time_is_retried_after_the_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the batch retry policy and a 429 whose Retry-After is neither seconds nor a date
    settings = PlexSettings(api_key="k", backoff_factor=0.5, backoff_jitter_s=0, backoff_max_s=30)
    retry = build_retry(settings, None, {"GET"})
    response = HTTPResponse(status=429, headers={"Retry-After": "soon"})
    slept: list[float] = []
    monkeypatch.setattr(transport.time, "sleep", slept.append)
    # When urllib3 asks it what to do / Then it waits the backoff (urllib3's own sleep raised InvalidHeader)
    after = retry.increment("GET", "https://plex.example/mdm/v1/employees", response=response)
    after.sleep(response)
    assert slept == [pytest.approx(0.5)]
