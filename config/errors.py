"""The one exception configuration raises."""


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""
