"""Address ranges and matching: examples, and properties checked with hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config import JURISDICTIONS
from notifications.areas import (
    AddressRange,
    Match,
    best_match,
    house_number,
    match_address,
    street_key,
)
from notifications.models import Parity


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("12", 12),
        ("12 A", 12),
        ("12b", 12),
        ("10/2", 10),
        ("3-5", 3),
        (" 7 ", 7),
        ("A", None),
        ("", None),
        (None, None),
        (5, 5),
    ],
)
def test_house_number_from_what_people_type(typed, number):
    assert house_number(typed) == number


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ul. Marszałkowska", "Marszałkowska"),
        ("ULICA  Puławska", "puławska"),
        ("Mannerheimintie ", "mannerheimintie"),
        ("Aleje  Jerozolimskie", "aleje jerozolimskie"),
        ("Hämeentie", "HÄMEENTIE"),
    ],
)
def test_street_keys_meet_across_spelling_habits(a, b):
    assert street_key(a) == street_key(b)


def test_different_streets_do_not_meet():
    assert street_key("Runeberginkatu") != street_key("Runebergsgatan")


@pytest.mark.parametrize(
    ("code", "typed", "canonical"),
    [
        ("FI", "00100", "00100"),
        ("FI", " 00 100 ", "00100"),
        ("FI", "00-100", None),
        ("FI", "0010", None),
        ("PL", "00-950", "00-950"),
        ("PL", "00950", "00-950"),
        ("PL", "00 950", "00-950"),
        ("PL", "0-0950", None),
        ("SE", "11455", "114 55"),
        ("SE", "114 55", "114 55"),
        ("SE", "114-55", None),
    ],
)
def test_postcodes_are_normalized_per_jurisdiction(code, typed, canonical):
    assert JURISDICTIONS[code].normalize_postcode(typed) == canonical


WHOLE_POSTCODE = AddressRange("00100")
WHOLE_STREET = AddressRange("00100", "Mannerheimintie")
ODD_1_15 = AddressRange("00100", "Mannerheimintie", 1, 15, Parity.ODD)


@pytest.mark.parametrize(
    ("rng", "street", "number", "expected"),
    [
        (WHOLE_POSTCODE, None, None, Match.YES),
        (WHOLE_POSTCODE, "Any street", 99, Match.YES),
        (WHOLE_STREET, None, None, Match.PARTLY),
        (WHOLE_STREET, "mannerheimintie", None, Match.YES),
        (WHOLE_STREET, "Hämeentie", 3, Match.NO),
        (ODD_1_15, "Mannerheimintie", None, Match.PARTLY),
        (ODD_1_15, "Mannerheimintie", 15, Match.YES),
        (ODD_1_15, "Mannerheimintie", 14, Match.NO),
        (ODD_1_15, "Mannerheimintie", 17, Match.NO),
        (ODD_1_15, None, 5, Match.PARTLY),
    ],
)
def test_match_examples(rng, street, number, expected):
    assert match_address(rng, "00100", street, number) == expected


def test_other_postcode_never_matches():
    assert match_address(WHOLE_POSTCODE, "00260", None, None) == Match.NO


numbers = st.integers(min_value=0, max_value=2000)
parities = st.sampled_from(list(Parity))


@given(low=numbers, span=st.integers(0, 500), parity=parities, number=numbers)
def test_a_number_matches_exactly_when_in_range_and_on_the_right_side(low, span, parity, number):
    rng = AddressRange("00100", "Hämeentie", low, low + span, parity)
    in_range = low <= number <= low + span
    right_side = parity == Parity.ALL or (number % 2 == 1) == (parity == Parity.ODD)
    expected = Match.YES if in_range and right_side else Match.NO
    assert match_address(rng, "00100", "hämeentie", number) == expected


@given(low=numbers, span=st.integers(0, 500), number=numbers)
def test_odd_and_even_sides_together_cover_the_whole_range(low, span, number):
    odd = AddressRange("00100", "Hämeentie", low, low + span, Parity.ODD)
    even = AddressRange("00100", "Hämeentie", low, low + span, Parity.EVEN)
    both = AddressRange("00100", "Hämeentie", low, low + span, Parity.ALL)
    sides = [match_address(r, "00100", "Hämeentie", number) for r in (odd, even)]
    assert sides.count(Match.YES) == (1 if match_address(both, "00100", "Hämeentie", number) else 0)
    assert best_match([odd, even], "00100", "Hämeentie", number) == match_address(
        both, "00100", "Hämeentie", number
    )


@given(low=st.one_of(st.none(), numbers), high=st.one_of(st.none(), numbers), number=numbers)
def test_open_ended_ranges_extend_to_either_end(low, high, number):
    rng = AddressRange("00100", "Hämeentie", low, high)
    inside = (low is None or number >= low) and (high is None or number <= high)
    assert (match_address(rng, "00100", "Hämeentie", number) == Match.YES) == inside


@given(
    ranges=st.lists(
        st.builds(
            AddressRange,
            st.just("00100"),
            st.sampled_from([None, "Hämeentie", "Sturenkatu"]),
            st.one_of(st.none(), numbers),
            st.one_of(st.none(), numbers),
            parities,
        ),
        max_size=5,
    ),
    number=numbers,
)
def test_knowing_the_number_never_makes_an_answer_less_certain_than_no(ranges, number):
    without = best_match(ranges, "00100", "Hämeentie", None)
    with_number = best_match(ranges, "00100", "Hämeentie", number)
    if without == Match.NO:
        assert with_number == Match.NO
    if with_number == Match.YES:
        assert without >= Match.PARTLY
