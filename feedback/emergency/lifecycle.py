"""The rules a call's times and intake must keep, for a new call and for a change alike.

Each broken rule is reported under the field to correct (the later of the two times), in the
reader's language; nothing is stored while any is broken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from feedback.emergency.models import STAFF_CHANNELS

CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_AGE = dt.timedelta(days=366)


def _order_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    received = values.get("received_at")
    dispatched = values.get("dispatched_at")
    checks: list[tuple[str, dt.datetime | None, str]] = []
    if received is not None:
        checks += [
            ("answered_at", received, _("The call cannot be answered before it was received.")),
            ("verified_at", received, _("The call cannot be verified before it was received.")),
            ("dispatched_at", received, _("A crew cannot be dispatched before the call came in.")),
            ("informed_at", received, _("The caller cannot be informed before the call came in.")),
            ("resolved_at", received, _("The call cannot be resolved before it was received.")),
        ]
    if dispatched is not None:
        checks += [
            ("on_site_at", dispatched, _("The crew cannot be on site before it was dispatched.")),
            (
                "resolved_at",
                dispatched,
                _("The call cannot be resolved before the crew was dispatched."),
            ),
        ]
    errors: dict[str, list[str]] = {}
    for name, earliest, message in checks:
        value = values.get(name)
        if value is not None and earliest is not None and value < earliest:
            errors.setdefault(name, []).append(message)
    if values.get("on_site_at") is not None and dispatched is None:
        errors.setdefault("dispatched_at", []).append(
            _("Give the time the crew was dispatched before the time it was on site.")
        )
    return errors


def _future_errors(values: Mapping[str, Any], now: dt.datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in (
        "received_at",
        "answered_at",
        "verified_at",
        "dispatched_at",
        "on_site_at",
        "resolved_at",
        "informed_at",
    ):
        value = values.get(name)
        if value is not None and value > now + CLOCK_SKEW:
            errors[name] = [_("This time is in the future.")]
    received = values.get("received_at")
    if received is not None and received < now - MAX_AGE:
        errors["received_at"] = [_("The time received is more than a year ago.")]
    return errors


def lifecycle_errors(values: Mapping[str, Any], now: dt.datetime) -> dict[str, list[str]]:
    """The call's times (stored and changed, merged) against each other and the clock."""
    errors = _future_errors(values, now)
    for name, messages in _order_errors(values).items():
        errors.setdefault(name, []).extend(messages)
    if values.get("resolved_at") is not None and values.get("outcome") is None:
        errors.setdefault("outcome", []).append(_("Choose the outcome of a resolved call."))
    return errors


def intake_errors(
    values: Mapping[str, Any],
    now: dt.datetime,
    *,
    back_entry_minutes: int,
    anonymous_calls: bool,
) -> dict[str, list[str]]:
    """What a call logged by hand must carry: a reason when it is back-entered beyond the limit,
    and who called when the utility takes no anonymous calls (a setting; REGULATION.md)."""
    errors: dict[str, list[str]] = {}
    received = values.get("received_at")
    late = received is not None and now - received > dt.timedelta(minutes=back_entry_minutes)
    if late and not values.get("back_entry_reason"):
        errors["back_entry_reason"] = [
            ngettext(
                "This call came in more than %(num)d minute ago: give the reason it is logged "
                "only now.",
                "This call came in more than %(num)d minutes ago: give the reason it is logged "
                "only now.",
                back_entry_minutes,
            )
        ]
    if not anonymous_calls and values.get("channel") in STAFF_CHANNELS:
        if not values.get("caller_name"):
            errors["caller_name"] = [_("Give the caller's name: anonymous calls are not taken.")]
        if not (values.get("caller_phone") or values.get("street")):
            errors["caller_phone"] = [
                _("Give the caller's phone number or address: anonymous calls are not taken.")
            ]
    if values.get("street") and not values.get("postcode"):
        errors.setdefault("postcode", []).append(_("Give the postcode of the address."))
    return errors
