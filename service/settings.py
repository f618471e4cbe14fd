"""The running app's settings, typed: `current_settings().sms_rate_per_second`.

config/ reads the environment once, at start-up; everything else asks the app it runs in.
"""

from __future__ import annotations

from flask import current_app

from config import Settings


def current_settings() -> Settings:
    """The Settings of the app in the current context (RuntimeError outside one)."""
    settings: Settings = current_app.config["FAIRHEAT"]
    return settings
