"""Settings: documented defaults, and one clear line naming the variable for a bad value."""

from __future__ import annotations

import subprocess
import sys

import pytest

from config import SettingsError, load_settings


def test_defaults_for_a_finnish_utility(tmp_path):
    settings = load_settings({}, instance_path=tmp_path)
    assert settings.jurisdiction.code == "FI"
    assert settings.timezone == "Europe/Helsinki"
    assert settings.languages == ("fi", "sv", "en", "pl")
    assert settings.default_language == "fi"
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "fairheat.sqlite3"
    )
    assert settings.planned_notice_lead.value == 2


def test_polish_jurisdiction_brings_its_zone_language_and_rule(tmp_path):
    settings = load_settings({"FAIRHEAT_JURISDICTION": "pl"}, instance_path=tmp_path)
    assert settings.timezone == "Europe/Warsaw"
    assert settings.default_language == "pl"
    assert settings.planned_notice_lead.value == 7
    assert "§ 25" in settings.planned_notice_lead.source


def test_development_secret_key_is_generated_once_and_kept(tmp_path):
    first = load_settings({}, instance_path=tmp_path).secret_key
    second = load_settings({}, instance_path=tmp_path).secret_key
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_utility_may_override_the_lead_time_and_the_source_says_so(tmp_path):
    settings = load_settings({"FAIRHEAT_PLANNED_NOTICE_LEAD_DAYS": "3"}, instance_path=tmp_path)
    assert settings.planned_notice_lead.value == 3
    assert "FAIRHEAT_PLANNED_NOTICE_LEAD_DAYS" in settings.planned_notice_lead.source


def test_postgres_urls_use_psycopg3(tmp_path):
    settings = load_settings(
        {"FAIRHEAT_DATABASE_URL": "postgresql://u:p@db/fairheat"}, instance_path=tmp_path
    )
    assert settings.database_url == "postgresql+psycopg://u:p@db/fairheat"


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"FAIRHEAT_JURISDICTION": "DE"}, "FAIRHEAT_JURISDICTION"),
        ({"FAIRHEAT_TIMEZONE": "Europe/Atlantis"}, "FAIRHEAT_TIMEZONE"),
        ({"FAIRHEAT_LANGUAGES": "fi,de"}, "FAIRHEAT_LANGUAGES"),
        ({"FAIRHEAT_LANGUAGES": "fi,fi"}, "FAIRHEAT_LANGUAGES"),
        (
            {"FAIRHEAT_LANGUAGES": "fi,sv", "FAIRHEAT_DEFAULT_LANGUAGE": "pl"},
            "FAIRHEAT_DEFAULT_LANGUAGE",
        ),
        ({"FAIRHEAT_CUSTOMERS_SERVED": "many"}, "FAIRHEAT_CUSTOMERS_SERVED"),
        ({"FAIRHEAT_CUSTOMERS_SERVED": "0"}, "FAIRHEAT_CUSTOMERS_SERVED"),
        ({"FAIRHEAT_PUBLIC_BASE_URL": "lampo.fi"}, "FAIRHEAT_PUBLIC_BASE_URL"),
        ({"FAIRHEAT_DATABASE_URL": "mysql://x"}, "FAIRHEAT_DATABASE_URL"),
        ({"FAIRHEAT_ENV": "staging"}, "FAIRHEAT_ENV"),
        ({"FAIRHEAT_ENV": "production"}, "FAIRHEAT_SECRET_KEY"),
        ({"FAIRHEAT_ENV": "production", "FAIRHEAT_SECRET_KEY": "short"}, "FAIRHEAT_SECRET_KEY"),
        ({"FAIRHEAT_RUN_SCHEDULER": "maybe"}, "FAIRHEAT_RUN_SCHEDULER"),
    ],
)
def test_bad_value_names_the_variable(tmp_path, environ, variable):
    with pytest.raises(SettingsError, match=variable):
        load_settings(environ, instance_path=tmp_path)


def test_cli_stops_with_one_clear_line(tmp_path):
    fairheat = [sys.executable, "-c", "from service.cli import cli; cli()"]
    result = subprocess.run(
        [*fairheat, "routes"],
        env={"FAIRHEAT_JURISDICTION": "XX", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "fairheat: configuration error: FAIRHEAT_JURISDICTION must be one of FI, PL, SE, got 'XX'"
    ]


def test_the_instance_folder_is_the_setting_or_the_default(tmp_path):
    from config.settings import instance_dir

    assert instance_dir(tmp_path / "default", {}) == tmp_path / "default"
    chosen = tmp_path / "chosen"
    assert instance_dir(tmp_path / "default", {"FAIRHEAT_INSTANCE_DIR": str(chosen)}) == chosen
