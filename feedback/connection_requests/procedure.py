"""The procedure as a state machine: which step may follow which, in each jurisdiction.

received → (information requested ⇄ items arrive) → complete (the clock starts) → conditions
issued | preliminary conditions | refused → agreement offered → agreement signed → works →
supply started (the start-of-supply protocol) → connected; withdrawn or cancelled from any open
step; conditions expire. In Finland one heat contract (lämpösopimus) covers connection and
supply: the offer (liittymistarjous, kept as "conditions issued") is followed by the signed
contract, with no separate agreement offer (ET T1/2010 § 1).

A step out of order is a Conflict (409) whose message says what the request needs first.
"""

from __future__ import annotations

from flask_babel import gettext as _

from feedback.connection_requests.models import ConnectionRequest, Status
from service.errors import Conflict

S = Status
OPEN = frozenset(
    {
        S.RECEIVED,
        S.INFO_REQUESTED,
        S.COMPLETE,
        S.CONDITIONS_ISSUED,
        S.PRELIMINARY_CONDITIONS,
        S.AGREEMENT_OFFERED,
        S.AGREEMENT_SIGNED,
        S.WORKS,
        S.SUPPLY_STARTED,
    }
)
CLOSED = frozenset(set(Status) - OPEN)
# Open and waiting for the utility's decision: the conditions clock runs (from complete_at).
AWAITING_DECISION = frozenset({S.COMPLETE})
# A decision whose validity can run out.
EXPIRING = frozenset({S.CONDITIONS_ISSUED, S.PRELIMINARY_CONDITIONS, S.AGREEMENT_OFFERED})

_COMMON: dict[Status, frozenset[Status]] = {
    S.RECEIVED: frozenset({S.INFO_REQUESTED, S.COMPLETE}),
    S.INFO_REQUESTED: frozenset({S.INFO_REQUESTED, S.COMPLETE}),
    S.COMPLETE: frozenset({S.CONDITIONS_ISSUED, S.PRELIMINARY_CONDITIONS, S.REFUSED}),
    S.PRELIMINARY_CONDITIONS: frozenset({S.EXPIRED}),
    S.AGREEMENT_SIGNED: frozenset({S.WORKS}),
    S.WORKS: frozenset({S.SUPPLY_STARTED}),
    S.SUPPLY_STARTED: frozenset({S.CONNECTED}),
}
_PL = {
    S.CONDITIONS_ISSUED: frozenset({S.AGREEMENT_OFFERED, S.EXPIRED}),
    S.AGREEMENT_OFFERED: frozenset({S.AGREEMENT_SIGNED, S.EXPIRED}),
}
_FI = {
    S.CONDITIONS_ISSUED: frozenset({S.AGREEMENT_SIGNED, S.EXPIRED}),
}


def next_steps(request: ConnectionRequest) -> frozenset[Status]:
    """The statuses the request may move to now (withdrawn and cancelled from any open one)."""
    table = {**_COMMON, **(_FI if request.jurisdiction == "FI" else _PL)}
    allowed = set(table.get(request.status, frozenset()))
    if request.status in OPEN:
        allowed |= {S.WITHDRAWN, S.CANCELLED}
    return frozenset(allowed)


def require_step(request: ConnectionRequest, target: Status) -> None:
    """Conflict, in the reader's language, unless `target` may follow the current status."""
    if target in next_steps(request):
        return
    if request.status in CLOSED:
        raise Conflict(_("This request is closed: no further step can be taken."))
    if target in {S.CONDITIONS_ISSUED, S.PRELIMINARY_CONDITIONS, S.REFUSED} and request.status in {
        S.RECEIVED,
        S.INFO_REQUESTED,
    }:
        raise Conflict(
            _("The application is not complete yet: mark it complete before deciding on it.")
        )
    raise Conflict(
        _(
            "This step cannot follow the current one (%(current)s).",
            current=status_label(request.status, request.jurisdiction),
        )
    )


def status_label(status: Status, jurisdiction: str = "PL") -> str:
    """The status in the reader's language; Finland's words for the offer and the contract."""
    if jurisdiction == "FI":
        if status is S.CONDITIONS_ISSUED:
            return _("Connection offer sent")
        if status is S.AGREEMENT_SIGNED:
            return _("Heat contract signed")
    labels = {
        S.RECEIVED: _("Received: completeness check"),
        S.INFO_REQUESTED: _("Information requested"),
        S.COMPLETE: _("Application complete"),
        S.CONDITIONS_ISSUED: _("Connection conditions issued"),
        S.PRELIMINARY_CONDITIONS: _("Preliminary connection conditions issued"),
        S.REFUSED: _("Connection refused"),
        S.AGREEMENT_OFFERED: _("Connection agreement offered"),
        S.AGREEMENT_SIGNED: _("Connection agreement signed"),
        S.WORKS: _("Connection works"),
        S.SUPPLY_STARTED: _("Supply started (protocol signed)"),
        S.CONNECTED: _("Connected"),
        S.WITHDRAWN: _("Withdrawn by the applicant"),
        S.CANCELLED: _("Cancelled"),
        S.EXPIRED: _("Conditions expired"),
    }
    return labels[status]
