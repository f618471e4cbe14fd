"""E-mail settings (FAIRHEAT_EMAIL_*, FAIRHEAT_SMTP_*), read by config.settings.load_settings()."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from config.errors import SettingsError
from config.parsing import get, get_float, get_int

BACKENDS = ("console", "smtp")
SECURITY_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
# One @, something on each side, no spaces or angle brackets: enough to catch a typo in a
# setting; the SMTP server has the last word on a recipient.
_ADDRESS = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


@dataclass(frozen=True)
class MailSettings:
    backend: str  # console | smtp
    from_address: str  # the From address; its display name is FAIRHEAT_UTILITY_NAME
    smtp_host: str
    smtp_port: int
    smtp_security: str  # none | starttls | ssl
    smtp_username: str
    smtp_password: str = field(repr=False)
    smtp_timeout: float  # seconds, for connecting and for each answer of the server
    max_attempts: int  # sends of one message before it is marked failed
    # SMTP connections one dispatcher sends a large batch over at once (one per 50 messages,
    # at most this many); each is reused for its share of the batch.
    connections: int = 4


def is_email_address(value: str) -> bool:
    return _ADDRESS.fullmatch(value) is not None


def load_mail_settings(environ: Mapping[str, str]) -> MailSettings:
    backend = get(environ, "FAIRHEAT_EMAIL_BACKEND", "console").lower()
    if backend not in BACKENDS:
        raise SettingsError(f"FAIRHEAT_EMAIL_BACKEND must be console or smtp, got {backend!r}")
    from_address = get(environ, "FAIRHEAT_EMAIL_FROM", "asiakaspalvelu@lampo.example")
    if not is_email_address(from_address):
        raise SettingsError(
            f"FAIRHEAT_EMAIL_FROM must be a bare address like name@example.fi, got {from_address!r}"
        )
    security = get(environ, "FAIRHEAT_SMTP_SECURITY", "starttls").lower()
    if security not in SECURITY_DEFAULT_PORTS:
        raise SettingsError(
            f"FAIRHEAT_SMTP_SECURITY must be none, starttls or ssl, got {security!r}"
        )
    port = get_int(environ, "FAIRHEAT_SMTP_PORT", SECURITY_DEFAULT_PORTS[security], minimum=1)
    if port > 65535:
        raise SettingsError(f"FAIRHEAT_SMTP_PORT must be at most 65535, got {port}")
    mail = MailSettings(
        backend=backend,
        from_address=from_address,
        smtp_host=get(environ, "FAIRHEAT_SMTP_HOST", ""),
        smtp_port=port,
        smtp_security=security,
        smtp_username=get(environ, "FAIRHEAT_SMTP_USERNAME", ""),
        smtp_password=get(environ, "FAIRHEAT_SMTP_PASSWORD", ""),
        smtp_timeout=get_float(environ, "FAIRHEAT_SMTP_TIMEOUT", 10.0, minimum=0.1),
        max_attempts=get_int(environ, "FAIRHEAT_EMAIL_MAX_ATTEMPTS", 8, minimum=1),
        connections=get_int(environ, "FAIRHEAT_EMAIL_CONNECTIONS", 4, minimum=1),
    )
    if backend == "smtp" and not mail.smtp_host:
        raise SettingsError("FAIRHEAT_SMTP_HOST is required for the smtp e-mail backend")
    if mail.smtp_username and not mail.smtp_password:
        raise SettingsError("FAIRHEAT_SMTP_PASSWORD is required with FAIRHEAT_SMTP_USERNAME")
    return mail
