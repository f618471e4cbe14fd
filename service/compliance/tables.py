"""Registers out to CSV and to data.xlsx in one streamed pass, and their data package entry.

CSV: UTF-8, comma, "\\n" line ends, a header of the column names; values as Frictionless Table
Schema reads them by default (datetime `YYYY-MM-DDThh:mm:ssZ` in UTC, booleans `true`/`false`,
an empty cell for no value). The same rows give the same bytes. XLSX: XlsxWriter in constant
memory (rows go to disk as they are written), a sheet per register.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.evidence import Column, FieldType, Register

XLSX_MAX_ROWS = 1_048_575  # a sheet's rows, less the header


def cell_text(value: object, type_: FieldType) -> str:
    """One value as the CSV writes it."""
    if value is None:
        return ""
    if type_ is FieldType.DATETIME and isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if type_ is FieldType.DATE and isinstance(value, dt.date):
        return value.isoformat()
    if type_ is FieldType.BOOLEAN:
        return "true" if value else "false"
    if type_ is FieldType.NUMBER:
        text = f"{float(value):.4f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]
        return "0" if text in {"-0", ""} else text
    if type_ is FieldType.INTEGER:
        return str(int(value))  # type: ignore[call-overload]
    return str(value)


def _cell_writers(sheet: Any, columns: Sequence[Column], formats: dict[str, Any]) -> list[Any]:
    """One typed XlsxWriter call per column (no per-cell type sniffing, and text is never
    turned into a formula or a link)."""

    def datetime_cell(row: int, col: int, value: Any) -> None:
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        sheet.write_datetime(
            row, col, aware.astimezone(dt.UTC).replace(tzinfo=None), formats["datetime"]
        )

    def number_cell(row: int, col: int, value: Any) -> None:
        sheet.write_number(row, col, float(value))

    def boolean_cell(row: int, col: int, value: Any) -> None:
        sheet.write_boolean(row, col, bool(value))

    def string_cell(row: int, col: int, value: Any) -> None:
        sheet.write_string(row, col, str(value))

    by_type = {
        FieldType.DATETIME: datetime_cell,
        FieldType.NUMBER: number_cell,
        FieldType.INTEGER: number_cell,
        FieldType.BOOLEAN: boolean_cell,
    }
    return [by_type.get(column.type, string_cell) for column in columns]


@dataclass(frozen=True)
class WrittenTable:
    name: str
    title: str
    path: str  # inside the bundle: "registers/<name>.csv"
    columns: tuple[Column, ...]
    rows: int
    bytes: int
    sha256: str


class _HashingFile(io.RawIOBase):
    def __init__(self, path: Path) -> None:
        self._file = path.open("wb")
        self.hash = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self._file.write(data)

    def close(self) -> None:
        self._file.close()
        super().close()


def write_register(
    register: Register,
    folder: Path,
    workbook: Any,
    *,
    with_personal_data: bool,
    watchers: Sequence[Any] = (),
    formats: dict[str, Any],
) -> WrittenTable:
    """Stream `register` into `folder/<name>.csv` and a sheet of `workbook`."""
    keep = [
        index
        for index, column in enumerate(register.columns)
        if with_personal_data or not column.personal
    ]
    columns = tuple(register.columns[i] for i in keep)
    raw = _HashingFile(folder / f"{register.name}.csv")
    text = io.TextIOWrapper(io.BufferedWriter(raw, 1 << 16), encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    sheet = workbook.add_worksheet(register.name[:31])
    sheet.write_row(0, 0, [c.name for c in columns], formats["header"])
    writers = _cell_writers(sheet, columns, formats)
    count = 0
    for row in register.rows():
        for watcher in watchers:
            watcher.see(row)
        values = [row[i] for i in keep]
        writer.writerow([cell_text(v, c.type) for v, c in zip(values, columns, strict=True)])
        count += 1
        if count <= XLSX_MAX_ROWS:
            for col, value in enumerate(values):
                if value is not None:
                    writers[col](count, col, value)
    text.close()
    return WrittenTable(
        register.name,
        register.title,
        f"registers/{register.name}.csv",
        columns,
        count,
        raw.size,
        raw.hash.hexdigest(),
    )


def resource(table: WrittenTable) -> dict[str, Any]:
    """The table's entry in datapackage.json (Frictionless tabular data resource)."""
    return {
        "name": table.name,
        "title": table.title,
        "path": table.path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": table.bytes,
        "hash": f"sha256:{table.sha256}",
        "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": True},
        "schema": {
            "fields": [
                {"name": c.name, "type": c.type.value, "description": c.description}
                for c in table.columns
            ],
            "missingValues": [""],
        },
    }


ProgressFn = Callable[[str, int], None]
