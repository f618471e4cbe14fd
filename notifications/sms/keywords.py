"""Inbound SMS: which keyword a message starts with, what address follows it, and our replies.

`parse_inbound` and `parse_sms_address` are pure. Keywords are matched on a folded spelling
(case-insensitive, diacritics removed: "Hjälp", "HJALP" and "hjälp" are one keyword), by table,
never by if-chains. The standard sets are Twilio's (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT,
REVOKE, OPTOUT / START, YES, UNSTOP / HELP, INFO), so what Twilio's own opt-out handling does and
what this service records agree; the Finnish, Swedish and Polish words are those a native
speaker would type. A subscribe keyword decides the subscriber's language; the others do not
(STOP is English, Polish and colloquial Swedish at once).

The reply texts are whole translated phrases with the keywords as placeholders, so translators
never translate a keyword the service would not understand.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale, pgettext

from config.jurisdictions import Jurisdiction
from service.settings import current_settings


class Action(enum.StrEnum):
    SUBSCRIBE = "subscribe"
    STOP = "stop"
    START = "start"
    HELP = "help"
    UNKNOWN = "unknown"


SHARED = ""  # the language of a keyword that several languages use

# Every keyword understood, per action and language, spelled as a person would write it.
KEYWORDS: Mapping[Action, Mapping[str, tuple[str, ...]]] = {
    Action.SUBSCRIBE: {
        "fi": ("TILAA",),
        "sv": ("PRENUMERERA", "BESTÄLL"),
        "en": ("SUBSCRIBE",),
        "pl": ("ZAPISZ", "ZAPISZ SIĘ", "SUBSKRYBUJ"),
    },
    Action.STOP: {
        SHARED: ("STOP",),
        "en": ("STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"),
        "fi": ("LOPETA", "PERU", "PERUUTA"),
        "sv": ("AVSLUTA", "STOPPA", "STOPP"),
        "pl": ("WYPISZ", "WYPISZ SIĘ", "REZYGNUJĘ"),
    },
    Action.START: {
        SHARED: ("START",),
        "en": ("YES", "UNSTOP"),
        "fi": ("ALOITA", "JATKA"),
        "sv": ("STARTA",),
        "pl": ("WZNÓW",),
    },
    Action.HELP: {
        SHARED: ("INFO",),
        "en": ("HELP",),
        "fi": ("APUA", "OHJE"),
        "sv": ("HJÄLP",),
        "pl": ("POMOC",),
    },
}

# The keywords named in our replies, the first one where only one fits. STOP is offered in every
# language: Twilio itself also blocks a number that sends it, whatever our records say.
ADVERTISED: Mapping[str, Mapping[Action, tuple[str, ...]]] = {
    "fi": {
        Action.SUBSCRIBE: ("TILAA",),
        Action.STOP: ("LOPETA", "STOP"),
        Action.START: ("ALOITA", "START"),
        Action.HELP: ("APUA", "OHJE"),
    },
    "sv": {
        Action.SUBSCRIBE: ("PRENUMERERA",),
        Action.STOP: ("STOP", "AVSLUTA"),
        Action.START: ("START", "STARTA"),
        Action.HELP: ("HJÄLP",),
    },
    "en": {
        Action.SUBSCRIBE: ("SUBSCRIBE",),
        Action.STOP: ("STOP",),
        Action.START: ("START",),
        Action.HELP: ("HELP",),
    },
    "pl": {
        Action.SUBSCRIBE: ("ZAPISZ",),
        Action.STOP: ("WYPISZ", "STOP"),
        Action.START: ("START",),
        Action.HELP: ("POMOC",),
    },
}

# Twilio Advanced Opt-Out's OptOutType values.
OPT_OUT_TYPES: Mapping[str, Action] = {
    "STOP": Action.STOP,
    "START": Action.START,
    "HELP": Action.HELP,
}

# Letters that NFKD does not split into a base letter and a mark.
_UNDECOMPOSED = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE"})
_EDGE_PUNCTUATION = ".,;:!?\"'()«»„“”‘’-"


def fold(text: str) -> str:
    """Upper case without diacritics: "Hjälp" → "HJALP", "wypisz się" → "WYPISZ SIE"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold().upper()


def _index() -> dict[tuple[str, ...], tuple[Action, str | None]]:
    index: dict[tuple[str, ...], tuple[Action, str | None]] = {}
    for action, by_language in KEYWORDS.items():
        for language, words in by_language.items():
            for word in words:
                key = tuple(fold(word).split())
                if key in index:
                    raise ValueError(f"keyword {word!r} is listed twice")
                index[key] = (action, language or None)
    return index


_INDEX = _index()
_LONGEST = max(len(key) for key in _INDEX)


@dataclass(frozen=True)
class Command:
    action: Action
    language: str | None  # the keyword's language; None when shared or unknown
    argument: str  # what follows the keyword, as typed (addresses keep their diacritics)


