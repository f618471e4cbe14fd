"""Fixtures for the dispatcher and status callback tests: a fake Twilio and dispatchers.

No fixture here is autouse and none overrides `settings_env`, so the other SMS test modules
are not affected; a module that sends through the fake overrides `settings_env` itself with
tests.support.sms.twilio_env(fake_server).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from notifications.sms.dispatcher import Dispatcher
from tests.support.fake_twilio import FakeTwilio
from tests.support.sms import ACCOUNT_SID, AUTH_TOKEN

FAKE_SEED = 20240917


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeTwilio]:
    """One fake Twilio per module, listening before `app` is built (its URL goes in settings)."""
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, seed=FAKE_SEED) as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeTwilio) -> Iterator[FakeTwilio]:
    """The fake, forgotten and reprogrammable for each test; handler errors fail the test."""
    fake_server.reset()
    yield fake_server
    assert fake_server.errors == []


@pytest.fixture
def make_dispatcher(app: Flask) -> Iterator[Callable[..., Dispatcher]]:
    """Dispatchers on the test app (the real gateway from settings), closed after the test."""
    made: list[Dispatcher] = []

    def make(batch_size: int = 200) -> Dispatcher:
        made.append(Dispatcher(app, batch_size=batch_size))
        return made[-1]

    yield make
    for dispatcher in made:
        dispatcher.close()
