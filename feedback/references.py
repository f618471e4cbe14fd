"""Case reference numbers (FH-2026-000123) and the private tracking token that goes with them.

The reference is the prefix, the local year of receipt and the case id: unique without a counter
to contend for. The tracking token is service/tracking.py's HMAC of the case id and its
per-case nonce: a copy of the database alone does not reveal any tracking link.
"""

from __future__ import annotations

import re

from feedback.models import Case
from service import tracking
from service.settings import current_settings

_REFERENCE = re.compile(r"^\s*([A-Za-z]{1,5})-([0-9]{4})-([0-9]{6,10})\s*$")
_MAX_ID = 2**31 - 1  # an INTEGER primary key


def _prefix() -> str:
    return current_settings().feedback.case_prefix


def reference(case: Case) -> str:
    return f"{_prefix()}-{case.year}-{case.id:06d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    """(year, id) from a reference as typed ("fh-2026-000123"); None when it is not one."""
    match = _REFERENCE.match(text or "")
    if not match or match.group(1).upper() != _prefix() or int(match.group(3)) > _MAX_ID:
        return None
    return int(match.group(2)), int(match.group(3))


def tracking_token(case: Case) -> str:
    return tracking.tracking_token("case", case.id, case.token_nonce)


def token_matches(case: Case, token: str) -> bool:
    return tracking.token_matches("case", case.id, case.token_nonce, token)


def tracking_url(case: Case, lang: str | None = None) -> str:
    """The private link to the case's tracking page, for messages sent from any process."""
    base = current_settings().public_base_url
    return f"{base}/{lang or case.language}/feedback/{reference(case)}/{tracking_token(case)}"
