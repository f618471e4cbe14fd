"""Compliance-export settings (FAIRHEAT_SIGNING_KEY_FILE, FAIRHEAT_COMPLIANCE_*):
signing key, scheduled bundles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ComplianceSettings:
    pass


def load_compliance_settings(environ: Mapping[str, str], jurisdiction: str) -> ComplianceSettings:
    return ComplianceSettings()
