"""Who is on duty: a weekly pattern in local time, one-off changes winning over it, and the
FAIRHEAT_EMERGENCY_DUTY_NUMBER when nothing covers the moment.

Each process keeps a copy of the roster (refreshed at most every REFRESH seconds, and at once
when this process edits it). The incoming-call webhook reads the copy, so a call costs no roster
query, and when the database cannot be reached the copy still says whom to dial: the line never
goes silent because of us (decision record "emergency line").
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.emergency.models import DutyChange, DutySlot
from service import audit
from service.errors import NotFound, ValidationFailed
from service.extensions import db
from service.settings import current_settings

log = logging.getLogger(__name__)
REFRESH = 30.0  # seconds a process trusts its copy


@dataclass(frozen=True)
class Shift:
    name: str
    phone: str
    backup_phone: str | None
    lead_phone: str | None


@dataclass(frozen=True)
class WeeklySlot:
    weekday: int
    start_minute: int
    end_minute: int
    shift: Shift


@dataclass(frozen=True)
class OneOff:
    starts_at: dt.datetime
    ends_at: dt.datetime
    shift: Shift


@dataclass(frozen=True)
class Duty:
    """Whom to dial now; `covered` is False when only the fallback number is there."""

    shift: Shift | None
    covered: bool

    @property
    def numbers(self) -> list[str]:
        if self.shift is None:
            return []
        return [n for n in (self.shift.phone, self.shift.backup_phone) if n]


@dataclass(frozen=True)
class Roster:
    slots: tuple[WeeklySlot, ...]
    changes: tuple[OneOff, ...]

    def duty_at(self, moment: dt.datetime, timezone: str, fallback: str) -> Duty:
        for change in self.changes:
            if change.starts_at <= moment < change.ends_at:
                return Duty(change.shift, True)
        local = moment.astimezone(zoneinfo.ZoneInfo(timezone))
        minute = local.hour * 60 + local.minute
        for slot in self.slots:
            if slot.weekday == local.weekday() and slot.start_minute <= minute < slot.end_minute:
                return Duty(slot.shift, True)
        if fallback:
            return Duty(Shift("", fallback, None, None), False)
        return Duty(None, False)


def _shift(row: Any) -> Shift:
    return Shift(row.name, row.phone, row.backup_phone, row.lead_phone)


def load_roster(horizon: dt.timedelta = dt.timedelta(days=14)) -> Roster:
    """The weekly pattern and the one-off changes not yet over (and up to `horizon` ahead).

    Read on a connection of its own, so the caller's transaction is left as it is."""
    now = dt.datetime.now(dt.UTC)
    slot_table, change_table = DutySlot.__table__, DutyChange.__table__
    with db.engine.connect() as connection:
        slots = connection.execute(
            sa.select(slot_table).order_by(
                slot_table.c.weekday, slot_table.c.start_minute, slot_table.c.id
            )
        ).all()
        changes = connection.execute(
            sa.select(change_table)
            .where(change_table.c.ends_at > now - horizon, change_table.c.starts_at < now + horizon)
            .order_by(change_table.c.starts_at.desc(), change_table.c.id.desc())
        ).all()
    return Roster(
        tuple(WeeklySlot(s.weekday, s.start_minute, s.end_minute, _shift(s)) for s in slots),
        tuple(OneOff(c.starts_at, c.ends_at, _shift(c)) for c in changes),
    )


