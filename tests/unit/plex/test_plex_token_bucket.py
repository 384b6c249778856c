"""The client-side token bucket, on a fake clock."""

from __future__ import annotations

import threading

import pytest

from plexlabor.plex.transport import TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_full_bucket_lets_a_burst_through_then_paces() -> None:
    # Given 2 tokens a second and room for 3
    clock = FakeClock()
    bucket = TokenBucket(2.0, 3, clock=clock, sleep=clock.sleep)
    # When 5 calls come at once
    waits = [bucket.acquire() for _ in range(5)]
    # Then the first 3 pass and the next wait half a second each
    assert waits[:3] == [0, 0, 0]
    assert waits[3:] == pytest.approx([0.5, 0.5])


def test_tokens_refill_with_time_but_never_above_capacity() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1.0, 2, clock=clock, sleep=clock.sleep)
    bucket.acquire()
    bucket.acquire()
    clock.now += 100  # a long pause refills to capacity only
    assert [bucket.acquire() for _ in range(3)] == pytest.approx([0, 0, 1.0])


def test_per_minute_zero_means_no_limit() -> None:
    assert TokenBucket.per_minute(0, 10) is None
    bucket = TokenBucket.per_minute(180, 10)
    assert bucket is not None and bucket.rate_per_s == 3.0 and bucket.capacity == 10


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0, 1)


def test_concurrent_callers_never_exceed_the_rate() -> None:
    # Given a bucket of 10/s with no burst, on a shared fake clock whose sleeps are recorded
    lock = threading.Lock()
    clock = FakeClock()
    reservations: list[float] = []

    def sleep(seconds: float) -> None:
        with lock:
            reservations.append(seconds)

    bucket = TokenBucket(10.0, 1, clock=clock, sleep=sleep)
    # When 8 threads take 5 tokens each at the same instant
    threads = [threading.Thread(target=lambda: [bucket.acquire() for _ in range(5)]) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    # Then the 39 calls after the first were each given a distinct slot 0.1 s apart
    assert sorted(round(wait, 6) for wait in reservations) == [round(0.1 * n, 6) for n in range(1, 40)]
