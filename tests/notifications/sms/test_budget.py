"""The send rate shared by dispatcher processes: a token bucket in the database."""

from __future__ import annotations

import threading

import pytest

from notifications.sms.budget import SharedBudget
from service.extensions import db


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def budget(clock: Clock, rate: float) -> SharedBudget:
    return SharedBudget(db.engine, rate, clock=clock, sleep=lambda s: None)


def test_a_full_bucket_gives_a_tenth_of_a_second_then_refills_at_the_rate(app, clock):
    first = budget(clock, 1000)
    assert (first.chunk, first.capacity) == (50, 100)
    assert first.take(500) == 100  # starts full: a tenth of a second's worth
    assert first.take(500) == 0
    clock.now += 0.0305  # 30.5 ms → 30 whole tokens, the half is kept
    assert first.take(500) == 30
    clock.now += 0.0005
    assert first.take(500) == 1


def test_two_processes_share_one_rate(app, clock):
    one, two = budget(clock, 100), budget(clock, 100)
    granted = one.take(1000) + two.take(1000)
    assert granted == 10  # the burst is shared, not doubled
    total = 0
    for _ in range(100):  # ten seconds in 0.1 s steps, both asking for as much as they can
        clock.now += 0.1
        total += one.take(1000) + two.take(1000)
    assert total == 1000  # exactly 100 a second between them


def test_a_clock_behind_the_stored_time_takes_nothing_back(app, clock):
    ahead, behind = Clock(), Clock()
    behind.now = ahead.now - 5
    budget(ahead, 100).take(10)
    assert budget(behind, 100).take(10) == 0
    ahead.now += 1
    assert budget(ahead, 100).take(1000) == 10  # capacity, and nothing was lost or doubled


def test_acquire_waits_until_the_shared_bucket_refills(app, clock):
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.now += seconds

    shared = SharedBudget(db.engine, 20, clock=clock, sleep=sleep)
    for _ in range(2 + 6):  # the burst of 2, then 6 more at 20 a second
        shared.acquire()
    assert sum(waits) == pytest.approx(6 / 20, abs=0.05)


def test_concurrent_takers_never_exceed_the_budget(app, clock):
    shared = [budget(clock, 1000) for _ in range(4)]
    results: list[int] = []
    lock = threading.Lock()

    def take(b: SharedBudget) -> None:
        got = sum(b.take(7) for _ in range(20))
        with lock:
            results.append(got)

    threads = [threading.Thread(target=take, args=(b,)) for b in shared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 100  # the full bucket, no more, however the takes interleave
