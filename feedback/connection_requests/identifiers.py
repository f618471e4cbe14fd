"""The applicant's identifiers, checked with their checksums by python-stdnum.

Poland: PESEL (a person), NIP (tax number), REGON (statistical number), KRS (court register:
ten digits, no checksum, so only its form is checked). Finland: Y-tunnus (business ID). Each
is returned in its compact form (no dashes or spaces), the form it is stored in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import ytunnus
from stdnum.pl import nip, pesel, regon

from feedback.connection_requests.models import ApplicantKind


def _krs(text: str) -> str:
    compact = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"[0-9]{10}", compact):
        raise StdnumError()
    return compact


CHECKS: dict[str, Callable[[str], str]] = {
    "pesel": pesel.validate,
    "nip": nip.validate,
    "regon": regon.validate,
    "krs": _krs,
    "business_id": lambda text: ytunnus.format(ytunnus.validate(text)),
}

MESSAGES = {
    "pesel": _l("This PESEL number is not valid: check its digits."),
    "nip": _l("This NIP number is not valid: check its digits."),
    "regon": _l("This REGON number is not valid: check its digits."),
    "krs": _l("A KRS number has 10 digits."),
    "business_id": _l("This business ID (Y-tunnus) is not valid: check its digits."),
}


def checked(field: str, value: str) -> str:
    """The identifier in compact form; StdnumError when its form or checksum is wrong."""
    return CHECKS[field](value)


def required_identifiers(jurisdiction: str, kind: ApplicantKind) -> tuple[str, ...]:
    """Which identifier an applicant must give (application forms of PL utilities; in Finland
    an organisation gives its Y-tunnus, a person none)."""
    if jurisdiction == "PL":
        return ("pesel",) if kind is ApplicantKind.PERSON else ("nip",)
    if jurisdiction == "FI":
        return () if kind is ApplicantKind.PERSON else ("business_id",)
    return ()


def fields_for(jurisdiction: str) -> tuple[str, ...]:
    """The identifier fields the form shows in a jurisdiction."""
    if jurisdiction == "PL":
        return ("pesel", "nip", "regon", "krs")
    if jurisdiction == "FI":
        return ("business_id",)
    return ()
