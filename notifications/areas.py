"""Address ranges and matching: "is my address affected?".

Pure functions over plain values, so they can be property-tested without a database. A range is a
whole postcode (no street), a whole street in a postcode (no numbers), or a run of house numbers,
optionally only the odd or even side. Postcodes are compared in their canonical national form
(config.Jurisdiction.normalize_postcode); streets by a key that ignores letter case, diacritics,
dots, spacing and the Polish prefixes ("ul.", "al.", "pl.", "os.", "ulica", "aleja", "aleje",
"plac", "osiedle"), so "ul. Marszałkowska", "Marszalkowska" and "MARSZAŁKOWSKA" meet. A street's
names in other languages (Mannerheimintie / Mannerheimvägen) are aliases: notifications.streets
resolves them per postcode, and `match_address` takes the resolved key.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from notifications.models import Parity

# A Polish street-type word before the name: abbreviated with a dot (space optional) or written
# out; only when a name follows, so a street called "Plac" keeps its name.
_STREET_PREFIX = re.compile(
    r"^(?:(?:ul|al|pl|os)\.\s*|(?:ul|al|pl|os|ulica|aleja|aleje|plac|osiedle)\s+)(?=\S)"
)
_HOUSE_NUMBER = re.compile(r"\s*(\d{1,5})")
# Letters that NFKD does not split into a base letter and a mark.
_UNDECOMPOSED = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "đ": "d"})


def street_key(street: str | None) -> str | None:
    """A comparison key for a street name, or None for no street.

    Lower case without diacritics, dots and commas as spaces, single spaces, and no Polish
    street-type prefix: "ul. Marszałkowska" → "marszalkowska", "Al. Jerozolimskie" →
    "jerozolimskie", "Mannerheimvägen" → "mannerheimvagen". Idempotent.
    """
    if street is None:
        return None
    text = unicodedata.normalize("NFKC", street).casefold().translate(_UNDECOMPOSED)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[.,]", lambda m: ". " if m.group() == "." else " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    while (shorter := _STREET_PREFIX.sub("", text)) != text:
        text = shorter
    text = re.sub(r"\s+", " ", text.replace(".", " ")).strip()
    return text or None


def house_number(raw: str | int | None) -> int | None:
    """The building number from what people type: '12', '12 A', '12b', '10/2' (flat 2), '3-5'."""
    if raw is None:
        return None
    if isinstance(raw, int):
        return raw if raw >= 0 else None
    found = _HOUSE_NUMBER.match(raw)
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class AddressRange:
    postcode: str
    street: str | None = None
    from_number: int | None = None
    to_number: int | None = None
    parity: Parity = Parity.ALL
    canonical: str | None = None  # the street's key after alias resolution, when known

    @property
    def key(self) -> str | None:
        return self.canonical if self.canonical is not None else street_key(self.street)


class Match(enum.IntEnum):
    """How surely an address is inside a range; higher is surer."""

    NO = 0
    PARTLY = 1  # part of the postcode or street is affected; a house number would tell
    YES = 2


def parity_allows(parity: Parity, number: int) -> bool:
    if parity == Parity.ODD:
        return number % 2 == 1
    if parity == Parity.EVEN:
        return number % 2 == 0
    return True


def covers_number(rng: AddressRange, number: int) -> bool:
    low = rng.from_number if rng.from_number is not None else 0
    high = rng.to_number if rng.to_number is not None else float("inf")
    return low <= number <= high and parity_allows(rng.parity, number)


def match_address(
    rng: AddressRange,
    postcode: str,
    street: str | None = None,
    number: int | None = None,
    *,
    key: str | None = None,
) -> Match:
    """Whether the address (canonical postcode, optional street and number) is in the range.

    `key` is the street's comparison key after alias resolution; without it the typed street's
    own key is used.
    """
    if rng.postcode != postcode:
        return Match.NO
    if rng.street is None:
        return Match.YES
    wanted = key if key is not None else street_key(street)
    if wanted is None:
        return Match.PARTLY
    if wanted != rng.key:
        return Match.NO
    whole_street = rng.from_number is None and rng.to_number is None and rng.parity == Parity.ALL
    if whole_street:
        return Match.YES
    if number is None:
        return Match.PARTLY
    return Match.YES if covers_number(rng, number) else Match.NO


def best_match(
    ranges: list[AddressRange],
    postcode: str,
    street: str | None,
    number: int | None,
    *,
    key: str | None = None,
) -> Match:
    return max(
        (match_address(r, postcode, street, number, key=key) for r in ranges), default=Match.NO
    )
