"""SMS subscriptions: who follows which addresses, proven by a code or by their own message.

On the web a subscription waits in a one-time code (double opt-in, `notifications.sms.codes`)
until the person types the code we sent; signing in to manage or erase it takes a code too. By
SMS the message itself proves the number (`notifications.sms.inbound`). Addresses per subscriber
are capped (FAIRHEAT_SMS_MAX_ADDRESSES).

Phone numbers and addresses are personal data (GDPR). They never enter the audit log, which is
append-only and could not forget them: audit entries name the subscriber's id, language,
notice kinds and the number of addresses. Erasure (art. 17) deletes the subscriber, their
addresses and codes, and keeps their sent messages for the delivery figures with the number
replaced by "erased". Outage notices are the only purpose: there is no marketing consent here.

Every service function owns its transaction. The helpers shared with `notifications.sms.inbound`
(`language_or_default`, `subscriber_by_phone`, `add_addresses`, `audit_snapshot`,
`commit_or_conflict`) work inside the caller's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from notifications.areas import house_number, street_key
from notifications.sms.codes import (
    MANAGE,
    SUBSCRIBE,
    dead_code_conflict,
    issue_code,
    redeem_code,
)
from notifications.sms.models import (
    ConsoleMessage,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Subscriber,
    SubscriberAddress,
    VerificationCode,
)
from notifications.sms.schemas import (
    PreferencesSchema,
    SubscriptionSchema,
    address_key,
    unique_addresses,
)
from service import audit
from service.db import utcnow
from service.errors import Conflict, NotFound
from service.extensions import db
from service.phones import display_phone, parse_mobile_number
from service.settings import current_settings
from service.transactions import commit_or_conflict as commit_once
from service.validation import load_or_fail

ERASED_PHONE = "erased"


def language_or_default(code: str | None) -> str:
    """`code` when it is one of the service's languages, else the default language."""
    conf = current_settings()
    return code if code is not None and code in conf.languages else str(conf.default_language)


# --- Shared with inbound SMS --------------------------------------------------------------------


def _address_dict(address: SubscriberAddress) -> dict[str, Any]:
    return {"postcode": address.postcode, "street": address.street, "number": address.number_text}


def add_addresses(subscriber: Subscriber, addresses: Iterable[Mapping[str, Any]]) -> None:
    """Append the addresses the subscriber does not follow yet, each once (the caller commits)."""
    have = {address_key(_address_dict(a)) for a in subscriber.addresses}
    for address in unique_addresses(addresses):
        if address_key(address) in have:
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


def audit_snapshot(subscriber: Subscriber) -> dict[str, Any]:
    """What the audit log may keep about a subscriber: no number, no addresses."""
    return {
        "language": subscriber.language,
        "wants_planned": subscriber.wants_planned,
        "wants_unplanned": subscriber.wants_unplanned,
        "addresses": len(subscriber.addresses),
        "source": subscriber.source,
        "opted_out": subscriber.opted_out_at is not None,
    }


def subscriber_by_phone(phone: str, *, lock: bool = False) -> Subscriber | None:
    """The subscriber with this E.164 number; `lock` takes a row lock on PostgreSQL."""
    query = sa.select(Subscriber).where(Subscriber.phone == phone)
    if lock and db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalar(query)


def commit_or_conflict() -> None:
    """Commit; two first subscriptions of one number at once leave one, the other is told."""
    commit_once(_changed_meanwhile, conflicts=(IntegrityError,))


