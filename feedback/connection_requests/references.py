"""Request references (PR-2026-000123) and the private tracking link that goes with them."""

from __future__ import annotations

import re

from feedback.connection_requests.models import ConnectionRequest
from service import tracking
from service.settings import current_settings

PREFIX = "PR"  # "przyłączenie" / liittymä: apart from the cases' prefix
KIND = "connection-request"
_REFERENCE = re.compile(r"^\s*([A-Za-z]{2})-([0-9]{4})-([0-9]{6,10})\s*$")
_MAX_ID = 2**31 - 1


def reference(request: ConnectionRequest) -> str:
    return f"{PREFIX}-{request.year}-{request.id:06d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    """(year, id) from a reference as typed ("pr-2026-000123"); None when it is not one."""
    match = _REFERENCE.match(text or "")
    if not match or match.group(1).upper() != PREFIX or int(match.group(3)) > _MAX_ID:
        return None
    return int(match.group(2)), int(match.group(3))


def tracking_token(request: ConnectionRequest) -> str:
    return tracking.tracking_token(KIND, request.id, request.token_nonce)


def token_matches(request: ConnectionRequest, token: str | None) -> bool:
    return tracking.token_matches(KIND, request.id, request.token_nonce, token)


def tracking_path(request: ConnectionRequest, lang: str | None = None) -> str:
    lang = lang or request.language
    return f"/{lang}/connection-request/{reference(request)}/{tracking_token(request)}"


def tracking_url(request: ConnectionRequest, lang: str | None = None) -> str:
    """The private link to the request's tracking page, for messages sent from any process."""
    return current_settings().public_base_url + tracking_path(request, lang)
