"""SMS subscriptions: who follows which addresses, proven by a code or by their own message.

On the web a subscription waits in a one-time code (double opt-in) until the person types the
code we sent: 6 digits from `secrets`, stored only as an HMAC keyed with the app secret over
the purpose, the number and the code, valid 15 minutes, dead after 5 wrong tries. By SMS the
message itself proves the number, so "TILAA 00100" subscribes at once. Codes per number and per
network address per hour, and addresses per subscriber, are capped (FAIRHEAT_SMS_*).

Phone numbers and addresses are personal data (GDPR). They never enter the audit log, which is
append-only and could not forget them: audit entries name the subscriber's id, language,
notice kinds and the number of addresses. Erasure (art. 17) deletes the subscriber, their
addresses and codes, and keeps their sent messages for the delivery figures with the number
replaced by "erased". Outage notices are the only purpose: there is no marketing consent here.

Every public function owns its transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
import phonenumbers
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields
from sqlalchemy.exc import IntegrityError

from notifications.areas import house_number, street_key
from notifications.schemas import PostcodeField
from notifications.sms import keywords
from notifications.sms.keywords import Action
from notifications.sms.models import (
    ConsoleMessage,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Subscriber,
    SubscriberAddress,
    VerificationCode,
)
from notifications.sms.outbox import enqueue
from service import audit
from service.db import utcnow
from service.errors import Conflict, DomainError, NotFound, ValidationFailed
from service.extensions import db
from service.validation import BaseSchema, TrimmedString, load_or_fail, max_length

CODE_DIGITS = 6
CODE_VALIDITY = dt.timedelta(minutes=15)
CODE_MAX_TRIES = 5
RATE_WINDOW = dt.timedelta(hours=1)
CODE_PRIORITY = 20  # a person is waiting for it: ahead of notice fan-outs
ERASED_PHONE = "erased"
SUBSCRIBE, MANAGE = "subscribe", "manage"

# Country calling codes of the numbers we send to (Åland, +358 18, is part of Finland).
ACCEPTED_COUNTRY_CODES = frozenset({358, 46, 48})
_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


class TooManyCodes(DomainError):
    """A code limit per number or per network address was reached (FAIRHEAT_SMS_CODES_*)."""

    status_code = 429


def _conf() -> Any:
    return current_app.config["FAIRHEAT"]


def _language(code: str | None) -> str:
    conf = _conf()
    return code if code is not None and code in conf.languages else str(conf.default_language)


# --- Phone numbers ------------------------------------------------------------------------------


def _mobile_number(text: str) -> str:
    """E.164 from what people type ("040 123 4567", "0046701234567"); ma.ValidationError else."""
    region = _conf().jurisdiction.country
    sample = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    example = (
        phonenumbers.format_number(sample, phonenumbers.PhoneNumberFormat.NATIONAL)
        if sample
        else ""
    )
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ma.ValidationError(
            _("Enter a phone number, e.g. %(example)s.", example=example)
        ) from None
    if number.country_code not in ACCEPTED_COUNTRY_CODES:
        raise ma.ValidationError(_("Enter a Finnish, Swedish or Polish mobile number."))
    if not phonenumbers.is_valid_number(number):
        raise ma.ValidationError(
            _(
                "This phone number is incomplete or not valid. Enter it e.g. as %(example)s.",
                example=example,
            )
        )
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ma.ValidationError(_("This is not a mobile phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_mobile_number(text: str) -> str:
    """A Finnish, Swedish or Polish mobile number in E.164; ValidationFailed ("phone") if not."""
    try:
        return _mobile_number(text)
    except ma.ValidationError as error:
        raise ValidationFailed({"phone": error.messages}) from None


def display_phone(e164: str) -> str:
    """National format for a number of the utility's country ("040 1234567"), else international."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    home = phonenumbers.country_code_for_region(_conf().jurisdiction.country)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


# --- Input ----------------------------------------------------------------------------------------


class PhoneField(TrimmedString):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            raise ma.ValidationError(_("Enter your mobile phone number."))
        return _mobile_number(text)


