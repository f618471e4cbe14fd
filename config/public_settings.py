"""Public-site settings (FAIRHEAT_MAP_*, FAIRHEAT_SERVED_POSTCODES):
the map and the network's area.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from config.errors import SettingsError
from config.parsing import get, get_int

# A postcode as the jurisdiction writes it (00100, 00-950, 114 55), or a prefix ending in "*".
_POSTCODE_PATTERN = re.compile(r"[0-9A-Z][0-9A-Z -]{0,9}\*?")


@dataclass(frozen=True)
class PublicSettings:
    # Postcodes (or prefixes like "001*") the district-heating network serves. Empty: not known,
    # and the address answer never claims a postcode is outside the network.
    served_postcodes: tuple[str, ...]
    # Map tiles as a Leaflet URL template ({z}/{x}/{y}); empty draws the areas on a plain ground.
    map_tiles_url: str
    map_attribution: str
    map_center: tuple[float, float]  # latitude, longitude
    map_zoom: int

    def serves(self, postcode: str) -> bool | None:
        """True or False when the served area is known; None when it is not configured."""
        if not self.served_postcodes:
            return None
        compact = postcode.replace(" ", "").replace("-", "")
        for entry in self.served_postcodes:
            if entry.endswith("*"):
                if compact.startswith(entry[:-1]):
                    return True
            elif compact == entry:
                return True
        return False


def _served(raw: str) -> tuple[str, ...]:
    entries = []
    for part in raw.split(","):
        text = part.strip().upper()
        if not text:
            continue
        if not _POSTCODE_PATTERN.fullmatch(text):
            raise SettingsError(
                "FAIRHEAT_SERVED_POSTCODES must be postcodes or prefixes ending in *, "
                f"separated by commas, got {part.strip()!r}"
            )
        entries.append(text.replace(" ", "").replace("-", ""))
    return tuple(entries)


def _center(raw: str) -> tuple[float, float]:
    try:
        lat_text, lon_text = (p.strip() for p in raw.split(","))
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        lat, lon = 999.0, 999.0
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise SettingsError(
            f"FAIRHEAT_MAP_CENTER must be 'latitude,longitude' in degrees, got {raw!r}"
        )
    return lat, lon


def load_public_settings(environ: Mapping[str, str], jurisdiction: str) -> PublicSettings:
    default_center = "52.2297,21.0122" if jurisdiction == "PL" else "60.1699,24.9384"
    tiles = get(environ, "FAIRHEAT_MAP_TILES_URL", "").strip()
    if tiles and not (
        tiles.startswith(("https://", "http://", "/")) and "{z}" in tiles and "{x}" in tiles
    ):
        raise SettingsError(
            "FAIRHEAT_MAP_TILES_URL must be an http(s) or site path URL template with {z}, {x} "
            f"and {{y}}, got {tiles!r}"
        )
    zoom = get_int(environ, "FAIRHEAT_MAP_ZOOM", 12, minimum=1)
    if zoom > 19:
        raise SettingsError(f"FAIRHEAT_MAP_ZOOM must be 1 to 19, got {zoom}")
    return PublicSettings(
        served_postcodes=_served(get(environ, "FAIRHEAT_SERVED_POSTCODES", "")),
        map_tiles_url=tiles,
        map_attribution=get(environ, "FAIRHEAT_MAP_ATTRIBUTION", "").strip(),
        map_center=_center(get(environ, "FAIRHEAT_MAP_CENTER", default_center)),
        map_zoom=zoom,
    )
