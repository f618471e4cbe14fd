"""FAIRHEAT_SERVED_POSTCODES and FAIRHEAT_MAP_*: parsed once, refused with the variable's name."""

from __future__ import annotations

import pytest

from config import SettingsError, load_settings


def test_served_area_is_unknown_by_default_and_the_map_has_no_tiles(tmp_path):
    public = load_settings({}, instance_path=tmp_path).public
    assert public.serves("00100") is None
    assert public.map_tiles_url == "" and public.map_zoom == 12
    assert public.map_center == (60.1699, 24.9384)


def test_served_postcodes_and_prefixes_in_any_national_spelling(tmp_path):
    env = {"FAIRHEAT_JURISDICTION": "PL", "FAIRHEAT_SERVED_POSTCODES": "00-950, 31*"}
    public = load_settings(env, instance_path=tmp_path).public
    assert public.serves("00-950") is True
    assert public.serves("31-146") is True
    assert public.serves("02-001") is False
    assert public.map_center == (52.2297, 21.0122)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FAIRHEAT_SERVED_POSTCODES", "00100, <script>"),
        ("FAIRHEAT_MAP_TILES_URL", "javascript:alert(1)"),
        ("FAIRHEAT_MAP_TILES_URL", "https://tiles.example.net/tile.png"),
        ("FAIRHEAT_MAP_CENTER", "north"),
        ("FAIRHEAT_MAP_CENTER", "91,10"),
        ("FAIRHEAT_MAP_ZOOM", "25"),
    ],
)
def test_bad_values_name_the_variable(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value}, instance_path=tmp_path)
