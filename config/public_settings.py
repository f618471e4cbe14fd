"""Public-site settings (FAIRHEAT_MAP_*, FAIRHEAT_SERVED_POSTCODES):
the map and the network's area.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PublicSettings:
    pass


def load_public_settings(environ: Mapping[str, str], jurisdiction: str) -> PublicSettings:
    return PublicSettings()
