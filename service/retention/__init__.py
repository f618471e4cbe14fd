"""Personal data over time: retention periods, legal holds, data-subject requests.

Domains plug in through service/retention/hooks.py (`domain.retention`, `domain.personal_data`).
"""

from service.retention.hooks import Erasure, Kept, PersonalData, RecordRetention, Subject

__all__ = ["Erasure", "Kept", "PersonalData", "RecordRetention", "Subject"]
