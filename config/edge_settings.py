"""Edge settings (FAIRHEAT_MAX_*, FAIRHEAT_HSTS_*, FAIRHEAT_WEBHOOK_REPEAT_DAYS): what a request
may bring before the app reads it, and what every response says about itself.

Read by config.settings.load_settings(); service/edge/ applies them (see the decision record
docs/decisions/0013-edge-hardening.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.errors import SettingsError
from config.parsing import get_bool, get_int

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class EdgeSettings:
    # Bodies, in bytes, refused with 413 before a byte of the body is parsed.
    max_request_bytes: int  # any request without a file: forms, JSON, Open311
    max_upload_bytes: int  # a multipart/form-data request (a form with a file)
    max_webhook_bytes: int  # /twilio/… (Twilio's own requests are a few KB)
    max_json_depth: int  # nesting of a JSON body; deeper is 400
    max_page: int  # ?page= beyond this is 404 (no list has that many pages)
    hsts_seconds: int  # Strict-Transport-Security max-age in production; 0 = not sent
    hsts_include_subdomains: bool
    webhook_repeat_days: int  # how long a signed webhook is remembered against replays


def load_edge_settings(environ: Mapping[str, str], jurisdiction: str) -> EdgeSettings:
    max_request = get_int(environ, "FAIRHEAT_MAX_REQUEST_BYTES", 1 * MIB, minimum=16 * KIB)
    max_upload = get_int(environ, "FAIRHEAT_MAX_UPLOAD_BYTES", 64 * MIB, minimum=16 * KIB)
    if max_upload < max_request:
        raise SettingsError(
            "FAIRHEAT_MAX_UPLOAD_BYTES must be at least FAIRHEAT_MAX_REQUEST_BYTES "
            f"({max_request}), got {max_upload}"
        )
    return EdgeSettings(
        max_request_bytes=max_request,
        max_upload_bytes=max_upload,
        max_webhook_bytes=get_int(environ, "FAIRHEAT_MAX_WEBHOOK_BYTES", 64 * KIB, minimum=4 * KIB),
        max_json_depth=get_int(environ, "FAIRHEAT_MAX_JSON_DEPTH", 32, minimum=4),
        max_page=get_int(environ, "FAIRHEAT_MAX_PAGE", 100_000, minimum=1),
        hsts_seconds=get_int(environ, "FAIRHEAT_HSTS_SECONDS", 31_536_000, minimum=0),
        hsts_include_subdomains=get_bool(environ, "FAIRHEAT_HSTS_INCLUDE_SUBDOMAINS", False),
        webhook_repeat_days=get_int(environ, "FAIRHEAT_WEBHOOK_REPEAT_DAYS", 30, minimum=1),
    )
