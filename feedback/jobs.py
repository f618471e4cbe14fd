"""Scheduled jobs of the feedback domain, run by the one leading scheduler (service/scheduler)."""

from __future__ import annotations

from typing import Any

from feedback.services import escalate, mark_deemed_accepted


def escalate_cases() -> None:
    """Due within FAIRHEAT_FEEDBACK_DUE_SOON_HOURS, or overdue: tell the assignee and the leads."""
    escalate()


def deem_accepted() -> None:
    """PL: a disconnection complaint left unanswered past its deadline is deemed accepted."""
    mark_deemed_accepted()


JOBS: list[tuple[Any, dict[str, Any]]] = [
    (escalate_cases, {"trigger": "interval", "minutes": 5}),
    (deem_accepted, {"trigger": "interval", "minutes": 15}),
]
