"""Feeds as their readers see them: Atom (feedparser), iCalendar (icalendar), CAP 1.2 (the XSD).

Outages are made through the real service functions (or the API), the feeds fetched over HTTP
from the test client, whose Host is "localhost": every absolute URL must still come from
FAIRHEAT_PUBLIC_BASE_URL, as it would behind the reverse proxy.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import pytest
from lxml import etree

from notifications.feeds import cap_assessment
from notifications.models import Impact, Outage, OutageKind, OutageStatus
from notifications.queries import get_outage
from notifications.schemas import OutageInputSchema
from notifications.services import (
    cancel_outage,
    create_outage,
    restore_outage,
    update_outage,
)
from notifications.texts import compose_notice
from service.db import utcnow
from service.extensions import db
from tests.support.factories import outage_payload, planned_payload

BASE = "https://lampo.example/katkot"
HOST = "lampo.example"
CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
CAP_XSD = Path(__file__).resolve().parent.parent / "data" / "CAP-v1.2.xsd"
CAP_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
POLYGON = {
    "type": "Polygon",
    "coordinates": [[[24.93, 60.17], [24.95, 60.17], [24.95, 60.18], [24.93, 60.17]]],
}


@pytest.fixture
def settings_env() -> dict[str, str]:
    return {"FAIRHEAT_PUBLIC_BASE_URL": BASE}


@pytest.fixture(scope="module")
def cap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(CAP_XSD)))


def publish(payload: dict[str, Any]) -> Outage:
    return create_outage(OutageInputSchema().load({**payload, "publish": True}))


def later(hours: float) -> dt.datetime:
    return utcnow().replace(microsecond=0) + dt.timedelta(hours=hours)


# ---- CAP 1.2 ------------------------------------------------------------------------------


def fetch_cap(client: Any, outage_id: int, schema: etree.XMLSchema) -> Any:
    response = client.get(f"/outages/{outage_id}.cap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/cap+xml"
    document = etree.fromstring(response.data)
    schema.assertValid(document)
    return document


def cap_text(node: Any, path: str) -> str:
    return node.xpath(f"string({path})", namespaces=CAP)


def cap_texts(node: Any, path: str) -> list[str]:
    return [element.text for element in node.xpath(path, namespaces=CAP)]


def cap_moment(text: str) -> dt.datetime:
    assert CAP_TIME.fullmatch(text), text
    return dt.datetime.fromisoformat(text)


def test_first_published_version_is_a_valid_cap_alert(client, cap_schema):
    outage = publish(outage_payload())
    published = get_outage(outage.id).updates[0]

    alert = fetch_cap(client, outage.id, cap_schema)

    assert cap_text(alert, "cap:identifier") == f"{HOST}-outage-{outage.id}-1"
    assert cap_text(alert, "cap:sender") == HOST
    assert cap_moment(cap_text(alert, "cap:sent")) == published.created_at.replace(microsecond=0)
    assert cap_text(alert, "cap:sent").endswith(("+02:00", "+03:00"))  # Helsinki, not UTC
    assert (cap_text(alert, "cap:status"), cap_text(alert, "cap:msgType")) == ("Actual", "Alert")
    assert cap_text(alert, "cap:scope") == "Public"
    assert not alert.xpath("cap:references", namespaces=CAP)
    assert cap_texts(alert, "cap:info/cap:language") == ["fi-FI", "sv-FI", "en-FI", "pl-FI"]
    (info,) = alert.xpath("cap:info[cap:language='en-FI']", namespaces=CAP)
    assert cap_texts(info, "cap:category") == ["Infra"]
    assert [cap_text(info, f"cap:{name}") for name in ("urgency", "severity", "certainty")] == [
        "Immediate",
        "Moderate",
        "Observed",
    ]
    assert cap_text(info, "cap:headline") == published.texts["en"]["title"]
    assert cap_text(info, "cap:event") == published.texts["en"]["title"]
    assert cap_text(info, "cap:description") == published.texts["en"]["body"]
    assert cap_text(info, "cap:senderName") == "Lämpö Oy"
    assert cap_text(info, "cap:web") == f"{BASE}/en/outages/{outage.id}"
    assert cap_moment(cap_text(info, "cap:onset")) == get_outage(outage.id).starts_at.replace(
        microsecond=0
    )
    assert not info.xpath("cap:expires", namespaces=CAP)  # a fault's estimate may slip
    assert "Mannerheimintie 1–15" in cap_text(info, "cap:area/cap:areaDesc")
    assert not info.xpath("cap:area/cap:polygon", namespaces=CAP)
    assert cap_texts(info, "cap:area/cap:geocode/cap:value") == ["00100"]


def test_later_updates_reference_every_earlier_cap_message(client, cap_schema):
    outage = publish(outage_payload())
    seen = []

    def remember() -> Any:
        alert = fetch_cap(client, outage.id, cap_schema)
        fields = ("sender", "identifier", "sent")
        seen.append(",".join(cap_text(alert, f"cap:{name}") for name in fields))
        return alert

    remember()
    update_outage(outage.id, {"expected_end_at": later(6)})
    second = remember()
    update_outage(outage.id, {"status": OutageStatus.REPAIRING})
    third = remember()

    assert cap_text(second, "cap:msgType") == "Update"
    assert cap_text(second, "cap:references") == seen[0]
    assert cap_text(third, "cap:msgType") == "Update"
    assert cap_text(third, "cap:identifier") == f"{HOST}-outage-{outage.id}-3"
    assert cap_text(third, "cap:references").split(" ") == seen[:2]
    assert len(set(seen)) == 3
    assert {cap_text(a, "cap:incidents") for a in (second, third)} == {f"{HOST}-outage-{outage.id}"}


def test_cancelled_outage_is_a_cap_cancel(client, cap_schema):
    outage = publish(outage_payload())
    first = fetch_cap(client, outage.id, cap_schema)
    cancel_outage(outage.id)

    alert = fetch_cap(client, outage.id, cap_schema)

    assert cap_text(alert, "cap:msgType") == "Cancel"
    assert cap_text(alert, "cap:identifier") == f"{HOST}-outage-{outage.id}-2"
    assert cap_text(alert, "cap:references") == ",".join(
        cap_text(first, f"cap:{name}") for name in ("sender", "identifier", "sent")
    )
    (info,) = alert.xpath("cap:info[cap:language='fi-FI']", namespaces=CAP)
    assert cap_text(info, "cap:urgency") == "Past"
    assert cap_text(info, "cap:responseType") == "AllClear"
    sent = cap_moment(cap_text(alert, "cap:sent"))
    assert cap_moment(cap_text(info, "cap:expires")) == sent + dt.timedelta(days=1)


def test_cap_area_has_polygon_in_lat_lon_order_and_each_postcode_once(client, cap_schema):
    areas = [
        {"postcode": "00100", "street": "Mannerheimintie", "parity": "all"},
        {"postcode": "00100", "street": "Arkadiankatu", "from_number": 2, "to_number": 10},
        {"postcode": "00120"},
    ]
    outage = publish(outage_payload(areas=areas, polygon=POLYGON))

    alert = fetch_cap(client, outage.id, cap_schema)

    for info in alert.xpath("cap:info", namespaces=CAP):
        assert cap_texts(info, "cap:area/cap:polygon") == [
            "60.17,24.93 60.17,24.95 60.18,24.95 60.17,24.93"
        ]
        assert cap_texts(info, "cap:area/cap:geocode/cap:valueName") == ["postcode", "postcode"]
        assert cap_texts(info, "cap:area/cap:geocode/cap:value") == ["00100", "00120"]
        assert cap_text(info, "cap:area/cap:areaDesc").count(";") == 2


def test_planned_and_restored_outages_map_to_future_and_past(client, cap_schema):
    planned = publish(planned_payload(days_ahead=10))
    fault = publish(outage_payload(impact="hot_water"))
    restore_outage(fault.id)

    scheduled = fetch_cap(client, planned.id, cap_schema)
    restored = fetch_cap(client, fault.id, cap_schema)

    (info,) = scheduled.xpath("cap:info[cap:language='fi-FI']", namespaces=CAP)
    assert [cap_text(info, f"cap:{n}") for n in ("urgency", "severity", "certainty")] == [
        "Future",
        "Minor",
        "Likely",
    ]
    assert cap_moment(cap_text(info, "cap:expires")) == get_outage(planned.id).expected_end_at
    assert cap_text(restored, "cap:msgType") == "Update"
    (info,) = restored.xpath("cap:info[cap:language='fi-FI']", namespaces=CAP)
    assert [cap_text(info, f"cap:{n}") for n in ("urgency", "severity", "certainty")] == [
        "Past",
        "Minor",
        "Observed",
    ]


def test_unpublished_outage_has_no_cap_message(client):
    draft = create_outage(OutageInputSchema().load(outage_payload()))
    assert client.get(f"/outages/{draft.id}.cap.xml").status_code == 404


@pytest.mark.parametrize(
    ("kind", "status", "impact", "expected"),
    [
        ("unplanned", "investigating", "heating", ("Immediate", "Moderate", "Observed", "Monitor")),
        ("unplanned", "repairing", "hot_water", ("Immediate", "Minor", "Observed", "Monitor")),
        ("unplanned", "restored", "heating", ("Past", "Minor", "Observed", "AllClear")),
        ("unplanned", "cancelled", "heating", ("Past", "Minor", "Unlikely", "AllClear")),
        ("planned", "scheduled", "heating", ("Future", "Minor", "Likely", "Prepare")),
        ("planned", "in_progress", "heating", ("Immediate", "Minor", "Observed", "Monitor")),
        ("planned", "completed", "reduced_supply", ("Past", "Minor", "Observed", "AllClear")),
    ],
)
def test_cap_assessment_follows_kind_status_and_impact(kind, status, impact, expected):
    outage = Outage(kind=OutageKind(kind), status=OutageStatus(status), impact=Impact(impact))
    assert cap_assessment(outage) == expected


# ---- Atom ---------------------------------------------------------------------------------


def test_atom_has_an_entry_per_update_in_the_requested_language(client, token_for):
    payload = outage_payload(texts={"fi": "Korjaamme vuotoa.", "sv": "Vi reparerar läckan."})
    response = client.post(
        "/api/v1/outages", json={**payload, "publish": True}, headers=token_for()
    )
    assert response.status_code == 201, response.json
    outage_id = response.json["id"]
    update_outage(outage_id, {"status": OutageStatus.REPAIRING})
    updates = get_outage(outage_id).updates

    for lang, own, other in (
        ("fi", "Korjaamme", "Vi reparerar"),
        ("sv", "Vi reparerar", "Korjaamme"),
    ):
        raw = client.get(f"/{lang}/outages.atom")
        assert raw.status_code == 200
        assert raw.mimetype == "application/atom+xml"
        assert ET.fromstring(raw.data).get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        feed = feedparser.parse(raw.data)
        assert not feed.bozo, feed.get("bozo_exception")
        assert [entry.title for entry in feed.entries] == [
            u.texts[lang]["title"] for u in reversed(updates)
        ]
        assert [entry.content[0].value for entry in feed.entries] == [
            u.texts[lang]["body"] for u in reversed(updates)
        ]
        assert all(
            own in e.content[0].value and other not in e.content[0].value for e in feed.entries
        )
        assert [e.link for e in feed.entries] == [f"{BASE}/{lang}/outages/{outage_id}"] * 2
        assert feed.feed.links[0].href == f"{BASE}/{lang}/outages.atom"
        assert b"localhost" not in raw.data
        assert feed.feed.updated == updates[-1].created_at.astimezone(dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        ids = [entry.id for entry in feed.entries]
        assert len(set(ids)) == 2
        assert all(i.startswith(f"tag:{HOST},") and i.endswith(f"/{lang}") for i in ids)
        assert feed.entries[0].tags[0].term == "repairing"


def test_atom_entry_keeps_the_text_shown_at_the_time(client):
    outage = publish(outage_payload(texts={"en": "First we look for the leak."}))
    update_outage(outage.id, {"texts": {"en": "The leak is under Mannerheimintie."}})

    feed = feedparser.parse(client.get("/en/outages.atom").data)

    newer, older = (entry.content[0].value for entry in feed.entries)
    assert "The leak is under Mannerheimintie." in newer
    assert "First we look for the leak." in older
    assert "The leak is under" not in older


def test_atom_falls_back_to_current_text_for_a_language_missing_in_the_snapshot(client):
    outage = publish(outage_payload(texts={"sv": "Vi reparerar läckan."}))
    (update,) = get_outage(outage.id).updates
    update.texts = {lang: text for lang, text in update.texts.items() if lang != "sv"}
    db.session.commit()  # as if Swedish had been enabled after this update

    (entry,) = feedparser.parse(client.get("/sv/outages.atom").data).entries

    current = compose_notice(get_outage(outage.id), "sv")
    assert (entry.title, entry.content[0].value) == (current.title, current.body)
    assert "Vi reparerar läckan." in entry.content[0].value


def test_empty_atom_feed_is_valid_and_dated_at_the_epoch(client):
    feed = feedparser.parse(client.get("/pl/outages.atom").data)
    assert not feed.bozo
    assert feed.entries == []
    assert feed.feed.updated == "1970-01-01T00:00:00Z"
    assert feed.feed.title  # through gettext, in the feed's language


# ---- iCalendar ----------------------------------------------------------------------------


def calendar_events(client: Any) -> dict[str, Any]:
    response = client.get("/outages.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_calendar_has_one_event_per_published_planned_outage(client):
    confirmed = publish(planned_payload(days_ahead=10))
    cancelled = publish(planned_payload(days_ahead=20))
    cancel_outage(cancelled.id)
    publish(outage_payload())  # unplanned: not in the calendar
    create_outage(OutageInputSchema().load(planned_payload(days_ahead=30)))  # draft: neither

    events = calendar_events(client)

    assert set(events) == {f"outage-{confirmed.id}@{HOST}", f"outage-{cancelled.id}@{HOST}"}
    event = events[f"outage-{confirmed.id}@{HOST}"]
    outage = get_outage(confirmed.id)
    assert event["DTSTART"].dt == outage.starts_at
    assert event["DTEND"].dt == outage.expected_end_at
    assert event["DTSTAMP"].dt == outage.updated_at.replace(microsecond=0)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == compose_notice(outage, "fi").title
    assert str(event["URL"]) == f"{BASE}/fi/outages/{outage.id}"
    assert str(events[f"outage-{cancelled.id}@{HOST}"]["STATUS"]) == "CANCELLED"


def test_calendar_event_sequence_grows_with_each_change(client):
    outage = publish(planned_payload(days_ahead=10))
    before = calendar_events(client)[f"outage-{outage.id}@{HOST}"]
    new_end = later(24 * 10 + 12)
    update_outage(outage.id, {"expected_end_at": new_end})

    after = calendar_events(client)[f"outage-{outage.id}@{HOST}"]

    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["DTEND"].dt == new_end
    assert after["DTSTAMP"].dt == get_outage(outage.id).updated_at.replace(microsecond=0)


def test_calendar_end_is_actual_end_when_completed_and_absent_when_unknown(client):
    reason = "A valve failed its inspection and had to be replaced at once."
    done = publish(planned_payload(days_ahead=-1, late_notice_reason=reason))
    ended = get_outage(done.id).starts_at + dt.timedelta(hours=3)
    restore_outage(done.id, ended_at=ended)
    open_ended = publish({**planned_payload(days_ahead=10), "expected_end_at": None})

    events = calendar_events(client)

    assert events[f"outage-{done.id}@{HOST}"]["DTEND"].dt == ended
    assert "DTEND" not in events[f"outage-{open_ended.id}@{HOST}"]
    assert "DURATION" not in events[f"outage-{open_ended.id}@{HOST}"]


def test_calendar_folds_long_non_ascii_lines_by_octets_and_round_trips(client):
    free_text = (
        "Lämmönjakelu keskeytyy; työ koskee kortteleita A, B ja C \\ "
        + "äöå€😀" * 40
        + "\nSeuraava rivi: säästä lämmintä vettä."
    )
    outage = publish(planned_payload(days_ahead=10, texts={"fi": free_text}))

    raw = client.get("/outages.ics").data

    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert sum(line.startswith(b" ") for line in lines) > 5
    for line in lines:
        line.decode("utf-8")  # no character split across a fold
    unfolded = raw.replace(b"\r\n ", b"").decode("utf-8")
    assert r"keskeytyy\; työ koskee kortteleita A\, B ja C \\ äöå" in unfolded
    assert r"😀\nSeuraava rivi" in unfolded
    event = calendar_events(client)[f"outage-{outage.id}@{HOST}"]
    notice = compose_notice(get_outage(outage.id), "fi")
    assert str(event["DESCRIPTION"]) == notice.body
    assert free_text in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "; ".join(notice.area_lines)


# ---- HTTP caching -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/fi/outages.atom", "/outages.ics", "/outages/{id}.cap.xml"])
def test_unchanged_feed_answers_304_and_a_change_gives_a_new_body(client, path):
    outage = publish(planned_payload(days_ahead=10))
    url = path.format(id=outage.id)
    first = client.get(url)
    etag = first.headers["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""

    update_outage(outage.id, {"expected_end_at": later(24 * 10 + 12)})
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
