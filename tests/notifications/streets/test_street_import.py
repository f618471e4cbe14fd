"""`fairheat streets import FILE.csv`: both layouts, all or nothing, replacing per postcode."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from notifications.streets import canonical_street, street_keys, street_name_for
from notifications.streets.demo import DEMO_FILES
from notifications.streets.models import StreetAlias
from service.extensions import db


@pytest.fixture
def settings_env() -> dict[str, str]:
    return {"FAIRHEAT_DEFAULT_LANGUAGE": "en"}  # what the command prints, asserted in English


BILINGUAL = "postcode,name_fi,name_sv\n00100,Mannerheimintie,Mannerheimvägen\n"


def run_import(runner, tmp_path, text, *, encoding="utf-8"):
    path = tmp_path / "streets.csv"
    path.write_bytes(text.encode(encoding))
    return runner.invoke(args=["streets", "import", str(path)])


def aliases():
    return db.session.scalars(sa.select(StreetAlias).order_by(StreetAlias.id)).all()


def test_finnish_and_swedish_names_become_one_street(app, runner, tmp_path):
    result = run_import(runner, tmp_path, BILINGUAL)
    assert result.exit_code == 0, result.output
    assert "postcode areas 1, streets 1, names 2" in result.output
    assert canonical_street("00100", "mannerheimvagen") == "Mannerheimintie"
    assert canonical_street("00100", " Mannerheimintie ") == "Mannerheimintie"
    assert street_keys("00100", "Mannerheimvägen") == {"mannerheimintie", "mannerheimvagen"}
    assert street_name_for("00100", "Mannerheimintie", "sv") == "Mannerheimvägen"
    assert street_name_for("00100", "MANNERHEIMVÄGEN", "fi") == "Mannerheimintie"
    assert street_name_for("00100", "Mannerheimintie", "en") == "Mannerheimintie"
    # Another postcode area knows nothing of it: names are per area.
    assert canonical_street("00260", "Mannerheimvägen") == "Mannerheimvägen"


def test_a_bad_line_refuses_the_whole_file_and_names_it(app, runner, tmp_path):
    assert run_import(runner, tmp_path, BILINGUAL).exit_code == 0
    before = [(a.postcode, a.key) for a in aliases()]
    for text, says in [
        ("postcode,street\n00100,Mannerheimintie\n", "Line 1"),
        (BILINGUAL + "0010,Hämeentie,Tavastvägen\n", "Line 3: 0010 is not a postcode"),
        (BILINGUAL + "00530,,\n", "Line 3: the street has no name"),
        (BILINGUAL + "00530,Hämeentie\n", "Line 3: expected 3 columns"),
        (BILINGUAL + "00100,Mannerheimvägen,Bulevarden\n", "Line 3: Mannerheimvägen already"),
    ]:
        result = run_import(runner, tmp_path, text)
        assert result.exit_code != 0, text
        assert says in result.output, (says, result.output)
        assert [(a.postcode, a.key) for a in aliases()] == before  # nothing half-imported


def test_the_file_replaces_the_names_of_the_areas_it_lists(app, runner, tmp_path):
    first = BILINGUAL + "00530,Hämeentie,Tavastvägen\n"
    assert run_import(runner, tmp_path, first).exit_code == 0
    second = "postcode,name_fi,name_sv\n00100,Kalevankatu,Kalevagatan\n"
    assert run_import(runner, tmp_path, second).exit_code == 0
    assert {(a.postcode, a.name) for a in aliases()} == {
        ("00100", "Kalevankatu"),
        ("00100", "Kalevagatan"),
        ("00530", "Hämeentie"),
        ("00530", "Tavastvägen"),
    }


def test_the_finnish_demo_file_imports_cleanly(app, runner, tmp_path):
    result = run_import(runner, tmp_path, DEMO_FILES["FI"])
    assert result.exit_code == 0, result.output
    assert street_name_for("02100", "Tapiolantie", "sv") == "Hagalundsvägen"
