"""Inbound SMS keywords in four languages, the addresses typed after them, and the replies."""

from __future__ import annotations

import pytest

from config.jurisdictions import JURISDICTIONS
from notifications.sms import keywords
from notifications.sms.keywords import (
    ADVERTISED,
    KEYWORDS,
    Action,
    Command,
    TypedAddress,
    parse_inbound,
    parse_sms_address,
)

S, X, R, H, U = Action.SUBSCRIBE, Action.STOP, Action.START, Action.HELP, Action.UNKNOWN


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Twilio's standard sets
        ("STOP", Command(X, None, "")),
        ("stopall", Command(X, "en", "")),
        ("Unsubscribe", Command(X, "en", "")),
        ("CANCEL", Command(X, "en", "")),
        ("end", Command(X, "en", "")),
        ("QUIT", Command(X, "en", "")),
        ("revoke", Command(X, "en", "")),
        ("OPTOUT", Command(X, "en", "")),
        ("START", Command(R, None, "")),
        ("yes", Command(R, "en", "")),
        ("UNSTOP", Command(R, "en", "")),
        ("HELP", Command(H, "en", "")),
        ("info", Command(H, None, "")),
        # Finnish
        ("TILAA 00100", Command(S, "fi", "00100")),
        ("tilaa 00100", Command(S, "fi", "00100")),
        ("Tilaa Mannerheimintie 5, 00100", Command(S, "fi", "Mannerheimintie 5, 00100")),
        ("LOPETA", Command(X, "fi", "")),
        ("peru tilaus", Command(X, "fi", "tilaus")),
        ("Peruuta", Command(X, "fi", "")),
        ("aloita", Command(R, "fi", "")),
        ("Apua", Command(H, "fi", "")),
        ("OHJE", Command(H, "fi", "")),
        # Swedish: diacritics optional
        ("PRENUMERERA 114 55", Command(S, "sv", "114 55")),
        ("Beställ Drottninggatan 5 111 51", Command(S, "sv", "Drottninggatan 5 111 51")),
        ("BESTALL 11455", Command(S, "sv", "11455")),
        ("avsluta", Command(X, "sv", "")),
        ("Stoppa", Command(X, "sv", "")),
        ("STOPP", Command(X, "sv", "")),
        ("starta", Command(R, "sv", "")),
        ("Hjälp", Command(H, "sv", "")),
        ("HJALP", Command(H, "sv", "")),
        # Polish: one or two words, with or without diacritics (ł and ę included)
        ("ZAPISZ 00-624", Command(S, "pl", "00-624")),
        (
            "Zapisz się ul. Marszałkowska 10/2 00-624",
            Command(S, "pl", "ul. Marszałkowska 10/2 00-624"),
        ),
        ("ZAPISZ SIE 00624", Command(S, "pl", "00624")),
        ("subskrybuj 00-950", Command(S, "pl", "00-950")),
        ("WYPISZ", Command(X, "pl", "")),
        ("wypisz się", Command(X, "pl", "")),
        ("Rezygnuję", Command(X, "pl", "")),
        ("WZNÓW", Command(R, "pl", "")),
        ("wznow", Command(R, "pl", "")),
        ("pomoc", Command(H, "pl", "")),
        # English subscribe decides English
        (
            "SUBSCRIBE Mannerheimintie 5 00100",
            Command(S, "en", "Mannerheimintie 5 00100"),
        ),
        # Spacing, punctuation, line breaks
        ("  stop.  ", Command(X, None, "")),
        ("Stop!", Command(X, None, "")),
        ("TILAA\n00100", Command(S, "fi", "00100")),
        ("tilaa,  Mannerheimintie 5", Command(S, "fi", "Mannerheimintie 5")),
        # Not keywords
        ("", Command(U, None, "")),
        ("Hello, is the heating off?", Command(U, None, "Hello, is the heating off?")),
        ("STOPPING soon", Command(U, None, "STOPPING soon")),
        ("00100", Command(U, None, "00100")),
    ],
)
def test_parse_inbound(body: str, expected: Command) -> None:
    assert parse_inbound(body) == expected


