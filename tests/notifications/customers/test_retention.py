"""Contract customers' contacts and residents' e-mail subscriptions in data-subject requests
(`fairheat subject export|erase`), and what the part forgets by itself over time."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from notifications.customers.email_subscriptions import purge_unconfirmed
from notifications.customers.jobs import purge_sign_in_links
from notifications.customers.models import (
    CustomerContact,
    DeliveryPoint,
    EmailSubscription,
    SignInLink,
)
from service.db import utcnow
from service.extensions import db
from service.mail.models import EmailMessage, EmailStatus
from service.mail.outbox import enqueue_email
from tests.notifications.customers.conftest import load

EMAIL = "isannoitsija@isannointi.example"
PHONE = "+358401234567"
NOW = utcnow()
ROWS = [
    # 1001 has two contacts; 1002 only the manager (by e-mail); 1003 the same person twice.
    f"1001;As Oy Kalevankatu 5;00100;Kalevankatu;5;{EMAIL};;fi;manager;;24",
    "1001;As Oy Kalevankatu 5;00100;Kalevankatu;5;huolto@huolto.example;;sv;caretaker;;24",
    "1002;As Oy Kalevankatu 7;00100;Kalevankatu;7;Isannoitsija@Isannointi.example;;fi;;;12",
    f"1003;As Oy Mannerheimintie 3;00100;Mannerheimintie;3;;{PHONE};fi;owner;;8",
    f"1003;As Oy Mannerheimintie 3;00100;Mannerheimintie;3;{EMAIL};{PHONE};fi;owner;;8",
]


def subscription(email: str = "Isannoitsija@isannointi.example", **changes) -> int:
    values = {
        "email": email,
        "language": "fi",
        "postcode": "00100",
        "street": "Kalevankatu",
        "street_key": "kalevankatu",
        "number": 5,
        "number_text": "5",
        "token": f"t-{email}-{len(changes)}-{changes.get('created_at')}",
        "verified_at": NOW,
        **changes,
    }
    row = EmailSubscription(**values)
    db.session.add(row)
    db.session.commit()
    return row.id


def sign_in_link(email: str = EMAIL, expires_at: dt.datetime | None = None) -> int:
    expires_at = expires_at or NOW + dt.timedelta(minutes=15)
    link = SignInLink(
        email=email, nonce=f"n-{expires_at.timestamp()}", created_at=NOW, expires_at=expires_at
    )
    db.session.add(link)
    db.session.commit()
    return link.id


def contact(customer_number: str, key: str) -> CustomerContact:
    return db.session.scalars(
        sa.select(CustomerContact)
        .join(DeliveryPoint)
        .where(DeliveryPoint.customer_number == customer_number)
        .where(CustomerContact.contact_key == key)
    ).one()


def contacts(customer_number: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(CustomerContact.contact_key)
            .join(DeliveryPoint)
            .where(DeliveryPoint.customer_number == customer_number)
            .order_by(CustomerContact.id)
        )
    )


def test_export_by_email_has_the_subscriptions_contacts_and_sign_in_links(app, runner):
    load(ROWS)
    subscription()
    subscription("someone.else@example.fi")
    sign_in_link()

    exported = runner.invoke(args=["subject", "export", "--email", EMAIL.upper()])
    assert exported.exit_code == 0, exported.output
    records = json.loads(exported.output)["records"]
    (sub,) = records["email_subscriptions"]
    assert sub["email"] == "Isannoitsija@isannointi.example"
    assert (sub["street"], sub["number"], sub["postcode"]) == ("Kalevankatu", "5", "00100")
    assert sub["confirmed_at"] and sub["language"] == "fi"
    found = records["customer_contacts"]
    mine = [r for r in found if r["record"] == "customer_contact"]
    assert sorted(r["customer_number"] for r in mine) == ["1001", "1002", "1003"]
    first = next(r for r in mine if r["customer_number"] == "1001")
    assert first["customer"] == "As Oy Kalevankatu 5"
    assert first["delivery_point"] == "Kalevankatu 5, 00100"
    assert (first["role"], first["by_email"], first["by_sms"]) == ("manager", True, False)
    assert [r["record"] for r in found].count("customer_sign_in_link") == 1

    by_phone = runner.invoke(args=["subject", "export", "--phone", "040 123 4567"])
    records = json.loads(by_phone.output)["records"]
    assert records["email_subscriptions"] == []
    assert {r["phone"] for r in records["customer_contacts"]} == {PHONE}
    assert len(records["customer_contacts"]) == 2  # both rows of 1003


def test_erase_deletes_subscriptions_and_contacts_but_keeps_a_customers_last_contact(app, runner):
    load(ROWS)
    subscription()
    other = subscription("naapuri@example.fi")
    sign_in_link()
    sign_in_link(expires_at=NOW - dt.timedelta(minutes=1))
    leaving = contact("1001", EMAIL)
    notice = enqueue_email(
        event_key=f"outage:1:contact:{leaving.id}",
        to=EMAIL,
        subject="Katko",
        body="Lämmönjakelu keskeytyy",
        language="fi",
    )
    notice.contact_id = leaving.id
    db.session.commit()
    last_id = contact("1002", EMAIL).id

    erased = runner.invoke(args=["subject", "erase", "--email", EMAIL, "--phone", PHONE, "--yes"])
    assert erased.exit_code == 0, erased.output
    outcome = json.loads(erased.output)
    assert outcome["erased"]["email_subscriptions"] == 1
    # 1001's row, one of 1003's two rows (the other is 1003's last contact), two links.
    assert outcome["erased"]["customer_contacts"] == 4
    reasons = {k["record"]: k["reason"] for k in outcome["kept"]}
    assert "1002" in reasons[f"customer_contact {last_id}"]
    assert "names another contact" in reasons[f"customer_contact {last_id}"]
    assert len([r for r in reasons if r.startswith("customer_contact ")]) == 2

    db.session.expire_all()
    assert db.session.scalars(sa.select(EmailSubscription.id)).all() == [other]
    assert contacts("1001") == ["huolto@huolto.example"]  # the customer keeps its other one
    assert contacts("1002") == [EMAIL]
    assert len(contacts("1003")) == 1
    assert db.session.scalar(sa.select(sa.func.count(SignInLink.id))) == 0
    assert db.session.get(EmailMessage, notice.id).status == EmailStatus.CANCELLED

    # Once the customer has named another contact, a new request erases the last one too.
    load(["1002;As Oy Kalevankatu 7;00100;Kalevankatu;7;uusi@isannointi.example;;fi;;;12"])
    again = runner.invoke(args=["subject", "erase", "--email", EMAIL, "--yes"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert contacts("1002") == ["uusi@isannointi.example"]


def test_a_contact_under_a_legal_hold_is_kept(app, runner):
    load(ROWS[:2])
    held = contact("1001", EMAIL).id
    hold = runner.invoke(
        args=["retention", "hold", "customer_contact", str(held), "--reason", "riita"]
    )
    assert hold.exit_code == 0, hold.output

    erased = runner.invoke(args=["subject", "erase", "--email", EMAIL, "--yes"])
    assert erased.exit_code == 0, erased.output
    (kept,) = json.loads(erased.output)["kept"]
    assert kept == {
        "record": f"customer_contact {held}",
        "reason": "under a legal hold (a claim or proceedings)",
    }
    db.session.expire_all()
    assert contacts("1001") == [EMAIL, "huolto@huolto.example"]


def test_unconfirmed_subscriptions_and_spent_sign_in_links_are_forgotten(app):
    old = NOW - dt.timedelta(days=3)
    subscription("vahvistamaton@example.fi", verified_at=None, created_at=old)
    recent = subscription("tuore@example.fi", verified_at=None)
    confirmed = subscription("vahvistettu@example.fi", created_at=old)
    sign_in_link(expires_at=NOW - dt.timedelta(days=2))
    fresh = sign_in_link()

    assert purge_unconfirmed() == 1
    assert purge_sign_in_links() == 1
    db.session.expire_all()
    assert sorted(db.session.scalars(sa.select(EmailSubscription.id))) == [recent, confirmed]
    assert db.session.scalars(sa.select(SignInLink.id)).all() == [fresh]