class AddressSchema(BaseSchema):
    """A whole postcode area (no street), a whole street, or one building."""

    postcode = PostcodeField(
        required=True,
        error_messages={"required": _l("Enter the postcode."), "null": _l("Enter the postcode.")},
    )
    street = TrimmedString(load_default=None, allow_none=True, validate=max_length(200))
    number = TrimmedString(load_default=None, allow_none=True, validate=max_length(20))

    @ma.pre_load
    def blank_is_none(self, data: Any, **kwargs: Any) -> Any:
        """Empty form fields mean "not given" ("a whole postcode when the street is empty")."""
        if isinstance(data, Mapping):
            return {k: None if isinstance(v, str) and not v.strip() else v for k, v in data.items()}
        return data

    @ma.validates_schema(skip_on_field_errors=False)
    def check_number(self, data: dict[str, Any], **kwargs: Any) -> None:
        number = data.get("number")
        if number is None:
            return
        if house_number(number) is None:
            raise ma.ValidationError(_l("Enter a house number, e.g. 12 or 12 B."), "number")
        if not data.get("street"):
            raise ma.ValidationError(_l("Give the street this house number is on."), "street")


class PreferencesSchema(BaseSchema):
    addresses = fields.List(fields.Nested(AddressSchema), required=True)
    language = TrimmedString(required=True)
    wants_planned = fields.Boolean(required=True)
    wants_unplanned = fields.Boolean(required=True)

    @ma.validates("language")
    def check_language(self, value: str, **kwargs: Any) -> None:
        if value not in _conf().languages:
            raise ma.ValidationError(_("Choose a language from the list."))

    @ma.validates("addresses")
    def check_addresses(self, value: list[Any], **kwargs: Any) -> None:
        limit = _conf().sms.max_addresses
        if not value:
            raise ma.ValidationError(_("Add at least one address or postcode."))
        if len(_unique(value)) > limit:
            raise ma.ValidationError(
                ngettext(
                    "You can follow at most %(num)d address.",
                    "You can follow at most %(num)d addresses.",
                    limit,
                )
            )

    @ma.validates_schema(skip_on_field_errors=False)
    def check_kinds(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("wants_planned") and not data.get("wants_unplanned"):
            raise ma.ValidationError(_("Choose at least one kind of notice."), "kinds")


class SubscriptionSchema(PreferencesSchema):
    phone = PhoneField(required=True)


def _address_key(address: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    number = address.get("number")
    plain_number = re.sub(r"\s", "", number).upper() if number else None
    return address.get("postcode", ""), street_key(address.get("street")), plain_number


def _unique(addresses: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}
    for address in addresses:
        seen.setdefault(_address_key(address), dict(address))
    return list(seen.values())


def _address_dict(address: SubscriberAddress) -> dict[str, Any]:
    return {"postcode": address.postcode, "street": address.street, "number": address.number_text}


def _add_addresses(subscriber: Subscriber, addresses: Iterable[Mapping[str, Any]]) -> None:
    have = {_address_key(_address_dict(a)) for a in subscriber.addresses}
    for address in _unique(addresses):
        if _address_key(address) in have:
            continue
        street, number = address.get("street"), address.get("number")
        subscriber.addresses.append(
            SubscriberAddress(
                postcode=address["postcode"],
                street=street,
                street_key=street_key(street),
                number=house_number(number),
                number_text=number,
            )
        )


def _snapshot(subscriber: Subscriber) -> dict[str, Any]:
    """What the audit log may keep about a subscriber: no number, no addresses."""
    return {
        "language": subscriber.language,
        "wants_planned": subscriber.wants_planned,
        "wants_unplanned": subscriber.wants_unplanned,
        "addresses": len(subscriber.addresses),
        "source": subscriber.source,
        "opted_out": subscriber.opted_out_at is not None,
    }


def _by_phone(phone: str, *, lock: bool = False) -> Subscriber | None:
    query = sa.select(Subscriber).where(Subscriber.phone == phone)
    if lock and db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalar(query)


def _commit() -> None:
    """Commit; two first subscriptions of one number at once leave one, the other is told."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            _("Someone changed this subscription at the same time. Please try again.")
        ) from None


# --- One-time codes -----------------------------------------------------------------------------


def _code_hash(purpose: str, phone: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _check_code_limits(phone: str, client_ip: str | None, now: dt.datetime) -> None:
    limits = _conf().sms
    since = now - RATE_WINDOW

    def count(*where: sa.ColumnElement[bool]) -> int:
        query = sa.select(sa.func.count()).select_from(VerificationCode)
        return db.session.scalar(query.where(VerificationCode.created_at > since, *where)) or 0

    per_phone = limits.codes_per_phone_per_hour
    if count(VerificationCode.phone == phone) >= per_phone:
        raise TooManyCodes(
            ngettext(
                "At most %(num)d code an hour can be sent to one phone number. "
                "Please try again later.",
                "At most %(num)d codes an hour can be sent to one phone number. "
                "Please try again later.",
                per_phone,
            )
        )
    per_ip = limits.codes_per_ip_per_hour
    if client_ip and count(VerificationCode.client_ip == client_ip) >= per_ip:
        raise TooManyCodes(
            ngettext(
                "At most %(num)d code an hour can be asked for from one network connection. "
                "Please try again later.",
                "At most %(num)d codes an hour can be asked for from one network connection. "
                "Please try again later.",
                per_ip,
            )
        )


def _code_text(purpose: str, code: str, language: str) -> str:
    minutes = int(CODE_VALIDITY.total_seconds() // 60)
    utility = _conf().utility_name
    with force_locale(language):
        if purpose == MANAGE:
            return ngettext(
                "%(code)s is your code for managing SMS notices from %(utility)s. It is valid "
                "for %(num)d minute. If you did not ask for it, ignore this message.",
                "%(code)s is your code for managing SMS notices from %(utility)s. It is valid "
                "for %(num)d minutes. If you did not ask for it, ignore this message.",
                minutes,
                code=code,
                utility=utility,
            )
        return ngettext(
            "%(code)s is your code for SMS notices from %(utility)s about interruptions in heat "
            "supply. It is valid for %(num)d minute.",
            "%(code)s is your code for SMS notices from %(utility)s about interruptions in heat "
            "supply. It is valid for %(num)d minutes.",
            minutes,
            code=code,
            utility=utility,
        )


def _issue_code(
    phone: str,
    purpose: str,
    *,
    payload: dict[str, Any] | None,
    client_ip: str | None,
    send_in: str | None,
    subscriber_id: int | None,
    now: dt.datetime,
) -> int:
    """Store a new code and queue its SMS in `send_in` (None: send nothing); the caller commits."""
    _check_code_limits(phone, client_ip, now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = VerificationCode(
        phone=phone,
        purpose=purpose,
        code_hash=_code_hash(purpose, phone, code),
        payload=payload,
        created_at=now,
        expires_at=now + CODE_VALIDITY,
        client_ip=(client_ip or None) and client_ip[:45],
    )
    db.session.add(row)
    db.session.flush()
    if send_in is not None:
        enqueue(
            event_key=f"code:{row.id}",
            kind=MessageKind.CODE,
            phone=phone,
            language=send_in,
            body=_code_text(purpose, code, send_in),
            subscriber_id=subscriber_id,
            priority=CODE_PRIORITY,
            expires_at=row.expires_at,
        )
    return row.id


def _dead_code() -> Conflict:
    return Conflict(_("This code can no longer be used. Ask for a new code."))


def _redeem(code_id: int, purpose: str, typed: str, now: dt.datetime) -> VerificationCode:
    """The code row when `typed` is its code; counts a wrong try (committed) and raises."""
    query = sa.select(VerificationCode).where(
        VerificationCode.id == code_id, VerificationCode.purpose == purpose
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = db.session.scalar(query)
    if row is None or row.used_at is not None or row.attempts >= CODE_MAX_TRIES:
        db.session.rollback()
        raise _dead_code()
    if now >= row.expires_at:
        db.session.rollback()
        minutes = int(CODE_VALIDITY.total_seconds() // 60)
        raise Conflict(
            ngettext(
                "This code has expired: a code is valid for %(num)d minute. Ask for a new code.",
                "This code has expired: a code is valid for %(num)d minutes. Ask for a new code.",
                minutes,
            )
        )
    digits = re.sub(r"[\s-]", "", typed or "")
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", digits):
        db.session.rollback()
        raise ValidationFailed(
            {"code": [_("Enter the %(num)d-digit code from the text message.", num=CODE_DIGITS)]}
        )
    if not hmac.compare_digest(_code_hash(purpose, row.phone, digits), row.code_hash):
        row.attempts += 1
        left = CODE_MAX_TRIES - row.attempts
        db.session.commit()
        if left <= 0:
            message = _("The code is wrong, and that was the last try. Ask for a new code.")
        else:
            message = ngettext(
                "The code is wrong. You can try %(num)d more time.",
                "The code is wrong. You can try %(num)d more times.",
                left,
            )
        raise ValidationFailed({"code": [message]})
    row.used_at = now
    return row


@dataclass(frozen=True)
class PendingCode:
    purpose: str
    phone: str  # for display
    expires_at: dt.datetime


def pending_code(code_id: int) -> PendingCode | None:
    """What the code page shows: the number the code went to and until when it is valid."""
    row = db.session.get(VerificationCode, code_id)
    if row is None or row.used_at is not None:
        return None
    return PendingCode(row.purpose, display_phone(row.phone), row.expires_at)


def resend_code(code_id: int, client_ip: str | None, *, now: dt.datetime | None = None) -> int:
    """A new code for the same pending request (the old one dies); limits apply as to any code."""
    now = now or utcnow()
    old = db.session.get(VerificationCode, code_id)
    if old is None or old.used_at is not None:
        db.session.rollback()
        raise _dead_code()
    language: str | None
    subscriber_id: int | None = None
    if old.purpose == SUBSCRIBE:
        language = _language((old.payload or {}).get("language"))
    else:
        subscriber = _by_phone(old.phone)
        language = subscriber.language if subscriber else None
        subscriber_id = subscriber.id if subscriber else None
    old.used_at = now
    new_id = _issue_code(
        old.phone,
        old.purpose,
        payload=old.payload,
        client_ip=client_ip,
        send_in=language,
        subscriber_id=subscriber_id,
        now=now,
    )
    db.session.commit()
    return new_id


def purge_spent_codes(now: dt.datetime | None = None) -> int:
    """Delete codes older than the rate-limit window (they hold a number and maybe addresses)."""
    cutoff = (now or utcnow()) - RATE_WINDOW
    result = db.session.execute(
        sa.delete(VerificationCode).where(VerificationCode.created_at <= cutoff)
    )
    db.session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


# --- Web: subscribe, sign in, manage, erase -----------------------------------------------------


def request_subscription(
    phone: str,
    addresses: Sequence[Mapping[str, Any]],
    language: str,
    wants_planned: bool,
    wants_unplanned: bool,
    client_ip: str | None,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Validate a web subscription, keep it in a new code and send the code; the code's id."""
    data = load_or_fail(
        SubscriptionSchema(),
        {
            "phone": phone,
            "addresses": list(addresses),
            "language": language,
            "wants_planned": wants_planned,
            "wants_unplanned": wants_unplanned,
        },
    )
    payload = {
        "addresses": _unique(data["addresses"]),
        "language": data["language"],
        "wants_planned": data["wants_planned"],
        "wants_unplanned": data["wants_unplanned"],
    }
    code_id = _issue_code(
        data["phone"],
        SUBSCRIBE,
        payload=payload,
        client_ip=client_ip,
        send_in=data["language"],
        subscriber_id=None,
        now=now or utcnow(),
    )
    db.session.commit()
    return code_id


def confirm_subscription(code_id: int, code: str, *, now: dt.datetime | None = None) -> int:
    """Turn a pending web subscription into a verified subscriber (new or updated); their id.

    Addresses are added to those the number already follows, without duplicates; language and
    notice kinds are the ones just chosen. Confirming also undoes an earlier STOP: the person
    has just asked for notices again.
    """
    now = now or utcnow()
    row = _redeem(code_id, SUBSCRIBE, code, now)
    payload = row.payload or {}
    subscriber = _by_phone(row.phone, lock=True)
    before = _snapshot(subscriber) if subscriber else None
    if subscriber is None:
        subscriber = Subscriber(phone=row.phone, source="web", addresses=[])
        db.session.add(subscriber)
    _add_addresses(subscriber, payload.get("addresses", []))
    limit = _conf().sms.max_addresses
    if len(subscriber.addresses) > limit:
        db.session.rollback()
        raise Conflict(
            ngettext(
                "Together with the addresses this number already follows, that is more than "
                "%(num)d address. Sign in to manage your subscription and remove some first.",
                "Together with the addresses this number already follows, that is more than "
                "%(num)d addresses. Sign in to manage your subscription and remove some first.",
                limit,
            )
        )
    subscriber.language = _language(payload.get("language"))
    subscriber.wants_planned = bool(payload.get("wants_planned", True))
    subscriber.wants_unplanned = bool(payload.get("wants_unplanned", True))
    subscriber.verified_at = now
    subscriber.opted_out_at = None
    db.session.flush()
    audit.record(
        "sms_subscriber.subscribed",
        "sms_subscriber",
        subscriber.id,
        before=before,
        after={**_snapshot(subscriber), "channel": "web"},
        actor=f"sms_subscriber:{subscriber.id}",
    )
    subscriber_id = subscriber.id
    _commit()
    return subscriber_id


def request_manage_code(
    phone: str, client_ip: str | None, *, now: dt.datetime | None = None
) -> int:
    """Start signing in to manage a subscription; the code's id.

    An unknown number gets a code row too (so limits and the next page are the same) but no
    SMS: the page never tells whether a number is subscribed.
    """
    e164 = parse_mobile_number(phone)
    subscriber = _by_phone(e164)
    code_id = _issue_code(
        e164,
        MANAGE,
        payload=None,
        client_ip=client_ip,
        send_in=subscriber.language if subscriber else None,
        subscriber_id=subscriber.id if subscriber else None,
        now=now or utcnow(),
    )
    db.session.commit()
    return code_id


def confirm_manage_code(code_id: int, code: str, *, now: dt.datetime | None = None) -> int:
    """The id of the subscriber who proved their number with the code."""
    row = _redeem(code_id, MANAGE, code, now or utcnow())
    subscriber = _by_phone(row.phone)
    if subscriber is None:  # erased since the code was sent
        db.session.rollback()
        raise _dead_code()
    subscriber_id = subscriber.id
    db.session.commit()
    return subscriber_id


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    phone: str  # for display
    language: str
    wants_planned: bool
    wants_unplanned: bool
    opted_out: bool
    addresses: list[dict[str, Any]]


def get_subscription(subscriber_id: int) -> SubscriptionView | None:
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None:
        return None
    return SubscriptionView(
        id=subscriber.id,
        phone=display_phone(subscriber.phone),
        language=subscriber.language,
        wants_planned=subscriber.wants_planned,
        wants_unplanned=subscriber.wants_unplanned,
        opted_out=subscriber.opted_out_at is not None,
        addresses=[_address_dict(a) for a in subscriber.addresses],
    )


def update_subscription(
    subscriber_id: int,
    addresses: Sequence[Mapping[str, Any]],
    language: str,
    wants_planned: bool,
    wants_unplanned: bool,
) -> None:
    """Replace a subscriber's addresses, language and notice kinds."""
    data = load_or_fail(
        PreferencesSchema(),
        {
            "addresses": list(addresses),
            "language": language,
            "wants_planned": wants_planned,
            "wants_unplanned": wants_unplanned,
        },
    )
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise NotFound()
    before = _snapshot(subscriber)
    subscriber.addresses = []
    db.session.flush()
    _add_addresses(subscriber, data["addresses"])
    subscriber.language = data["language"]
    subscriber.wants_planned = data["wants_planned"]
    subscriber.wants_unplanned = data["wants_unplanned"]
    old, new = audit.changes(before, _snapshot(subscriber))
    audit.record(
        "sms_subscriber.updated",
        "sms_subscriber",
        subscriber.id,
        before=old,
        after=new,
        actor=f"sms_subscriber:{subscriber.id}",
    )
    _commit()


def erase_subscriber(subscriber_id: int) -> None:
    """Forget everything about a subscriber (GDPR art. 17).

    Deletes the subscriber, their addresses, their codes and the development console's copies
    of their messages; cancels what is still queued for them; keeps their sent messages for the
    delivery figures with the number replaced by "erased", no subscriber, and the text of codes
    and replies (which may name an address) emptied. The audit entry holds no personal data.
    """
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise NotFound()
    phone = subscriber.phone
    theirs = sa.or_(OutboxMessage.subscriber_id == subscriber.id, OutboxMessage.phone == phone)
    db.session.execute(
        sa.update(OutboxMessage)
        .where(theirs, OutboxMessage.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.CANCELLED, status_at=utcnow())
    )
    db.session.execute(
        sa.update(OutboxMessage)
        .where(theirs, OutboxMessage.kind != MessageKind.NOTICE)
        .values(body="")
    )
    db.session.execute(
        sa.update(OutboxMessage).where(theirs).values(phone=ERASED_PHONE, subscriber_id=None)
    )
    db.session.execute(sa.delete(VerificationCode).where(VerificationCode.phone == phone))
    db.session.execute(sa.delete(ConsoleMessage).where(ConsoleMessage.to == phone))
    audit.record(
        "sms_subscriber.erased",
        "sms_subscriber",
        subscriber.id,
        before=_snapshot(subscriber),
        actor=f"sms_subscriber:{subscriber.id}",
    )
    db.session.delete(subscriber)
    db.session.commit()


# --- By SMS: subscribe, STOP, START, HELP -------------------------------------------------------


def subscribe_by_sms(phone: str, language: str | None, address_text: str) -> str:
    """Subscribe the sender to the address in their message at once; the reply to send back.

    Sending the keyword proves the number, so the subscriber is verified (and an earlier STOP
    undone). The keyword's language becomes the subscriber's language.
    """
    language = _language(language)
    try:
        e164 = _mobile_number(phone)
    except ma.ValidationError:
        return keywords.number_not_accepted_reply(language)
    typed = keywords.parse_sms_address(address_text, _conf().jurisdiction)
    if typed is None:
        return keywords.address_format_reply(language)
    address = {
        "postcode": typed.postcode,
        "street": typed.street[:200] if typed.street else None,
        "number": typed.number,
    }
    now = utcnow()
    subscriber = _by_phone(e164, lock=True)
    before = _snapshot(subscriber) if subscriber else None
    if subscriber is None:
        subscriber = Subscriber(phone=e164, source="sms", addresses=[])
        db.session.add(subscriber)
    _add_addresses(subscriber, [address])
    limit = _conf().sms.max_addresses
    if len(subscriber.addresses) > limit:
        db.session.rollback()
        return keywords.too_many_addresses_reply(language, limit)
    subscriber.language = language
    subscriber.verified_at = subscriber.verified_at or now
    subscriber.opted_out_at = None
    db.session.flush()
    audit.record(
        "sms_subscriber.subscribed",
        "sms_subscriber",
        subscriber.id,
        before=before,
        after={**_snapshot(subscriber), "channel": "sms"},
        actor=f"sms_subscriber:{subscriber.id}",
    )
    _commit()
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
    subscriber = _by_phone(phone, lock=True)
    if subscriber is not None and subscriber.opted_out_at is None:
        subscriber.opted_out_at = now
        audit.record(
            "sms_subscriber.opted_out",
            "sms_subscriber",
            subscriber.id,
            before={"opted_out": False},
            after={"opted_out": True},
            actor=f"sms_subscriber:{subscriber.id}",
        )
    db.session.commit()
    return subscriber is not None


def opt_in(phone: str) -> bool:
    """START: messages to this number again. True when the number belongs to a subscriber."""
    subscriber = _by_phone(phone, lock=True)
    if subscriber is not None and subscriber.opted_out_at is not None:
        subscriber.opted_out_at = None
        audit.record(
            "sms_subscriber.opted_in",
            "sms_subscriber",
            subscriber.id,
            before={"opted_out": True},
            after={"opted_out": False},
            actor=f"sms_subscriber:{subscriber.id}",
        )
    db.session.commit()
    return subscriber is not None


def _e164(phone: str) -> str | None:
    try:
        number = phonenumbers.parse(phone, _conf().jurisdiction.country)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def handle_inbound_sms(phone: str, body: str, opt_out_type: str | None = None) -> str | None:
    """Act on an SMS sent to the service number; the reply text, or None for no reply.

    With Twilio Advanced Opt-Out on, Twilio names the keyword's kind in OptOutType and has
    already answered it (and, for STOP, already blocks the number): record it, reply nothing.
    Replies are in the subscriber's language, else in the keyword's, else the default one.
    """
    command = keywords.parse_inbound(body)
    twilio_action = keywords.OPT_OUT_TYPES.get((opt_out_type or "").strip().upper())
    action = twilio_action or command.action
    number = _e164(phone)
    subscriber = _by_phone(number) if number else None
    language = subscriber.language if subscriber else _language(command.language)
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
    return keywords.help_reply(language)
