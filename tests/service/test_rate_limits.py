"""The rate limiter's memory:// storage counts as limits' own and starts no thread per hit; the
intake forms' limit counts per address and form and says when to come back."""

from __future__ import annotations

import threading
import time

import limits
import pytest
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from service import rate_limits
from service.rate_limits import InlineSweepMemoryStorage


def test_memory_uri_gives_the_inline_sweeping_storage(app):
    from service.extensions import limiter

    with app.app_context():
        assert isinstance(limiter.storage, InlineSweepMemoryStorage)


def test_counts_and_refuses_like_limits_without_starting_threads():
    storage = limits.storage.storage_from_string("memory://")
    limiter = FixedWindowRateLimiter(storage)
    three = limits.parse("3 per minute")
    time.sleep(0.05)  # the one timer MemoryStorage starts when built has run
    before = threading.active_count()
    assert [limiter.hit(three, "203.0.113.7") for _ in range(5)] == [True] * 3 + [False] * 2
    for n in range(200):
        limiter.hit(three, f"198.51.100.{n}")
    assert threading.active_count() == before
    assert limiter.hit(three, "203.0.113.8")  # another address has its own count


def test_expired_counters_are_swept_inline(monkeypatch):
    monkeypatch.setattr(rate_limits, "SWEEP_SECONDS", 0.0)
    storage = InlineSweepMemoryStorage()
    limiter = FixedWindowRateLimiter(storage)
    one = limits.parse("1 per second")
    assert limiter.hit(one, "a")
    assert not limiter.hit(one, "a")
    time.sleep(1.1)
    assert limiter.hit(one, "b")  # the sweep runs in this hit and frees a's counter
    assert not any("/a/" in key for key in storage.storage)
    assert limiter.hit(one, "a")  # a's window is over


class TestFormLimits:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True}

    def test_each_address_and_form_has_its_own_count_and_the_refusal_says_when(self, app):
        from service.extensions import limiter
        from service.form_limits import count_request

        limiter.reset()
        address = {"REMOTE_ADDR": "203.0.113.9"}
        with app.test_request_context("/fi/feedback", method="POST", environ_base=address):
            count_request("2 per minute; 5 per hour", scope="feedback")
            count_request("2 per minute; 5 per hour", scope="feedback")
            with pytest.raises(TooManyRequests) as refused:
                count_request("2 per minute; 5 per hour", scope="feedback")
            assert 1 <= int(dict(refused.value.get_headers())["Retry-After"]) <= 60
            count_request("2 per minute; 5 per hour", scope="connection")  # another form
        other = {"REMOTE_ADDR": "203.0.113.10"}
        with app.test_request_context("/fi/feedback", method="POST", environ_base=other):
            count_request("2 per minute; 5 per hour", scope="feedback")  # another address


def test_form_limits_count_nothing_while_the_limiter_is_off(app):
    from service.form_limits import count_request

    with app.test_request_context("/fi/feedback", method="POST"):
        for _ in range(5):
            count_request("1 per minute")  # RATELIMIT_ENABLED is off in the tests by default
