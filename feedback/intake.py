"""Receiving a case, from any channel: register it, start its clock, acknowledge it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from feedback import messages
from feedback.deadlines import apply_rule, rules, set_deadline
from feedback.deadlines import track_for as initial_track
from feedback.models import Case, CaseStatus, Channel, EventKind
from feedback.references import reference, tracking_token
from feedback.transactions import add_event, audit_case, case_summary
from service.db import utcnow
from service.extensions import db
from service.i18n import current_language, to_local
from service.tracking import new_nonce


@dataclass(frozen=True)
class Receipt:
    """What the one who sent a case gets back at once (read before the commit expires the row)."""

    case_id: int
    reference: str
    token: str
    language: str


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
    )
    set_deadline(case, initial_track(case.type, channel))
    ack_rule = rules().acknowledgement
    if ack_rule is not None:
        case.acknowledgement_due_at = apply_rule(ack_rule, received)
    add_event(case, EventKind.RECEIVED, detail=channel.value, actor_id=recorded_by, at=now)
    acknowledged_by = messages.channels(case, both=True)
    if acknowledged_by:
        case.acknowledged_at = now
        add_event(case, EventKind.ACKNOWLEDGED, detail=", ".join(acknowledged_by), at=now)
    db.session.add(case)
    db.session.flush()  # the id makes the reference and the tracking link
    messages.acknowledge(case)
    audit_case("received", case, **case_summary(case))
    receipt = Receipt(case.id, reference(case), tracking_token(case), case.language)
    db.session.commit()
    return receipt
