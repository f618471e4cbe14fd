"""Security and operations settings: sessions, sign-in throttling, request limits,
retention, backups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SecuritySettings:
    pass


def load_security_settings(environ: Mapping[str, str], jurisdiction: str) -> SecuritySettings:
    return SecuritySettings()
