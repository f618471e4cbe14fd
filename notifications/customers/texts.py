"""The notice e-mail to a contract customer's contact, in one language: subject, plain text and
HTML, from the same Jinja templates (customers/email/notice.txt and .html).

The texts are rendered once per language for an event; the one thing that differs per
recipient, their building's address, is the ADDRESS marker, which the fan-out replaces in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from notifications.sms.texts import SmsEvent, outage_url
from notifications.texts import compose_notice
from service.i18n import format_datetime
from service.settings import current_settings

ADDRESS = "\u27e6address\u27e7"  # ⟦address⟧: replaced by the building's address in SQL
UNSUBSCRIBE = "\u27e6unsubscribe\u27e7"  # a resident's own manage link, replaced in SQL


@dataclass(frozen=True)
class NoticeEmail:
    subject: str
    text: str
    html: str


def headline(outage: Any, event: SmsEvent, lang: str) -> str:
    """What this message is about, in one line (the subject without the address)."""
    notice = compose_notice(outage, lang)
    with force_locale(lang):
        if event == SmsEvent.ESTIMATE and outage.expected_end_at is not None:
            return _(
                "New estimated restoration time: %(time)s",
                time=format_datetime(outage.expected_end_at, lang),
            )
        if event == SmsEvent.REMINDER:
            return _("Reminder: starts %(time)s", time=format_datetime(outage.starts_at, lang))
        if event in (SmsEvent.ENDED, SmsEvent.CANCELLED):
            return notice.lines[0]
        return notice.title


def notice_email(
    outage: Any, event: SmsEvent, lang: str, *, unsubscribe_url: str | None = None
) -> NoticeEmail:
    """The e-mail in `lang`; the building's address is the ADDRESS marker."""
    conf = current_settings()
    notice = compose_notice(outage, lang)
    context = {
        "utility": conf.utility_name,
        "headline": headline(outage, event, lang),
        "notice": notice,
        "address": ADDRESS,
        "url": outage_url(outage.id, lang),
        "emergency_phone": conf.feedback.emergency_phone,
        "manage_url": f"{conf.public_base_url}/{lang}/customers/sign-in",
        "unsubscribe_url": unsubscribe_url,
        "lang": lang,
    }
    with force_locale(lang):
        subject = _("%(headline)s – %(address)s", headline=context["headline"], address=ADDRESS)
        text = render_template("customers/email/notice.txt", **context)
        html = render_template("customers/email/notice.html", **context)
    return NoticeEmail(subject=subject, text=text, html=html)
