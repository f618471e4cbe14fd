"""Streets in both languages where residents meet them: the public lookup, SMS subscriptions
(the fan-out) and the notice text. A lookup by any name of a street finds exactly what its
canonical name finds (property test)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.queries import list_outages, lookup_address
from notifications.streets import import_streets
from notifications.texts import compose_notice
from service.extensions import db
from service.mail.models import EmailMessage
from tests.notifications.customers.conftest import load
from tests.notifications.sms.test_fanout import outbox, publish, subscribe
from tests.notifications.test_pages import lookup
from tests.support.factories import outage_payload

STREETS = (
    "postcode,name_fi,name_sv\n"
    "00100,Mannerheimintie,Mannerheimvägen\n"
    "00100,Kalevankatu,Kalevagatan\n"
    "00530,Hämeentie,Tavastvägen\n"
)
NAMES = {
    "00100": [("Mannerheimintie", "Mannerheimvägen"), ("Kalevankatu", "Kalevagatan")],
    "00530": [("Hämeentie", "Tavastvägen")],
}


def area(postcode, street=None, low=None, high=None, parity="all"):
    return {"postcode": postcode, "street": street, "from_number": low, "to_number": high,
            "parity": parity}  # fmt: skip


@pytest.fixture
def notices(app):
    import_streets(STREETS.encode())
    return [
        publish(outage_payload(areas=[area("00100", "Mannerheimintie", 1, 15, "odd")])),
        publish(outage_payload(areas=[area("00100", "Kalevagatan")])),  # staff wrote Swedish
        publish(outage_payload(areas=[area("00530", "Hämeentie", 2, 40, "even")])),
        publish(outage_payload(areas=[area("00100")])),
    ]


def test_a_swedish_lookup_finds_the_finnish_notice_on_the_page(notices, client):
    page = lookup(client, "sv", postcode="00100", street="Mannerheimvägen", number="5")
    html = page.get_data(as_text=True)
    assert "answer--yes" in html
    assert f"/sv/outages/{notices[0].id}" in html


def test_each_reader_sees_the_street_in_their_language(notices):
    assert "Mannerheimvägen 1–15" in compose_notice(notices[0], "sv").body
    assert "Mannerheimintie 1–15" in compose_notice(notices[0], "fi").body
    assert "Kalevankatu" in compose_notice(notices[1], "fi").body
    assert "Kalevagatan" in compose_notice(notices[1], "sv").body
    assert "Tavastvägen 2–40" in compose_notice(notices[2], "sv").body


def test_an_sms_subscriber_following_the_swedish_name_is_told(app):
    import_streets(STREETS.encode())
    swedish = subscribe("+358401000101", ("00100", "Mannerheimvägen", "5"), language="sv")
    finnish = subscribe("+358401000102", ("00100", "MANNERHEIMINTIE", "7"), language="fi")
    other_side = subscribe("+358401000103", ("00100", "Mannerheimvägen", "6"), language="sv")
    publish(outage_payload(areas=[area("00100", "Mannerheimintie", 1, 15, "odd")]))
    assert {m.subscriber_id for m in outbox()} == {swedish.id, finnish.id}
    assert other_side.id not in {m.subscriber_id for m in outbox()}


def _spellings(name: str) -> st.SearchStrategy[str]:
    plain = name.translate(str.maketrans("äöåÄÖÅ", "aoaAOA"))
    return st.sampled_from([name, name.upper(), name.lower(), plain, f"  {plain.lower()} "])


@st.composite
def addresses(draw: st.DrawFn) -> tuple[str, str, str, str | None]:
    """A postcode, a street's canonical name, one of its names as someone types it, a number."""
    postcode = draw(st.sampled_from(sorted(NAMES)))
    canonical, swedish = draw(st.sampled_from(NAMES[postcode]))
    typed = draw(_spellings(draw(st.sampled_from([canonical, swedish]))))
    number = draw(st.one_of(st.none(), st.integers(1, 60).map(str)))
    return postcode, canonical, typed, number


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(address=addresses())
def test_a_lookup_by_any_name_finds_exactly_what_the_canonical_name_finds(notices, address):
    postcode, canonical, typed, number = address
    by_alias = lookup_address(postcode, typed, number)
    by_name = lookup_address(postcode, canonical, number)
    assert [o.id for o in by_alias.outages] == [o.id for o in by_name.outages]
    assert [o.id for o in by_alias.possibly_affected] == [o.id for o in by_name.possibly_affected]
    listed = list_outages(status="active", postcode=postcode, street=typed, number=number)
    assert [o.id for o in listed] == [
        o.id
        for o in list_outages(status="active", postcode=postcode, street=canonical, number=number)
    ]


def test_the_public_pages_show_each_street_in_the_readers_language(notices, client):
    swedish = client.get("/sv/").get_data(as_text=True)
    finnish = client.get("/fi/").get_data(as_text=True)
    assert "Mannerheimvägen" in swedish and "Tavastvägen" in swedish
    assert "Mannerheimintie" in finnish and "Kalevankatu" in finnish
    detail = client.get(f"/sv/outages/{notices[0].id}").get_data(as_text=True)
    assert "Mannerheimvägen 1–15" in detail


def test_contract_customers_and_email_followers_on_the_swedish_name_are_told(app, client):
    """The contract customers' and the residents' e-mail fan-outs take every name of the range's
    street (notifications.range_sql), as the SMS one does."""
    import_streets(STREETS.encode())
    load(
        [
            "3001;Bostads Ab Mannerheimvägen 5;00100;Mannerheimvägen;5;disp@example.fi;;sv;"
            "manager;;12",
            "3002;As Oy Mannerheimintie 6;00100;Mannerheimintie;6;isa@example.fi;;fi;manager;;9",
        ]
    )
    form = {"email": "boende@example.fi", "postcode": "00100", "street": "Mannerheimvägen",
            "number": "7"}  # fmt: skip
    assert client.post("/sv/email-notices/", data=form).status_code == 200
    confirmation = db.session.scalars(sa.select(EmailMessage)).one()
    token = re.search(r"/email-notices/([^/\s]+)/confirm", confirmation.body).group(1)
    assert client.post(f"/sv/email-notices/{token}/confirm").status_code == 200
    outage = publish(outage_payload(areas=[area("00100", "Mannerheimintie", 1, 15, "odd")]))
    told = db.session.scalars(
        sa.select(EmailMessage.to_address).where(EmailMessage.outage_id == outage.id)
    ).all()
    assert sorted(told) == ["boende@example.fi", "disp@example.fi"]  # not the even side's
