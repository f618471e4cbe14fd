"""Case reference numbers (FH-2026-000123) and the private tracking token that goes with them.

The reference is the prefix, the local year of receipt and the case id: unique without a counter
to contend for. The tracking token is an HMAC of the case id and a random per-case nonce under
the application's secret key: a copy of the database alone does not reveal any tracking link,
and staff can send the link again in every later message. (Rotating FAIRHEAT_SECRET_KEY
invalidates the links already sent; the reference still identifies the case to staff.)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app

from feedback.models import Case
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


def new_nonce() -> str:
    return secrets.token_hex(16)


def tracking_token(case: Case) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"fairheat-case:{case.id}:{case.token_nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:18]).decode().rstrip("=")


def token_matches(case: Case, token: str) -> bool:
    return hmac.compare_digest(tracking_token(case).encode(), (token or "").encode())


def tracking_url(case: Case, lang: str | None = None) -> str:
    """The private link to the case's tracking page, for messages sent from any process."""
    base = current_settings().public_base_url
    return f"{base}/{lang or case.language}/feedback/{reference(case)}/{tracking_token(case)}"