def _changed_meanwhile() -> str:
    return _("Someone changed this subscription at the same time. Please try again.")


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
        "addresses": unique_addresses(data["addresses"]),
        "language": data["language"],
        "wants_planned": data["wants_planned"],
        "wants_unplanned": data["wants_unplanned"],
    }
    code_id = issue_code(
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


class TooManyAddresses(Exception):
    """The subscription would follow more addresses than FAIRHEAT_SMS_MAX_ADDRESSES."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def subscribe_verified(
    phone: str,
    addresses: Iterable[Mapping[str, Any]],
    *,
    source: str,
    language: str,
    now: dt.datetime,
    wants_planned: bool | None = None,
    wants_unplanned: bool | None = None,
) -> Subscriber:
    """Create or extend the subscription of a number that has just proven itself (a code typed
    on the web, or the SMS itself), in the caller's transaction.

    Addresses join those the number already follows, without duplicates, up to the cap
    (TooManyAddresses, after a rollback). An earlier STOP is undone: the person has just asked
    for notices again. Notice kinds change only when given.
    """
    subscriber = subscriber_by_phone(phone, lock=True)
    before = audit_snapshot(subscriber) if subscriber else None
    if subscriber is None:
        subscriber = Subscriber(phone=phone, source=source, addresses=[])
        db.session.add(subscriber)
    add_addresses(subscriber, addresses)
    limit = current_settings().sms.max_addresses
    if len(subscriber.addresses) > limit:
        db.session.rollback()
        raise TooManyAddresses(limit)
    subscriber.language = language
    if wants_planned is not None:
        subscriber.wants_planned = wants_planned
    if wants_unplanned is not None:
        subscriber.wants_unplanned = wants_unplanned
    # The web code proves the number anew; an SMS keeps the date it was first proven.
    subscriber.verified_at = now if source == "web" else (subscriber.verified_at or now)
    subscriber.opted_out_at = None
    db.session.flush()
    audit.record(
        "sms_subscriber.subscribed",
        "sms_subscriber",
        subscriber.id,
        before=before,
        after={**audit_snapshot(subscriber), "channel": source},
        actor=f"sms_subscriber:{subscriber.id}",
    )
    return subscriber


def set_opted_out(subscriber: Subscriber, opted_out: bool, now: dt.datetime) -> None:
    """STOP or START for one subscriber, audited when it changes anything (caller commits)."""
    if (subscriber.opted_out_at is not None) == opted_out:
        return
    subscriber.opted_out_at = now if opted_out else None
    audit.record(
        "sms_subscriber.opted_out" if opted_out else "sms_subscriber.opted_in",
        "sms_subscriber",
        subscriber.id,
        before={"opted_out": not opted_out},
        after={"opted_out": opted_out},
        actor=f"sms_subscriber:{subscriber.id}",
    )


def confirm_subscription(code_id: int, code: str, *, now: dt.datetime | None = None) -> int:
    """Turn a pending web subscription into a verified subscriber (new or updated); their id.

    Addresses are added to those the number already follows, without duplicates; language and
    notice kinds are the ones just chosen. Confirming also undoes an earlier STOP: the person
    has just asked for notices again.
    """
    now = now or utcnow()
    row = redeem_code(code_id, SUBSCRIBE, code, now)
    payload = row.payload or {}
    try:
        subscriber = subscribe_verified(
            row.phone,
            payload.get("addresses", []),
            source="web",
            language=language_or_default(payload.get("language")),
            now=now,
            wants_planned=bool(payload.get("wants_planned", True)),
            wants_unplanned=bool(payload.get("wants_unplanned", True)),
        )
    except TooManyAddresses as error:
        raise Conflict(
            ngettext(
                "Together with the addresses this number already follows, that is more than "
                "%(num)d address. Sign in to manage your subscription and remove some first.",
                "Together with the addresses this number already follows, that is more than "
                "%(num)d addresses. Sign in to manage your subscription and remove some first.",
                error.limit,
            )
        ) from None
    subscriber_id = subscriber.id
    commit_or_conflict()
    return subscriber_id


def request_manage_code(
    phone: str, client_ip: str | None, *, now: dt.datetime | None = None
) -> int:
    """Start signing in to manage a subscription; the code's id.

    An unknown number gets a code row too (so limits and the next page are the same) but no
    SMS: the page never tells whether a number is subscribed.
    """
    e164 = parse_mobile_number(phone)
    subscriber = subscriber_by_phone(e164)
    code_id = issue_code(
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
    row = redeem_code(code_id, MANAGE, code, now or utcnow())
    subscriber = subscriber_by_phone(row.phone)
    if subscriber is None:  # erased since the code was sent
        db.session.rollback()
        raise dead_code_conflict()
    subscriber_id = subscriber.id
    db.session.commit()
    return subscriber_id


def resend_code(code_id: int, client_ip: str | None, *, now: dt.datetime | None = None) -> int:
    """A new code for the same pending request (the old one dies); limits apply as to any code."""
    now = now or utcnow()
    old = db.session.get(VerificationCode, code_id)
    if old is None or old.used_at is not None:
        db.session.rollback()
        raise dead_code_conflict()
    language: str | None
    subscriber_id: int | None = None
    if old.purpose == SUBSCRIBE:
        language = language_or_default((old.payload or {}).get("language"))
    else:
        subscriber = subscriber_by_phone(old.phone)
        language = subscriber.language if subscriber else None
        subscriber_id = subscriber.id if subscriber else None
    old.used_at = now
    new_id = issue_code(
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
    before = audit_snapshot(subscriber)
    subscriber.addresses = []
    db.session.flush()
    add_addresses(subscriber, data["addresses"])
    subscriber.language = data["language"]
    subscriber.wants_planned = data["wants_planned"]
    subscriber.wants_unplanned = data["wants_unplanned"]
    old, new = audit.changes(before, audit_snapshot(subscriber))
    audit.record(
        "sms_subscriber.updated",
        "sms_subscriber",
        subscriber.id,
        before=old,
        after=new,
        actor=f"sms_subscriber:{subscriber.id}",
    )
    commit_or_conflict()


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
        before=audit_snapshot(subscriber),
        actor=f"sms_subscriber:{subscriber.id}",
    )
    db.session.delete(subscriber)
    db.session.commit()
