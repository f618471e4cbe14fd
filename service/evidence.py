"""The typed contract through which the compliance export reads every domain's evidence.

A domain's `evidence.py` offers an EvidenceProvider: for any Period (local dates from..to, as
the utility's calendar has them) it answers a list of Figures, each aggregated in the database
(the SMS register alone is a million rows a year at a large utility: no Python loop over rows)
and each naming the rule and source it is measured against, so an auditor reads "93 % of
planned interruptions announced 7 days ahead (§ 25 systemowe)" rather than a bare number.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    """A period that is not one of the accepted forms, or that ends before it starts."""


@dataclass(frozen=True)
class Period:
    """Local calendar days `first`..`last`, both included."""

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError(f"{self.last} is before {self.first}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026', '2026-Q3', '2026-10' or '2026-01-01..2026-06-30'."""
        text = text.strip()
        try:
            if m := _YEAR.match(text):
                return cls.year(int(m[1]))
            if m := _QUARTER.match(text):
                year, quarter = int(m[1]), int(m[2])
                first = dt.date(year, 3 * quarter - 2, 1)
                return cls(first, _month_end(year, 3 * quarter))
            if m := _MONTH.match(text):
                year, month = int(m[1]), int(m[2])
                return cls(dt.date(year, month, 1), _month_end(year, month))
            if m := _RANGE.match(text):
                return cls(dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2]))
        except ValueError as error:  # month 13, 2026-02-30
            raise PeriodError(f"{text!r}: {error}") from None
        raise PeriodError(
            f"{text!r} is not a period: give 2026, 2026-Q3, 2026-10 or 2026-01-01..2026-06-30"
        )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def utc_bounds(self, timezone: str) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC: local midnight of the first day to local midnight after the last,
        so a period follows the utility's clock through daylight-saving changes."""
        zone = zoneinfo.ZoneInfo(timezone)
        start = dt.datetime.combine(self.first, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def __str__(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


class Unit(enum.StrEnum):
    COUNT = "count"
    SHARE = "share"  # a fraction 0..1; shown as a percentage
    HOURS = "hours"
    SCORE = "score"  # satisfaction, 1..5


@dataclass(frozen=True)
class Figure:
    """One measured figure of a period.

    `id` is stable across releases ("complaints_answered_in_time_share"): the export's CSV and
    the auditor's spreadsheet key on it. `value` is None when there is nothing to measure
    (no complaints in the period), which a report shows as "no data", never as 0 % or 100 %.
    `rule` and `source` say what the figure is measured against and where that rule comes
    from (REGULATION.md); `target` is the value the rule asks for, where it asks for one.
    """

    id: str
    value: float | int | None
    unit: Unit
    label: str
    rule: str | None = None
    source: str | None = None
    target: float | None = None


class FieldType(enum.StrEnum):
    """A register column's type, as Frictionless Table Schema names it."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"  # aware, UTC; written ISO 8601 with "Z"


@dataclass(frozen=True)
class Column:
    """One column of a register. `personal` marks names, phone numbers, e-mail addresses and
    free text: the export leaves those columns out unless asked for personal data."""

    name: str  # stable, snake_case: the CSV header
    type: FieldType
    description: str = ""
    personal: bool = False


@dataclass(frozen=True)
class Register:
    """One register of a period, exported as `<name>.csv` and a sheet of data.xlsx.

    `rows()` streams tuples in column order (use yield_per / server-side cursors: a register can
    be a million rows), in a stable order (by id), so the same data gives byte-identical files.
    """

    name: str  # stable file stem: "emergency_calls"
    title: str  # localized, for the report and the sheet
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[Sequence[object]]]


def plain(column: Any) -> Any:
    """`column` for a register's rows as the database holds it: an enum as its stored text, a
    UTC datetime without the ORM type's per-value conversion (the export writes an aware or a
    naive UTC datetime alike). A register of tens of thousands of rows spent most of its
    reading time in those per-value conversions."""
    from service.db import UTCDateTime

    if isinstance(column.type, sa.Enum):
        return sa.type_coerce(column, sa.String).label(column.key)
    if isinstance(column.type, UTCDateTime):
        return sa.type_coerce(column, sa.DateTime(timezone=True)).label(column.key)
    return column


class EvidenceProvider(Protocol):
    """What a domain's evidence.py offers the compliance export."""

    def figures(self, period: Period) -> Sequence[Figure]:
        """The domain's figures for `period`, inside an app context, in the current locale."""
        ...

    def registers(self, period: Period) -> Sequence[Register]:
        """The domain's registers for `period` (rows streamed when the export writes them)."""
        ...
