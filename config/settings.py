"""Settings from FAIRHEAT_* environment variables, read once inside load_settings().

Nothing else in the code base reads the environment. A bad value stops start-up with one line
that names the variable, so an operator at 3 a.m. knows what to fix.
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from config.compliance_settings import ComplianceSettings, load_compliance_settings
from config.connection_settings import ConnectionSettings, load_connection_settings
from config.customer_settings import CustomerSettings, load_customer_settings
from config.edge_settings import EdgeSettings, load_edge_settings
from config.emergency_settings import EmergencySettings, load_emergency_settings
from config.errors import SettingsError
from config.feedback_settings import FeedbackSettings, load_feedback_settings
from config.jurisdictions import JURISDICTIONS, Jurisdiction, Rule
from config.mail_settings import MailSettings, load_mail_settings
from config.parsing import get, get_bool, get_int
from config.public_settings import PublicSettings, load_public_settings
from config.security_settings import SecuritySettings, load_security_settings
from config.sms_settings import SmsSettings, load_sms_settings

SUPPORTED_LANGUAGES = ("fi", "sv", "en", "pl")
FILES_BACKENDS = ("local",)  # an S3-compatible one may follow


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    secret_key: str
    jurisdiction: Jurisdiction
    timezone: str
    languages: tuple[str, ...]
    default_language: str
    public_base_url: str
    utility_name: str
    customers_served: int
    planned_notice_lead_days: int
    ratelimit_storage_url: str
    login_rate_limit: str
    run_scheduler: bool
    proxy_hops: int
    sms: SmsSettings
    mail: MailSettings
    feedback: FeedbackSettings
    emergency: EmergencySettings
    connection_requests: ConnectionSettings
    customers: CustomerSettings
    public: PublicSettings
    security: SecuritySettings
    compliance: ComplianceSettings
    edge: EdgeSettings  # request limits, security headers, webhook replays
    files_backend: str  # where uploads and generated bundles are kept: local
    files_dir: Path  # the local backend's directory

    @property
    def planned_notice_lead(self) -> Rule:
        base = self.jurisdiction.planned_notice_lead
        if base.value == self.planned_notice_lead_days:
            return base
        return replace(
            base,
            value=self.planned_notice_lead_days,
            source=f"FAIRHEAT_PLANNED_NOTICE_LEAD_DAYS (utility setting; default: {base.source})",
            confidence="policy",
        )

    def flask_config(self) -> dict[str, Any]:
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(self.database_url),
            "BABEL_DEFAULT_LOCALE": self.default_language,
            "BABEL_DEFAULT_TIMEZONE": self.timezone,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_url,
            "RATELIMIT_HEADERS_ENABLED": True,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.env == "production",
            "FAIRHEAT": self,
        }


def _engine_options(url: str) -> dict[str, Any]:
    # PostgreSQL connections are checked before reuse after an idle spell, not on every
    # checkout (service.db.ping_after_idle, installed by create_app).
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {}


def _secret_key(environ: Mapping[str, str], env: str, instance_path: Path) -> str:
    key = get(environ, "FAIRHEAT_SECRET_KEY", "")
    if key:
        if env == "production" and len(key) < 32:
            raise SettingsError("FAIRHEAT_SECRET_KEY must be at least 32 characters in production")
        return key
    if env == "production":
        raise SettingsError("FAIRHEAT_SECRET_KEY is required when FAIRHEAT_ENV=production")
    # Development: generate once and keep it in instance/ so sessions survive restarts.
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def instance_dir(default: Path, environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the instance's own files (SQLite database, keys, files, backups by
    default): FAIRHEAT_INSTANCE_DIR, else `default`."""
    environ = os.environ if environ is None else environ
    chosen = get(environ, "FAIRHEAT_INSTANCE_DIR", "")
    return Path(chosen).expanduser().resolve() if chosen else default


