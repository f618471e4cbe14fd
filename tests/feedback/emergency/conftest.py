"""Fixtures of the emergency line's Voice tests (used by name, none automatically)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from feedback.emergency import call_log, roster, voice
from service.extensions import db
from tests.support.fake_twilio import FakeTwilio
from tests.support.sms import ACCOUNT_SID, AUTH_TOKEN


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        yield server


@pytest.fixture
def fresh_line(app) -> Iterator[None]:
    """No roster copy, interruption count or queued call row from another test, and nothing of
    this test written after it."""
    roster.COPY.forget()
    voice._active.clear()
    yield
    roster.COPY.forget()
    call_log.writer_for(db.engine).abandon()