def test_every_keyword_in_the_table_parses_to_its_action_and_language() -> None:
    for action, by_language in KEYWORDS.items():
        for language, words in by_language.items():
            for word in words:
                for spelling in (word, word.lower(), keywords.fold(word)):
                    command = parse_inbound(f"{spelling} 00100")
                    assert (command.action, command.language) == (action, language or None)
                    assert command.argument == "00100"


def test_every_advertised_keyword_is_understood() -> None:
    for language, table in ADVERTISED.items():
        for action, words in table.items():
            for word in words:
                assert parse_inbound(word).action == action, (language, word)


def test_subscribe_keywords_name_their_language() -> None:
    assert {lang for lang in KEYWORDS[Action.SUBSCRIBE]} == {"fi", "sv", "en", "pl"}


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("FI", "00100", TypedAddress("00100", None, None)),
        ("FI", "Mannerheimintie 5 00100", TypedAddress("00100", "Mannerheimintie", "5")),
        ("FI", "Mannerheimintie 5, 00100", TypedAddress("00100", "Mannerheimintie", "5")),
        (
            "FI",
            "Mannerheimintie 5 A 12, 00100 Helsinki",
            TypedAddress("00100", "Mannerheimintie", "5 A 12"),
        ),
        ("FI", "00100 Helsinki", TypedAddress("00100", None, None)),
        ("FI", "00100 Mannerheimintie 5", TypedAddress("00100", "Mannerheimintie", "5")),
        ("FI", "Mannerheimintie 00100", TypedAddress("00100", "Mannerheimintie", None)),
        (
            "PL",
            "ul. Marszałkowska 10/2 00-624",
            TypedAddress("00-624", "ul. Marszałkowska", "10/2"),
        ),
        ("PL", "ul. 3 Maja 5 00-950", TypedAddress("00-950", "ul. 3 Maja", "5")),
        ("PL", "00624", TypedAddress("00-624", None, None)),
        ("SE", "Drottninggatan 5 111 51", TypedAddress("111 51", "Drottninggatan", "5")),
        ("SE", "Drottninggatan 115 11151", TypedAddress("111 51", "Drottninggatan", "115")),
        ("FI", "", None),
        ("FI", "Mannerheimintie 5", None),
        ("FI", "0010", None),
        ("FI", "00-100", None),  # the Polish format is not a Finnish postcode
        ("PL", "00100 Warszawa 5", TypedAddress("00-100", "Warszawa", "5")),
    ],
)
def test_parse_sms_address(code: str, text: str, expected: TypedAddress | None) -> None:
    assert parse_sms_address(text, JURISDICTIONS[code]) == expected


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fi", ["TILAA", "LOPETA", "ALOITA", "APUA", "STOP"]),
        ("sv", ["PRENUMERERA", "AVSLUTA", "STARTA", "HJÄLP"]),
        ("en", ["SUBSCRIBE", "STOP", "START", "HELP"]),
        ("pl", ["ZAPISZ", "WYPISZ", "START", "POMOC"]),
    ],
)
def test_help_reply_lists_the_keywords_of_the_language_and_the_manage_link(
    app, language: str, words: list[str]
) -> None:
    reply = keywords.help_reply(language)
    for word in words:
        assert word in reply
    assert f"/{language}/subscription" in reply
    assert "00100" in reply  # the example uses the jurisdiction's postcode format


def test_subscribed_reply_names_the_address_and_the_way_out(app) -> None:
    reply = keywords.subscribed_reply("fi", "00100", "Mannerheimintie", "5")
    assert "Mannerheimintie 5, 00100" in reply
    assert "LOPETA" in reply
    whole = keywords.subscribed_reply("en", "00100", None, None)
    assert "00100" in whole and "STOP" in whole
