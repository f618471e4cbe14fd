"""Atom per language, iCalendar of planned interruptions, CAP 1.2 per outage.

What the three share, and why:

- They return UTF-8 bytes that depend only on the database, never on the clock or the request:
  the routes answer with a strong ETag over the body, so an unchanged feed must be byte-for-byte
  the same to earn a 304 from browsers, calendar apps and the reverse proxy.
- Absolute URLs come from settings.public_base_url, not from the request's Host header: behind
  the reverse proxy the application sees an internal host, and a feed is read out of context.
- The runtime uses only the standard library (xml.etree.ElementTree, iCalendar written by hand);
  lxml, feedparser and icalendar are development dependencies that the tests check us against.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
import zoneinfo
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from notifications.models import (
    ENDED_OK,
    FINISHED,
    Impact,
    Outage,
    OutageKind,
    OutageStatus,
    OutageUpdate,
)
from notifications.texts import compose_notice, status_label
from service.settings import current_settings

ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The feed-level <updated> of an Atom feed without entries: fixed, so the empty feed's ETag holds.
EMPTY_FEED_UPDATED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# How long a CAP all-clear (restored, completed, cancelled) stays current for aggregators.
CAP_ALL_CLEAR_LIFETIME = dt.timedelta(days=1)

# Characters XML 1.0 cannot carry: staff free text loses them rather than breaking the document.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# RFC 5545 3.3.11: TEXT holds no controls but tab and newline (the newline is then escaped).
_NOT_ICS_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
ICS_LINE_OCTETS = 75  # RFC 5545 3.1: content lines are folded at 75 octets, excluding CRLF


# ---- shared -------------------------------------------------------------------------------


def _public_host() -> str:
    """The host name of the public address: the authority in UIDs, tag URIs and CAP senders."""
    return urlsplit(current_settings().public_base_url).hostname or "localhost"


def _public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL under settings.public_base_url (including any path prefix it has)."""
    base = urlsplit(current_settings().public_base_url)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _update_text(update: OutageUpdate | None, outage: Outage, lang: str) -> dict[str, str]:
    """Title and body as the public saw them right after `update` (its snapshot).

    A snapshot without this language (the language was enabled later) falls back to the
    outage's current text, which is the best there is.
    """
    snapshot = (update.texts or {}).get(lang) if update is not None else None
    if snapshot and snapshot.get("title") and "body" in snapshot:
        return snapshot
    return compose_notice(outage, lang).as_dict()


# ---- Atom (RFC 4287) ----------------------------------------------------------------------


def atom_feed(updates: list[OutageUpdate], lang: str) -> bytes:
    """The Atom feed of one language: one entry per published update, in the order given.

    Each entry is the text shown right after that update, so a reader's history matches what
    the site said at the time. Entry ids are tag URIs (RFC 4151) per update and language; the
    feed's <updated> is its newest entry's, or a fixed epoch when there are none.
    """
    conf = current_settings()
    with force_locale(lang):
        title = _("Interruption notices – %(utility)s", utility=conf.utility_name)
        subtitle = _(
            "Planned and unplanned interruptions of heat supply, with every update as it was "
            "published."
        )
        labels = {status: status_label(status) for status in OutageStatus}
    self_url = _public_url("outages.atom", lang=lang)
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: lang})
    _sub(feed, "id", self_url)
    _sub(feed, "title", title)
    _sub(feed, "subtitle", subtitle)
    newest = max((update.created_at for update in updates), default=EMPTY_FEED_UPDATED)
    _sub(feed, "updated", _rfc3339(newest))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    index = _public_url("outages.index", lang=lang)
    _sub(feed, "link", rel="alternate", type="text/html", href=index)
    _sub(_sub(feed, "author"), "name", conf.utility_name)
    for update in updates:
        outage = update.outage
        text = _update_text(update, outage, lang)
        entry = _sub(feed, "entry")
        _sub(entry, "id", _tag_uri(update, lang))
        _sub(entry, "title", text["title"])
        _sub(entry, "published", _rfc3339(update.created_at))
        _sub(entry, "updated", _rfc3339(update.created_at))
        detail = _public_url("outages.detail", lang=lang, outage_id=outage.id)
        _sub(entry, "link", rel="alternate", type="text/html", href=detail)
        _sub(entry, "category", term=update.status.value, label=labels[update.status])
        _sub(entry, "content", text["body"], type="text")
    return _xml(feed)


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _tag_uri(update: OutageUpdate, lang: str) -> str:
    """tag:<host>,<day of the update>:outages/<id>/updates/<number>/<lang>.

    The date is the update's own (UTC), so the id never changes; the language is part of it
    because each language's entry is a different text, and aggregators merge equal ids.
    """
    day = update.created_at.astimezone(dt.UTC).date().isoformat()
    return f"tag:{_public_host()},{day}:outages/{update.outage_id}/updates/{update.number}/{lang}"


# ---- iCalendar (RFC 5545) -----------------------------------------------------------------


