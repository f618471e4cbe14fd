"""Settings and jurisdiction rule sets: the only package that reads the environment."""

from config.errors import SettingsError
from config.jurisdictions import JURISDICTIONS, Jurisdiction, Rule
from config.settings import Settings, load_settings

__all__ = ["JURISDICTIONS", "Jurisdiction", "Rule", "Settings", "SettingsError", "load_settings"]
