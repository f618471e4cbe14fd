"""Emergency line settings (FAIRHEAT_EMERGENCY_*, FAIRHEAT_VOICE_*):
duty numbers, clocks, recording.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class EmergencySettings:
    pass


def load_emergency_settings(environ: Mapping[str, str], jurisdiction: str) -> EmergencySettings:
    return EmergencySettings()
