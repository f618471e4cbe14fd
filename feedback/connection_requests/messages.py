"""What the procedure tells the applicant (every step, in their language) and staff
(escalations). Every message is an outbox row in the caller's transaction, sent through
notifications.notify_person (e-mail and/or SMS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from feedback.connection_requests.models import ConnectionRequest, MissingItem
from feedback.connection_requests.procedure import status_label
from feedback.connection_requests.references import reference, tracking_url
from notifications import Contact, PersonMessage, notify_person
from service.extensions import db
from service.i18n import format_date, format_datetime
from service.mail import enqueue_email
from service.settings import current_settings


def _contact(request: ConnectionRequest) -> Contact:
    return Contact(
        language=request.language,
        email=request.email,
        phone=request.phone,
        prefers="email" if request.email else "sms",
    )


def _due(request: ConnectionRequest) -> dt.datetime:
    assert request.conditions_due_at is not None  # set when the application became complete
    return request.conditions_due_at


def _signature() -> str:
    return _("Customer service, %(utility)s", utility=current_settings().utility_name)


def _send(
    request: ConnectionRequest, key: str, subject: str, body: str, sms: str, *, both: bool
) -> list[str]:
    message = PersonMessage(sms=sms, email_subject=subject, email_body=body)
    with db.session.no_autoflush:
        chosen = notify_person(
            _contact(request),
            event_key=f"cr:{request.id}:{key}",
            render=lambda: message,
            every_channel=both,
            reference=reference(request),
        )
    return list(chosen)


def next_steps_text(request: ConnectionRequest) -> str:
    """The procedure in the applicant's words, for the acknowledgement and the tracking page."""
    c = current_settings().connection_requests
    if request.jurisdiction == "FI":
        return _(
            "What happens next: we check that the application is complete and ask for anything "
            "missing. Within %(days)d days of the complete application we send you a connection "
            "offer. When you accept it, we sign one heat contract covering the connection and "
            "the supply, build the connection and start the supply.",
            days=c.conditions_days,
        )
    return _(
        "What happens next: we check that the application is complete and ask for anything "
        "missing. Within %(days)d days of the complete application we issue the connection "
        "conditions (or, without legal title to the building, preliminary conditions). Then we "
        "offer a connection agreement, build the connection and start the supply with a "
        "protocol signed by both sides.",
        days=c.conditions_days,
    )


def acknowledge(request: ConnectionRequest) -> list[str]:
    with force_locale(request.language):
        ref, link = reference(request), tracking_url(request)
        subject = _("We received your connection request %(reference)s", reference=ref)
        body = "\n\n".join(
            [
                _(
                    "Thank you. We received your connection request on %(received)s.",
                    received=format_datetime(request.received_at, request.language),
                ),
                _("Reference number: %(reference)s", reference=ref),
                next_steps_text(request),
                _(
                    "Follow your request, add missing documents and read our decision here:\n"
                    "%(link)s",
                    link=link,
                ),
                _signature(),
            ]
        )
        sms = _(
            "%(utility)s: we received your connection request %(reference)s. Follow it: %(link)s",
            utility=current_settings().utility_name,
            reference=ref,
            link=link,
        )
    return _send(request, "ack", subject, body, sms, both=True)


def ask_for_item(request: ConnectionRequest, item: MissingItem) -> list[str]:
    with force_locale(request.language):
        ref, link = reference(request), tracking_url(request)
        subject = _(
            "Something is missing from your connection request %(reference)s", reference=ref
        )
        body = "\n\n".join(
            [
                _("To complete your connection request %(reference)s we need:", reference=ref),
                item.description,
                _(
                    "Please send it by %(date)s here:\n%(link)s",
                    date=format_date(item.due_at, request.language),
                    link=link,
                ),
                _("The time for our decision starts when the application is complete."),
                _signature(),
            ]
        )
        sms = _(
            "%(utility)s: your connection request %(reference)s is missing something. "
            "Please add it by %(date)s: %(link)s",
            utility=current_settings().utility_name,
            reference=ref,
            date=format_date(item.due_at, request.language),
            link=link,
        )
    return _send(request, f"item:{item.id}", subject, body, sms, both=False)


