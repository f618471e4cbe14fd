"""Personal data over time: retention periods, legal holds, data-subject requests.

Domains plug in through service/retention/hooks.py (`domain.retention`, `domain.personal_data`).
"""

from service.retention.hooks import (
    UNDER_HOLD,
    Erasure,
    Kept,
    PersonalData,
    RecordRetention,
    Subject,
    why_kept,
)

__all__ = [
    "UNDER_HOLD",
    "Erasure",
    "Kept",
    "PersonalData",
    "RecordRetention",
    "Subject",
    "why_kept",
]
