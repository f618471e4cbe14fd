"""Street names in both languages, and the spellings people type, per postcode area.

Other parts call these (never the models):

- `canonical_street(postcode, typed)`: the street's canonical name when `typed` is one of its
  names (any language, any case, with or without diacritics or Polish "ul."/"al."/"pl."),
  else `typed` trimmed; None for nothing typed. Store this, and two spellings become one.
- `street_keys(postcode, street)`: every comparison key naming the same street, for SQL:
  `Model.street_key.in_(street_keys(postcode, street))` with `street_key` from
  notifications.areas.
- `same_street(postcode, one, other)`: whether two typed names are one street.
- `street_name_for(postcode, street, lang)`: the street as a reader of `lang` knows it.
- `resolver(postcodes)`: all of the above for many ranges with one query.
"""

from notifications.areas import street_key
from notifications.streets.queries import (
    Resolver,
    canonical_street,
    resolver,
    same_street,
    street_keys,
    street_name_for,
)
from notifications.streets.services import StreetImport, StreetImportRefused, import_streets

__all__ = [
    "Resolver",
    "StreetImport",
    "StreetImportRefused",
    "canonical_street",
    "import_streets",
    "resolver",
    "same_street",
    "street_key",
    "street_keys",
    "street_name_for",
]
