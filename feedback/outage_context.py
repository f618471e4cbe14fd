"""The interruptions a case is probably about: at the address the customer gave, near a time.

A "no heat" message is usually about a known interruption. The public form offers the known
ones at the typed address ("Is it this one?") before the resident writes, and the handler's
case page shows those around the date the case was received. The address is free text, so the
postcode, street and house number are read from it the way residents write them
("Mannerheimintie 5 B 12, 00100 Helsinki", "ul. Marszałkowska 10/4, 00-590 Warszawa").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from notifications import list_outages, lookup_address
from service.settings import current_settings

AROUND = dt.timedelta(days=3)
_POSTCODE = re.compile(r"\b(\d{2}-\d{3}|\d{3} \d{2}|\d{5})\b")
_STREET_NUMBER = re.compile(r"^\s*(?P<street>\D*?\S)\s+(?P<number>\d+[A-Za-z]?)\b")


@dataclass(frozen=True)
class Address:
    postcode: str
    street: str | None
    number: str | None

    def as_args(self) -> dict[str, str]:
        return {"postcode": self.postcode, "street": self.street or "", "number": self.number or ""}


def parse_address(text: str | None) -> Address | None:
    """Postcode, street and house number from an address as typed; None without a postcode."""
    if not text:
        return None
    jurisdiction = current_settings().jurisdiction
    found = _POSTCODE.search(text)
    if not found:
        return None
    postcode = jurisdiction.normalize_postcode(found.group(1))
    if postcode is None:
        return None
    before = text[: found.start()].strip(" ,")
    match = _STREET_NUMBER.match(before)
    if match:
        street = re.sub(r"^(ul\.|ulica|al\.|aleja)\s+", "", match["street"].strip(" ,"), flags=re.I)
        return Address(postcode, street or None, match["number"])
    return (
        Address(postcode, before or None, None)
        if before and not any(c.isdigit() for c in before)
        else Address(postcode, None, None)
    )


def outages_at(address: Address) -> list[Any]:
    """Current and planned published interruptions at the address (the resident's form)."""
    result = lookup_address(address.postcode, address.street, address.number)
    return [*result.outages, *result.possibly_affected]


def outages_around(address_text: str | None, moment: dt.datetime) -> list[Any]:
    """Published interruptions at the address that ran within a few days of `moment`."""
    address = parse_address(address_text)
    if address is None:
        return []
    found = []
    for outage in list_outages(
        postcode=address.postcode, street=address.street, number=address.number
    ):
        end = outage.ended_at or outage.expected_end_at or moment + AROUND
        if outage.starts_at <= moment + AROUND and end >= moment - AROUND:
            found.append(outage)
    return found
