"""The street comparison key: Polish prefixes, letter case and missing diacritics fold away."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.areas import street_key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("ul. Marszałkowska", "marszalkowska"),
        ("Marszalkowska", "marszalkowska"),
        ("MARSZAŁKOWSKA", "marszalkowska"),
        ("ul.Marszałkowska", "marszalkowska"),
        ("ulica Marszałkowska", "marszalkowska"),
        ("Al. Jerozolimskie", "jerozolimskie"),
        ("Aleje Jerozolimskie", "jerozolimskie"),
        ("aleja  Jana Pawła II", "jana pawla ii"),
        ("pl. Konstytucji", "konstytucji"),
        ("Plac Konstytucji", "konstytucji"),
        ("os. Kabaty", "kabaty"),
        ("ul. 3 Maja", "3 maja"),
        ("Mannerheimvägen", "mannerheimvagen"),
        ("  Hämeentie ", "hameentie"),
        ("Plac", "plac"),  # a street called Plac keeps its name
        ("", None),
        (None, None),
    ],
)
def test_prefixes_case_and_diacritics_fold_away(typed, key):
    assert street_key(typed) == key


_LETTERS = "abcdefghijklmnopqrstuvwxyzäöåąćęłńóśźżABCĄĆĘŁŃÓŚŹŻ .,-"
names = st.text(alphabet=_LETTERS, max_size=30)


@given(names)
def test_the_key_is_idempotent(name):
    key = street_key(name)
    assert street_key(key) == key


@given(names, st.sampled_from(["", "ul. ", "UL.", "ulica ", "al. ", "Aleja ", "pl. ", "plac "]))
def test_a_polish_prefix_never_changes_the_key(name, prefix):
    key = street_key(name)
    if key is not None and street_key(f"x{name}") is not None:
        assert street_key(prefix + "x" + name) == street_key("x" + name)


_PLAIN = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻäöåÄÖÅ", "acelnoszzACELNOSZZaoaAOA")


@given(names)
def test_upper_case_and_letters_without_diacritics_give_the_same_key(name):
    assert street_key(name.upper()) == street_key(name)
    assert street_key(name.translate(_PLAIN)) == street_key(name)
