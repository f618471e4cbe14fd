"""Security and operations settings: sessions, sign-in throttling, retention, backups.

Retention periods come per record type and per jurisdiction from ../shared/REGULATION.md
"Retention"; each can be overridden with FAIRHEAT_RETENTION_<RECORD_TYPE> (upper case), e.g.
FAIRHEAT_RETENTION_FEEDBACK_CASE="6y from year end" or FAIRHEAT_RETENTION_SMS_MESSAGE="730d".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from config.errors import SettingsError
from config.parsing import get, get_int


@dataclass(frozen=True)
class RetentionRule:
    """How long a record type is kept after its reference time (closed, sent, left …).

    `from_year_end`: the period runs from the end of the calendar year of the reference time
    (Finnish Accounting Act: "6 years from the end of the year").
    """

    days: int = 0
    years: int = 0
    from_year_end: bool = False
    source: str = ""  # the rule behind the period, said to a person whose data is kept

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """Records whose reference time is before the result are past their time."""
        cutoff = _years_before(now, self.years) - dt.timedelta(days=self.days)
        if self.from_year_end:
            # Expired when Jan 1 of (year + 1) + period < now: every record of a year before
            # the cutoff's year.
            cutoff = cutoff.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        return cutoff

    def kept_until(self, reference: dt.datetime) -> dt.date:
        """The first day a record with this reference time is past its period."""
        start = reference
        if self.from_year_end:
            start = reference.replace(
                year=reference.year + 1, month=1, day=1, hour=0, minute=0, second=0, microsecond=0
            )
        end = _years_before(start, -self.years)
        return (end + dt.timedelta(days=self.days)).date()

    def describe(self) -> str:
        period = f"{self.years}y" if self.years else f"{self.days}d"
        if self.years and self.days:
            period = f"{self.years}y{self.days}d"
        return period + (" from year end" if self.from_year_end else "")


def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    year = moment.year - years
    day = min(moment.day, calendar.monthrange(year, moment.month)[1])
    return moment.replace(year=year, day=day)


_RULE = re.compile(r"(?:(\d+)\s*y)?\s*(?:(\d+)\s*d)?\s*(from year end)?", re.IGNORECASE)


def parse_retention(name: str, raw: str) -> RetentionRule:
    match = _RULE.fullmatch(raw.strip())
    if not raw.strip() or match is None or not (match.group(1) or match.group(2)):
        raise SettingsError(
            f"{name} must be a period like '365d', '2y' or '6y from year end', got {raw!r}"
        )
    return RetentionRule(
        days=int(match.group(2) or 0),
        years=int(match.group(1) or 0),
        from_year_end=bool(match.group(3)),
    )


# Record types every domain may register a retention hook for (service/retention). A domain's
# own record type not listed here takes the default its hook brings.
_PL = {
    # Accounting Act art. 74 ust. 2 pkt 6: complaint documents 1 year after settlement.
    "feedback_case": RetentionRule(years=1, source="Accounting Act art. 74 ust. 2 pkt 6"),
    # Claims for energy sales lapse after 2 years (art. 554 KC): delivery records of notices.
    "sms_message": RetentionRule(years=2, source="art. 554 KC"),
    "email_message": RetentionRule(years=2, source="art. 554 KC"),
    # The emergency log and connection requests are business records: 5 years (art. 74).
    "emergency_call": RetentionRule(years=5, source="Accounting Act art. 74 ust. 2"),
    "connection_request": RetentionRule(years=5, source="Accounting Act art. 74 ust. 2"),
    # A number that said STOP: kept only to prove the opt-out was honoured.
    "sms_subscriber_left": RetentionRule(days=30),
}
_FI_ACCOUNTING = "Kirjanpitolaki (Finnish Accounting Act)"
_FI = {
    # Business correspondence: 6 years from the end of the year (Finnish Accounting Act).
    "feedback_case": RetentionRule(years=6, from_year_end=True, source=_FI_ACCOUNTING),
    "sms_message": RetentionRule(years=2),
    "email_message": RetentionRule(years=2),
    "emergency_call": RetentionRule(years=6, from_year_end=True, source=_FI_ACCOUNTING),
    "connection_request": RetentionRule(years=6, from_year_end=True, source=_FI_ACCOUNTING),
    "sms_subscriber_left": RetentionRule(days=30),
}
DEFAULT_RETENTION: dict[str, dict[str, RetentionRule]] = {"PL": _PL, "FI": _FI, "SE": _FI}


@dataclass(frozen=True)
class SecuritySettings:
    # Staff sessions end this long after sign-in, whatever the activity (D11).
    session_lifetime_hours: int = 10
    # Failed sign-ins (counted in the database, shared by every web process; D10).
    signin_window_minutes: int = 15
    signin_address_limit: int = 20  # failures from one address, any account
    signin_pair_limit: int = 5  # failures from one address on one account
    signin_account_limit: int = 10  # failures on one account from anywhere, then slowed
    signin_account_interval_seconds: int = 10  # one try per this long on a slowed account
    retention: Mapping[str, RetentionRule] = field(default_factory=dict)
    backup_dir: str = ""


def load_security_settings(environ: Mapping[str, str], jurisdiction: str) -> SecuritySettings:
    retention = dict(DEFAULT_RETENTION.get(jurisdiction, _FI))
    prefix = "FAIRHEAT_RETENTION_"
    for name, raw in environ.items():
        if name.startswith(prefix) and raw.strip():
            retention[name[len(prefix) :].lower()] = parse_retention(name, raw)
    return SecuritySettings(
        session_lifetime_hours=get_int(environ, "FAIRHEAT_SESSION_LIFETIME_HOURS", 10, minimum=1),
        signin_window_minutes=get_int(environ, "FAIRHEAT_SIGNIN_WINDOW_MINUTES", 15, minimum=1),
        signin_address_limit=get_int(environ, "FAIRHEAT_SIGNIN_ADDRESS_LIMIT", 20, minimum=1),
        signin_pair_limit=get_int(environ, "FAIRHEAT_SIGNIN_PAIR_LIMIT", 5, minimum=1),
        signin_account_limit=get_int(environ, "FAIRHEAT_SIGNIN_ACCOUNT_LIMIT", 10, minimum=1),
        signin_account_interval_seconds=get_int(
            environ, "FAIRHEAT_SIGNIN_ACCOUNT_INTERVAL_SECONDS", 10, minimum=1
        ),
        retention=retention,
        backup_dir=get(environ, "FAIRHEAT_BACKUP_DIR", ""),
    )
