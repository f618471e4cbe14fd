"""SMS subscriptions: phone numbers, double opt-in codes, limits, managing, erasure, STOP/START."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from notifications.sms import codes, inbound
from notifications.sms import subscriptions as subs
from notifications.sms.models import (
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Subscriber,
    SubscriberAddress,
    VerificationCode,
)
from notifications.sms.outbox import enqueue
from service import phones
from service.audit import AuditEntry, verify_chain
from service.db import utcnow
from service.errors import Conflict, NotFound, ValidationFailed, flatten_errors
from service.extensions import db

PHONE = "+358401234567"
IP = "203.0.113.7"
HOME = {"postcode": "00100", "street": "Mannerheimintie", "number": "5"}


@pytest.fixture(autouse=True)
def english(app):
    """Messages are asserted in English (the source language), whatever the default locale."""
    with force_locale("en"):
        yield


def latest_code(phone: str = PHONE) -> str:
    """The code as the subscriber reads it from the SMS in the outbox."""
    body = db.session.scalars(
        sa.select(OutboxMessage.body)
        .where(OutboxMessage.phone == phone, OutboxMessage.kind == MessageKind.CODE)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert body is not None, "no code was sent"
    found = re.match(r"(\d{6}) ", body)
    assert found, body
    return found.group(1)


def ask(phone: str = "040 123 4567", addresses=None, language="fi", ip=IP, **kwargs) -> int:
    return subs.request_subscription(
        phone,
        addresses if addresses is not None else [HOME],
        language,
        kwargs.pop("wants_planned", True),
        kwargs.pop("wants_unplanned", True),
        ip,
        **kwargs,
    )


def subscribe(phone: str = "040 123 4567", addresses=None, language="fi") -> int:
    code_id = ask(phone, addresses, language)
    row = db.session.get(VerificationCode, code_id)
    return subs.confirm_subscription(code_id, latest_code(row.phone))


def errors_of(excinfo: pytest.ExceptionInfo[ValidationFailed]) -> str:
    return json.dumps(excinfo.value.errors, ensure_ascii=False)


def queued_notice(phone: str, subscriber_id: int | None, key: str = "outage:1:published") -> int:
    message = enqueue(
        event_key=key,
        kind=MessageKind.NOTICE,
        phone=phone,
        language="fi",
        body="Lämpökatko",
        subscriber_id=subscriber_id,
    )
    db.session.commit()
    return message.id


# --- Phone numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("040 123 4567", "+358401234567"),
        ("0401234567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("050-123 4567", "+358501234567"),
        ("+48 601 234 567", "+48601234567"),
        ("0048601234567", "+48601234567"),
        ("0046701234567", "+46701234567"),
        ("+46 70-123 45 67", "+46701234567"),
    ],
)
def test_mobile_numbers_of_finland_sweden_and_poland_are_stored_in_e164(app, typed, e164):
    assert phones.parse_mobile_number(typed) == e164


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("09 123 4567", "This is not a mobile phone number."),  # Helsinki landline
        ("+48 22 123 45 67", "This is not a mobile phone number."),  # Warsaw landline
        ("+46 8 123 456 78", "This is not a mobile phone number."),  # Stockholm landline
        ("+49 151 23456789", "Enter a Finnish, Swedish or Polish mobile number."),
        ("+358 40 123", "This phone number is incomplete or not valid."),
        ("my number", "Enter a phone number, e.g. 041 2345678."),
    ],
)
def test_other_numbers_are_refused_with_a_clear_message(app, typed, message):
    with pytest.raises(ValidationFailed) as excinfo:
        phones.parse_mobile_number(typed)
    assert message in excinfo.value.errors["phone"][0]


def test_numbers_are_shown_back_nationally_at_home_and_internationally_otherwise(app):
    assert phones.display_phone("+358401234567") == "040 1234567"
    assert phones.display_phone("+48601234567") == "+48 601 234 567"


@pytest.mark.parametrize(
    "settings_env", [{"FAIRHEAT_JURISDICTION": "PL", "FAIRHEAT_DEFAULT_LANGUAGE": "pl"}]
)
def test_a_polish_utility_reads_polish_numbers_without_a_prefix(app):
    assert phones.parse_mobile_number("601 234 567") == "+48601234567"
    assert phones.display_phone("+48601234567") == "601 234 567"
    with pytest.raises(ValidationFailed) as excinfo:
        phones.parse_mobile_number("22 123 45 67")
    assert "not a mobile" in errors_of(excinfo)


# --- Asking for a code -------------------------------------------------------------------------


def test_request_stores_a_hashed_code_and_queues_it_in_the_chosen_language(app):
    code_id = ask("+48 601 234 567", [{"postcode": "00100"}], language="pl")
    row = db.session.get(VerificationCode, code_id)
    code = latest_code("+48601234567")
    assert row.phone == "+48601234567" and row.purpose == "subscribe"
    assert len(row.code_hash) == 64 and code not in row.code_hash
    assert row.expires_at - row.created_at == dt.timedelta(minutes=15)
    assert row.payload == {
        "addresses": [{"postcode": "00100", "street": None, "number": None}],
        "language": "pl",
        "wants_planned": True,
        "wants_unplanned": True,
    }
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.event_key == f"code:{code_id}" and message.language == "pl"
    assert message.kind == MessageKind.CODE and message.expires_at == row.expires_at
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0


def test_two_codes_are_not_the_same_hash_for_the_same_code_on_two_numbers(app):
    assert codes._code_hash("subscribe", "+358401234567", "123456") != codes._code_hash(
        "subscribe", "+358501234567", "123456"
    )


@pytest.mark.parametrize(
    ("addresses", "field", "message"),
    [
        ([], "addresses", "Add at least one address or postcode."),
        ([{"postcode": "1234"}], "addresses.0.postcode", "Enter a postcode in the form 00100."),
        ([{"postcode": "00100", "number": "5"}], "addresses.0.street", "Give the street"),
        (
            [{"postcode": "00100", "street": "Mannerheimintie", "number": "five"}],
            "addresses.0.number",
            "Enter a house number",
        ),
    ],
)
def test_addresses_are_validated(app, addresses, field, message):
    with pytest.raises(ValidationFailed) as excinfo:
        ask(addresses=addresses)
    assert message in " ".join(flatten_errors(excinfo.value.errors)[field])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VerificationCode)) == 0


def test_at_least_one_kind_of_notice_and_a_known_language(app):
    with pytest.raises(ValidationFailed) as excinfo:
        ask(language="de", wants_planned=False, wants_unplanned=False)
    assert set(excinfo.value.errors) == {"kinds", "language"}


@pytest.mark.parametrize("settings_env", [{"FAIRHEAT_SMS_MAX_ADDRESSES": "2"}])
def test_addresses_are_capped_after_removing_duplicates(app):
    same = {"postcode": "00100", "street": "mannerheimintie", "number": "5"}
    ask(addresses=[HOME, same, {"postcode": "00120"}])  # two distinct: fine
    with pytest.raises(ValidationFailed) as excinfo:
        ask(addresses=[HOME, {"postcode": "00120"}, {"postcode": "00130"}])
    assert "at most 2 addresses" in errors_of(excinfo)


@pytest.mark.parametrize("settings_env", [{"FAIRHEAT_SMS_CODES_PER_PHONE_PER_HOUR": "2"}])
def test_codes_per_number_are_limited_per_hour(app):
    now = utcnow()
    ask(now=now, ip="198.51.100.1")
    ask(now=now + dt.timedelta(minutes=1), ip="198.51.100.2")
    with pytest.raises(codes.TooManyCodes) as excinfo:
        ask(now=now + dt.timedelta(minutes=2), ip="198.51.100.3")
    assert excinfo.value.status_code == 429
    assert "At most 2 codes an hour can be sent to one phone number" in excinfo.value.message
    ask(now=now + dt.timedelta(minutes=61))  # the window has moved on
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 3


@pytest.mark.parametrize("settings_env", [{"FAIRHEAT_SMS_CODES_PER_IP_PER_HOUR": "2"}])
def test_codes_per_network_address_are_limited_per_hour(app):
    ask("040 123 4567")
    ask("040 123 4568")
    with pytest.raises(codes.TooManyCodes) as excinfo:
        ask("040 123 4569")
    assert "from one network connection" in excinfo.value.message
    ask("040 123 4569", ip="198.51.100.9")  # another address may still ask


# --- Confirming ----------------------------------------------------------------------------------


def test_the_right_code_creates_a_verified_subscriber_with_unique_addresses(app):
    code_id = ask(addresses=[HOME, {**HOME, "street": "MANNERHEIMINTIE"}, {"postcode": "00120"}])
    subscriber_id = subs.confirm_subscription(code_id, latest_code())
    subscriber = db.session.get(Subscriber, subscriber_id)
    assert subscriber.phone == PHONE and subscriber.language == "fi"
    assert subscriber.verified_at is not None and subscriber.active
    assert [(a.postcode, a.street_key, a.number) for a in subscriber.addresses] == [
        ("00100", "mannerheimintie", 5),
        ("00120", None, None),
    ]
    assert db.session.get(VerificationCode, code_id).used_at is not None
    with pytest.raises(Conflict):  # used once
        subs.confirm_subscription(code_id, latest_code())


def test_audit_entries_hold_no_phone_number_or_address(app):
    subscriber_id = subscribe()
    subs.update_subscription(subscriber_id, [{"postcode": "00120"}], "sv", True, False)
    subs.erase_subscriber(subscriber_id)
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == [
        "sms_subscriber.subscribed",
        "sms_subscriber.updated",
        "sms_subscriber.erased",
    ]
    dumped = json.dumps([[e.actor, e.before, e.after] for e in entries])
    for personal in ("401234567", "Mannerheimintie", "00100", "00120"):
        assert personal not in dumped
    assert verify_chain().broken_at is None


def test_a_wrong_code_counts_and_the_fifth_kills_the_code(app):
    code_id = ask()
    right = latest_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationFailed) as excinfo:
            subs.confirm_subscription(code_id, wrong)
        assert f"You can try {left} more time" in excinfo.value.errors["code"][0]
    with pytest.raises(ValidationFailed) as excinfo:
        subs.confirm_subscription(code_id, wrong)
    assert "that was the last try" in excinfo.value.errors["code"][0]
    with pytest.raises(Conflict) as dead:
        subs.confirm_subscription(code_id, right)
    assert "Ask for a new code" in dead.value.message
    assert db.session.get(VerificationCode, code_id).attempts == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0


def test_a_malformed_code_is_not_counted_as_a_try(app):
    code_id = ask()
    with pytest.raises(ValidationFailed) as excinfo:
        subs.confirm_subscription(code_id, "12345")
    assert "6-digit code" in excinfo.value.errors["code"][0]
    assert db.session.get(VerificationCode, code_id).attempts == 0
    code = latest_code()
    assert subs.confirm_subscription(code_id, f" {code[:3]} {code[3:]} ")  # spaces are fine


def test_a_code_expires_after_15_minutes(app):
    now = utcnow()
    code_id = ask(now=now)
    code = latest_code()
    with pytest.raises(Conflict) as excinfo:
        subs.confirm_subscription(code_id, code, now=now + dt.timedelta(minutes=15))
    assert "expired" in excinfo.value.message and "15 minutes" in excinfo.value.message
    assert subs.confirm_subscription(code_id, code, now=now + dt.timedelta(minutes=14, seconds=59))


def test_a_new_code_replaces_the_old_one(app):
    first = ask()
    old_code = latest_code()
    second = subs.resend_code(first, IP)
    assert second != first
    with pytest.raises(Conflict):
        subs.confirm_subscription(first, old_code)
    assert subs.confirm_subscription(second, latest_code())
    assert db.session.get(VerificationCode, second).payload["addresses"][0]["street"] == (
        "Mannerheimintie"
    )


def test_subscribing_again_adds_addresses_takes_the_new_choices_and_undoes_stop(app):
    subscriber_id = subscribe()
    inbound.opt_out(PHONE)
    again = subscribe(addresses=[{"postcode": "00120"}, HOME], language="en")
    assert again == subscriber_id
    subscriber = db.session.get(Subscriber, subscriber_id)
    db.session.refresh(subscriber)
    assert subscriber.language == "en" and subscriber.opted_out_at is None
    assert len(subscriber.addresses) == 2


@pytest.mark.parametrize("settings_env", [{"FAIRHEAT_SMS_MAX_ADDRESSES": "2"}])
def test_subscribing_again_past_the_cap_is_refused(app):
    subscribe(addresses=[HOME, {"postcode": "00120"}])
    code_id = ask(addresses=[{"postcode": "00130"}])
    with pytest.raises(Conflict) as excinfo:
        subs.confirm_subscription(code_id, latest_code())
    assert "more than 2 addresses" in excinfo.value.message


# --- Managing ------------------------------------------------------------------------------------


def test_manage_code_for_an_unknown_number_looks_the_same_but_sends_nothing(app):
    code_id = subs.request_manage_code("040 765 4321", IP)
    assert db.session.get(VerificationCode, code_id).purpose == "manage"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert codes.pending_code(code_id).phone == "040 7654321"
    with pytest.raises(ValidationFailed):
        subs.confirm_manage_code(code_id, "123456")


def test_manage_code_signs_a_subscriber_in_in_their_language(app):
    subscriber_id = subscribe(language="sv")
    code_id = subs.request_manage_code("+358 40 123 4567", IP)
    message = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.event_key == f"code:{code_id}")
    ).one()
    assert message.language == "sv" and message.subscriber_id == subscriber_id
    with pytest.raises(Conflict):  # a subscribe code is not a manage code
        subs.confirm_subscription(code_id, latest_code())
    assert subs.confirm_manage_code(code_id, latest_code()) == subscriber_id


def test_update_replaces_addresses_language_and_kinds(app):
    subscriber_id = subscribe()
    subs.update_subscription(
        subscriber_id,
        [{"postcode": "00120"}, {"postcode": "00120"}, {"postcode": "00130", "street": "Katu"}],
        "pl",
        False,
        True,
    )
    view = subs.get_subscription(subscriber_id)
    assert view.language == "pl" and (view.wants_planned, view.wants_unplanned) == (False, True)
    assert view.addresses == [
        {"postcode": "00120", "street": None, "number": None},
        {"postcode": "00130", "street": "Katu", "number": None},
    ]
    with pytest.raises(ValidationFailed):
        subs.update_subscription(subscriber_id, [], "pl", True, True)
    with pytest.raises(NotFound):
        subs.update_subscription(subscriber_id + 1000, [HOME], "pl", True, True)


def test_erasure_removes_personal_data_and_anonymises_sent_messages(app):
    subscriber_id = subscribe()
    sent = queued_notice(PHONE, subscriber_id, "outage:1:published")
    db.session.get(OutboxMessage, sent).status = MessageStatus.DELIVERED
    db.session.commit()
    waiting = queued_notice(PHONE, subscriber_id, "outage:2:published")
    subs.request_manage_code(PHONE, IP)

    subs.erase_subscriber(subscriber_id)

    assert db.session.get(Subscriber, subscriber_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SubscriberAddress)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VerificationCode)) == 0
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(rows) == 4  # two codes and two notices: the delivery figures survive
    assert {r.phone for r in rows} == {"erased"}
    assert {r.subscriber_id for r in rows} == {None}
    assert all(r.body == "" for r in rows if r.kind == MessageKind.CODE)
    assert db.session.get(OutboxMessage, sent).status == MessageStatus.DELIVERED
    assert db.session.get(OutboxMessage, waiting).status == MessageStatus.CANCELLED
    with pytest.raises(NotFound):
        subs.erase_subscriber(subscriber_id)


def test_spent_codes_are_purged_after_an_hour(app):
    now = utcnow()
    ask(now=now - dt.timedelta(minutes=61))
    ask(now=now)
    assert codes.purge_spent_codes(now) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VerificationCode)) == 1


# --- By SMS, STOP and START --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00100", ("00100", None, None, None)),
        ("Mannerheimintie 5 00100", ("00100", "Mannerheimintie", "mannerheimintie", 5)),
        ("Mannerheimintie 5, 00100", ("00100", "Mannerheimintie", "mannerheimintie", 5)),
    ],
)
def test_subscribe_by_sms_is_verified_at_once(app, text, expected):
    reply = inbound.subscribe_by_sms(PHONE, "fi", text)
    subscriber = db.session.scalars(sa.select(Subscriber)).one()
    assert subscriber.source == "sms" and subscriber.verified_at is not None
    assert subscriber.language == "fi"
    address = subscriber.addresses[0]
    assert (address.postcode, address.street, address.street_key, address.number) == expected
    assert "00100" in reply and "LOPETA" in reply


@pytest.mark.parametrize(
    "settings_env", [{"FAIRHEAT_JURISDICTION": "PL", "FAIRHEAT_DEFAULT_LANGUAGE": "pl"}]
)
def test_subscribe_by_sms_reads_a_polish_address(app):
    inbound.subscribe_by_sms("+48601234567", "pl", "ul. Marszałkowska 10/2 00-624")
    address = db.session.scalars(sa.select(SubscriberAddress)).one()
    assert (address.postcode, address.street, address.number, address.number_text) == (
        "00-624",
        "ul. Marszałkowska",
        10,
        "10/2",
    )
    assert address.street_key == "marszalkowska"  # no "ul.", no diacritics (issue 15)


def test_subscribe_by_sms_explains_the_format_when_the_postcode_is_missing(app):
    reply = inbound.subscribe_by_sms(PHONE, "fi", "Mannerheimintie 5")
    assert "TILAA 00100" in reply and "TILAA Mannerheimintie 5 00100" in reply
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0


def test_subscribe_by_sms_refuses_numbers_we_do_not_send_to(app):
    reply = inbound.subscribe_by_sms("+4915123456789", "en", "00100")
    assert "Finnish, Swedish and Polish mobile numbers" in reply
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0


def test_stop_opts_out_and_cancels_queued_notices_start_opts_in_again(app):
    subscriber_id = subscribe()
    waiting = queued_notice(PHONE, subscriber_id)
    other = queued_notice("+358501234567", None, "outage:1:other")
    assert inbound.opt_out(PHONE) is True
    subscriber = db.session.get(Subscriber, subscriber_id)
    assert subscriber.opted_out_at is not None and not subscriber.active
    assert db.session.get(OutboxMessage, waiting).status == MessageStatus.CANCELLED
    assert db.session.get(OutboxMessage, other).status == MessageStatus.QUEUED
    assert inbound.opt_in(PHONE) is True
    db.session.refresh(subscriber)
    assert subscriber.opted_out_at is None and subscriber.active
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["sms_subscriber.opted_out", "sms_subscriber.opted_in"]


def test_stop_and_start_from_an_unknown_number_change_nothing(app):
    assert inbound.opt_out("+358509999999") is False
    assert inbound.opt_in("+358509999999") is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0
