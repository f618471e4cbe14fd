"""Polish addresses: with or without "ul."/"al."/"pl.", in any letter case, with or without
diacritics, or under another name from the alias table, a lookup finds exactly what the
canonical name finds (property test), and an SMS subscriber is told."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.queries import lookup_address
from notifications.streets import import_streets
from tests.notifications.sms.test_fanout import outbox, publish, subscribe
from tests.notifications.streets.test_street_lookup import area
from tests.support.factories import outage_payload

STREETS = (
    "postcode,name,alias\n"
    "00-624,ul. Marszałkowska,Marszałkowska\n"
    "31-070,ul. Dietla,ul. Józefa Dietla\n"
    "00-697,Aleje Jerozolimskie,al. Jerozolimskie\n"
)
NAMES = {
    "00-624": ("ul. Marszałkowska", ["Marszałkowska"]),
    "31-070": ("ul. Dietla", ["ul. Józefa Dietla", "Józefa Dietla"]),
    "00-697": ("Aleje Jerozolimskie", ["al. Jerozolimskie", "Jerozolimskie"]),
}
PREFIXES = ["", "ul. ", "UL.", "ulica ", "al. ", "Al.", "aleja ", "pl. ", "plac "]
_PLAIN = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


@pytest.fixture
def settings_env() -> dict[str, str]:
    return {"FAIRHEAT_JURISDICTION": "PL", "FAIRHEAT_UTILITY_NAME": "MPEC"}


@pytest.fixture
def notices(app):
    import_streets(STREETS.encode())
    return [
        publish(outage_payload(areas=[area("00-624", "ul. Marszałkowska", 1, 35, "odd")])),
        publish(outage_payload(areas=[area("31-070", "ul. Józefa Dietla", 50, 64, "even")])),
        publish(outage_payload(areas=[area("00-697", "Al. Jerozolimskie")])),
    ]


@st.composite
def addresses(draw: st.DrawFn) -> tuple[str, str, str, str | None]:
    postcode = draw(st.sampled_from(sorted(NAMES)))
    canonical, others = NAMES[postcode]
    name = draw(st.sampled_from([canonical, *others]))
    bare = name.split(" ", 1)[1] if name.lower().startswith(("ul. ", "al. ", "aleje ")) else name
    typed = draw(st.sampled_from(PREFIXES)) + bare
    typed = draw(st.sampled_from([typed, typed.upper(), typed.lower(), typed.translate(_PLAIN)]))
    number = draw(st.one_of(st.none(), st.integers(1, 70).map(str)))
    return postcode, canonical, typed, number


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(address=addresses())
def test_a_lookup_by_any_spelling_finds_exactly_what_the_canonical_name_finds(notices, address):
    postcode, canonical, typed, number = address
    by_alias = lookup_address(postcode, typed, number)
    by_name = lookup_address(postcode, canonical, number)
    assert [o.id for o in by_alias.outages] == [o.id for o in by_name.outages]
    assert [o.id for o in by_alias.possibly_affected] == [o.id for o in by_name.possibly_affected]


def test_the_canonical_name_finds_the_notices(notices):
    assert [o.id for o in lookup_address("00-624", "ul. Marszałkowska", "5").outages] == [
        notices[0].id
    ]
    assert [o.id for o in lookup_address("31-070", "ul. Dietla", "52").outages] == [notices[1].id]
    assert lookup_address("31-070", "ul. Dietla", "53").outages == []


def test_a_subscriber_who_typed_no_diacritics_is_told(app):
    import_streets(STREETS.encode())
    typed = subscribe("+48601000201", ("00-624", "MARSZALKOWSKA", "7"), language="pl")
    full = subscribe("+48601000202", ("31-070", "Dietla", None), language="pl")
    publish(outage_payload(areas=[area("00-624", "ul. Marszałkowska", 1, 35, "odd")]))
    publish(outage_payload(areas=[area("31-070", "ul. Józefa Dietla", 50, 64, "even")]))
    assert {m.subscriber_id for m in outbox()} == {typed.id, full.id}