def icalendar_feed(outages: list[Outage]) -> bytes:
    """A calendar with one VEVENT per planned outage, texts in the default language.

    DTEND is when the work actually ended for a completed outage, else the announced expected
    end. When neither is known (or the end is not after the start) DTEND is left out, which
    RFC 5545 3.6.1 defines as an event at the start instant: inventing a duration would show
    residents a restoration time nobody announced. SEQUENCE is the outage's row version, which
    grows with every saved change; DTSTAMP is the last change (no METHOD, so it equals
    LAST-MODIFIED). Events are TRANSPARENT: an interruption does not make anyone busy.
    """
    conf = current_settings()
    lang = conf.default_language
    with force_locale(lang):
        name = _("Planned interruptions – %(utility)s", utility=conf.utility_name)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{_ics_text(conf.utility_name)}//fairheat//{lang.upper()}",
        "CALSCALE:GREGORIAN",
        f"NAME:{_ics_text(name)}",
        f"X-WR-CALNAME:{_ics_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for outage in outages:
        lines.extend(_vevent(outage, lang))
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) for line in lines).encode("utf-8")


def _vevent(outage: Outage, lang: str) -> list[str]:
    notice = compose_notice(outage, lang)
    status = "CANCELLED" if outage.status == OutageStatus.CANCELLED else "CONFIRMED"
    lines = [
        "BEGIN:VEVENT",
        f"UID:outage-{outage.id}@{_public_host()}",
        f"DTSTAMP:{_ics_time(outage.updated_at)}",
        f"DTSTART:{_ics_time(outage.starts_at)}",
    ]
    end = calendar_end(outage)
    if end is not None:
        lines.append(f"DTEND:{_ics_time(end)}")
    lines += [
        f"SEQUENCE:{outage.version}",
        f"STATUS:{status}",
        "TRANSP:TRANSPARENT",
        f"SUMMARY:{_ics_text(notice.title)}",
        f"DESCRIPTION:{_ics_text(notice.body)}",
        f"LOCATION:{_ics_text('; '.join(notice.area_lines))}",
        f"URL:{_public_url('outages.detail', lang=lang, outage_id=outage.id)}",
    ]
    if outage.first_published_at is not None:
        lines.append(f"CREATED:{_ics_time(outage.first_published_at)}")
    lines += [f"LAST-MODIFIED:{_ics_time(outage.updated_at)}", "END:VEVENT"]
    return lines


def calendar_end(outage: Outage) -> dt.datetime | None:
    """The end shown in calendars: actual end when finished, else the expected end, else None."""
    if outage.status in ENDED_OK and outage.ended_at is not None:
        end: dt.datetime | None = outage.ended_at
    else:
        end = outage.expected_end_at
    if end is None or end <= outage.starts_at:
        return None
    return end


def _ics_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _ics_text(value: str) -> str:
    """A TEXT value escaped per RFC 5545 3.3.11: backslash, semicolon, comma and newline."""
    value = _NOT_ICS_TEXT.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def _fold(line: str) -> str:
    """One content line with CRLF, folded every 75 octets (RFC 5545 3.1).

    Continuation lines start with a space that counts toward their 75 octets. A fold never
    splits a multi-octet UTF-8 character, which would leave each physical line invalid UTF-8.
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > ICS_LINE_OCTETS:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n".join(parts) + "\r\n"


# ---- CAP 1.2 (OASIS Common Alerting Protocol) ---------------------------------------------


def cap_alert(outage: Outage) -> bytes:
    """The outage's current state as a CAP 1.2 alert message; its updates must be loaded.

    One message per published update: identifier "<host>-outage-<id>-<update number>", sent
    at that update's time. The first is an Alert; later ones are Updates, or a Cancel when the
    outage is cancelled, and reference every earlier message ("sender,identifier,sent"), so an
    aggregator that missed one can still chain them. All messages of an outage share one
    <incidents> value. Texts are the latest update's snapshot, so a message never changes
    under its identifier. One <info> per configured language.
    """
    host = _public_host()
    updates = list(outage.updates)
    latest = updates[-1] if updates else None
    sent_at = latest.created_at if latest else outage.first_published_at or outage.updated_at
    earlier = " ".join(
        f"{host},{_cap_identifier(host, outage.id, u.number)},{_cap_time(u.created_at)}"
        for u in updates[:-1]
    )
    if not earlier:
        msg_type = "Alert"
    elif outage.status == OutageStatus.CANCELLED:
        msg_type = "Cancel"
    else:
        msg_type = "Update"
    alert = ET.Element("alert", {"xmlns": CAP_NS})
    _sub(alert, "identifier", _cap_identifier(host, outage.id, latest.number if latest else 1))
    _sub(alert, "sender", host)
    _sub(alert, "sent", _cap_time(sent_at))
    _sub(alert, "status", "Actual")
    _sub(alert, "msgType", msg_type)
    _sub(alert, "scope", "Public")
    if earlier:
        _sub(alert, "references", earlier)
    _sub(alert, "incidents", f"{host}-outage-{outage.id}")
    for lang in current_settings().languages:
        _cap_info(alert, outage, latest, lang, sent_at)
    return _xml(alert)


def _cap_identifier(host: str, outage_id: int, number: int) -> str:
    return f"{host}-outage-{outage_id}-{number}"


def _cap_time(moment: dt.datetime) -> str:
    """CAP's dateTime: local offset, whole seconds, and UTC written as -00:00 (CAP 1.2 3.3.2)."""
    local = moment.astimezone(zoneinfo.ZoneInfo(current_settings().timezone)).replace(microsecond=0)
    text = local.isoformat()
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text


