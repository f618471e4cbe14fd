"""SMS text of an outage event in one language: whole SMS sentences, a link, and the way out.

Every event has sentences of its own under msgctxt "sms" (not the web notice's lines glued
together), written for the length of one message: a translator comment on each msgid states
its budget, and tests/notifications/sms/test_sms_budget.py renders every template in every
language with a 20-character utility name and asserts the segment count. Keywords are never in
a msgid: %(stop)s is filled from the language's advertised keyword (keywords.ADVERTISED), so a
resident reads the same word in every message. Alphanumeric senders cannot take replies, so
the link matters as much as the keyword.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from babel import dates
from flask_babel import force_locale, pgettext

from notifications.models import Impact, OutageKind, OutageStatus
from notifications.sms.encoding import prepare_sms
from notifications.sms.keywords import Action, advertised
from service.i18n import format_locale, format_time, to_local
from service.settings import current_settings


class SmsEvent(enum.StrEnum):
    PUBLISHED = "published"  # a new notice
    ESTIMATE = "estimate"  # the restoration estimate moved by more than the threshold
    ENDED = "ended"  # restored or completed
    CANCELLED = "cancelled"
    REMINDER = "reminder"  # before a planned interruption starts


def outage_url(outage_id: int, lang: str) -> str:
    """The notice page, for e-mails and printed notices."""
    base = current_settings().public_base_url
    return f"{base}/{lang}/outages/{outage_id}"


def sms_outage_url(outage_id: int, lang: str) -> str:
    """The link an SMS carries: /<lang>/o/<id> redirects (301) to the notice page. Six
    characters fewer than outage_url, which keeps a Polish notice with diacritics within two
    UCS-2 segments (decision 0012)."""
    base = current_settings().public_base_url
    return f"{base}/{lang}/o/{outage_id}"


def _impact(impact: Impact) -> str:
    if impact == Impact.HEATING_AND_HOT_WATER:
        # Translators: SMS wording of what is cut off; short forms residents know are welcome
        # (Polish c.o. / c.w.u.). Keep under 30 characters.
        return pgettext("sms", "heating and hot water")
    if impact == Impact.HEATING:
        # Translators: SMS wording of what is cut off; keep under 30 characters.
        return pgettext("sms", "heating")
    if impact == Impact.HOT_WATER:
        # Translators: SMS wording of what is cut off; keep under 30 characters.
        return pgettext("sms", "hot water")
    # Translators: SMS wording of what is cut off; keep under 30 characters.
    return pgettext("sms", "reduced heat supply")


def _day(moment: dt.datetime, lang: str) -> str:
    """Weekday and a short numeric date without the year ("ma 23.11.", "pon., 23.11")."""
    return dates.format_skeleton("MEd", to_local(moment).date(), locale=format_locale(lang))


def _moment(moment: dt.datetime, lang: str) -> str:
    # Translators: a day and a time in an SMS, e.g. "ma 23.11. 8.00"; keep it this short.
    return pgettext(
        "sms", "%(day)s %(time)s", day=_day(moment, lang), time=format_time(moment, lang)
    )


def _period(start: dt.datetime, end: dt.datetime | None, lang: str) -> str:
    """When a planned interruption happens: one day's hours, two moments, or a start alone."""
    if end is None:
        # Translators: SMS, a planned interruption with no end given yet, e.g. "from Mon 23/11
        # 8.00". Keep under 25 characters.
        return pgettext("sms", "from %(start)s", start=_moment(start, lang))
    if to_local(start).date() == to_local(end).date():
        # Translators: SMS, one day's hours, e.g. "ma 23.11. 8.00-16.30" (a plain hyphen:
        # an en dash would make the whole SMS cost twice as much).
        return pgettext(
            "sms",
            "%(day)s %(start)s-%(end)s",
            day=_day(start, lang),
            start=format_time(start, lang),
            end=format_time(end, lang),
        )
    # Translators: SMS, an interruption over several days; a plain hyphen, not an en dash.
    return pgettext(
        "sms", "%(start)s - %(end)s", start=_moment(start, lang), end=_moment(end, lang)
    )


