"""What a case sends: to the customer (acknowledgement, question, answer) and to staff (escalation).

Every message is an outbox row written in the caller's transaction: e-mail through service.mail,
SMS through the notifications domain's outbox. Texts are whole translated sentences rendered in
the recipient's language; dates come from Babel in the utility's time zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import force_locale, pgettext
from flask_babel import gettext as _

from feedback import escalation_rights
from feedback.deadlines import rule_label
from feedback.labels import case_label, rule_source
from feedback.models import Case, ReplyChannel
from feedback.references import reference, tracking_url
from notifications import Channel, Contact, PersonMessage, notify_person, reachable_channels
from service.extensions import db
from service.i18n import format_datetime
from service.mail import enqueue_email
from service.settings import current_settings


def _contact(case: Case) -> Contact:
    prefers: Channel = "sms" if case.reply_channel is ReplyChannel.SMS else "email"
    return Contact(language=case.language, email=case.email, phone=case.phone, prefers=prefers)


def _signature() -> str:
    return _("Customer service, %(utility)s", utility=current_settings().utility_name)


def _deadline_sentence(case: Case, deadline: str | None = None) -> str:
    """`deadline`: the case's deadline already formatted in its language, if the caller has it."""
    return _(
        "We will answer by %(deadline)s at the latest (time allowed: %(rule)s; %(source)s).",
        deadline=deadline or format_datetime(case.deadline_at, case.language),
        rule=rule_label(case.rule_value, case.rule_unit),
        source=rule_source(case.rule_source),
    )


def channels(case: Case, *, both: bool) -> list[str]:
    """Where a message to the customer goes: every channel we have (`both`) or the preferred."""
    return list(reachable_channels(_contact(case), every_channel=both))


def _send(
    case: Case, key: str, subject: str, body: str, sms: str, *, both: bool, fresh: bool = False
) -> list[str]:
    """Queue the e-mail and/or SMS in the caller's transaction; returns the channels used.
    `fresh`: the key names a case created in this transaction (nothing can be queued under it)."""
    message = PersonMessage(sms=sms, email_subject=subject, email_body=body)
    with db.session.no_autoflush:  # the outbox checks need not flush the case again
        chosen = notify_person(
            _contact(case),
            event_key=key,
            render=lambda: message,
            every_channel=both,
            reference=reference(case),
            fresh_key=fresh,
        )
    return list(chosen)


def acknowledge(case: Case, *, fresh: bool = False) -> list[str]:
    """Tell the customer we have their message: reference, deadline, tracking link. `fresh`: the
    case was created in this transaction, so no acknowledgement can be queued for it yet."""
    with force_locale(case.language):
        ref, link = reference(case), tracking_url(case)
        deadline = format_datetime(case.deadline_at, case.language)
        subject = _("We received your message %(reference)s", reference=ref)
        body = "\n\n".join(
            [
                _(
                    "Thank you for contacting us. We received your message on %(received)s.",
                    received=format_datetime(case.received_at, case.language),
                ),
                _(
                    "Reference number: %(reference)s (%(type)s)",
                    reference=ref,
                    type=case_label(case.type),
                ),
                _deadline_sentence(case, deadline),
                _("You can follow your case and read our answer here:\n%(link)s", link=link),
                _(
                    "No heat right now? Call our emergency line %(phone)s (24 h).",
                    phone=current_settings().feedback.emergency_phone,
                ),
                _signature(),
            ]
        )
        # Translators: SMS (budget: two messages, 306 characters, for fi/sv/en with a
        # 20-character %(utility)s and a 76-character %(link)s; Polish within four UCS-2).
        sms = pgettext(
            "sms",
            "%(utility)s: we received your message %(reference)s and will answer by %(date)s. "
            "Follow it: %(link)s",
            utility=current_settings().utility_name,
            reference=ref,
            date=deadline,
            link=link,
        )
    return _send(case, f"case:{case.id}:ack", subject, body, sms, both=True, fresh=fresh)