def load_settings(
    environ: Mapping[str, str] | None = None, instance_path: Path | str = "instance"
) -> Settings:
    """Read and validate every FAIRHEAT_* setting; raise SettingsError naming the bad one."""
    environ = os.environ if environ is None else environ
    instance_path = Path(instance_path)

    env = get(environ, "FAIRHEAT_ENV", "development").lower()
    if env not in {"development", "production", "test"}:
        raise SettingsError(f"FAIRHEAT_ENV must be development, production or test, got {env!r}")

    default_db = f"sqlite:///{(instance_path / 'fairheat.sqlite3').resolve()}"
    database_url = get(environ, "FAIRHEAT_DATABASE_URL", default_db)
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    if not database_url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise SettingsError(
            "FAIRHEAT_DATABASE_URL must be a sqlite:/// or postgresql:// URL, "
            f"got {database_url.split(':', 1)[0]!r}"
        )

    code = get(environ, "FAIRHEAT_JURISDICTION", "FI").upper()
    if code not in JURISDICTIONS:
        raise SettingsError(
            f"FAIRHEAT_JURISDICTION must be one of {', '.join(JURISDICTIONS)}, got {code!r}"
        )
    jurisdiction = JURISDICTIONS[code]

    timezone = get(environ, "FAIRHEAT_TIMEZONE", jurisdiction.timezone)
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"FAIRHEAT_TIMEZONE is not a known time zone: {timezone!r}") from None

    languages = tuple(
        part.strip().lower()
        for part in get(environ, "FAIRHEAT_LANGUAGES", ",".join(SUPPORTED_LANGUAGES)).split(",")
        if part.strip()
    )
    unknown = [lang for lang in languages if lang not in SUPPORTED_LANGUAGES]
    if unknown or not languages:
        raise SettingsError(
            f"FAIRHEAT_LANGUAGES must list some of {', '.join(SUPPORTED_LANGUAGES)}, "
            f"got {', '.join(unknown) or 'nothing'}"
        )
    if len(set(languages)) != len(languages):
        raise SettingsError("FAIRHEAT_LANGUAGES lists a language twice")
    fallback = "pl" if code == "PL" else "fi"
    default_language = get(environ, "FAIRHEAT_DEFAULT_LANGUAGE", "").lower()
    if default_language and default_language not in languages:
        raise SettingsError(
            "FAIRHEAT_DEFAULT_LANGUAGE must be one of FAIRHEAT_LANGUAGES "
            f"({', '.join(languages)}), got {default_language!r}"
        )
    if not default_language:
        default_language = fallback if fallback in languages else languages[0]

    public_base_url = get(environ, "FAIRHEAT_PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    if not public_base_url.startswith(("http://", "https://")):
        raise SettingsError(
            f"FAIRHEAT_PUBLIC_BASE_URL must start with http:// or https://, got {public_base_url!r}"
        )

    files_backend = get(environ, "FAIRHEAT_FILES_BACKEND", "local").lower()
    if files_backend not in FILES_BACKENDS:
        raise SettingsError(f"FAIRHEAT_FILES_BACKEND must be local, got {files_backend!r}")
    files_dir = Path(get(environ, "FAIRHEAT_FILES_DIR", str(instance_path / "files"))).resolve()

    return Settings(
        env=env,
        database_url=database_url,
        secret_key=_secret_key(environ, env, instance_path),
        jurisdiction=jurisdiction,
        timezone=timezone,
        languages=languages,
        default_language=default_language,
        public_base_url=public_base_url,
        utility_name=get(environ, "FAIRHEAT_UTILITY_NAME", "Lämpö Oy"),
        customers_served=get_int(environ, "FAIRHEAT_CUSTOMERS_SERVED", 10_000, minimum=1),
        planned_notice_lead_days=get_int(
            environ,
            "FAIRHEAT_PLANNED_NOTICE_LEAD_DAYS",
            jurisdiction.planned_notice_lead.value,
            minimum=0,
        ),
        ratelimit_storage_url=get(environ, "FAIRHEAT_RATELIMIT_STORAGE_URL", "memory://"),
        login_rate_limit=get(environ, "FAIRHEAT_LOGIN_RATE_LIMIT", "5 per minute;30 per hour"),
        run_scheduler=get_bool(environ, "FAIRHEAT_RUN_SCHEDULER", False),
        proxy_hops=get_int(environ, "FAIRHEAT_PROXY_HOPS", 0, minimum=0),
        sms=load_sms_settings(environ),
        mail=load_mail_settings(environ),
        feedback=load_feedback_settings(environ, code),
        emergency=load_emergency_settings(environ, code),
        connection_requests=load_connection_settings(environ, code),
        customers=load_customer_settings(environ, code),
        public=load_public_settings(environ, code),
        security=load_security_settings(environ, code),
        compliance=load_compliance_settings(environ, code, instance_path=instance_path),
        edge=load_edge_settings(environ, code),
        files_backend=files_backend,
        files_dir=files_dir,
    )
