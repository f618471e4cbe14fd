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
    assert first.take(101) == (0, 100)  # starts full: a tenth of a second's worth, no more
    assert first.take(100) == (100, 0)
    clock.now += 0.030  # 30 ms → 30 tokens
    assert first.take(31) == (0, 30)  # all or nothing
    assert first.take(30) == (30, 0)


def test_slow_rates_keep_the_fractions(app, clock):
    slow = budget(clock, 0.5)  # half a token a second
    assert slow.take(1) == (1, 0)
    clock.now += 1
    assert slow.take(1) == (0, 0.5)
    clock.now += 1
    assert slow.take(1) == (1, 0)


def test_two_processes_share_one_rate(app, clock):
    one, two = budget(clock, 100), budget(clock, 100)
    assert one.take(10)[0] + two.take(10)[0] == 10  # the burst is shared, not doubled
    got = {"one": 0, "two": 0}
    for step in range(200):  # ten seconds in 50 ms steps, both asking for 5 (a chunk)
        clock.now += 0.05
        first, second = (("one", one), ("two", two))[:: 1 if step % 2 else -1]
        for name, shared in (first, second):
            got[name] += shared.take(5)[0]
    assert got["one"] + got["two"] == 1000  # exactly 100 a second between them
    assert got["one"] == got["two"]


def test_a_clock_behind_the_stored_time_takes_nothing_back(app, clock):
    ahead, behind = Clock(), Clock()
    behind.now = ahead.now - 5
    assert budget(ahead, 100).take(10)[0] == 10
    assert budget(behind, 100).take(1) == (0, 0)  # no refill from the past
    ahead.now += 1
    assert budget(ahead, 100).take(10) == (10, 0)  # capacity, and nothing lost or doubled


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
        got = sum(b.take(5)[0] for _ in range(30))
        with lock:
            results.append(got)

    threads = [threading.Thread(target=take, args=(b,)) for b in shared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 100  # the full bucket, no more, however the takes interleave
