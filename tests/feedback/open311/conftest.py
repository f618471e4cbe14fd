"""Open311 fixtures: an api_key for a city app."""

from __future__ import annotations

import pytest

from feedback.open311.keys import create_key


@pytest.fixture
def api_key(app) -> str:
    return create_key("City app")[1]
