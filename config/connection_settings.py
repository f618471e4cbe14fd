"""Connection-request settings (FAIRHEAT_CONNECTION_*, FAIRHEAT_CLAMAV_SOCKET):
deadlines, validity, uploads.

The conditions deadline is a setting, not a constant: Polish utilities' connection rules give
30 days from a complete application (MPEC; Żory 31 days; Ostrów one month), and since 2020 the
Energy Law sets statutory terms for heat too, but that number could not be confirmed
(REGULATION.md, "Connection requests"). The staff and public pages say so next to the deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.errors import SettingsError
from config.parsing import get, get_int

MB = 1024 * 1024

CONDITIONS_SOURCE = {
    "PL": (
        "utilities' connection rules (MPEC: 30 days from a complete application); the statutory "
        "term for heat since 2020 is unconfirmed, so the number is a utility setting"
    ),
    "FI": "utility practice: a connection offer in 2–4 weeks, lead time 2–4 months (ET T1/2010)",
    "SE": "utility practice; no statutory term",
}
DEFAULT_CONDITIONS_DAYS = {"PL": 30, "FI": 30, "SE": 30}


@dataclass(frozen=True)
class ConnectionSettings:
    conditions_days: int  # calendar days from the complete application (PL: 30)
    conditions_source: str  # shown next to the deadline
    validity_years: int  # conditions (PL: 2 years)
    preliminary_validity_years: int  # preliminary conditions, applicant without title (1 year)
    expiry_from: str  # "set" or "delivered": which date the validity counts from
    reminder_days: int  # remind the applicant this many days before expiry
    due_soon_days: int  # escalate to the handler and the leads this many days before a deadline
    missing_item_days: int  # default time the applicant gets for a missing item
    max_file_bytes: int  # one document
    max_files: int  # documents in one submission
    max_image_pixels: int  # width × height of a JPEG/PNG (a decompression bomb is refused)
    clamav_socket: str | None  # clamd's unix socket; None: no scan
    clamav_timeout: int  # seconds
    penalty_per_day: int  # PL art. 56 ust. 1 pkt 18 PE: at least 1,500 zł a day of delay
    orphan_grace_minutes: int  # a stored file without its row this old is removed


def load_connection_settings(environ: Mapping[str, str], jurisdiction: str) -> ConnectionSettings:
    expiry_from = get(environ, "FAIRHEAT_CONNECTION_EXPIRY_FROM", "delivered").lower()
    if expiry_from not in {"set", "delivered"}:
        raise SettingsError(
            f"FAIRHEAT_CONNECTION_EXPIRY_FROM must be set or delivered, got {expiry_from!r}"
        )
    socket = get(environ, "FAIRHEAT_CLAMAV_SOCKET", "") or None
    return ConnectionSettings(
        conditions_days=get_int(
            environ,
            "FAIRHEAT_CONNECTION_CONDITIONS_DAYS",
            DEFAULT_CONDITIONS_DAYS.get(jurisdiction, 30),
            minimum=1,
        ),
        conditions_source=get(
            environ,
            "FAIRHEAT_CONNECTION_CONDITIONS_SOURCE",
            CONDITIONS_SOURCE.get(jurisdiction, CONDITIONS_SOURCE["SE"]),
        ),
        validity_years=get_int(environ, "FAIRHEAT_CONNECTION_VALIDITY_YEARS", 2, minimum=1),
        preliminary_validity_years=get_int(
            environ, "FAIRHEAT_CONNECTION_PRELIMINARY_VALIDITY_YEARS", 1, minimum=1
        ),
        expiry_from=expiry_from,
        reminder_days=get_int(environ, "FAIRHEAT_CONNECTION_REMINDER_DAYS", 60, minimum=1),
        due_soon_days=get_int(environ, "FAIRHEAT_CONNECTION_DUE_SOON_DAYS", 5, minimum=1),
        missing_item_days=get_int(environ, "FAIRHEAT_CONNECTION_MISSING_ITEM_DAYS", 14, minimum=1),
        max_file_bytes=get_int(environ, "FAIRHEAT_CONNECTION_MAX_FILE_MB", 60, minimum=1) * MB,
        max_files=get_int(environ, "FAIRHEAT_CONNECTION_MAX_FILES", 10, minimum=1),
        max_image_pixels=get_int(
            environ, "FAIRHEAT_CONNECTION_MAX_IMAGE_MEGAPIXELS", 100, minimum=1
        )
        * 1_000_000,
        clamav_socket=socket,
        clamav_timeout=get_int(environ, "FAIRHEAT_CLAMAV_TIMEOUT", 60, minimum=1),
        penalty_per_day=get_int(environ, "FAIRHEAT_CONNECTION_PENALTY_PER_DAY", 1500, minimum=0),
        orphan_grace_minutes=get_int(
            environ, "FAIRHEAT_CONNECTION_ORPHAN_GRACE_MINUTES", 60, minimum=1
        ),
    )
