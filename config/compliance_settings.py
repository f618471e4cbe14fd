"""Compliance-export settings (FAIRHEAT_SIGNING_KEY_FILE, FAIRHEAT_COMPLIANCE_*, FAIRHEAT_AUDIT_*):
the signing key, scheduled bundles and how often the audit log is checkpointed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from config.errors import SettingsError
from config.parsing import get, get_int

MARKS = ("cieplo-systemowe", "reilu", "all")
PERIODS = ("month", "quarter", "year")
# The first day of each quarter at 03:00 local time: the previous quarter's bundle.
DEFAULT_SCHEDULE = "0 3 1 1,4,7,10 *"


@dataclass(frozen=True)
class ComplianceSettings:
    signing_key_file: Path  # the utility's Ed25519 private key (PEM, 0600)
    schedule: str | None  # a crontab line in the utility's timezone; None: no scheduled bundles
    schedule_mark: str  # cieplo-systemowe | reilu | all
    schedule_period: str  # month | quarter | year: the last complete one before the run
    checkpoint_minutes: int  # a signed checkpoint of the audit head at most this often


def _crontab(value: str) -> str | None:
    if value.lower() in {"off", "none", "0"}:
        return None
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError as error:
        raise SettingsError(
            f"FAIRHEAT_COMPLIANCE_SCHEDULE must be a crontab line like {DEFAULT_SCHEDULE!r} "
            f"or 'off', got {value!r} ({error})"
        ) from None
    return value


def load_compliance_settings(
    environ: Mapping[str, str], jurisdiction: str, instance_path: Path = Path("instance")
) -> ComplianceSettings:
    default_mark = "cieplo-systemowe" if jurisdiction == "PL" else "reilu"
    mark = get(environ, "FAIRHEAT_COMPLIANCE_SCHEDULE_MARK", default_mark).lower()
    if mark not in MARKS:
        raise SettingsError(
            f"FAIRHEAT_COMPLIANCE_SCHEDULE_MARK must be one of {', '.join(MARKS)}, got {mark!r}"
        )
    schedule_period = get(environ, "FAIRHEAT_COMPLIANCE_SCHEDULE_PERIOD", "quarter").lower()
    if schedule_period not in PERIODS:
        raise SettingsError(
            "FAIRHEAT_COMPLIANCE_SCHEDULE_PERIOD must be one of "
            f"{', '.join(PERIODS)}, got {schedule_period!r}"
        )
    key_file = get(environ, "FAIRHEAT_SIGNING_KEY_FILE", str(instance_path / "signing-key.pem"))
    return ComplianceSettings(
        signing_key_file=Path(key_file).expanduser().resolve(),
        schedule=_crontab(get(environ, "FAIRHEAT_COMPLIANCE_SCHEDULE", DEFAULT_SCHEDULE)),
        schedule_mark=mark,
        schedule_period=schedule_period,
        checkpoint_minutes=get_int(environ, "FAIRHEAT_AUDIT_CHECKPOINT_MINUTES", 60, minimum=1),
    )
