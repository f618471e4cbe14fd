"""Languages, locale selection and local time at the edges.

The locale comes from the URL prefix (/fi/…), then the `lang` cookie, then Accept-Language,
then the utility's default. Times are stored in UTC and shown in the utility's time zone,
formatted by Babel for the locale; nothing here hand-formats a date.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from typing import Any

from babel import Locale, UnknownLocaleError, dates
from flask import Blueprint, abort, g, has_request_context, request
from flask_babel import get_locale
from flask_babel import gettext as _

from service.settings import current_settings

LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English", "pl": "polski"}
LANG_COOKIE = "lang"


def languages() -> tuple[str, ...]:
    return current_settings().languages


def select_locale() -> str:
    """Flask-Babel locale selector."""
    conf = current_settings()
    if not has_request_context():
        return conf.default_language
    lang = g.get("lang")
    if lang in conf.languages:
        return lang
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in conf.languages:
        return cookie
    return request.accept_languages.best_match(conf.languages) or conf.default_language


def select_timezone() -> str:
    return current_settings().timezone


def current_language() -> str:
    return str(get_locale() or current_settings().default_language)


def format_locale(lang: str | None = None) -> Locale:
    """The Babel locale for formatting: English in Finland is en_FI (24-hour clock, day first)."""
    return _locale_for(lang or current_language(), current_settings().jurisdiction.country)


@functools.cache
def _locale_for(lang: str, country: str) -> Locale:
    try:
        return Locale.parse(f"{lang}_{country}")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(lang)


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(current_settings().timezone)


def to_local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(local_zone())


def format_date(moment: dt.datetime | dt.date, lang: str | None = None) -> str:
    if isinstance(moment, dt.datetime):
        moment = to_local(moment).date()
    locale = format_locale(lang)
    return dates.format_datetime(moment, _date_pattern(locale), locale=locale)


@functools.cache
def _date_pattern(locale: Locale) -> Any:
    """The locale's pattern for weekday, day, month and year: what Babel's format_skeleton
    ("yMMMEd") finds, looked up once per locale instead of matched on every date."""
    skeletons = locale.datetime_skeletons
    skeleton = "yMMMEd"
    if skeleton not in skeletons:
        skeleton = dates.match_skeleton(skeleton, skeletons) or skeleton
    return skeletons[skeleton]


# How residents read the clock, decided here rather than by whichever CLDR release Babel ships
# (CLDR moved Finland-Swedish from 08:00 to 8.00 between Babel 2.18 and 2.19). In Finland all
# three languages write 8.00 and 21.09, as Finnish and Finland-Swedish style guides do (decision
# 0007); Polish, Sweden-Swedish and English elsewhere write 08:00.
_CLOCK_WITH_PERIOD = "H.mm"
_CLOCK_WITH_COLON = "HH:mm"


def clock_pattern(lang: str, country: str) -> str:
    """The time-of-day pattern for a language as written in the utility's country."""
    if lang == "fi" or (country == "FI" and lang in ("sv", "en")):
        return _CLOCK_WITH_PERIOD
    return _CLOCK_WITH_COLON


def format_time(moment: dt.datetime, lang: str | None = None) -> str:
    lang = lang or current_language()
    pattern = clock_pattern(lang, current_settings().jurisdiction.country)
    return dates.format_time(to_local(moment), pattern, locale=format_locale(lang))


def format_datetime(moment: dt.datetime, lang: str | None = None) -> str:
    """Weekday, date and time in the utility's zone.

    For example 'ma 23.11.2026 8.00' (fi) or 'pon., 23 lis 2026, 08:00' (pl).
    """
    locale = format_locale(lang)
    pattern = locale.datetime_formats["medium"]
    return pattern.replace("{1}", format_date(moment, lang)).replace(
        "{0}", format_time(moment, lang)
    )


def format_iso_local(moment: dt.datetime) -> str:
    """Machine-readable local time, for <time datetime=…> and <input type=datetime-local>."""
    return to_local(moment).isoformat(timespec="minutes")


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change."""


def from_local(naive: dt.datetime) -> dt.datetime:
    """Interpret a wall-clock time typed by staff in the utility's zone; return it in UTC.

    A time skipped when clocks go forward does not exist and is refused; a time repeated when
    clocks go back is read as the first (summer-time) occurrence.
    """
    zone = local_zone()
    aware = naive.replace(tzinfo=zone, fold=0)
    round_trip = aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise NonexistentLocalTime(naive.isoformat())
    return aware.astimezone(dt.UTC)


def local_time_iso(raw: str) -> str:
    """A date and time typed in a form (<input type=datetime-local>, local wall clock) as
    ISO 8601 with its UTC offset, for a schema; ValueError with a localized message if not."""
    try:
        naive = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(_("Enter a date and time, e.g. 2026-11-23 08:00.")) from None
    if naive.tzinfo is not None:
        return naive.isoformat()
    try:
        return from_local(naive).isoformat()
    except NonexistentLocalTime:
        raise ValueError(
            _("This time does not exist here: the clocks are moved forward then.")
        ) from None


def language_prefixed(bp: Blueprint) -> Blueprint:
    """Make a blueprint's url_prefix "/<lang>" a language: unknown ones are 404, the language is
    kept in g.lang for the locale selector, and url_for() fills it in from the current page."""

    @bp.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
        lang = (values or {}).pop("lang", None)
        if lang not in languages():
            abort(404)
        g.lang = lang

    @bp.url_defaults
    def add_lang(endpoint: str, values: dict[str, Any]) -> None:
        if "lang" not in values and g.get("lang"):
            values["lang"] = g.lang

    return bp
