"""The four catalogs are complete, consistent with the sources, and plural forms work in the app.

A stale catalog (a string added in the code but not extracted, or extracted but not translated)
fails here rather than showing English, or nothing, to a resident.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from gettext import GNUTranslations
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale, ngettext

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "service" / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = ["fi", "sv", "en", "pl"]
# Installed next to the interpreter running the tests (the venv's bin/); not resolved, so a
# symlinked venv python still finds the venv's pybabel.
PYBABEL = Path(sys.executable).parent / "pybabel"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _catalog(lang: str) -> Catalog:
    return _read(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", locale=lang)


def _msgids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id for m in catalog if m.id}


def _pybabel(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PYBABEL), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_is_current(lang: str) -> None:
    """The committed .mo (what the package ships and the app reads) holds exactly what its .po
    says: an edited .po without `make translations` fails here, not in front of a resident."""
    po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} missing: run `make translations`"
    fresh = io.BytesIO()
    write_mo(fresh, _read(po, locale=lang))
    fresh.seek(0)
    with mo.open("rb") as committed:
        shipped = GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
    expected = GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
    assert shipped == expected, f"{mo} is stale: run `make translations`"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_no_empty_or_fuzzy_entry(lang: str) -> None:
    catalog = _catalog(lang)
    assert not catalog.fuzzy, f"{lang}: the header is marked fuzzy"
    empty, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if message.pluralizable else (message.string,)
        if message.pluralizable:
            assert len(strings) == catalog.num_plurals, (lang, message.id)
        if not all(s and s.strip() for s in strings):
            empty.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert empty == [], f"{lang}: untranslated entries"
    assert fuzzy == [], f"{lang}: fuzzy entries"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_the_source(lang: str) -> None:
    catalog = _catalog(lang)
    assert [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()] == []
    mismatched = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                mismatched.append((message.id, string))
    assert mismatched == [], f"{lang}: placeholders differ from the msgid"


def test_pot_is_current(tmp_path: Path) -> None:
    """The committed template equals a fresh extraction (same options as `make translations`)."""
    fresh = tmp_path / "messages.pot"
    result = _pybabel(
        "extract",
        "--project",
        "fairheat",
        "--no-location",
        "--sort-output",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "-o",
        str(fresh),
        ".",
    )
    assert result.returncode == 0, result.stderr
    extracted, committed = _msgids(_read(fresh)), _msgids(_read(POT))
    missing = sorted(map(str, extracted - committed))
    stale = sorted(map(str, committed - extracted))
    assert missing == [], "in the code but not in messages.pot: run `make translations`"
    assert stale == [], "in messages.pot but no longer in the code: run `make translations`"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_exactly_the_pot_messages(lang: str) -> None:
    expected, actual = _msgids(_read(POT)), _msgids(_catalog(lang))
    assert sorted(map(str, expected - actual)) == [], f"{lang}: not updated from messages.pot"
    assert sorted(map(str, actual - expected)) == [], f"{lang}: obsolete entries"


@pytest.mark.parametrize(
    ("num", "expected"),
    [
        (1, "1 trwająca przerwa"),
        (2, "2 trwające przerwy"),
        (5, "5 trwających przerw"),
        (22, "22 trwające przerwy"),
    ],
)
def test_polish_plural_forms_in_the_app(app: Flask, num: int, expected: str) -> None:
    with force_locale("pl"):
        text = ngettext("%(num)d current interruption", "%(num)d current interruptions", num)
    assert text == expected


@pytest.mark.parametrize(
    ("num", "expected"),
    [(1, "1 suunniteltu keskeytys"), (3, "3 suunniteltua keskeytystä")],
)
def test_finnish_plural_forms_in_the_app(app: Flask, num: int, expected: str) -> None:
    with force_locale("fi"):
        text = ngettext("%(num)d planned interruption", "%(num)d planned interruptions", num)
    assert text == expected
