"""Receiving a case, from any channel: register it, start its clock, acknowledge it.

One transaction, as few statements as it takes (intake is the busiest write: bench/intake.py).
The case is built as a plain object (its deadline and acknowledgement are computed on it, never
added to the session) and written with one Core INSERT returning its id; its two timeline events
with one more. The acknowledgement's outbox rows skip their "already queued?" look-up (no message
can name a case id that did not exist a moment ago), and the audit entry is written by the
commit's flush together with them. Decision 0017.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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
from service.tracking import new_nonce

_CASE = Case.__table__
_EVENT = CaseEvent.__table__
_INSERT_CASE = sa.insert(_CASE).returning(_CASE.c.id)
_INSERT_EVENTS = sa.insert(_EVENT).inline()
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
    session = db.session
    case.id = session.execute(_INSERT_CASE, _row(case)).scalar_one()
    with _pipelined(session):
        session.execute(_INSERT_EVENTS, [{"case_id": case.id, "text": None, **e} for e in events])
        messages.acknowledge(case, fresh=True)
        audit_case("received", case, **case_summary(case))
    receipt = Receipt(case.id, reference(case), tracking_token(case), case.language)
    session.commit()
    return receipt


@contextmanager
def _pipelined(session: Any) -> Iterator[None]:
    """On PostgreSQL (psycopg), the INSERTs inside go out together and their results come back
    together at the end of the block: one round trip instead of one each. A failed one raises
    there. Only for Core statements whose results nobody reads (no RETURNING, no row count): the
    ORM's own flush reads both, so whatever the caller left pending is flushed before the
    pipeline starts, and the block adds no ORM objects. Elsewhere the block is a no-op."""
    session.flush()
    dialect = session.get_bind().dialect
    driver = session.connection().connection.driver_connection
    if dialect.driver != "psycopg" or not hasattr(driver, "pipeline"):
        yield
        return
    try:
        with driver.pipeline():
            yield
    except dialect.loaded_dbapi.Error as error:
        # Raised by the pipeline's sync, outside SQLAlchemy: wrapped as SQLAlchemy wraps the
        # driver's errors everywhere else (an IntegrityError stays an IntegrityError).
        raise sa.exc.DBAPIError.instance(
            None, None, error, dialect.loaded_dbapi.Error, dialect=dialect
        ) from error
