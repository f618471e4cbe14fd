"""Contract-customer settings (FAIRHEAT_CUSTOMERS_*):
the register, e-mail notices, manager sign-in links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class CustomerSettings:
    pass


def load_customer_settings(environ: Mapping[str, str], jurisdiction: str) -> CustomerSettings:
    return CustomerSettings()
