"""Scheduled jobs of the notifications domain: (function, APScheduler trigger arguments)."""

from __future__ import annotations

from typing import Any

from notifications.services import start_due_planned_outages


def start_planned_outages() -> None:
    """A published planned interruption whose start has passed is shown as in progress."""
    start_due_planned_outages()


JOBS: list[tuple[Any, dict[str, Any]]] = [
    (start_planned_outages, {"trigger": "interval", "minutes": 1}),
]
