"""Resolving street names through the alias table: which street a typed name means, every key
that means the same street, and a street's name in the reader's language.

A name with no row is its own street (its key resolves to itself), so everything works the same
before any file is imported. One small indexed query per postcode area; callers that match many
ranges in one postcode take a `Resolver` once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g, has_request_context

from notifications.areas import street_key
from notifications.streets.models import StreetAlias
from service.extensions import db
from service.settings import current_settings


def canonical_postcode(postcode: str) -> str:
    """The jurisdiction's spelling of a postcode ("00950" → "00-950"), or it as given."""
    text = (postcode or "").strip()
    return current_settings().jurisdiction.normalize_postcode(text) or text


@dataclass
class Resolver:
    """The aliases of some postcode areas, loaded once: key → canonical key, and the names."""

    canonical: dict[tuple[str, str], str] = field(default_factory=dict)
    names: dict[tuple[str, str, str | None], str] = field(default_factory=dict)
    members: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def key(self, postcode: str, street: str | None) -> str | None:
        """The canonical key of the street `street` names in `postcode` (None for no street)."""
        own = street_key(street)
        if own is None:
            return None
        return self.canonical.get((postcode, own), own)

    def keys(self, postcode: str, street_or_key: str | None) -> frozenset[str]:
        """Every key that names the same street as `street_or_key` (itself included)."""
        resolved = self.key(postcode, street_or_key)
        if resolved is None:
            return frozenset()
        own = street_key(street_or_key)
        members = self.members.get((postcode, resolved), set())
        return frozenset({resolved, *([own] if own else []), *members})

    def name(self, postcode: str, street: str, lang: str) -> str:
        """`street` in `lang` where the table has that name, else its canonical name, else as
        written."""
        resolved = self.key(postcode, street)
        if resolved is None:
            return street
        return (
            self.names.get((postcode, resolved, lang))
            or self.names.get((postcode, resolved, None))
            or street
        )


def resolver(postcodes: Iterable[str]) -> Resolver:
    """Load the aliases of the given postcode areas (one query)."""
    wanted = sorted({p for p in postcodes if p})
    found = Resolver()
    if not wanted:
        return found
    rows = db.session.execute(
        sa.select(
            StreetAlias.postcode,
            StreetAlias.key,
            StreetAlias.street_key,
            StreetAlias.name,
            StreetAlias.language,
        ).where(StreetAlias.postcode.in_(wanted))
    )
    for postcode, key, canonical, name, language in rows:
        found.canonical[(postcode, key)] = canonical
        found.members.setdefault((postcode, canonical), set()).add(key)
        if key == canonical:
            found.names.setdefault((postcode, canonical, None), name)
        if language:
            found.names[(postcode, canonical, language)] = name
    return found


def request_resolver(postcodes: Iterable[str]) -> Resolver:
    """`resolver`, kept for the rest of the request: a page of 50 notice cards loads each
    postcode's names once. Outside a request (worker, CLI) it is a fresh `resolver`."""
    if not has_request_context():
        return resolver(postcodes)
    cached: tuple[Resolver, set[str]] | None = g.get("_street_resolver")
    if cached is None:
        cached = (Resolver(), set())
        g._street_resolver = cached
    found, loaded = cached
    missing = {p for p in postcodes if p} - loaded
    if missing:
        more = resolver(missing)
        found.canonical.update(more.canonical)
        found.names.update(more.names)
        for key, members in more.members.items():
            found.members.setdefault(key, set()).update(members)
        loaded.update(missing)
    return found


def canonical_street(postcode: str, typed: str | None) -> str | None:
    """The street's canonical name when `typed` is a known name of it in `postcode`; otherwise
    `typed` itself (trimmed), or None when nothing was typed.

    "Mannerheimvägen" in 00100 → "Mannerheimintie"; "marszalkowska" in 00-624 →
    "ul. Marszałkowska" when the table holds it.
    """
    text = (typed or "").strip()
    if not street_key(text):
        return None
    code = canonical_postcode(postcode)
    found = resolver([code])
    resolved = found.key(code, text)
    assert resolved is not None
    return found.names.get((code, resolved, None)) or text


def street_keys(postcode: str, street: str | None) -> frozenset[str]:
    """Every comparison key that names the same street in `postcode` (for SQL `IN`)."""
    code = canonical_postcode(postcode)
    return resolver([code]).keys(code, street)


def same_street(postcode: str, one: str | None, other: str | None) -> bool:
    """Whether two typed names are the same street in `postcode` (alias, case, diacritics)."""
    code = canonical_postcode(postcode)
    found = resolver([code])
    first = found.key(code, one)
    return first is not None and first == found.key(code, other)


def street_name_for(postcode: str, street: str, lang: str) -> str:
    """`street` as a reader of `lang` knows it: its name in that language where one exists,
    else the canonical name, else as written ("Mannerheimintie" for sv → "Mannerheimvägen")."""
    code = canonical_postcode(postcode)
    return resolver([code]).name(code, street, lang)
