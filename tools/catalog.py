"""Extract, update, translate and compile the four catalogs in one locked step.

    .venv/bin/python tools/catalog.py [TRANSLATIONS.json ...]

Runs what `make translations` runs (extract the .pot, update the .po files, compile the .mo
files), and in between sets the translations given in the JSON files, so a new string arrives
in the catalogs already translated. Several people (or sessions) can run it at once: it holds
an exclusive lock on .git/catalog.lock from the extract to the compile.

Each JSON file is a list of entries:

    {"msgid": "Caller", "context": null, "fi": "Soittaja", "sv": "Uppringare", "pl": "Dzwoniący"}
    {"msgid": "%(num)d call", "plural": "%(num)d calls", "fi": ["…", "…"], "sv": [...],
     "en": ["%(num)d call", "%(num)d calls"], "pl": ["…", "…", "…"]}

A language left out keeps what its catalog has. An English entry not given reads as its msgid
(the source text is English). An entry whose msgid the code no longer has is reported, not added.
"""

from __future__ import annotations

import fcntl
import json
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "service" / "translations"
LANGUAGES = ("fi", "sv", "en", "pl")
BIN = Path(sys.executable).parent


def _pybabel(*args: str) -> None:
    subprocess.run([str(BIN / "pybabel"), "-q", *args], cwd=ROOT, check=True)


_CREATION_DATE = re.compile(r'^"POT-Creation-Date: [^"]*\\n"$', re.MULTILINE)


def _extract_and_update() -> None:
    pot = CATALOGS / "messages.pot"
    before = pot.read_text(encoding="utf-8") if pot.exists() else ""
    _extract()
    after = pot.read_text(encoding="utf-8")
    if _CREATION_DATE.sub("", after) == _CREATION_DATE.sub("", before):
        pot.write_text(before, encoding="utf-8")  # nothing new: keep the date, no diff
    _update()


def _extract() -> None:
    _pybabel(
        "extract", "--project", "fairheat", "--no-location", "--sort-output", "-F", "babel.cfg",
        "--add-comments=Translators:", "-k", "_l", "-k", "lazy_gettext",
        "-o", str(CATALOGS / "messages.pot"), ".",
    )  # fmt: skip


def _update() -> None:
    _pybabel(
        "update", "--no-fuzzy-matching", "--ignore-obsolete",
        "-i", str(CATALOGS / "messages.pot"), "-d", str(CATALOGS),
    )  # fmt: skip


def _english_is_the_msgid(catalog: Catalog) -> None:
    """An English entry nobody wrote reads as its msgid (the source text is English)."""
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            if not all(message.string or ()):
                message.string = tuple(message.id)
        elif not message.string:
            message.string = message.id


def _apply(entries: list[dict[str, object]]) -> list[str]:
    missing: list[str] = []
    for lang in LANGUAGES:
        path = CATALOGS / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        for entry in entries:
            if lang not in entry:
                continue
            msgid = str(entry["msgid"])
            context = entry.get("context")
            message = catalog.get(msgid, context=context)  # type: ignore[arg-type]
            if message is None:
                if lang == LANGUAGES[0]:
                    missing.append(msgid if not context else f"{context}|{msgid}")
                continue
            value = entry[lang]
            message.string = tuple(value) if isinstance(value, list) else str(value)
            message.flags.discard("fuzzy")
        if lang == "en":
            _english_is_the_msgid(catalog)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=76, ignore_obsolete=True)
    return missing


def main(argv: list[str]) -> int:
    entries: list[dict[str, object]] = []
    for name in argv:
        entries.extend(json.loads(Path(name).read_text(encoding="utf-8")))
    lock_path = ROOT / ".git" / "catalog.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _extract_and_update()
        missing = _apply(entries)
        _pybabel("compile", "-d", str(CATALOGS))
    for msgid in missing:
        print(f"not in the code (skipped): {msgid!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
