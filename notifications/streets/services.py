"""`fairheat streets import FILE.csv`: the alias table from a CSV file, all or nothing.

Two layouts, told apart by the header (UTF-8, a BOM is fine; comma, semicolon or tab):

    postcode,name_fi,name_sv        Finnish and Swedish names of one street (bilingual areas)
    postcode,name,alias             a canonical name and one more name for it (Polish spellings,
                                    old names); several lines may give one name more aliases

The file is the whole list for every postcode area it names: those areas' rows are replaced,
other areas are left alone. Every line is checked before anything is written; a bad line
refuses the whole file, naming the line, so nothing is half-imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from notifications.areas import street_key
from notifications.streets.models import StreetAlias
from service.extensions import db
from service.settings import current_settings

LAYOUTS = {
    ("postcode", "name_fi", "name_sv"): ("fi", "sv"),
    ("postcode", "name", "alias"): (None, None),
}


class StreetImportRefused(ValueError):
    """The file cannot be imported; the message names the line and what is wrong."""


@dataclass(frozen=True)
class StreetImport:
    postcodes: int  # areas replaced
    streets: int  # distinct canonical names
    names: int  # rows written (every name, canonical ones included)


@dataclass(frozen=True)
class _Name:
    postcode: str
    key: str
    street_key: str
    name: str
    language: str | None


def _rows(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def parse_streets(data: bytes) -> list[_Name]:
    """Every name the file gives, checked; raises StreetImportRefused on the first bad line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StreetImportRefused(_("The file is not UTF-8 text.")) from None
    rows = _rows(text)
    if not rows:
        raise StreetImportRefused(_("The file is empty."))
    header = tuple(cell.strip().lower() for cell in rows[0])
    if header not in LAYOUTS:
        raise StreetImportRefused(
            _(
                "Line 1 must be the header postcode,name_fi,name_sv or postcode,name,alias; "
                "it is %(header)s.",
                header=",".join(header),
            )
        )
    first_language, second_language = LAYOUTS[header]
    jurisdiction = current_settings().jurisdiction
    names: dict[tuple[str, str], _Name] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            raise StreetImportRefused(
                _("Line %(line)d: expected 3 columns, found %(num)d.", line=number, num=len(row))
            )
        raw_postcode, first, second = (cell.strip() for cell in row)
        postcode = jurisdiction.normalize_postcode(raw_postcode)
        if postcode is None:
            raise StreetImportRefused(
                _(
                    "Line %(line)d: %(postcode)s is not a postcode.",
                    line=number,
                    postcode=raw_postcode or '""',
                )
            )
        canonical_name = first or second
        canonical = street_key(canonical_name)
        if canonical is None:
            raise StreetImportRefused(_("Line %(line)d: the street has no name.", line=number))
        for name, language in ((first, first_language), (second, second_language)):
            key = street_key(name)
            if key is None:
                continue
            known = names.get((postcode, key))
            if known is None:
                names[(postcode, key)] = _Name(postcode, key, canonical, name, language)
            elif known.street_key != canonical:
                raise StreetImportRefused(
                    _(
                        "Line %(line)d: %(name)s already names another street in %(postcode)s.",
                        line=number,
                        name=name,
                        postcode=postcode,
                    )
                )
    # Every street's canonical name is a canonical row: no alias of one street is another's
    # canonical name (the check above catches it in either order of lines).
    for entry in names.values():
        owner = names[(entry.postcode, entry.street_key)]
        assert owner.key == owner.street_key
    return list(names.values())


def import_streets(data: bytes) -> StreetImport:
    """Replace the aliases of every postcode area the file names, in one transaction."""
    names = parse_streets(data)
    postcodes = sorted({n.postcode for n in names})
    try:
        if postcodes:
            db.session.execute(sa.delete(StreetAlias).where(StreetAlias.postcode.in_(postcodes)))
        db.session.add_all(
            StreetAlias(
                postcode=n.postcode,
                key=n.key,
                street_key=n.street_key,
                name=n.name,
                language=n.language,
            )
            for n in names
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return StreetImport(
        postcodes=len(postcodes),
        streets=len({(n.postcode, n.street_key) for n in names}),
        names=len(names),
    )
