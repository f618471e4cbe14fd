"""SMS settings (FAIRHEAT_SMS_*, FAIRHEAT_TWILIO_*), read by config.settings.load_settings()."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from config.errors import SettingsError
from config.parsing import get, get_bool, get_float, get_int


@dataclass(frozen=True)
class SmsSettings:
    backend: str  # console | twilio
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_messaging_service_sid: str
    twilio_from_number: str
    twilio_api_base_url: str
    rate_per_second: float
    transliterate_polish: bool
    quiet_start: dt.time  # planned notices and reminders wait from here …
    quiet_end: dt.time  # … until here, local time
    estimate_threshold_minutes: int
    reminder_hours: tuple[int, ...]
    max_addresses: int
    codes_per_phone_per_hour: int
    codes_per_ip_per_hour: int
    quarantine_after_failures: int
    unplanned_expiry_hours: int


def _quiet_hours(raw: str) -> tuple[dt.time, dt.time]:
    found = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", raw)
    if not found:
        raise SettingsError(f"FAIRHEAT_SMS_QUIET_HOURS must look like 21:00-08:00, got {raw!r}")
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    try:
        return dt.time(h1, m1), dt.time(h2, m2)
    except ValueError:
        raise SettingsError(f"FAIRHEAT_SMS_QUIET_HOURS has an impossible time: {raw!r}") from None


def _hours_list(raw: str) -> tuple[int, ...]:
    try:
        hours = tuple(sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True))
    except ValueError:
        raise SettingsError(
            f"FAIRHEAT_SMS_REMINDER_HOURS must be whole hours separated by commas, got {raw!r}"
        ) from None
    if any(h <= 0 or h > 24 * 14 for h in hours):
        raise SettingsError("FAIRHEAT_SMS_REMINDER_HOURS must be between 1 and 336 hours")
    return hours


def load_sms_settings(environ: Mapping[str, str]) -> SmsSettings:
    backend = get(environ, "FAIRHEAT_SMS_BACKEND", "console").lower()
    if backend not in {"console", "twilio"}:
        raise SettingsError(f"FAIRHEAT_SMS_BACKEND must be console or twilio, got {backend!r}")
    quiet_start, quiet_end = _quiet_hours(get(environ, "FAIRHEAT_SMS_QUIET_HOURS", "21:00-08:00"))
    sms = SmsSettings(
        backend=backend,
        twilio_account_sid=get(environ, "FAIRHEAT_TWILIO_ACCOUNT_SID", ""),
        twilio_auth_token=get(environ, "FAIRHEAT_TWILIO_AUTH_TOKEN", ""),
        twilio_messaging_service_sid=get(environ, "FAIRHEAT_TWILIO_MESSAGING_SERVICE_SID", ""),
        twilio_from_number=get(environ, "FAIRHEAT_TWILIO_FROM_NUMBER", ""),
        twilio_api_base_url=get(
            environ, "FAIRHEAT_TWILIO_API_BASE_URL", "https://api.twilio.com"
        ).rstrip("/"),
        rate_per_second=get_float(environ, "FAIRHEAT_SMS_RATE_PER_SECOND", 10.0, minimum=0.1),
        transliterate_polish=get_bool(environ, "FAIRHEAT_SMS_TRANSLITERATE_POLISH", True),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        estimate_threshold_minutes=get_int(
            environ, "FAIRHEAT_SMS_ESTIMATE_THRESHOLD_MINUTES", 60, minimum=1
        ),
        reminder_hours=_hours_list(get(environ, "FAIRHEAT_SMS_REMINDER_HOURS", "24")),
        max_addresses=get_int(environ, "FAIRHEAT_SMS_MAX_ADDRESSES", 10, minimum=1),
        codes_per_phone_per_hour=get_int(environ, "FAIRHEAT_SMS_CODES_PER_PHONE_PER_HOUR", 5, 1),
        codes_per_ip_per_hour=get_int(environ, "FAIRHEAT_SMS_CODES_PER_IP_PER_HOUR", 20, 1),
        quarantine_after_failures=get_int(environ, "FAIRHEAT_SMS_QUARANTINE_AFTER", 3, minimum=1),
        unplanned_expiry_hours=get_int(environ, "FAIRHEAT_SMS_UNPLANNED_EXPIRY_HOURS", 12, 1),
    )
    if backend == "twilio":
        if not sms.twilio_account_sid.startswith("AC"):
            raise SettingsError(
                "FAIRHEAT_TWILIO_ACCOUNT_SID (AC…) is required for the twilio backend"
            )
        if not sms.twilio_auth_token:
            raise SettingsError("FAIRHEAT_TWILIO_AUTH_TOKEN is required for the twilio backend")
        if not (sms.twilio_messaging_service_sid or sms.twilio_from_number):
            raise SettingsError(
                "FAIRHEAT_TWILIO_MESSAGING_SERVICE_SID or FAIRHEAT_TWILIO_FROM_NUMBER is required "
                "for the twilio backend"
            )
    if not sms.twilio_api_base_url.startswith(("http://", "https://")):
        raise SettingsError("FAIRHEAT_TWILIO_API_BASE_URL must start with http:// or https://")
    return sms
