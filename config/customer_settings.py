"""Contract-customer settings (FAIRHEAT_CUSTOMERS_*):
the register, e-mail notices, manager sign-in links.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from config.errors import SettingsError
from config.parsing import get, get_int

# The number printed on e-mails and staircase notices when none is set: the jurisdiction's
# usual heat emergency line (Poland's 993 is routed to the utility; see REGULATION.md).
_DEFAULT_EMERGENCY_PHONE = {"FI": "+358 9 6171 0000", "PL": "993", "SE": "+46 8 123 456 00"}


@dataclass(frozen=True)
class CustomerSettings:
    # The emergency line printed on every notice e-mail and staircase notice.
    emergency_phone: str
    # How long a building manager's sign-in link is valid, in minutes (used once).
    sign_in_minutes: int


def load_customer_settings(environ: Mapping[str, str], jurisdiction: str) -> CustomerSettings:
    phone = get(
        environ,
        "FAIRHEAT_CUSTOMERS_EMERGENCY_PHONE",
        _DEFAULT_EMERGENCY_PHONE.get(jurisdiction, "112"),
    )
    if not re.fullmatch(r"\+?[0-9][0-9 ]{1,24}", phone):
        raise SettingsError(
            f"FAIRHEAT_CUSTOMERS_EMERGENCY_PHONE must be a phone number (digits, spaces, a "
            f"leading +), got {phone!r}"
        )
    return CustomerSettings(
        emergency_phone=phone,
        sign_in_minutes=get_int(environ, "FAIRHEAT_CUSTOMERS_SIGN_IN_MINUTES", 20, minimum=1),
    )