def _published(outage: Any, lang: str, values: dict[str, str]) -> str:
    if outage.kind == OutageKind.PLANNED and outage.impact == Impact.REDUCED_SUPPLY:
        # Translators: SMS, planned work during which heat is supplied, but less: not an
        # interruption. Budget: one message (160 characters) in fi/sv/en with a 20-character
        # %(utility)s and a 36-character %(url)s; Polish one message when transliterated, two in
        # UCS-2 (134 characters). %(when)s is e.g. "ma 23.11. 8.00-16.30".
        return pgettext(
            "sms",
            "%(utility)s: planned reduced heat supply %(when)s. %(url)s",
            when=_period(outage.starts_at, outage.expected_end_at, lang),
            **values,
        )
    if outage.kind == OutageKind.PLANNED:
        # Translators: SMS, budget: one message (160 characters) in fi/sv/en with a 20-character
        # %(utility)s and a 36-character %(url)s; Polish one message when transliterated, two in
        # UCS-2 (134 characters). %(when)s is e.g. "ma 23.11. 8.00-16.30".
        return pgettext(
            "sms",
            "%(utility)s: planned heat supply interruption %(when)s (%(impact)s). %(url)s",
            when=_period(outage.starts_at, outage.expected_end_at, lang),
            **values,
        )
    if outage.expected_end_at is None:
        # Translators: SMS, budget: one message (160 characters) in fi/sv/en with a 20-character
        # %(utility)s and a 36-character %(url)s; Polish one message when transliterated, two in
        # UCS-2 (134 characters). %(start)s is e.g. "ma 23.11. 8.00".
        return pgettext(
            "sms",
            "%(utility)s: heat supply fault since %(start)s (%(impact)s). We are locating "
            "the fault. %(url)s",
            start=_moment(outage.starts_at, lang),
            **values,
        )
    # Translators: SMS, budget: one message (160 characters) in fi/sv/en with a 20-character
    # %(utility)s and a 36-character %(url)s; Polish one message when transliterated, two in
    # UCS-2 (134 characters). A fault, so "repair" fits here (never on planned work). %(end)s
    # is e.g. "ti 24.11. 16.00".
    return pgettext(
        "sms",
        "%(utility)s: heat supply fault (%(impact)s). Estimated repair time %(end)s. %(url)s",
        end=_moment(outage.expected_end_at, lang),
        **values,
    )


def _estimate(outage: Any, lang: str, values: dict[str, str]) -> str:
    end = _moment(outage.expected_end_at, lang)
    if outage.kind == OutageKind.PLANNED:
        # Translators: SMS, budget: one message (160 characters) in fi/sv/en with a 20-character
        # %(utility)s and a 36-character %(url)s; Polish one message when transliterated, two in
        # UCS-2 (134 characters). Planned work ends; it is not repaired.
        return pgettext(
            "sms",
            "%(utility)s: the planned heat supply interruption is now expected to end "
            "%(end)s. %(url)s",
            end=end,
            **values,
        )
    # Translators: SMS, budget: one message (160 characters) in fi/sv/en with a 20-character
    # %(utility)s and a 36-character %(url)s; Polish one message when transliterated, two in
    # UCS-2 (134 characters).
    return pgettext(
        "sms",
        "%(utility)s: new estimated repair time for the heat supply fault: %(end)s. %(url)s",
        end=end,
        **values,
    )


def _ended(outage: Any, values: dict[str, str]) -> str:
    if outage.kind == OutageKind.PLANNED or outage.status == OutageStatus.COMPLETED:
        # Translators: SMS, budget: one message (160 characters) in fi/sv/en with a 20-character
        # %(utility)s and a 36-character %(url)s; Polish one message when transliterated, two in
        # UCS-2 (134 characters).
        return pgettext(
            "sms",
            "%(utility)s: the planned work is finished and heat supply is restored. %(url)s",
            **values,
        )
    # Translators: SMS, budget: one message (160 characters) in fi/sv/en with a 20-character
    # %(utility)s and a 36-character %(url)s; Polish one message when transliterated, two in
    # UCS-2 (134 characters).
    return pgettext(
        "sms",
        "%(utility)s: the fault has been repaired and heat supply is restored. %(url)s",
        **values,
    )


