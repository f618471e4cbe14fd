"""SMS sent to the service number: subscribe by keyword, STOP, START and HELP.

By SMS the message itself proves the number, so "TILAA 00100" subscribes at once, without a
code; addresses per subscriber are capped as on the web (FAIRHEAT_SMS_MAX_ADDRESSES). STOP
opts the number out and cancels what is queued for it; START opts it back in. The keywords and
the replies, in four languages, are in `notifications.sms.keywords`.

Every public function owns its transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import marshmallow as ma
import sqlalchemy as sa

from notifications.models import ENDED_OK, Outage
from notifications.sms import keywords
from notifications.sms.keywords import Action
from notifications.sms.models import MessageKind, MessageStatus, OutboxMessage
from notifications.sms.subscriptions import (
    TooManyAddresses,
    commit_or_conflict,
    language_or_default,
    set_opted_out,
    subscribe_verified,
    subscriber_by_phone,
)
from service.db import utcnow
from service.extensions import db
from service.phones import any_number_e164, mobile_number
from service.settings import current_settings


def subscribe_by_sms(phone: str, language: str | None, address_text: str) -> str:
    """Subscribe the sender to the address in their message at once; the reply to send back.

    Sending the keyword proves the number, so the subscriber is verified (and an earlier STOP
    undone). The keyword's language becomes the subscriber's language.
    """
    language = language_or_default(language)
    try:
        e164 = mobile_number(phone)
    except ma.ValidationError:
        return keywords.number_not_accepted_reply(language)
    typed = keywords.parse_sms_address(address_text, current_settings().jurisdiction)
    if typed is None:
        return keywords.address_format_reply(language)
    address = {
        "postcode": typed.postcode,
        "street": typed.street[:200] if typed.street else None,
        "number": typed.number,
    }
    try:
        subscribe_verified(e164, [address], source="sms", language=language, now=utcnow())
    except TooManyAddresses as error:
        return keywords.too_many_addresses_reply(language, error.limit)
    commit_or_conflict()
    return keywords.subscribed_reply(language, typed.postcode, typed.street, typed.number)


def opt_out(phone: str, *, now: dt.datetime | None = None) -> bool:
    """STOP: no more messages to this number; its queued messages are cancelled.

    True when the number belongs to a subscriber (whose opted_out_at is set).
    """
    now = now or utcnow()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.phone == phone, OutboxMessage.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.CANCELLED, status_at=now)
    )
    subscriber = subscriber_by_phone(phone, lock=True)
    if subscriber is not None:
        set_opted_out(subscriber, True, now)
    for handler in opt_out_handlers:
        handler(phone)  # in this transaction
    db.session.commit()
    return subscriber is not None


# STOP from a number another domain also texts (a contract customer's contact): the domain
# registers a handler that turns its own SMS off for the number, in opt_out's transaction.
opt_out_handlers: list[Callable[[str], None]] = []


def opt_in(phone: str) -> bool:
    """START: messages to this number again. True when the number belongs to a subscriber."""
    subscriber = subscriber_by_phone(phone, lock=True)
    if subscriber is not None:
        set_opted_out(subscriber, False, utcnow())
    db.session.commit()
    return subscriber is not None


# Free text in reply to a restoration SMS ("still no heat"): a domain that takes such replies
# registers a handler (feedback.emergency does). It gets the sender (E.164), the text, the outage
# the SMS was about and its language, and returns the reply, or None to leave it to HELP.
RestorationReplyHandler = Callable[[str, str, int, str], str | None]
restoration_reply_handlers: list[RestorationReplyHandler] = []
RESTORATION_REPLY_WINDOW = dt.timedelta(hours=24)


def _restoration_sms(phone: str, now: dt.datetime) -> OutboxMessage | None:
    """The newest notice SMS to `phone` in the last 24 h that told of a restored or completed
    interruption (sent after it ended)."""
    return db.session.scalar(
        sa.select(OutboxMessage)
        .join(Outage, Outage.id == OutboxMessage.outage_id)
        .where(
            OutboxMessage.phone == phone,
            OutboxMessage.kind == MessageKind.NOTICE,
            OutboxMessage.created_at >= now - RESTORATION_REPLY_WINDOW,
            Outage.status.in_(ENDED_OK),
            OutboxMessage.created_at >= Outage.ended_at,
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    )


def _restoration_reply(phone: str | None, body: str) -> str | None:
    if not phone or not restoration_reply_handlers:
        return None
    sms = _restoration_sms(phone, utcnow())
    if sms is None or sms.outage_id is None:
        return None
    outage_id, language = sms.outage_id, sms.language
    db.session.rollback()
    for handler in restoration_reply_handlers:
        reply = handler(phone, body, outage_id, language)
        if reply is not None:
            return reply
    return None


def handle_inbound_sms(phone: str, body: str, opt_out_type: str | None = None) -> str | None:
    """Act on an SMS sent to the service number; the reply text, or None for no reply.

    With Twilio Advanced Opt-Out on, Twilio names the keyword's kind in OptOutType and has
    already answered it (and, for STOP, already blocks the number): record it, reply nothing.
    Replies are in the subscriber's language, else in the keyword's, else the default one.
    """
    command = keywords.parse_inbound(body)
    twilio_action = keywords.OPT_OUT_TYPES.get((opt_out_type or "").strip().upper())
    action = twilio_action or command.action
    number = any_number_e164(phone)
    subscriber = subscriber_by_phone(number) if number else None
    language = subscriber.language if subscriber else language_or_default(command.language)
    db.session.rollback()  # end the read; each action below owns its transaction

    if action == Action.SUBSCRIBE:
        return subscribe_by_sms(phone, command.language, command.argument)
    if action == Action.STOP:
        if number:
            opt_out(number)
        return None if twilio_action else keywords.opted_out_reply(language)
    if action == Action.START:
        known = opt_in(number) if number else False
        if twilio_action:
            return None
        return (
            keywords.opted_in_reply(language) if known else keywords.not_subscribed_reply(language)
        )
    if twilio_action:  # HELP, answered by Twilio
        return None
    if action == Action.UNKNOWN:
        reply = _restoration_reply(number, body)
        if reply is not None:
            return reply
    return keywords.help_reply(language)
