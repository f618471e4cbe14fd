"""The feedback domain's `fairheat` commands.

Only Open311's today (`fairheat open311 keys …`, feedback/open311/cli.py); kept under this name
because the shell registers `feedback.cli.open311_group`.
"""

from feedback.open311.cli import open311_group

__all__ = ["open311_group"]
