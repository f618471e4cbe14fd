"""Address ranges and matching: "is my address affected?".

Pure functions over plain values, so they can be property-tested without a database. A range is a
whole postcode (no street), a whole street in a postcode (no numbers), or a run of house numbers,
optionally only the odd or even side. Postcodes are compared in their canonical national form
(config.Jurisdiction.normalize_postcode); streets by a key that ignores case, accents in spacing,
dots and the Polish "ul." prefix, so "ul. Marszałkowska" and "marszałkowska" meet.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from notifications.models import Parity

_STREET_PREFIXES = re.compile(r"^(ul\.?|ulica)\s+", re.IGNORECASE)
_HOUSE_NUMBER = re.compile(r"\s*(\d{1,5})")


def street_key(street: str | None) -> str | None:
    """A comparison key for a street name, or None for no street."""
    if street is None:
        return None
    text = unicodedata.normalize("NFKC", street).casefold().strip()
    text = _STREET_PREFIXES.sub("", text)
    text = re.sub(r"[.,]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
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

    @property
    def key(self) -> str | None:
        return street_key(self.street)


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
    rng: AddressRange, postcode: str, street: str | None = None, number: int | None = None
) -> Match:
    """Whether the address (canonical postcode, optional street and number) is in the range."""
    if rng.postcode != postcode:
        return Match.NO
    if rng.street is None:
        return Match.YES
    wanted = street_key(street)
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
    ranges: list[AddressRange], postcode: str, street: str | None, number: int | None
) -> Match:
    return max((match_address(r, postcode, street, number) for r in ranges), default=Match.NO)