def _cap_info(
    alert: ET.Element,
    outage: Outage,
    latest: OutageUpdate | None,
    lang: str,
    sent_at: dt.datetime,
) -> None:
    conf = current_settings()
    text = _update_text(latest, outage, lang)
    urgency, severity, certainty, response = cap_assessment(outage)
    info = _sub(alert, "info")
    _sub(info, "language", f"{lang}-{conf.jurisdiction.country}")
    _sub(info, "category", "Infra")
    _sub(info, "event", text["title"])
    _sub(info, "responseType", response)
    _sub(info, "urgency", urgency)
    _sub(info, "severity", severity)
    _sub(info, "certainty", certainty)
    _sub(info, "onset", _cap_time(outage.starts_at))
    expires = cap_expires(outage, sent_at)
    if expires is not None:
        _sub(info, "expires", _cap_time(expires))
    _sub(info, "senderName", conf.utility_name)
    _sub(info, "headline", text["title"])
    _sub(info, "description", text["body"])
    _sub(info, "web", _public_url("outages.detail", lang=lang, outage_id=outage.id))
    area = _sub(info, "area")
    _sub(area, "areaDesc", "; ".join(compose_notice(outage, lang).area_lines))
    polygon = cap_polygon(outage.polygon)
    if polygon:
        _sub(area, "polygon", polygon)
    for postcode in dict.fromkeys(a.postcode for a in outage.areas):
        geocode = _sub(area, "geocode")
        _sub(geocode, "valueName", "postcode")
        _sub(geocode, "value", postcode)


def cap_assessment(outage: Outage) -> tuple[str, str, str, str]:
    """(urgency, severity, certainty, responseType) from kind, status and impact.

    - cancelled: Past / Minor / Unlikely (it will not happen) / AllClear;
    - completed or restored: Past / Minor / Observed / AllClear;
    - planned and scheduled: Future / Minor / Likely / Prepare (announced days ahead);
    - ongoing: Immediate / Observed / Monitor. Severity is Moderate only for an unplanned loss
      of space heating: cold homes and freezing pipes are a "possible threat to property"
      (CAP 3.2.2 severity). Hot water or reduced supply alone, or planned work that residents
      were told about in advance, is Minor.
    """
    if outage.status == OutageStatus.CANCELLED:
        return "Past", "Minor", "Unlikely", "AllClear"
    if outage.status in FINISHED:
        return "Past", "Minor", "Observed", "AllClear"
    if outage.status == OutageStatus.SCHEDULED:
        return "Future", "Minor", "Likely", "Prepare"
    heating_lost = outage.impact in (Impact.HEATING_AND_HOT_WATER, Impact.HEATING)
    moderate = outage.kind == OutageKind.UNPLANNED and heating_lost
    return "Immediate", "Moderate" if moderate else "Minor", "Observed", "Monitor"


def cap_expires(outage: Outage, sent_at: dt.datetime) -> dt.datetime | None:
    """When the message stops being current, where that can be said.

    An all-clear is news for a day. Planned work expires at its announced end (the scheduler
    sends a new message when it starts, and staff post any overrun). An unplanned fault gets
    no expiry: estimates slip, and an aggregator must not drop a fault that is still on.
    """
    if outage.status in FINISHED:
        return sent_at + CAP_ALL_CLEAR_LIFETIME
    end = outage.expected_end_at
    if outage.kind == OutageKind.PLANNED and end is not None and end > sent_at:
        return end
    return None


def cap_polygon(polygon: dict[str, Any] | None) -> str | None:
    """A GeoJSON Polygon's outer ring as CAP wants it: "lat,lon lat,lon …", first == last.

    GeoJSON positions are [lon, lat]. CAP polygons have no holes, so inner rings are left out:
    the area then errs on the side of too large, which is the safe side for an alert.
    """
    if not polygon or polygon.get("type") != "Polygon" or not polygon.get("coordinates"):
        return None
    ring = [(position[1], position[0]) for position in polygon["coordinates"][0]]
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    if len(ring) < 4:
        return None
    return " ".join(f"{_degrees(lat)},{_degrees(lon)}" for lat, lon in ring)


def _degrees(value: float) -> str:
    """Decimal degrees to six places (about 0.1 m), without trailing zeros."""
    return f"{float(value):.6f}".rstrip("0").rstrip(".")