def parse_inbound(body: str) -> Command:
    """What an inbound SMS asks for: the keyword at its start (one or two words) and the rest."""
    words = (body or "").split()
    folded = [fold(w).strip(_EDGE_PUNCTUATION) for w in words[:_LONGEST]]
    for length in range(min(_LONGEST, len(words)), 0, -1):
        found = _INDEX.get(tuple(folded[:length]))
        if found is not None:
            action, language = found
            rest = body.strip().split(None, length)
            argument = rest[length].strip() if len(rest) > length else ""
            return Command(action, language, argument)
    return Command(Action.UNKNOWN, None, (body or "").strip())


def advertised(action: Action, language: str) -> tuple[str, ...]:
    """The keywords our replies in `language` name for `action`."""
    return ADVERTISED.get(language, ADVERTISED["en"])[action]


# --- Addresses typed after the subscribe keyword -----------------------------------------------

_POSTCODE_PATTERNS = {
    "FI": r"\d{5}",
    "SE": r"\d{3}\s?\d{2}",
    "PL": r"\d{2}-?\d{3}",
}


@dataclass(frozen=True)
class TypedAddress:
    postcode: str  # canonical national spelling
    street: str | None
    number: str | None  # as typed: "5", "12 B", "10/2"


def parse_sms_address(text: str, jurisdiction: Jurisdiction) -> TypedAddress | None:
    """An address from an SMS, or None when it has no postcode of the jurisdiction's format.

    Accepts "00100", "Mannerheimintie 5 00100", "Mannerheimintie 5, 00100 Helsinki",
    "00100 Mannerheimintie 5" and Polish "ul. Marszałkowska 10/2 00-624"; a street may start
    with a number ("ul. 3 Maja 5 00-950"). A town after the postcode is ignored.
    """
    pattern = rf"(?<![\d-])({_POSTCODE_PATTERNS[jurisdiction.code]})(?![\d-])"
    found = list(re.finditer(pattern, text))
    if not found:
        return None
    last = found[-1]
    postcode = jurisdiction.normalize_postcode(last.group(1))
    if postcode is None:
        return None
    before, after = text[: last.start()], text[last.end() :]
    street_part = before if before.strip(" ,;") else after
    if not any(c.isdigit() for c in street_part) and street_part is after:
        street_part = ""  # "00100 Helsinki": a town, not a street
    street, number = _street_and_number(street_part)
    return TypedAddress(postcode, street, number)


def _street_and_number(text: str) -> tuple[str | None, str | None]:
    """("Mannerheimintie", "5 A 12") from "Mannerheimintie 5 A 12,": the number starts at the
    first token beginning with a digit after the street's last word (so "ul. 3 Maja 5" works)."""
    words = text.replace(",", " ").replace(";", " ").split()
    named = [
        i
        for i, word in enumerate(words)
        if not word[0].isdigit() and sum(c.isalpha() for c in word) >= 2
    ]
    if not named:
        return None, None
    end = named[-1] + 1
    if end < len(words) and words[end][0].isdigit():
        return " ".join(words[:end]), " ".join(words[end:])[:20]
    return " ".join(words), None


# --- Replies ------------------------------------------------------------------------------------
#
# Every reply is a whole SMS under msgctxt "sms" with its length budget in a translator comment;
# tests/notifications/sms/test_sms_budget.py renders each in every language. Keywords are
# placeholders filled from ADVERTISED, never typed by a translator.

# ASCII only: one "ł" in an example turns the whole reply into UCS-2 (review, section 3).
_STREET_EXAMPLES = {
    "FI": "Mannerheimintie 5 00100",
    "SE": "Drottninggatan 5 111 51",
    "PL": "Prosta 10 00-838",
}


def _keywords(action: Action, language: str) -> str:
    return ", ".join(advertised(action, language))


def keyword(action: Action | str, language: str) -> str:
    """The one keyword our texts in `language` name for `action` (web pages use it too)."""
    return advertised(Action(action), language)[0]


def current_keyword(action: str) -> str:
    """`keyword` in the page's language: templates say "reply %(stop)s" with this."""
    from service.i18n import current_language

    return keyword(action, current_language())


def register_template_global(app: Any) -> None:
    """`sms_keyword("stop")` in templates (added to the app through notifications/domain.py)."""
    app.jinja_env.globals["sms_keyword"] = current_keyword


def manage_url(language: str) -> str:
    return f"{current_settings().public_base_url}/{language}/subscription"