def ask_customer(case: Case, question: str, event_id: int) -> list[str]:
    """Ask the customer for more information; they answer from the tracking link."""
    with force_locale(case.language):
        ref, link = reference(case), tracking_url(case)
        subject = _("We need more information: %(reference)s", reference=ref)
        body = "\n\n".join(
            [
                _(
                    "To handle your case %(reference)s we need more information from you:",
                    reference=ref,
                ),
                question,
                _("Please answer here:\n%(link)s", link=link),
                _("The time we have for answering is paused until you reply."),
                _signature(),
            ]
        )
        # Translators: SMS (budget: two messages, 306 characters, for fi/sv/en with a
        # 20-character %(utility)s and a 76-character %(link)s; Polish within four UCS-2).
        sms = pgettext(
            "sms",
            "%(utility)s: we need more information about your case %(reference)s. "
            "Please answer here: %(link)s",
            utility=current_settings().utility_name,
            reference=ref,
            link=link,
        )
    return _send(case, f"case:{case.id}:info:{event_id}", subject, body, sms, both=False)


def tell_new_deadline(case: Case, event_id: int) -> list[str]:
    """The complaint moved to the explanatory procedure: the reason and the new deadline."""
    with force_locale(case.language):
        ref, link = reference(case), tracking_url(case)
        subject = _("New answer date for your complaint %(reference)s", reference=ref)
        body = "\n\n".join(
            [
                _("Your complaint %(reference)s needs an explanatory procedure:", reference=ref),
                case.track_reason or "",
                _deadline_sentence(case),
                _("You can follow your case here:\n%(link)s", link=link),
                _signature(),
            ]
        )
        # Translators: SMS (budget: two messages, 306 characters, for fi/sv/en with a
        # 20-character %(utility)s and a 76-character %(link)s; Polish within four UCS-2).
        sms = pgettext(
            "sms",
            "%(utility)s: your complaint %(reference)s needs an explanatory procedure. We will "
            "answer by %(date)s. Details: %(link)s",
            utility=current_settings().utility_name,
            reference=ref,
            date=format_datetime(case.deadline_at, case.language),
            link=link,
        )
    return _send(case, f"case:{case.id}:track:{event_id}", subject, body, sms, both=False)


def send_answer(case: Case, event_id: int) -> list[str]:
    """The answer, what was done, and the one-question survey link."""
    with force_locale(case.language):
        ref, link = reference(case), tracking_url(case)
        subject = _("Our answer to your message %(reference)s", reference=ref)
        body = "\n\n".join(
            [
                case.answer_text or "",
                _("What we did:") + "\n" + (case.answer_action or ""),
                _(
                    "How did we do? Please rate our answer (1-5), it takes a few seconds:\n"
                    "%(link)s",
                    link=link,
                ),
                "\n".join(
                    [
                        escalation_rights.heading(),
                        *escalation_rights.rights_paragraphs(
                            current_settings().jurisdiction.country
                        ),
                    ]
                ),
                _signature(),
            ]
        )
        # Translators: SMS (budget: two messages, 306 characters, for fi/sv/en with a
        # 20-character %(utility)s and a 76-character %(link)s; Polish within four UCS-2).
        sms = pgettext(
            "sms",
            "%(utility)s: we have answered your message %(reference)s. Read the answer and "
            "rate it: %(link)s",
            utility=current_settings().utility_name,
            reference=ref,
            link=link,
        )
    return _send(case, f"case:{case.id}:answer:{event_id}", subject, body, sms, both=False)


def notify_staff(case: Case, user: Any, level: str, deadline: dt.datetime) -> None:
    """An escalation e-mail to one staff member, in the back office's default language."""
    lang = current_settings().default_language
    with force_locale(lang):
        ref = reference(case)
        if level == "overdue":
            subject = _("Overdue: %(reference)s", reference=ref)
            first = _(
                "The answer to case %(reference)s was due on %(deadline)s.",
                reference=ref,
                deadline=format_datetime(deadline, lang),
            )
        else:
            subject = _("Due soon: %(reference)s", reference=ref)
            first = _(
                "The answer to case %(reference)s is due on %(deadline)s.",
                reference=ref,
                deadline=format_datetime(deadline, lang),
            )
        link = f"{current_settings().public_base_url}/staff/cases/{case.id}"
        body = "\n\n".join([first, link])
    enqueue_email(
        event_key=f"case:{case.id}:escalation:{level}:user:{user.id}",
        to=user.email,
        subject=subject,
        body=body,
        language=lang,
        reference=ref,
    )
