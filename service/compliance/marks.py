"""The two quality marks, their standards, and which figure ids and declarations prove each.

Ciepło Systemowe: IGCP's Karta Standardów (A1–A5 customer service, B1–B3 communication, C the
environment). Reilu kaukolämpö: Finnish Energy's commitments, followed through its annual
survey and interruption statistics (REGULATION.md "Compliance evidence"). Figures come from
whatever domains exist (service/evidence.py); an id no domain provides is "no data".
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

IGCP = "Ciepło Systemowe, Karta Standardów"
REILU = "Reilu kaukolämpö (Finnish Energy)"


@dataclass(frozen=True)
class Declared:
    """An item the service cannot measure: the utility declares it for the period."""

    id: str  # stable: "a1_office_hours"
    label: object  # lazy string


@dataclass(frozen=True)
class Standard:
    code: str  # "A3"
    title: object  # lazy string
    source: str
    figures: tuple[str, ...]  # figure ids, in report order
    declared: tuple[Declared, ...] = ()


@dataclass(frozen=True)
class Mark:
    slug: str  # cieplo-systemowe | reilu
    name: str  # the mark's own name, the same in every language
    standards: tuple[Standard, ...]


_OFFICE = Declared("a1_office_hours", _l("Customer service office hours and contacts"))
_WEBSITE = Declared("b1_website", _l("Website with the standards and customer information"))
_MARKETING = Declared("b3_marketing_plan", _l("Annual marketing plan"))
_EFFICIENCY = Declared("c_plant_efficiency", _l("Efficiency of heat generation"))
_LOSSES = Declared("c_network_losses", _l("Heat losses in the network"))
_ECOLOGY = Declared("c_ecological_limits", _l("Emission limits kept"))
_CONTRACTS = Declared("reilu_contracts", _l("Clear contracts and terms of supply"))
_PRICES = Declared("reilu_prices", _l("Published prices and price changes explained"))
_CONSUMPTION = Declared("reilu_consumption_reports", _l("Consumption reports to customers"))
_CHANNEL = Declared("reilu_feedback_channel", _l("A feedback channel on the website"))

CIEPLO_SYSTEMOWE = Mark(
    "cieplo-systemowe",
    "Ciepło Systemowe",
    (
        Standard("A1", _l("Customer service"), f"{IGCP} A1", (), (_OFFICE,)),
        Standard(
            "A2",
            _l("Emergency telephone around the clock"),
            f"{IGCP} A2",
            ("emergency_calls_total", "emergency_calls_answered_share"),
        ),
        Standard(
            "A3",
            _l("Information about interruptions"),
            f"{IGCP} A3",
            (
                "interruptions_total",
                "planned_interruptions_notified_in_time_share",
                "sms_delivered_share",
                "email_delivered_share",
                "customer_interruption_hours_per_customer",
                "supply_reliability_share",
                "interruptions_over_10h_share",
            ),
        ),
        Standard(
            "A4",
            _l("Complaints"),
            f"{IGCP} A4",
            ("complaints_answered_in_time_share", "median_answer_hours"),
        ),
        Standard(
            "A5",
            _l("Connection to the network"),
            f"{IGCP} A5",
            ("connection_conditions_on_time_share",),
        ),
        Standard("B1", _l("Information for customers"), f"{IGCP} B1", (), (_WEBSITE,)),
        Standard(
            "B2",
            _l("Customer satisfaction survey"),
            f"{IGCP} B2",
            ("satisfaction_average", "survey_answers_total"),
        ),
        Standard("B3", _l("Marketing plan"), f"{IGCP} B3", (), (_MARKETING,)),
        Standard(
            "C",
            _l("Environment and efficiency"),
            f"{IGCP} C",
            (),
            (_EFFICIENCY, _LOSSES, _ECOLOGY),
        ),
    ),
)

REILU_KAUKOLAMPO = Mark(
    "reilu",
    "Reilu kaukolämpö",
    (
        Standard(
            "R1",
            _l("Timely information about interruptions"),
            REILU,
            (
                "planned_interruptions_notified_in_time_share",
                "sms_delivered_share",
                "email_delivered_share",
            ),
        ),
        Standard(
            "R2",
            _l("Feedback answered within 7 working days"),
            REILU,
            ("feedback_answered_within_7_working_days_share", "median_answer_hours"),
            (_CHANNEL,),
        ),
        Standard(
            "R3",
            _l("Interruption statistics"),
            "Finnish Energy, district heating interruption statistics",
            (
                "interruptions_total",
                "unplanned_interruptions_total",
                "planned_interruptions_total",
                "customer_interruption_hours_per_customer",
                "supply_reliability_share",
                "average_interruption_hours",
                "interruptions_over_10h_share",
                "interruptions_over_24h_share",
            ),
        ),
        Standard(
            "R4",
            _l("Emergency line"),
            REILU,
            ("emergency_calls_total", "emergency_calls_answered_share"),
        ),
        Standard(
            "R5",
            _l("Contracts, prices and consumption reports"),
            REILU,
            (),
            (_CONTRACTS, _PRICES, _CONSUMPTION),
        ),
        Standard(
            "R6",
            _l("Customer satisfaction"),
            REILU,
            ("satisfaction_average", "survey_answers_total"),
        ),
    ),
)

MARKS: dict[str, Mark] = {m.slug: m for m in (CIEPLO_SYSTEMOWE, REILU_KAUKOLAMPO)}
MARK_CHOICES = (*MARKS, "all")


class UnknownMark(ValueError):
    pass


def marks_for(choice: str) -> tuple[Mark, ...]:
    """The marks a `--mark` choice names: one, or both for "all"."""
    if choice == "all":
        return tuple(MARKS.values())
    if choice not in MARKS:
        raise UnknownMark(f"unknown mark {choice!r}: give one of {', '.join(MARK_CHOICES)}")
    return (MARKS[choice],)


def declared_items(choice: str) -> list[Declared]:
    """Every item to declare for the mark(s), once each, in report order."""
    seen: dict[str, Declared] = {}
    for mark in marks_for(choice):
        for standard in mark.standards:
            for item in standard.declared:
                seen.setdefault(item.id, item)
    return list(seen.values())
