"""Demo data: a few hundred delivery points along the demo notices' streets (so the demo's
interruptions reach contract customers), managed by a handful of building managers who each
follow many buildings, with caretakers, SMS contacts, care homes and schools, and some points
with no contact at all (the evidence's "not reachable")."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from notifications.areas import street_key
from notifications.customers.models import DeliveryPoint, Priority, Role
from notifications.customers.register import Entry, upsert_points
from notifications.customers.rows import ContactRow, PointRow
from notifications.demo import AREAS
from service.extensions import db
from service.settings import current_settings

MANAGERS = {
    "FI": [("isannointi-aalto@demo.example", "fi"), ("kiinteistopalvelu@demo.example", "fi"),
           ("disponent-lindqvist@demo.example", "sv"), ("isannointi-virta@demo.example", "fi"),
           ("hallinto-koskinen@demo.example", "fi")],
    "PL": [("zarzadca-nowak@demo.example", "pl"), ("spoldzielnia-srodmiescie@demo.example", "pl"),
           ("administracja-wolska@demo.example", "pl"), ("property-manager@demo.example", "en"),
           ("zarzad-krakow@demo.example", "pl")],
    "SE": [("forvaltning-berg@demo.example", "sv"), ("fastighet-ost@demo.example", "sv"),
           ("hsb-demo@demo.example", "sv"), ("property-sthlm@demo.example", "en"),
           ("brf-forvaltning@demo.example", "sv")],
}  # fmt: skip
PHONE_PREFIX = {"FI": "+35840555", "PL": "+4860155", "SE": "+4670555"}
NAME = {"FI": "As Oy {street} {number}", "PL": "Wspólnota Mieszkaniowa {street} {number}",
        "SE": "Brf {street} {number}"}  # fmt: skip
LIMIT = 320


def _numbers(area: dict[str, Any]) -> list[int]:
    low = int(area["from_number"] or 1)
    high = int(area["to_number"] or low + 30)
    step = 1 if area["parity"] == "all" else 2
    if area["parity"] == "odd" and low % 2 == 0 or area["parity"] == "even" and low % 2 == 1:
        low += 1
    return list(range(low, high + 1, step))


def demo_entries(code: str) -> list[Entry]:
    seen: set[tuple[str, str, int]] = set()
    entries: list[Entry] = []
    managers = MANAGERS[code]
    for ranges in AREAS[code].values():
        for area in ranges:
            street = area["street"]
            if street is None:
                continue
            for number in _numbers(area):
                key = (area["postcode"], street, number)
                if key in seen or len(entries) >= LIMIT:
                    continue
                seen.add(key)
                n = len(entries)
                priority = (
                    Priority.CARE_HOME if n % 41 == 0
                    else Priority.SCHOOL if n % 53 == 0
                    else Priority.HOSPITAL if n % 97 == 0
                    else Priority.NONE
                )  # fmt: skip
                point = PointRow(
                    customer_number=f"D{n + 1:05d}",
                    name=NAME[code].format(street=street.removeprefix("ul. "), number=number),
                    postcode=area["postcode"],
                    street=street,
                    street_key=street_key(street) or street.casefold(),
                    number=number,
                    number_text=str(number),
                    priority=priority,
                    dwellings=12 + (n * 7) % 60,
                )
                contacts: list[ContactRow] = []
                if n % 10 != 9:  # one point in ten has no contact: the evidence shows it
                    email, lang = managers[n % len(managers)]
                    contacts.append(ContactRow(email, email, None, lang, Role.MANAGER))
                if n % 4 == 0:
                    phone = f"{PHONE_PREFIX[code]}{n:04d}"
                    lang = managers[0][1]
                    contacts.append(ContactRow(phone, None, phone, lang, Role.CARETAKER))
                entries.append(Entry(n + 2, point, contacts))
    return entries


def load_customers(only_if_empty: bool = False) -> str:
    """Load the demo register; one line saying what was loaded."""
    if only_if_empty and db.session.scalar(sa.select(sa.func.count(DeliveryPoint.id))):
        return "delivery points already exist; nothing loaded"
    code = current_settings().jurisdiction.code
    entries = demo_entries(code)
    counts = upsert_points(entries)
    db.session.commit()
    managers = len(MANAGERS[code])
    return (
        f"{counts.added} delivery points added ({counts.updated} updated) on the demo streets, "
        f"{managers} building managers following several buildings each"
    )
