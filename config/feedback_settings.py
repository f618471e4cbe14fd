"""Feedback and complaint settings (FAIRHEAT_FEEDBACK_*, FAIRHEAT_DEADLINE_*, emergency line)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from config.errors import SettingsError
from config.feedback_rules import FeedbackRules, load_feedback_rules
from config.parsing import get, get_bool, get_int


@dataclass(frozen=True)
class FeedbackSettings:
    rules: FeedbackRules
    emergency_phone: str  # shown on the "no heat right now?" banner, as typed
    case_prefix: str  # FH in FH-2026-000123
    max_description_chars: int
    intake_rate_limit: str  # per client IP, Flask-Limiter syntax
    due_soon_hours: int
    escalation_emails: bool


def load_feedback_settings(environ: Mapping[str, str], jurisdiction: str) -> FeedbackSettings:
    prefix = get(environ, "FAIRHEAT_CASE_PREFIX", "FH").upper()
    if not re.fullmatch(r"[A-Z]{1,5}", prefix):
        raise SettingsError(f"FAIRHEAT_CASE_PREFIX must be 1 to 5 letters A-Z, got {prefix!r}")
    emergency = get(environ, "FAIRHEAT_EMERGENCY_PHONE", "+358 9 123 4567")
    if not re.fullmatch(r"\+?[\d ()-]{3,25}", emergency):
        raise SettingsError(
            f"FAIRHEAT_EMERGENCY_PHONE must be a phone number as shown to residents, "
            f"got {emergency!r}"
        )
    return FeedbackSettings(
        rules=load_feedback_rules(environ, jurisdiction),
        emergency_phone=emergency,
        case_prefix=prefix,
        max_description_chars=get_int(environ, "FAIRHEAT_FEEDBACK_MAX_CHARS", 5000, minimum=200),
        intake_rate_limit=get(environ, "FAIRHEAT_FEEDBACK_RATE_LIMIT", "5 per minute;30 per hour"),
        due_soon_hours=get_int(environ, "FAIRHEAT_FEEDBACK_DUE_SOON_HOURS", 24, minimum=1),
        escalation_emails=get_bool(environ, "FAIRHEAT_FEEDBACK_ESCALATION_EMAILS", True),
    )
