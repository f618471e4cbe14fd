"""Fixtures for the e-mail tests: a real SMTP server on loopback, and outbox helpers.

No fixture here overrides `settings_env`: a module that sends through the server sets it with
smtp_env(server).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.smtp import SmtpServer

SMTP_USER = "fairheat"
SMTP_PASSWORD = "a password for the test server"


def smtp_env(port: int, **extra: str) -> dict[str, str]:
    return {
        "FAIRHEAT_EMAIL_BACKEND": "smtp",
        "FAIRHEAT_SMTP_HOST": "127.0.0.1",
        "FAIRHEAT_SMTP_PORT": str(port),
        "FAIRHEAT_SMTP_SECURITY": "none",
        "FAIRHEAT_SMTP_USERNAME": SMTP_USER,
        "FAIRHEAT_SMTP_PASSWORD": SMTP_PASSWORD,
        "FAIRHEAT_SMTP_TIMEOUT": "5",
        **extra,
    }


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpServer]:
    """One SMTP server per module, listening before `app` is built (its port goes in settings)."""
    with SmtpServer(credentials=(SMTP_USER, SMTP_PASSWORD)) as server:
        yield server


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    """The server with nothing received and nothing programmed."""
    smtp_server.reset()
    return smtp_server