class RosterCopy:
    """The per-process copy (one per database URL)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._copies: dict[str, tuple[float, Roster]] = {}

    def get(self, key: str) -> Roster:
        """The roster, read again when the copy is older than REFRESH; the old copy (or an
        empty roster) when the database cannot be reached."""
        with self._lock:
            found = self._copies.get(key)
        if found is not None and time.monotonic() - found[0] < REFRESH:
            return found[1]
        try:
            roster = load_roster()
        except sa.exc.SQLAlchemyError:
            log.exception("duty roster unreadable; using this process's copy")
            return found[1] if found is not None else Roster((), ())
        with self._lock:
            self._copies[key] = (time.monotonic(), roster)
        return roster

    def forget(self) -> None:
        with self._lock:
            self._copies.clear()


COPY = RosterCopy()


def duty_now(moment: dt.datetime | None = None) -> Duty:
    settings = current_settings()
    moment = moment or dt.datetime.now(dt.UTC)
    roster = COPY.get(settings.database_url)
    return roster.duty_at(moment, settings.timezone, settings.emergency.duty_number)


# --- the admin page's writes --------------------------------------------------------------


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def add_slot(data: Mapping[str, Any]) -> DutySlot:
    start, end = _minutes(data["start"]), _minutes(data["end"]) or 1440  # 00:00 as an end: midnight
    if end <= start:
        raise ValidationFailed(
            {"end": [_("The end must be after the start (a night shift is two slots).")]}
        )
    slot = DutySlot(
        weekday=data["weekday"],
        start_minute=start,
        end_minute=end,
        name=data["name"],
        phone=data["phone"],
        backup_phone=data.get("backup_phone"),
        lead_phone=data.get("lead_phone"),
    )
    db.session.add(slot)
    db.session.flush()
    audit.record("duty_slot.added", "duty_slot", slot.id, after=_row(slot, DutySlot))
    db.session.commit()
    COPY.forget()
    return slot


def add_change(data: Mapping[str, Any]) -> DutyChange:
    change = DutyChange(
        **{
            k: data.get(k)
            for k in ("starts_at", "ends_at", "name", "phone", "backup_phone", "lead_phone", "note")
        }
    )
    db.session.add(change)
    db.session.flush()
    audit.record("duty_change.added", "duty_change", change.id, after=_row(change, DutyChange))
    db.session.commit()
    COPY.forget()
    return change


def remove(kind: str, row_id: int) -> None:
    model = DutySlot if kind == "slot" else DutyChange
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound()
    audit.record(f"duty_{kind}.removed", f"duty_{kind}", row_id, before=_row(row, model))
    db.session.delete(row)
    db.session.commit()
    COPY.forget()


def _row(row: Any, model: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in sa.inspect(model).column_attrs}


def slots_and_changes() -> tuple[list[DutySlot], list[DutyChange]]:
    now = dt.datetime.now(dt.UTC)
    slots = list(
        db.session.scalars(sa.select(DutySlot).order_by(DutySlot.weekday, DutySlot.start_minute))
    )
    changes = list(
        db.session.scalars(
            sa.select(DutyChange).where(DutyChange.ends_at > now).order_by(DutyChange.starts_at)
        )
    )
    return slots, changes


def uncovered_hours(
    start: dt.datetime, end: dt.datetime, roster: Roster | None = None
) -> list[dt.datetime]:
    """The hours in [start, end) (UTC, whole hours) with nobody on the roster at their start and
    middle: the roster is a handful of rows, so this walks hours, never calls."""
    settings = current_settings()
    roster = roster or _roster_for(start, end)
    hour = start.replace(minute=0, second=0, microsecond=0)
    found = []
    while hour < end:
        probes: Iterable[dt.datetime] = (hour, hour + dt.timedelta(minutes=30))
        if any(not roster.duty_at(p, settings.timezone, "").covered for p in probes):
            found.append(hour)
        hour += dt.timedelta(hours=1)
    return found


def _roster_for(start: dt.datetime, end: dt.datetime) -> Roster:
    slots = db.session.scalars(sa.select(DutySlot)).all()
    changes = db.session.scalars(
        sa.select(DutyChange).where(DutyChange.ends_at > start, DutyChange.starts_at < end)
    ).all()
    return Roster(
        tuple(WeeklySlot(s.weekday, s.start_minute, s.end_minute, _shift(s)) for s in slots),
        tuple(OneOff(c.starts_at, c.ends_at, _shift(c)) for c in changes),
    )
