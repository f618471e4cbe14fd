"""Connection-request settings (FAIRHEAT_CONNECTION_*, FAIRHEAT_CLAMAV_SOCKET):
deadlines, validity, uploads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ConnectionSettings:
    pass


def load_connection_settings(environ: Mapping[str, str], jurisdiction: str) -> ConnectionSettings:
    return ConnectionSettings()