def tell_step(request: ConnectionRequest, step_id: int, detail: str | None = None) -> list[str]:
    """The request moved to a new step: its name, any detail, and the link."""
    with force_locale(request.language):
        ref, link = reference(request), tracking_url(request)
        label = status_label(request.status, request.jurisdiction)
        subject = _("Your connection request %(reference)s: %(step)s", reference=ref, step=label)
        parts = [
            _(
                "Your connection request %(reference)s has a new step: %(step)s.",
                reference=ref,
                step=label,
            )
        ]
        if detail:
            parts.append(detail)
        parts += [_("Details:\n%(link)s", link=link), _signature()]
        sms = _(
            "%(utility)s: connection request %(reference)s: %(step)s. Details: %(link)s",
            utility=current_settings().utility_name,
            reference=ref,
            step=label,
            link=link,
        )
    return _send(request, f"step:{step_id}", subject, "\n\n".join(parts), sms, both=False)


def deadline_sentence(request: ConnectionRequest) -> str:
    """The decision deadline with its rule and source (in the current locale)."""
    return _(
        "We will decide by %(deadline)s at the latest (%(days)d days from the complete "
        "application; %(source)s).",
        deadline=format_datetime(_due(request), request.language),
        days=request.rule_days or 0,
        source=request.rule_source or "",
    )


def tell_extension(request: ConnectionRequest, step_id: int) -> list[str]:
    with force_locale(request.language):
        ref, link = reference(request), tracking_url(request)
        subject = _("New decision date for your connection request %(reference)s", reference=ref)
        body = "\n\n".join(
            [
                _(
                    "We need more time to decide on your connection request %(reference)s, "
                    "for this reason:",
                    reference=ref,
                ),
                request.extension_reason or "",
                _(
                    "We will decide by %(deadline)s at the latest.",
                    deadline=format_datetime(_due(request), request.language),
                ),
                _("Details:\n%(link)s", link=link),
                _signature(),
            ]
        )
        sms = _(
            "%(utility)s: we will decide on your connection request %(reference)s by "
            "%(date)s. Reason and details: %(link)s",
            utility=current_settings().utility_name,
            reference=ref,
            date=format_date(_due(request), request.language),
            link=link,
        )
    return _send(request, f"extension:{step_id}", subject, body, sms, both=False)


def remind_expiry(request: ConnectionRequest) -> list[str]:
    with force_locale(request.language):
        ref, link = reference(request), tracking_url(request)
        assert request.expires_on is not None  # only requests with an expiry are reminded
        expires = format_date(request.expires_on, request.language)
        subject = _(
            "Your connection conditions %(reference)s expire on %(date)s",
            reference=ref,
            date=expires,
        )
        body = "\n\n".join(
            [
                _(
                    "The connection conditions of your request %(reference)s are valid until "
                    "%(date)s. To go ahead, sign the connection agreement before then; after "
                    "that date a new application is needed.",
                    reference=ref,
                    date=expires,
                ),
                _("Details:\n%(link)s", link=link),
                _signature(),
            ]
        )
        sms = _(
            "%(utility)s: your connection conditions %(reference)s expire on %(date)s. "
            "Details: %(link)s",
            utility=current_settings().utility_name,
            reference=ref,
            date=expires,
            link=link,
        )
    return _send(request, f"expiry:{request.expires_on}", subject, body, sms, both=True)


def notify_staff(request: ConnectionRequest, user: Any, level: str, due: dt.datetime) -> None:
    """An escalation e-mail to a handler or a lead, in the back office's language."""
    lang = current_settings().default_language
    with force_locale(lang):
        ref = reference(request)
        if level == "overdue":
            subject = _("Overdue: %(reference)s", reference=ref)
        else:
            subject = _("Due soon: %(reference)s", reference=ref)
        first = _(
            "The decision on connection request %(reference)s is due on %(deadline)s.",
            reference=ref,
            deadline=format_datetime(due, lang),
        )
        link = f"{current_settings().public_base_url}/staff/connection-requests/{request.id}"
        body = "\n\n".join([first, link])
    enqueue_email(
        event_key=f"cr:{request.id}:escalation:{level}:{due.date()}:user:{user.id}",
        to=user.email,
        subject=subject,
        body=body,
        language=lang,
        reference=ref,
    )
