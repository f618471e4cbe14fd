"""FAIRHEAT_EMAIL_* and FAIRHEAT_SMTP_*: defaults, and one clear line for each mistake."""

from __future__ import annotations

import pytest

from config import SettingsError, load_settings
from config.mail_settings import load_mail_settings


def test_defaults_are_the_console_backend_and_starttls_on_587():
    mail = load_mail_settings({})
    assert mail.backend == "console"
    assert mail.from_address == "asiakaspalvelu@lampo.example"
    assert (mail.smtp_security, mail.smtp_port, mail.smtp_timeout) == ("starttls", 587, 10.0)
    assert mail.max_attempts == 8


def test_load_settings_includes_the_mail_settings(tmp_path):
    settings = load_settings({"FAIRHEAT_EMAIL_FROM": "palaute@lampo.fi"}, instance_path=tmp_path)
    assert settings.mail.from_address == "palaute@lampo.fi"


@pytest.mark.parametrize(("security", "port"), [("ssl", 465), ("none", 25), ("STARTTLS", 587)])
def test_the_default_port_follows_the_security(security, port):
    mail = load_mail_settings({"FAIRHEAT_SMTP_SECURITY": security})
    assert mail.smtp_port == port


def test_an_smtp_backend_with_everything_given():
    mail = load_mail_settings(
        {
            "FAIRHEAT_EMAIL_BACKEND": "smtp",
            "FAIRHEAT_SMTP_HOST": "smtp.lampo.fi",
            "FAIRHEAT_SMTP_PORT": "2525",
            "FAIRHEAT_SMTP_SECURITY": "ssl",
            "FAIRHEAT_SMTP_USERNAME": "fairheat",
            "FAIRHEAT_SMTP_PASSWORD": "secret",
            "FAIRHEAT_SMTP_TIMEOUT": "2.5",
            "FAIRHEAT_EMAIL_MAX_ATTEMPTS": "3",
        }
    )
    assert (mail.smtp_host, mail.smtp_port, mail.smtp_security) == ("smtp.lampo.fi", 2525, "ssl")
    assert (mail.smtp_username, mail.smtp_password) == ("fairheat", "secret")
    assert (mail.smtp_timeout, mail.max_attempts) == (2.5, 3)
    assert "secret" not in repr(mail)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"FAIRHEAT_EMAIL_BACKEND": "smtp"}, "FAIRHEAT_SMTP_HOST is required"),
        ({"FAIRHEAT_EMAIL_BACKEND": "ses"}, "FAIRHEAT_EMAIL_BACKEND must be console or smtp"),
        ({"FAIRHEAT_SMTP_SECURITY": "tls"}, "FAIRHEAT_SMTP_SECURITY must be none, starttls or"),
        ({"FAIRHEAT_SMTP_PORT": "smtp"}, "FAIRHEAT_SMTP_PORT must be a whole number"),
        ({"FAIRHEAT_SMTP_PORT": "0"}, "FAIRHEAT_SMTP_PORT must be at least 1"),
        ({"FAIRHEAT_SMTP_PORT": "70000"}, "FAIRHEAT_SMTP_PORT must be at most 65535"),
        ({"FAIRHEAT_SMTP_TIMEOUT": "soon"}, "FAIRHEAT_SMTP_TIMEOUT must be a number"),
        ({"FAIRHEAT_EMAIL_MAX_ATTEMPTS": "0"}, "FAIRHEAT_EMAIL_MAX_ATTEMPTS must be at least 1"),
        ({"FAIRHEAT_EMAIL_FROM": "Lämpö Oy"}, "FAIRHEAT_EMAIL_FROM must be a bare address"),
        ({"FAIRHEAT_SMTP_USERNAME": "fairheat"}, "FAIRHEAT_SMTP_PASSWORD is required with"),
    ],
)
def test_a_bad_value_names_the_variable(environ, message, tmp_path):
    with pytest.raises(SettingsError, match=message):
        load_mail_settings(environ)
    with pytest.raises(SettingsError, match=message):
        load_settings(environ, instance_path=tmp_path)
