"""SMS text of an outage event in one language: short, whole translated phrases, a link, and
the way out (alphanumeric senders cannot take replies, so the link matters as much as STOP)."""

from __future__ import annotations

import enum
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from notifications.texts import compose_notice
from service.i18n import format_datetime
from service.settings import current_settings


class SmsEvent(enum.StrEnum):
    PUBLISHED = "published"  # a new notice
    ESTIMATE = "estimate"  # the restoration estimate moved by more than the threshold
    ENDED = "ended"  # restored or completed
    CANCELLED = "cancelled"
    REMINDER = "reminder"  # before a planned interruption starts


def outage_url(outage_id: int, lang: str) -> str:
    base = current_settings().public_base_url
    return f"{base}/{lang}/outages/{outage_id}"


def sms_text(outage: Any, event: SmsEvent, lang: str, *, outage_id: int | None = None) -> str:
    """The message for one subscriber language; the area is what they follow, so not repeated.

    `outage_id` stands in for an unsaved outage's id (the staff preview counts segments).
    """
    utility = current_settings().utility_name
    notice = compose_notice(outage, lang)
    with force_locale(lang):
        if event == SmsEvent.ESTIMATE and outage.expected_end_at is not None:
            lead = _(
                "New estimated restoration time: %(time)s",
                time=format_datetime(outage.expected_end_at, lang),
            )
        elif event == SmsEvent.REMINDER:
            lead = _("Reminder: starts %(time)s", time=format_datetime(outage.starts_at, lang))
        else:
            # The notice's own lines: what is happening and when (status sentence, times).
            lead = " ".join(notice.lines[:3] if event == SmsEvent.PUBLISHED else notice.lines[:1])
        way_out = _("Reply STOP to unsubscribe.")
    url = outage_url(outage_id if outage_id is not None else outage.id, lang)
    return f"{utility}: {notice.title}. {lead} {url} {way_out}"
