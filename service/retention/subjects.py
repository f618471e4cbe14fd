"""Data-subject requests (GDPR art. 15 and 17; REGULATION.md: answer within 1 month).

Everything held about a phone number or an e-mail address, gathered from every domain's
`personal_data` hook, as one JSON document; and its erasure, where each domain anonymises what
it may and says what it must keep by law, and why. Each request writes an audit entry naming
the subject only by a hash (the audit log must not become a copy of what was erased).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from service import audit
from service.auth.services import normalize_email
from service.db import utcnow
from service.domains import domains_of
from service.errors import ValidationFailed
from service.extensions import db
from service.phones import any_number_e164
from service.retention.hooks import PersonalData, Subject


def subject_for(phone: str | None = None, email: str | None = None) -> Subject:
    phone = (phone or "").strip() or None
    email = normalize_email(email or "") or None
    if phone is None and email is None:
        raise ValidationFailed({"phone": [_("Give a phone number or an e-mail address.")]})
    e164 = any_number_e164(phone) if phone else None
    if phone and e164 is None:
        raise ValidationFailed({"phone": [_("This is not a phone number.")]})
    return Subject(phone=e164, email=email)


def _subject_hash(subject: Subject) -> str:
    text = f"{subject.phone or ''}|{subject.email or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _hooks() -> list[PersonalData]:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return [hook for domain in domains_of(app) for hook in domain.personal_data]


def export_subject(subject: Subject) -> dict[str, Any]:
    """Art. 15: every record held about the subject, per kind of record."""
    records = {hook.name: list(hook.find(subject)) for hook in _hooks()}
    audit.record(
        "subject.exported",
        "data_subject",
        _subject_hash(subject),
        after={"records": {name: len(rows) for name, rows in records.items()}},
    )
    db.session.commit()
    return {
        "subject": {"phone": subject.phone, "email": subject.email},
        "generated_at": utcnow().isoformat(),
        "records": records,
    }


def erase_subject(subject: Subject) -> dict[str, Any]:
    """Art. 17: erase or anonymise in one transaction; what is kept is listed with the reason."""
    erased: dict[str, int] = {}
    kept: list[dict[str, str]] = []
    for hook in _hooks():
        outcome = hook.erase(subject)
        erased[hook.name] = outcome.erased
        kept.extend({"record": k.record, "reason": k.reason} for k in outcome.kept)
    audit.record(
        "subject.erased",
        "data_subject",
        _subject_hash(subject),
        after={"erased": erased, "kept": len(kept)},
    )
    db.session.commit()
    return {"erased": erased, "kept": kept}
