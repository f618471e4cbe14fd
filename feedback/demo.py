"""Demo data of the feedback domain: four cases in four languages, received over the past days."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from feedback.intake import submit_case
from feedback.models import Case
from feedback.schemas import CaseInputSchema
from service.db import utcnow
from service.extensions import db
from service.settings import current_settings
from service.validation import load_or_fail

CASES = [  # (hours ago, type, area, language, description, contact)
    (2, "complaint", "heat_supply", "fi", "Patterit ovat kylmiä jo toista päivää.",
     {"email": "asukas@example.fi"}),
    (30, "question", "billing", "sv", "Varför steg fjärrvärmeavgiften i oktober?",
     {"email": "boende@example.fi"}),
    (140, "feedback", "customer_service", "en", "Thank you for the quick repair last week.",
     {"phone": "+358401234567", "reply_channel": "sms"}),
    (20, "billing_complaint", "billing", "pl", "Faktura za listopad jest dwa razy wyższa.",
     {"email": "jan.kowalski@example.pl"}),
]  # fmt: skip


def load_cases(only_if_empty: bool = False) -> str:
    """Load the demo cases in the configured languages; one line saying what was loaded."""
    if only_if_empty and db.session.scalar(sa.select(Case.id).limit(1)) is not None:
        return "feedback cases already exist; nothing loaded"
    conf = current_settings()
    cases = 0
    for hours, kind, area, lang, text, contact in CASES:
        if lang in conf.languages:
            data = {"type": kind, "area": area, "description": text, "language": lang, **contact}
            received = utcnow() - dt.timedelta(hours=hours)
            submit_case(load_or_fail(CaseInputSchema(), data), received_at=received)
            cases += 1

    return f"{cases} feedback cases"
