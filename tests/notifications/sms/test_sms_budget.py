"""Every SMS template, in every language, stays within its segment budget.

Rendered through the real catalogs with a 20-character utility name, the SMS notice link on a
23-24 character public address (/<lang>/o/<id>, 35-36 characters), a 38-character street, each
weekday's name, two-digit hours and every impact (notifications.sms.samples), under the
Finnish, Polish and Swedish jurisdictions, and counted as sent: GSM-7, UCS-2, and with Polish
transliteration. The budgets are the ones the translator comments state (issue 15): a notice is
one GSM-7 segment in fi/sv/en; in Polish one segment when transliterated
(FAIRHEAT_SMS_TRANSLITERATE_POLISH, on by default) and at most two in UCS-2 (134 characters)
with the setting off.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from config import load_settings
from notifications.models import Impact
from notifications.sms.keywords import KEYWORDS, fold
from notifications.sms.samples import LONG_STREET, OUTAGE_ID, Sample, cost, every_sms
from service.app import create_app

UTILITIES = {
    "FI": "Lämpö- ja Vesilaitos",
    "PL": "Ciepłownia Łódź S.A.",
    "SE": "Fjärrvärme i Norrort",
}
BASE_URLS = {
    "FI": "https://lampo.example.fi",
    "PL": "https://mpec.example.pl",
    "SE": "https://varme.example.se",
}
MONDAY = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
WEEK = [MONDAY + dt.timedelta(days=n) for n in range(7)]
LANGUAGES = ("fi", "sv", "en", "pl")
TRANSLATIONS = Path(__file__).resolve().parents[3] / "service" / "translations"

# Replies and codes: GSM-7 segments (fi/sv/en, and Polish transliterated), UCS-2 segments.
REPLY_BUDGETS = {
    "help": (2, 5),
    "subscribed street": (2, 4),
    "subscribed postcode": (2, 4),
    "address format": (2, 4),
    "too many addresses": (1, 3),
    "number not accepted": (1, 2),
    "opted out": (1, 2),
    "opted in": (1, 2),
    "not subscribed": (1, 2),
    "code subscribe": (1, 2),
    "code manage": (1, 2),
}
NOTICE_UCS2_BUDGET = 2  # 134 UCS-2 characters


def _app(code: str, instance: Path, **environ: str) -> Flask:
    """An app of the jurisdiction; no database is needed to render texts."""
    settings = load_settings(
        {
            "FAIRHEAT_ENV": "test",
            "FAIRHEAT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "FAIRHEAT_DATABASE_URL": "sqlite://",
            "FAIRHEAT_JURISDICTION": code,
            "FAIRHEAT_UTILITY_NAME": UTILITIES[code],
            "FAIRHEAT_PUBLIC_BASE_URL": BASE_URLS[code],
            **environ,
        },
        instance_path=instance,
    )
    return create_app({"FAIRHEAT": settings, "TESTING": True})


@pytest.fixture(scope="module", params=["FI", "PL", "SE"])
def sms_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The jurisdiction's app with the default settings (Polish transliterated)."""
    app = _app(request.param, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        yield app


def _samples(lang: str) -> Iterator[tuple[dt.datetime, Sample]]:
    for start in WEEK:
        for sample in every_sms(lang, start):
            yield start, sample


def _notices(lang: str) -> Iterator[tuple[str, Sample]]:
    """Every notice on each weekday about each impact, with "weekday impact" to name it."""
    for impact in Impact:
        for start in WEEK:
            for sample in every_sms(lang, start, impact):
                if sample.notice:
                    yield f"{start:%a} {impact}", sample


def test_the_stand_ins_are_as_long_as_the_issue_asks(sms_app: Flask) -> None:
    from service.settings import current_settings

    conf = current_settings()
    assert len(conf.utility_name) == 20
    assert len(LONG_STREET) >= 35
    assert len(conf.public_base_url) >= 23
    notices = [s for _, s in _samples("en") if s.notice]
    link = f"{conf.public_base_url}/en/o/{OUTAGE_ID}"  # the SMS link (sms_outage_url)
    assert notices and all(link in s.text.split() for s in notices)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_notice_is_one_gsm7_segment(sms_app: Flask, lang: str) -> None:
    from service.settings import current_settings

    polish_utility = current_settings().jurisdiction.code == "PL"  # "Łódź" needs transliteration
    over = []
    for when, sample in _notices(lang):
        sent = cost(sample, transliterate=polish_utility)
        if sent.encoding != "GSM-7" or sent.segments > 1:
            over.append((when, sample.name, sent.encoding, sent.units, sent.text))
    assert over == []


def test_every_polish_notice_is_one_segment_transliterated_and_at_most_two_in_ucs2(
    sms_app: Flask, tmp_path: Path
) -> None:
    """Each setting renders its own texts: the stop line goes in only where it fits as sent."""
    from service.settings import current_settings

    over = []
    for when, sample in _notices("pl"):
        transliterated = cost(sample, transliterate=True)
        if transliterated.encoding != "GSM-7" or transliterated.segments > 1:
            over.append((when, sample.name, "translit", transliterated.units))
    code = current_settings().jurisdiction.code
    with _app(code, tmp_path, FAIRHEAT_SMS_TRANSLITERATE_POLISH="false").app_context():
        notices = list(_notices("pl"))
        for when, sample in notices:
            as_written = cost(sample, transliterate=False)
            # GSM-7 as written: no Polish letter in this text (a Finnish utility, "awaria od ...")
            budget = NOTICE_UCS2_BUDGET if as_written.encoding == "UCS-2" else 1
            if as_written.segments > budget:
                over.append((when, sample.name, "as written", as_written.units, sample.text))
        ucs2 = [s for _, s in notices if cost(s, transliterate=False).encoding == "UCS-2"]
        assert ucs2 and (code != "PL" or len(ucs2) == len(notices))  # "Łódź" in every one
    assert len(notices) == len(Impact) * 7 * 12 and over == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reply_and_code_stays_within_its_budget(sms_app: Flask, lang: str) -> None:
    over = []
    for _, sample in _samples(lang):
        if sample.notice:
            continue
        gsm_budget, ucs2_budget = REPLY_BUDGETS[sample.name]
        transliterated = cost(sample, transliterate=True)
        if transliterated.encoding != "GSM-7" or transliterated.segments > gsm_budget:
            over.append((sample.name, "GSM-7", transliterated.units, transliterated.text))
        as_written = cost(sample, transliterate=False)
        if as_written.encoding == "UCS-2" and lang != "pl":
            continue  # a Polish utility name in fi/sv/en: sent transliterated (the default)
        limit = ucs2_budget if as_written.encoding == "UCS-2" else gsm_budget
        if as_written.segments > limit:
            over.append((sample.name, as_written.encoding, as_written.units, as_written.text))
    assert over == []


def test_every_sms_sample_is_rendered(sms_app: Flask) -> None:
    names = {s.name for _, s in _samples("fi")}
    assert set(REPLY_BUDGETS) <= names
    assert len(names) == len(REPLY_BUDGETS) + 12


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_stop_line_names_the_keyword_the_replies_advertise(sms_app: Flask, lang: str) -> None:
    """Where it fits (as sent, transliterated by default), the line names the one keyword."""
    from notifications.sms.keywords import Action, advertised
    from notifications.sms.texts import stop_keyword

    assert stop_keyword(lang) == advertised(Action.STOP, lang)[0]
    texts = [s.text for _, s in _samples(lang) if s.notice and s.name.startswith("ended")]
    assert texts and all(stop_keyword(lang) in text for text in texts)  # short: it fits


def _sms_messages(lang: str) -> list:
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return [m for m in catalog if m.id and m.context == "sms"]


def test_every_sms_msgid_tells_translators_its_budget() -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    sms = [m for m in template if m.id and m.context == "sms"]
    assert len(sms) >= 30
    silent = [m.id for m in sms if not any("Translators:" in c for c in m.auto_comments)]
    assert silent == []


_KEYWORD_WORDS = {
    fold(word) for by_language in KEYWORDS.values() for words in by_language.values()
    for word in words if " " not in word
}  # fmt: skip


@pytest.mark.parametrize("lang", ["fi", "sv", "pl"])
def test_translators_never_type_a_keyword(lang: str) -> None:
    typed = []
    for message in _sms_messages(lang):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            capitals = re.findall(r"\b[A-ZÄÖÅĄĆĘŁŃÓŚŹŻ]{3,}\b", string)
            typed += [(message.id, word) for word in capitals if fold(word) in _KEYWORD_WORDS]
    assert typed == []


# --- The case messages of feedback/messages.py: the same msgctxt "sms" rules -------------------

# The private tracking link alone is about 76 characters (reference and a 24-character token).
CASE_BUDGETS = {"acknowledge": (2, 4), "ask_customer": (2, 4), "tell_new_deadline": (2, 4),
                "send_answer": (2, 4)}  # fmt: skip
TRACKING_PATH = "/feedback/FH-2026-000123/abcdefghijklmnopqrstuvwx"


def _case_sms(monkeypatch: pytest.MonkeyPatch, lang: str, start: dt.datetime) -> dict[str, str]:
    """Each case SMS as feedback/messages.py writes it, caught before the outbox."""
    from types import SimpleNamespace

    from feedback import messages
    from service.settings import current_settings

    sent: dict[str, str] = {}

    def catch(case, key, subject, body, sms, *, both, **_):  # type: ignore[no-untyped-def]
        sent[key.split(":")[2]] = sms
        return ["sms"]

    monkeypatch.setattr(messages, "_send", catch)
    monkeypatch.setattr(messages, "reference", lambda case: "FH-2026-000123")
    link = f"{current_settings().public_base_url}/{lang}{TRACKING_PATH}"
    monkeypatch.setattr(messages, "tracking_url", lambda case: link)
    case = SimpleNamespace(
        id=123, language=lang, received_at=start, deadline_at=start + dt.timedelta(days=14),
        type="complaint", rule_value=14, rule_unit="calendar_days", rule_source="",
        track_reason="-", answer_text="-", answer_action="-",
    )  # fmt: skip
    messages.acknowledge(case)  # type: ignore[arg-type]
    messages.ask_customer(case, "?", 1)  # type: ignore[arg-type]
    messages.tell_new_deadline(case, 2)  # type: ignore[arg-type]
    messages.send_answer(case, 3)  # type: ignore[arg-type]
    names = {"ack": "acknowledge", "info": "ask_customer", "track": "tell_new_deadline",
             "answer": "send_answer"}  # fmt: skip
    return {names[key]: text for key, text in sent.items()}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_case_sms_stays_within_its_budget(
    sms_app: Flask, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    over = []
    for start in WEEK:
        texts = _case_sms(monkeypatch, lang, start)
        assert set(texts) == set(CASE_BUDGETS)
        for name, text in texts.items():
            gsm_budget, ucs2_budget = CASE_BUDGETS[name]
            sample = Sample(name, False, text)
            transliterated = cost(sample, transliterate=True)
            if transliterated.segments > gsm_budget:
                over.append((name, "GSM-7", transliterated.units, transliterated.text))
            as_written = cost(sample, transliterate=False)
            polish = as_written.encoding == "UCS-2" and lang == "pl"
            if polish and as_written.segments > ucs2_budget:
                over.append((name, "UCS-2", as_written.units, as_written.text))
    assert over == []
