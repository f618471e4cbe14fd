"""Emergency calls, the callback queue and the duty roster (weekly pattern and one-off changes).

A call is one row from the moment it rings (Twilio) or is typed in (staff): its lifecycle times
sit on the row, so every figure of the evidence is one aggregate over one table. A call that
came through Twilio carries its CallSid, unique, so Twilio's retries and the reconciliation job
never make a second row.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import enum_column, utcnow
from service.extensions import db


class CallChannel(enum.StrEnum):
    TWILIO = "twilio"  # a phone call through Twilio Voice, logged by itself
    PHONE = "phone"  # a phone call logged by hand
    SMS = "sms"  # a reply to a restoration SMS ("still no heat")
    WALK_IN = "walk_in"
    OTHER = "other"


STAFF_CHANNELS = (CallChannel.PHONE, CallChannel.WALK_IN, CallChannel.OTHER)


class Problem(enum.StrEnum):
    NO_HEATING = "no_heating"
    NO_HOT_WATER = "no_hot_water"
    LOW_TEMPERATURE = "low_temperature"  # low temperature or pressure
    LEAK = "leak"  # leak, steam or water in the street
    SUBSTATION_FAULT = "substation_fault"  # fault in the building's substation
    START_HEATING = "start_heating"
    STOP_HEATING = "stop_heating"
    SUPPLY_RETURN = "supply_return"  # asking when supply returns
    OTHER = "other"


HEATING_REQUESTS = frozenset({Problem.START_HEATING, Problem.STOP_HEATING})


class Scope(enum.StrEnum):
    BUILDING = "building"
    FLAT = "flat"


class CallerKind(enum.StrEnum):
    CONTRACT_CUSTOMER = "contract_customer"
    RESIDENT = "resident"  # pointed to the building manager; the call is still logged
    OTHER = "other"


class Priority(enum.StrEnum):
    """Ordered: the board sorts by this first."""

    DANGER = "danger"  # danger to people or property
    VULNERABLE = "vulnerable"  # a care home, hospital or similar site
    NORMAL = "normal"


PRIORITY_ORDER = {Priority.DANGER: 0, Priority.VULNERABLE: 1, Priority.NORMAL: 2}


class Outcome(enum.StrEnum):
    REPAIRED = "repaired"
    PART_OF_OUTAGE = "part_of_outage"
    BUILDING_INSTALLATION = "building_installation"  # the building's own installation
    NO_FAULT_FOUND = "no_fault_found"
    ADVICE_GIVEN = "advice_given"
    REQUEST_CARRIED_OUT = "request_carried_out"  # start or stop of heating
    OTHER = "other"


class CallStatus(enum.StrEnum):
    """The phone call's own state (Twilio's words), moving only forward."""

    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"  # the caller hung up before anyone answered


CALL_STATUS_RANK = {
    CallStatus.RINGING: 0,
    CallStatus.IN_PROGRESS: 1,
    CallStatus.COMPLETED: 2,
    CallStatus.BUSY: 2,
    CallStatus.NO_ANSWER: 2,
    CallStatus.FAILED: 2,
    CallStatus.CANCELED: 2,
}


class EmergencyCall(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "emergency_calls"
    __table_args__ = (
        sa.Index("ix_emergency_calls_open", "resolved_at", "priority", "received_at"),
        sa.Index("ix_emergency_calls_street", "postcode", "street_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(index=True)
    answered_at: Mapped[dt.datetime | None]
    channel: Mapped[CallChannel] = mapped_column(enum_column(CallChannel, "call_channel"))
    caller_name: Mapped[str | None] = mapped_column(sa.String(200))
    caller_phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)  # E.164
    postcode: Mapped[str | None] = mapped_column(sa.String(8))
    street: Mapped[str | None] = mapped_column(sa.String(200))
    street_key: Mapped[str | None] = mapped_column(sa.String(200))
    house_number: Mapped[str | None] = mapped_column(sa.String(20))
    node_id: Mapped[str | None] = mapped_column(sa.String(60))  # substation or network node
    problem: Mapped[Problem] = mapped_column(enum_column(Problem, "call_problem"))
    scope: Mapped[Scope] = mapped_column(enum_column(Scope, "call_scope"), default=Scope.BUILDING)
    caller_kind: Mapped[CallerKind] = mapped_column(
        enum_column(CallerKind, "caller_kind"), default=CallerKind.RESIDENT
    )
    language: Mapped[str] = mapped_column(sa.String(2))
    priority: Mapped[Priority] = mapped_column(
        enum_column(Priority, "call_priority"), default=Priority.NORMAL
    )
    description: Mapped[str | None] = mapped_column(sa.Text)
    logged_by: Mapped[str] = mapped_column(sa.String(200))
    logged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    back_entry_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # Lifecycle
    verified_at: Mapped[dt.datetime | None]
    dispatched_at: Mapped[dt.datetime | None]
    crew: Mapped[str | None] = mapped_column(sa.String(120))
    on_site_at: Mapped[dt.datetime | None]
    resolved_at: Mapped[dt.datetime | None]
    informed_at: Mapped[dt.datetime | None]  # the caller was told (e.g. when supply returns)
    informed_in_writing: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, "call_outcome"))
    outage_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outages.id", ondelete="SET NULL"), index=True
    )
    # Twilio Voice
    twilio_call_sid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    called_number: Mapped[str | None] = mapped_column(sa.String(20))  # the utility's number
    call_status: Mapped[CallStatus | None] = mapped_column(enum_column(CallStatus, "call_status"))
    answered_by: Mapped[str | None] = mapped_column(sa.String(200))  # who on duty, which number
    wait_seconds: Mapped[int | None]
    talk_seconds: Mapped[int | None]
    duty_covered: Mapped[bool] = mapped_column(default=True)  # a roster slot covered the moment
    reconciled: Mapped[bool] = mapped_column(default=False)  # filled in from Twilio's call list
    recording_sid: Mapped[str | None] = mapped_column(sa.String(64))
    recording_seconds: Mapped[int | None]
    recording_deleted_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    callback: Mapped[Callback | None] = relationship(back_populates="call", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    @property
    def missed(self) -> bool:
        return (
            self.channel is CallChannel.TWILIO
            and self.answered_at is None
            and (self.call_status is not None and CALL_STATUS_RANK[self.call_status] == 2)
        )


class Callback(db.Model):  # type: ignore[name-defined,misc]
    """A callback promised (a missed call, or one the dispatcher promised): due once, done once.

    Its due time is set when it is promised and never moves, so it keeps its place in the queue;
    `done_at` is set by one conditional UPDATE, so two dispatchers cannot both complete it, and
    the lead's alert is an outbox row with a unique key, so it is never sent twice.
    """

    __tablename__ = "emergency_callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        sa.ForeignKey("emergency_calls.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(sa.String(20))  # missed | promised
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    done_at: Mapped[dt.datetime | None]
    done_by: Mapped[str | None] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.String(500))

    call: Mapped[EmergencyCall] = relationship(back_populates="callback")


class DutySlot(db.Model):  # type: ignore[name-defined,misc]
    """The weekly pattern: on `weekday` (0 Monday) from `start_minute` to `end_minute` local time
    (minutes after midnight; a night shift is two slots, one each side of midnight)."""

    __tablename__ = "emergency_duty_slots"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        sa.CheckConstraint("start_minute >= 0 AND end_minute <= 1440", name="minutes"),
        sa.CheckConstraint("start_minute < end_minute", name="order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(sa.SmallInteger)
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str] = mapped_column(sa.String(20))
    backup_phone: Mapped[str | None] = mapped_column(sa.String(20))
    lead_phone: Mapped[str | None] = mapped_column(sa.String(20))


class DutyChange(db.Model):  # type: ignore[name-defined,misc]
    """A one-off change (a swap, sick leave, a holiday): wins over the weekly pattern."""

    __tablename__ = "emergency_duty_changes"
    __table_args__ = (sa.CheckConstraint("starts_at < ends_at", name="order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime]
    name: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str] = mapped_column(sa.String(20))
    backup_phone: Mapped[str | None] = mapped_column(sa.String(20))
    lead_phone: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.String(500))