def _reminder(outage: Any, lang: str, values: dict[str, str]) -> str:
    when = _period(outage.starts_at, outage.expected_end_at, lang)
    if outage.impact == Impact.REDUCED_SUPPLY:
        # Translators: SMS, a reminder of planned work during which heat is supplied, but less.
        # Budget: one message (160 characters) in fi/sv/en with a 20-character %(utility)s and a
        # 36-character %(url)s; Polish one message when transliterated, two in UCS-2 (134
        # characters). %(when)s is e.g. "ma 23.11. 8.00-16.30".
        return pgettext(
            "sms",
            "%(utility)s reminder: reduced heat supply %(when)s. %(url)s",
            when=when,
            **values,
        )
    # Translators: SMS, budget: one message (160 characters) in fi/sv/en with a 20-character
    # %(utility)s and a 36-character %(url)s; Polish one message when transliterated, two in
    # UCS-2 (134 characters). %(when)s is e.g. "ma 23.11. 8.00-16.30".
    return pgettext(
        "sms",
        "%(utility)s reminder: heat supply interruption %(when)s (%(impact)s). %(url)s",
        when=when,
        **values,
    )


def sms_text(outage: Any, event: SmsEvent, lang: str, *, outage_id: int | None = None) -> str:
    """The message for one subscriber language; the area is what they follow, so not repeated.

    `outage_id` stands in for an unsaved outage's id (the staff preview counts segments).
    """
    url = sms_outage_url(outage_id if outage_id is not None else outage.id, lang)
    values = {"utility": current_settings().utility_name, "url": url}
    with force_locale(lang):
        impact = _impact(outage.impact)
        if event == SmsEvent.ESTIMATE and outage.expected_end_at is not None:
            body = _estimate(outage, lang, values)
        elif event == SmsEvent.ENDED:
            body = _ended(outage, values)
        elif event == SmsEvent.CANCELLED:
            # Translators: SMS, budget: one message (160 characters) in fi/sv/en with a
            # 20-character %(utility)s and a 36-character %(url)s; Polish one message when
            # transliterated, two in UCS-2 (134 characters). %(day)s is e.g. "ma 23.11.".
            body = pgettext(
                "sms",
                "%(utility)s: the heat supply interruption on %(day)s is cancelled. Heat supply "
                "continues as normal. %(url)s",
                day=_day(outage.starts_at, lang),
                **values,
            )
        elif event == SmsEvent.REMINDER:
            body = _reminder(outage, lang, {**values, "impact": impact})
        else:
            body = _published(outage, lang, {**values, "impact": impact})
        # Translators: the last line of a notice SMS when it fits; %(stop)s is the stop
        # keyword of the language, filled in by the service (never type a keyword here).
        # Keep under 25 characters.
        way_out = pgettext("sms", "To stop, reply %(stop)s.", stop=stop_keyword(lang))
    return with_way_out(body, way_out)


def with_way_out(body: str, way_out: str) -> str:
    """The body and the stop line, when the line fits in the segments the body already costs.

    A notice is a service message, not marketing: the stop keyword works whether or not the
    message names it, and the linked page, HELP and the confirmation SMS all name it. So the
    line is left out rather than paid for with another segment (docs/decisions/, issue 15).
    Counted as the message will be sent (FAIRHEAT_SMS_TRANSLITERATE_POLISH).
    """
    whole = f"{body} {way_out}"
    translit = current_settings().sms.transliterate_polish
    if (
        prepare_sms(whole, transliterate_polish=translit).segments
        > prepare_sms(body, transliterate_polish=translit).segments
    ):
        return body
    return whole


def stop_keyword(lang: str) -> str:
    """The one stop keyword every message in `lang` names."""
    return advertised(Action.STOP, lang)[0]
