"""Jurisdiction rule sets: the defaults from shared/REGULATION.md, each with its source.

Every number here is a default a utility may override through settings; the source travels
with the rule so the staff UI and the compliance export can show where it comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A number the software enforces, with where it comes from."""

    value: int
    unit: str  # "days" | "hours" | "working_days"
    source: str
    confidence: str  # "high" | "medium" | "policy"


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    country: str  # ISO 3166-1 alpha-2, for holidays and phone numbers
    timezone: str
    # Planned interruption notice lead time (PL: § 25 "systemowe" via utility standards;
    # FI and SE: no fixed number, a policy default).
    planned_notice_lead: Rule
    postcode_pattern: re.Pattern[str]
    postcode_example: str

    def normalize_postcode(self, raw: str) -> str | None:
        """Return the postcode in its canonical national form, or None when it is not one.

        Residents type postcodes with stray spaces (Swedish "114 55" or "11455") or without the
        Polish dash ("00950"); accept those, and return one canonical spelling so matching
        compares like with like. Another country's format is refused, not reinterpreted.
        """
        text = re.sub(r"[\s\u00a0\u2009\u202f]", "", raw or "")
        if self.code == "PL" and re.fullmatch(r"\d{2}-\d{3}", text):
            text = text.replace("-", "")
        if not re.fullmatch(r"\d{5}", text):
            return None
        return _POSTCODE_FORMATTERS[self.code](text)


_POSTCODE_FORMATTERS = {
    "FI": lambda d: d,
    "SE": lambda d: f"{d[:3]} {d[3:]}",
    "PL": lambda d: f"{d[:2]}-{d[2:]}",
}

JURISDICTIONS: dict[str, Jurisdiction] = {
    "FI": Jurisdiction(
        code="FI",
        country="FI",
        timezone="Europe/Helsinki",
        planned_notice_lead=Rule(
            2,
            "days",
            "Reilu kaukolämpö: timely information about supply interruptions "
            "(Finnish Energy); policy default",
            "policy",
        ),
        postcode_pattern=re.compile(r"\d{5}"),
        postcode_example="00100",
    ),
    "PL": Jurisdiction(
        code="PL",
        country="PL",
        timezone="Europe/Warsaw",
        planned_notice_lead=Rule(
            7,
            "days",
            "§ 25 rozporządzenie MG 15.01.2007 (systemowe), as applied in utilities' "
            "quality standards; Ciepło Systemowe A3",
            "medium",
        ),
        postcode_pattern=re.compile(r"\d{2}-\d{3}"),
        postcode_example="00-950",
    ),
    "SE": Jurisdiction(
        code="SE",
        country="SE",
        timezone="Europe/Stockholm",
        planned_notice_lead=Rule(
            2,
            "days",
            "Reko fjärrvärme: planned disturbances 'in good time'; policy default",
            "policy",
        ),
        postcode_pattern=re.compile(r"\d{3} \d{2}"),
        postcode_example="114 55",
    ),
}
