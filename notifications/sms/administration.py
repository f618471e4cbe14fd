"""What staff change about a subscriber: the priority flag, and release from quarantine."""

from __future__ import annotations

from notifications.sms.models import Subscriber
from service import audit
from service.errors import NotFound
from service.extensions import db


def _get(subscriber_id: int) -> Subscriber:
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise NotFound()
    return subscriber


def set_priority(subscriber_id: int, priority: bool, note: str | None) -> Subscriber:
    """Hospitals, care homes and the like are sent to first in every fan-out."""
    subscriber = _get(subscriber_id)
    before = {"priority": subscriber.priority, "priority_note": subscriber.priority_note}
    subscriber.priority = priority
    subscriber.priority_note = (note or "").strip()[:200] or None
    after = {"priority": subscriber.priority, "priority_note": subscriber.priority_note}
    audit.record("subscriber.priority", "subscriber", subscriber.id, before=before, after=after)
    db.session.commit()
    return subscriber


def release_from_quarantine(subscriber_id: int) -> Subscriber:
    """Send to this number again (staff checked it, e.g. the resident got a new phone)."""
    subscriber = _get(subscriber_id)
    audit.record(
        "subscriber.released",
        "subscriber",
        subscriber.id,
        before={"quarantined_at": subscriber.quarantined_at},
        after={"quarantined_at": None},
    )
    subscriber.quarantined_at = None
    subscriber.consecutive_failures = 0
    db.session.commit()
    return subscriber
