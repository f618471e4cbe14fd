"""`fairheat customers import FILE.csv`: the customer system's export into the register.

The file: UTF-8 with or without a byte-order mark, comma- or semicolon-separated (Excel in
Finland and Poland writes semicolons), a header row naming the columns (rows.COLUMNS; the
first five are required, in any order). Several rows with one customer number give that
delivery point several contacts; they must agree on the point's own columns.

All rows are read and checked first; the good ones are then written in ONE transaction
(register.upsert_points), so a crash or a refusal leaves the register as it was and running
the import again is the way to resume (docs/decisions/0009-contract-customers.md).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from notifications.customers.register import Entry, UpsertCounts, upsert_points
from notifications.customers.rows import REQUIRED_COLUMNS, RowRejected, check_row
from service.extensions import db


class ImportRefused(Exception):
    """The whole file cannot be read (encoding, header): nothing was imported."""


@dataclass
class ImportSummary:
    counts: UpsertCounts
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.counts.added,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "removed": self.counts.removed,
            "rejected": [{"line": line, "reason": reason} for line, reason in self.rejected],
        }


def decode(data: bytes) -> str:
    """The file's text; ImportRefused naming the line of the first byte that is not UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRefused(
            _(
                "The file is not UTF-8 (line %(line)d). Save it as “CSV UTF-8” and import again.",
                line=line,
            )
        ) from None


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def read_records(text: str) -> Iterable[tuple[int, dict[str, str | None]]]:
    """(line number, record) for each data row; ImportRefused when required columns are missing."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = next(reader, None)
    names = [name.strip().lower() for name in header or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        raise ImportRefused(_("The file has no column %(columns)s.", columns=", ".join(missing)))
    for values in reader:
        if not any(value.strip() for value in values):
            continue  # an empty line, as spreadsheets leave at the end
        record: dict[str, str | None] = dict.fromkeys(names)
        record.update(zip(names, values, strict=False))
        yield reader.line_num, record


def check_records(
    records: Iterable[tuple[int, dict[str, str | None]]],
) -> tuple[list[Entry], list[tuple[int, str]]]:
    """The delivery points to write and the rows refused, each with its line and reason."""
    entries: dict[str, Entry] = {}
    rejected: list[tuple[int, str]] = []
    for line, record in records:
        try:
            point, contact = check_row(record)
        except RowRejected as refusal:
            rejected.append((line, refusal.reason))
            continue
        entry = entries.get(point.customer_number)
        if entry is None:
            entries[point.customer_number] = Entry(line, point, [contact] if contact else [])
            continue
        if entry.point != point:
            rejected.append(
                (
                    line,
                    _(
                        "Customer number %(number)s is already on line %(line)d with other "
                        "details.",
                        number=point.customer_number,
                        line=entry.line,
                    ),
                )
            )
        elif contact is None or any(c.contact_key == contact.contact_key for c in entry.contacts):
            rejected.append(
                (
                    line,
                    _(
                        "Customer number %(number)s repeats line %(line)d.",
                        number=point.customer_number,
                        line=entry.line,
                    ),
                )
            )
        else:
            entry.contacts.append(contact)
    return list(entries.values()), rejected


def import_customers(
    data: bytes, *, prune: bool = False, progress: Callable[[int], None] | None = None
) -> ImportSummary:
    """Import one file's bytes; commits once (all good rows) or raises ImportRefused (nothing).

    `--prune` is refused when any row was rejected: a row that could not be read would
    otherwise remove its delivery point.
    """
    text = decode(data)
    entries, rejected = check_records(read_records(text))
    if prune and rejected:
        raise ImportRefused(
            ngettext(
                "Nothing was imported or removed: with --prune every row must be readable, "
                "and %(num)d row was not.",
                "Nothing was imported or removed: with --prune every row must be readable, "
                "and %(num)d rows were not.",
                len(rejected),
            )
            + "\n"
            + "\n".join(f"{line}: {reason}" for line, reason in rejected[:50])
        )
    counts = upsert_points(entries, prune=prune, progress=progress)
    db.session.commit()
    return ImportSummary(counts, rejected)
