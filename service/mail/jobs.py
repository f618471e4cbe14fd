"""Scheduled jobs of the e-mail channel: (function, APScheduler trigger arguments)."""

from __future__ import annotations

from typing import Any

from service.mail.dispatcher import send_due_emails

JOBS: list[tuple[Any, dict[str, Any]]] = [
    (send_due_emails, {"trigger": "interval", "seconds": 10}),
]
