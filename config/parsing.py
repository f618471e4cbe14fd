"""Reading one environment variable as a string, number or flag; errors name the variable."""

from __future__ import annotations

from collections.abc import Mapping

from config.errors import SettingsError


def get(environ: Mapping[str, str], name: str, default: str) -> str:
    value = environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def get_int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = get(environ, name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def get_bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = get(environ, name, "1" if default else "0").lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def get_float(environ: Mapping[str, str], name: str, default: float, minimum: float = 0) -> float:
    raw = get(environ, name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value
