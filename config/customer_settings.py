"""Contract-customer settings (FAIRHEAT_CUSTOMERS_*):
the register, e-mail notices, manager sign-in links.

The emergency number printed on notice e-mails and staircase notices is the one the whole
service shows, FAIRHEAT_EMERGENCY_PHONE (config/feedback_settings.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.parsing import get_int


@dataclass(frozen=True)
class CustomerSettings:
    # How long a building manager's sign-in link is valid, in minutes (used once).
    sign_in_minutes: int


def load_customer_settings(environ: Mapping[str, str], jurisdiction: str) -> CustomerSettings:
    return CustomerSettings(
        sign_in_minutes=get_int(environ, "FAIRHEAT_CUSTOMERS_SIGN_IN_MINUTES", 20, minimum=1),
    )
