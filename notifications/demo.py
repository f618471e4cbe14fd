"""Demo data of the notifications domain: thirteen notices in every state of both kinds.

Unplanned being located, repaired (one estimate extended, so the update history shows it) and
restored; planned upcoming, in progress, completed, cancelled; one draft. Everything goes through
the domain's public functions with schema-loaded input, so the service rules hold and the updates
and audit log are real. History is back-dated through the services' `now` argument and timed
relative to the run, with planned notices published ahead of the jurisdiction's lead-time rule,
so validation passes on any day; one planned notice is late on purpose and gives its reason.
Streets and postcodes follow the jurisdiction (FI Helsinki/Espoo, PL Warszawa/Kraków, SE
Stockholm); free text is kept for the configured languages only.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from typing import Any

from notifications.queries import list_outages
from notifications.schemas import OutageInputSchema
from notifications.services import create_outage, update_outage
from service.db import utcnow
from service.settings import current_settings
from service.validation import load_or_fail


def r(postcode: str, street: str | None = None, low: int | None = None, high: int | None = None,
      parity: str = "all") -> dict[str, Any]:  # fmt: skip
    """One address range: a whole postcode, a whole street, or a run of (odd/even) numbers."""
    return {"postcode": postcode, "street": street, "from_number": low, "to_number": high,
            "parity": parity}  # fmt: skip


# Area of each notice by jurisdiction; one notice also carries a polygon (centre lon, lat).
AREAS: dict[str, dict[str, list[dict[str, Any]]]] = {
    "FI": {
        "leak": [r("00100", "Kalevankatu"), r("00100", "Annankatu", 20, 34, "even")],
        "pipe": [r("00530", "Hämeentie", 2, 40, "even"), r("00530", "Kaikukatu")],
        "plant": [r("00500"), r("00510")],
        "cold": [r("00260", "Runeberginkatu", 30, 60)],
        "tap": [r("00550", "Mäkelänkatu", 50, 58, "even")],
        "water": [r("00100", "Mannerheimintie", 1, 15, "odd")],
        "connect": [r("02100", "Tapiolantie", 1, 11, "odd")],
        "late": [r("00250", "Töölönkatu", 1, 40)],
        "valves": [r("00120", "Fredrikinkatu", 10, 40, "even"), r("00120", "Uudenmaankatu")],
        "done": [r("00180", "Lapinlahdenkatu")],
        "done2": [r("02150", "Otakaari", 1, 7)],
        "off": [r("00510", "Sturenkatu", 1, 21, "odd")],
        "draft": [r("00140")],
    },
    "PL": {
        "leak": [r("00-624", "ul. Marszałkowska", 1, 35, "odd")],
        "pipe": [r("02-001", "Aleje Jerozolimskie", 2, 40, "even")],
        "plant": [r("31-146"), r("31-128")],
        "cold": [r("02-512", "ul. Puławska", 1, 39, "odd")],
        "tap": [r("02-021", "ul. Grójecka", 22, 30, "even")],
        "water": [r("00-640", "ul. Mokotowska", 41, 65, "odd")],
        "connect": [r("31-070", "ul. Dietla", 50, 64, "even")],
        "late": [r("00-029", "ul. Nowy Świat", 1, 21)],
        "valves": [r("31-128", "ul. Karmelicka", 1, 30)],
        "done": [r("30-552", "ul. Wielicka")],
        "done2": [r("02-021", "ul. Grójecka", 1, 17, "odd")],
        "off": [r("30-504", "ul. Kalwaryjska", 10, 40)],
        "draft": [r("00-697", "Aleje Jerozolimskie", 55, 65, "odd")],
    },
    "SE": {
        "leak": [r("111 51", "Drottninggatan", 50, 80, "even")],
        "pipe": [r("118 20", "Götgatan", 1, 41, "odd")],
        "plant": [r("113 22"), r("113 24")],
        "cold": [r("113 22", "Odengatan", 50, 70)],
        "tap": [r("118 47", "Hornsgatan", 100, 110, "even")],
        "water": [r("113 57", "Sveavägen", 60, 90, "even")],
        "connect": [r("116 46", "Folkungagatan", 120, 130, "even")],
        "late": [r("112 39", "Sankt Eriksgatan", 1, 30)],
        "valves": [r("118 60", "Ringvägen", 100, 130)],
        "done": [r("111 20", "Vasagatan")],
        "done2": [r("112 32", "Fleminggatan", 1, 21, "odd")],
        "off": [r("114 55", "Karlavägen", 1, 40)],
        "draft": [r("114 55")],
    },
}
POLYGON_CENTRE = {"FI": (24.805, 60.176), "PL": (19.946, 50.051), "SE": (18.083, 59.313)}


def square(lon: float, lat: float) -> dict[str, Any]:
    """A GeoJSON Polygon of about 450 m × 450 m around a point (one closed ring)."""
    corners = [(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)]
    ring = [[round(lon + 0.004 * x, 4), round(lat + 0.002 * y, 4)] for x, y in corners]
    return {"type": "Polygon", "coordinates": [ring]}


TEXTS: dict[str, dict[str, str]] = {
    "leak": {
        "fi": "Kaukolämpöverkossa on vuoto. Asentajat ovat paikalla ja paikantavat vikaa; "
        "kadulla voi näkyä höyryä.",
        "sv": "Det finns en läcka i fjärrvärmenätet. Montörerna är på plats och söker felet.",
        "en": "There is a leak in the district heating network. Our crew is on site locating it; "
        "you may see steam rising from the street.",
        "pl": "W sieci ciepłowniczej wystąpił wyciek. Ekipa pogotowia jest na miejscu i lokalizuje "
        "awarię; nad jezdnią może unosić się para.",
    },
    "pipe": {
        "fi": "Putkirikon korjaus vaatii kaivutöitä, ja kadulla on liikennejärjestelyjä. Pidä "
        "ikkunat suljettuina, niin asunto pysyy lämpimänä pidempään.",
        "en": "Repairing the broken pipe needs excavation, and traffic in the street is "
        "restricted. Keep windows closed so your home stays warm longer.",
        "pl": "Naprawa uszkodzonego rurociągu wymaga prac ziemnych, a ruch na ulicy jest "
        "utrudniony. Prosimy nie wietrzyć mieszkań, aby dłużej utrzymać w nich ciepło.",
    },
    "plant": {
        "fi": "Lämpölaitoksella on häiriö, ja verkkoon lähtevän veden lämpötila on tavallista "
        "alempi. Lämmin käyttövesi toimii, mutta patterit voivat olla viileitä.",
        "pl": "Z powodu awarii w ciepłowni temperatura wody w sieci jest niższa niż zwykle. Ciepła "
        "woda jest dostępna, ale grzejniki mogą być chłodniejsze.",
    },
    "cold": {
        "fi": "Jos patterit ovat vielä kylmiä, ilmaa ne tai ota yhteyttä isännöitsijään.",
        "sv": "Om elementen fortfarande är kalla, lufta dem eller kontakta fastighetsförvaltaren.",
        "en": "If your radiators are still cold, bleed them or contact your building manager.",
        "pl": "Jeśli grzejniki są nadal zimne, prosimy je odpowietrzyć lub skontaktować się "
        "z administratorem budynku.",
    },
    "water": {
        "fi": "Katkon ajaksi korttelin sisäpihalle tuodaan tilapäinen vesipiste.",
        "sv": "En tillfällig vattenpost ställs upp på innergården under avbrottet.",
        "en": "A temporary water point will be set up in the courtyard during the work.",
        "pl": "Na czas przerwy na podwórzu zostanie ustawiony tymczasowy punkt poboru wody.",
    },
    "valves": {
        "fi": "Vaihdamme lämmönjakokeskuksen venttiilejä. Työ etenee aikataulussa.",
        "pl": "Wymieniamy zawory w węźle cieplnym. Prace przebiegają zgodnie z planem.",
    },
    "off": {
        "fi": "Työ siirtyy myöhemmäksi, koska tarvittavat osat eivät saapuneet ajoissa. Uudesta "
        "ajankohdasta tiedotetaan erikseen.",
        "sv": "Arbetet skjuts upp eftersom delarna inte kom fram i tid. Vi meddelar det nya "
        "datumet separat.",
        "en": "The work is postponed because the parts did not arrive in time. We will announce "
        "the new date separately.",
        "pl": "Prace zostały przełożone, ponieważ potrzebne części nie dotarły na czas. O nowym "
        "terminie poinformujemy osobno.",
    },
}
LATE_REASON = (
    "Yesterday's inspection found a corroded shut-off valve that must be replaced before the "
    "cold spell; the work could not wait for the full notice period."
)


@dataclass(frozen=True)
class Notice:
    area: str  # key of AREAS[jurisdiction]; also of TEXTS where the notice has free text
    kind: str
    impact: str
    cause: str
    starts: dt.datetime
    expected_end: dt.datetime | None
    buildings: int
    published: dt.datetime | None  # None: a draft, created now and left unpublished
    steps: tuple[tuple[dt.datetime, dict[str, Any]], ...] = ()  # later changes: (when, fields)
    late_reason: str | None = None


def notices(now: dt.datetime, timezone: str, lead: int) -> list[Notice]:
    """The demo's notices, timed relative to now; `lead` is the planned notice rule in days."""
    base = now.replace(minute=now.minute // 15 * 15, second=0, microsecond=0)
    today = now.astimezone(zoneinfo.ZoneInfo(timezone)).date()

    def at(hours: float) -> dt.datetime:  # hours from now (rounded down to a quarter hour)
        return base + dt.timedelta(hours=hours)

    def day(days: int, hour: float) -> dt.datetime:  # a local clock time `days` from today
        midnight = dt.datetime.combine(today + dt.timedelta(days=days), dt.time())
        local = midnight.replace(tzinfo=zoneinfo.ZoneInfo(timezone))
        return (local + dt.timedelta(hours=hour)).astimezone(dt.UTC)

    def done(when: dt.datetime, status: str) -> tuple[dt.datetime, dict[str, Any]]:
        return when, {"status": status, "ended_at": when}

    u, p, hhw = "unplanned", "planned", "heating_and_hot_water"
    return [
        Notice("leak", u, hhw, "leak", at(-0.75), None, 14, at(-0.5)),
        Notice("pipe", u, hhw, "leak", at(-5), at(-1), 38, at(-4.75), (
            (at(-4), {"status": "repairing"}), (at(-1.5), {"expected_end_at": at(3)}))),
        Notice("plant", u, "reduced_supply", "production_fault", at(-3), at(2), 120, at(-2.75),
               ((at(-2.25), {"status": "repairing"}),)),
        Notice("cold", u, "heating", "leak", at(-30), at(-24), 26, at(-29.75), (
            (at(-28), {"status": "repairing"}), done(at(-23), "restored"))),
        Notice("tap", u, "hot_water", "network_repair", at(-100), None, 6, at(-99.5),
               (done(at(-97), "restored"),)),
        Notice("water", p, hhw, "maintenance", day(lead + 3, 8), day(lead + 3, 16), 22, at(-20)),
        Notice("connect", p, "hot_water", "connection_work", day(lead + 6, 9), day(lead + 6, 12),
               9, at(-3)),
        Notice("late", p, "heating", "network_repair", day(1, 9), day(1, 13), 11, at(0),
               late_reason=LATE_REASON),
        Notice("valves", p, hhw, "maintenance", at(-2), at(4), 17, day(-lead - 2, 10),
               ((at(-2), {"status": "in_progress"}),)),
        Notice("done", p, hhw, "maintenance", day(-3, 8), day(-3, 16), 25, day(-lead - 7, 10), (
            (day(-3, 8), {"status": "in_progress"}), done(day(-3, 14.5), "completed"))),
        Notice("done2", p, "hot_water", "connection_work", day(-12, 9), day(-12, 12), 4,
               day(-lead - 16, 13), (
            (day(-12, 9), {"status": "in_progress"}), done(day(-12, 12.25), "completed"))),
        Notice("off", p, hhw, "maintenance", day(lead + 5, 8), day(lead + 5, 15), 30, at(-50),
               ((at(-2), {"status": "cancelled", "texts": "off"}),)),
        Notice("draft", p, hhw, "network_repair", day(lead + 10, 8), day(lead + 10, 17), 45, None),
    ]  # fmt: skip


def load_outages(only_if_empty: bool = False) -> str:
    """Load the demo notices; one line saying what was loaded."""
    if only_if_empty and list_outages(public=False, limit=1):
        return "outages already exist; nothing loaded"
    conf = current_settings()
    code = conf.jurisdiction.code

    def wire(fields: dict[str, Any]) -> dict[str, Any]:  # JSON-like input, as the API gets it
        data = {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in fields.items()}
        if "texts" in data:  # a key of TEXTS, kept for the configured languages
            texts = TEXTS.get(data["texts"], {})
            data["texts"] = {lang: text for lang, text in texts.items() if lang in conf.languages}
        return data

    full, partial = OutageInputSchema(), OutageInputSchema(partial=True)
    states: Counter[str] = Counter()
    for n in notices(utcnow(), conf.timezone, conf.planned_notice_lead.value):
        payload = {
            "kind": n.kind,
            "impact": n.impact,
            "cause": n.cause,
            "starts_at": n.starts,
            "expected_end_at": n.expected_end,
            "areas": AREAS[code][n.area],
            "polygon": square(*POLYGON_CENTRE[code]) if n.area == "connect" else None,
            "affected_buildings": n.buildings,
            "texts": n.area,
            "publish": n.published is not None,
            "late_notice_reason": n.late_reason,
        }
        outage = create_outage(load_or_fail(full, wire(payload)), now=n.published or utcnow())
        for when, change in n.steps:
            outage = update_outage(outage.id, load_or_fail(partial, wire(change)), now=when)
        states[outage.status.value + ("" if outage.published else " (draft)")] += 1

    figures = ", ".join(f"{count} {state.replace('_', ' ')}" for state, count in states.items())
    return f"loaded {states.total()} outages for {code} ({figures})"
