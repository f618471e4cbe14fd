"""Receiving a case, from any channel: register it, start its clock, acknowledge it.

One transaction, as few statements and round trips as it takes (intake is the busiest write:
bench/intake.py). The case is built as a plain object (its deadline and acknowledgement are
computed on it, never added to the session) and written with one INSERT returning its id; its
two timeline events, the acknowledgement's outbox rows (no "already queued?" look-up: no message
can name a case id that did not exist a moment ago) and the audit entry follow in one pipeline
with the COMMIT. Decisions 0017 and 0018.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from feedback import messages
from feedback.deadlines import apply_rule, rules, set_deadline
from feedback.deadlines import track_for as initial_track
from feedback.models import Case, CaseEvent, CaseStatus, Channel, EventKind
from feedback.references import reference, tracking_token
from feedback.transactions import audit_case, case_summary
from service.db import utcnow
from service.extensions import db
from service.i18n import current_language, to_local
from service.inserts import insert_returning_id, insert_rows, pipelined
from service.tracking import new_nonce

_CASE = Case.__table__
_EVENT = CaseEvent.__table__
# The case's columns as the ORM maps them (attribute key -> column key), for the Core INSERT.
_CASE_COLUMNS = tuple(
    (attr.key, attr.columns[0].key)
    for attr in sa.inspect(Case).column_attrs
    if attr.columns[0].table is _CASE and attr.key != "id"
)


@dataclass(frozen=True)
class Receipt:
    """What the one who sent a case gets back at once (read before the commit expires the row)."""

    case_id: int
    reference: str
    token: str
    language: str


def _row(case: Case) -> dict[str, Any]:
    """The INSERT's values: every column the case was given (defaults fill the others)."""
    given = case.__dict__
    return {column: given[key] for key, column in _CASE_COLUMNS if key in given}


def submit_case(
    data: Mapping[str, Any],
    *,
    channel: Channel = Channel.WEB,
    received_at: dt.datetime | None = None,
    recorded_by: int | None = None,
    open311_key_id: int | None = None,
) -> Receipt:
    """Register a case, compute its deadline, acknowledge it; one transaction."""
    now = utcnow()
    received = received_at or data.get("received_at") or now
    channel = data.get("channel") or channel
    case = Case(
        year=to_local(received).year,
        token_nonce=new_nonce(),
        type=data["type"],
        area=data["area"],
        channel=channel,
        status=CaseStatus.RECEIVED,
        description=data["description"],
        address=data.get("address"),
        customer_number=data.get("customer_number"),
        name=data.get("name"),
        email=data.get("email"),
        phone=data.get("phone"),
        postal_address=data.get("postal_address"),
        reply_channel=data["reply_channel"],
        language=data.get("language") or current_language(),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        received_at=received,
        recorded_at=now,
        recorded_by_id=recorded_by,
        open311_key_id=open311_key_id,
        is_spam=False,
        version=1,
        updated_at=now,
    )
    set_deadline(case, initial_track(case.type, channel))
    ack_rule = rules().acknowledgement
    if ack_rule is not None:
        case.acknowledgement_due_at = apply_rule(ack_rule, received)
    events = [
        {"kind": EventKind.RECEIVED, "detail": channel.value, "actor_id": recorded_by, "at": now}
    ]
    acknowledged_by = messages.channels(case, both=True)
    if acknowledged_by:
        case.acknowledged_at = now
        detail = ", ".join(acknowledged_by)
        events.append(
            {"kind": EventKind.ACKNOWLEDGED, "detail": detail, "actor_id": None, "at": now}
        )
    case.id = insert_returning_id(_CASE, _row(case))
    with pipelined(db.session, commit=True):
        insert_rows(_EVENT, [{"case_id": case.id, "text": None, **e} for e in events])
        messages.acknowledge(case, fresh=True)
        audit_case("received", case, **case_summary(case))
    return Receipt(case.id, reference(case), tracking_token(case), case.language)