def help_reply(language: str) -> str:
    """The HELP answer: what this is, every keyword in the language, and the manage link."""
    conf = current_settings()
    subscribe = advertised(Action.SUBSCRIBE, language)[0]
    example = f"{subscribe} {conf.jurisdiction.postcode_example}"
    with force_locale(language):
        # Translators: SMS reply to HELP (budget: two messages, 306 characters, for fi/sv/en
        # with a 20-character %(utility)s; Polish within five UCS-2 messages). Keywords and
        # examples are filled in by the service.
        return pgettext(
            "sms",
            "%(utility)s: SMS notices about interruptions in heat supply. To subscribe, send "
            "%(subscribe)s and your postcode, e.g. %(example)s. To stop: %(stop)s. To start "
            "again: %(start)s. Help: %(help)s. Manage: %(url)s",
            utility=conf.utility_name,
            subscribe=subscribe,
            example=example,
            stop=_keywords(Action.STOP, language),
            start=_keywords(Action.START, language),
            help=_keywords(Action.HELP, language),
            url=manage_url(language),
        )


def address_label(postcode: str, street: str | None, number: str | None) -> str:
    """An address as the subscriber will recognise it, in the current locale."""
    if not street:
        # Translators: an address in an SMS reply when only a postcode is followed.
        return pgettext("sms", "postcode %(postcode)s", postcode=postcode)
    building = f"{street} {number}" if number else street
    # Translators: an address in an SMS reply: street and house number, then the postcode.
    return pgettext("sms", "%(street)s, %(postcode)s", street=building, postcode=postcode)


def subscribed_reply(language: str, postcode: str, street: str | None, number: str | None) -> str:
    conf = current_settings()
    with force_locale(language):
        # Translators: SMS reply (budget: two messages, 306 characters, for fi/sv/en with a
        # 20-character %(utility)s and a 40-character street; Polish within four UCS-2
        # messages). %(stop)s is the stop keyword, filled in by the service.
        return pgettext(
            "sms",
            "%(utility)s: you will now get SMS notices about interruptions in heat supply to "
            "%(address)s. To stop, reply %(stop)s. Manage: %(url)s",
            utility=conf.utility_name,
            address=address_label(postcode, street, number),
            stop=keyword(Action.STOP, language),
            url=manage_url(language),
        )


def address_format_reply(language: str) -> str:
    """The answer to a subscribe keyword without a readable postcode: the format, by example."""
    conf = current_settings()
    subscribe = advertised(Action.SUBSCRIBE, language)[0]
    example = f"{subscribe} {conf.jurisdiction.postcode_example}"
    street_example = f"{subscribe} {_STREET_EXAMPLES[conf.jurisdiction.code]}"
    with force_locale(language):
        # Translators: SMS reply (budget: two messages, 306 characters, for fi/sv/en; Polish
        # within four UCS-2 messages). The examples are filled in by the service.
        return pgettext(
            "sms",
            "We could not find a postcode in your message. Send %(subscribe)s and a postcode, "
            "e.g. %(example)s, or a street, house number and postcode, e.g. %(street_example)s.",
            subscribe=subscribe,
            example=example,
            street_example=street_example,
        )


def too_many_addresses_reply(language: str, limit: int) -> str:
    with force_locale(language):
        # Translators: SMS reply (budget: one message, 160 characters, for fi/sv/en with a
        # 50-character %(url)s; Polish within three UCS-2 messages).
        return pgettext(
            "sms",
            "You already follow the largest number of addresses allowed (%(num)d). Remove one "
            "first: %(url)s",
            num=limit,
            url=manage_url(language),
        )


def number_not_accepted_reply(language: str) -> str:
    with force_locale(language):
        # Translators: SMS reply (budget: one message, 160 characters; Polish within two UCS-2
        # messages).
        return pgettext(
            "sms", "Sorry, notices can be sent only to Finnish, Swedish and Polish mobile numbers."
        )


def opted_out_reply(language: str) -> str:
    with force_locale(language):
        # Translators: SMS reply (budget: one message for fi/sv/en; Polish ONE UCS-2 message of
        # 70 characters with a short %(utility)s, two with a 20-character one). %(start)s is the
        # start keyword, filled in by the service.
        return pgettext(
            "sms",
            "%(utility)s: you will get no more SMS from us. To start again, reply %(start)s.",
            utility=current_settings().utility_name,
            start=keyword(Action.START, language),
        )


def opted_in_reply(language: str) -> str:
    with force_locale(language):
        # Translators: SMS reply (budget: one message for fi/sv/en; Polish within two UCS-2
        # messages). %(stop)s is the stop keyword, filled in by the service.
        return pgettext(
            "sms",
            "%(utility)s: SMS notices about interruptions in heat supply are on again. To stop, "
            "reply %(stop)s.",
            utility=current_settings().utility_name,
            stop=keyword(Action.STOP, language),
        )


def not_subscribed_reply(language: str) -> str:
    subscribe = advertised(Action.SUBSCRIBE, language)[0]
    example = f"{subscribe} {current_settings().jurisdiction.postcode_example}"
    with force_locale(language):
        # Translators: SMS reply (budget: one message for fi/sv/en; Polish within two UCS-2
        # messages). The keyword and example are filled in by the service.
        return pgettext(
            "sms",
            "This number does not follow any address yet. To subscribe, send %(subscribe)s and "
            "your postcode, e.g. %(example)s.",
            subscribe=subscribe,
            example=example,
        )
