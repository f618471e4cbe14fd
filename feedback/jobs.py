"""Scheduled jobs of the feedback domain, run by the one leading scheduler (feedback/domain.py
says when)."""

from __future__ import annotations

from feedback.answering import mark_deemed_accepted
from feedback.escalations import escalate


def escalate_cases() -> None:
    """Due within FAIRHEAT_FEEDBACK_DUE_SOON_HOURS, or overdue: tell the assignee and the leads."""
    escalate()


def deem_accepted() -> None:
    """PL: a disconnection complaint left unanswered past its deadline is deemed accepted."""
    mark_deemed_accepted()
