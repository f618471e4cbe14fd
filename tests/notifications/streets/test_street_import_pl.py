"""The street-name import under the Polish jurisdiction: name/alias files, Polish postcodes."""

from __future__ import annotations

import pytest

from notifications.streets import canonical_street, street_name_for
from notifications.streets.demo import DEMO_FILES
from tests.notifications.streets.test_street_import import aliases, run_import


@pytest.fixture
def settings_env() -> dict[str, str]:
    return {
        "FAIRHEAT_JURISDICTION": "PL",
        "FAIRHEAT_UTILITY_NAME": "MPEC",
        "FAIRHEAT_DEFAULT_LANGUAGE": "en",
    }


def test_name_and_alias_layout_with_semicolons_and_a_bom(app, runner, tmp_path):
    text = (
        "postcode;name;alias\r\n31070;ul. Dietla;ul. Józefa Dietla\r\n31-070;ul. Dietla;Dietla\r\n"
    )
    result = run_import(runner, tmp_path, text, encoding="utf-8-sig")
    assert result.exit_code == 0, result.output
    assert canonical_street("31-070", "Jozefa Dietla") == "ul. Dietla"
    assert {a.postcode for a in aliases()} == {"31-070"}  # the postcode in its national form


def test_an_alias_of_one_street_cannot_be_another_street(app, runner, tmp_path):
    text = "postcode,name,alias\n00-624,ul. Marszałkowska,Marszałkowska\n00-624,Marszalkowska,Zła\n"
    result = run_import(runner, tmp_path, text)
    assert result.exit_code == 0, result.output  # the same street, spelled two ways: one street
    clash = "postcode,name,alias\n00-624,ul. Marszałkowska,Prosta\n00-624,ul. Prosta,Prosta 2\n"
    refused = run_import(runner, tmp_path, clash)
    assert refused.exit_code != 0
    assert "Line 3: ul. Prosta already names another street in 00-624" in refused.output


def test_the_polish_demo_file_imports_cleanly(app, runner, tmp_path):
    result = run_import(runner, tmp_path, DEMO_FILES["PL"])
    assert result.exit_code == 0, result.output
    assert canonical_street("00-697", "al. Jerozolimskie") == "Aleje Jerozolimskie"
    assert street_name_for("31-070", "Józefa Dietla", "pl") == "ul. Dietla"
