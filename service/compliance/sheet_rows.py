"""A register's rows into an XlsxWriter constant-memory sheet, a batch at a time.

XlsxWriter in constant memory keeps one row in a table and writes it as `<row>` XML to the
sheet's temporary row file when the next row starts; each cell costs several Python calls
(argument conversion, dimension checks, type dispatch, escaping). For a register of a million
cells that was most of the export's time. `SheetRows` writes the same XML XlsxWriter writes
for these cell types (inline strings, numbers, datetimes as serial numbers with the datetime
format, booleans), a batch of rows in one string, into that same row file, and keeps the
sheet's dimensions as XlsxWriter would; the workbook then assembles the sheet as usual.
tests/service/compliance/test_sheet_rows.py checks that the sheet's XML is byte for byte what
XlsxWriter's own calls give, so an XlsxWriter upgrade that changes its internals fails there.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import operator
import re
import threading
import zipfile
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.utility import xl_col_to_name

from service.evidence import Column, FieldType

UTC_ZONES = (dt.UTC, zoneinfo.ZoneInfo("Etc/UTC"), zoneinfo.ZoneInfo("UTC"))  # PostgreSQL's

_EXCEL_EPOCH = dt.datetime(1899, 12, 31)  # noqa: DTZ001 (Excel has no zones)
_EXCEL_EPOCH_UTC = _EXCEL_EPOCH.replace(tzinfo=dt.UTC)
_STRING_MAX = 32767  # UTF-16 units in a cell
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")


def _truncate(text: str) -> str:
    """At most 32767 UTF-16 units, never splitting a character above U+FFFF."""
    length = 0
    for index, char in enumerate(text):
        length += 2 if ord(char) > 0xFFFF else 1
        if length > _STRING_MAX:
            return text[:index]
    return text


def _string_cell(value: Any) -> str:
    text = value if value.__class__ is str else str(value)
    if len(text) > _STRING_MAX // 2:
        text = _truncate(text)
    if _SPECIAL.search(text):
        # As Excel (and XlsxWriter): a literal "_xHHHH_" gets its underscore escaped, control
        # characters become _xHHHH_; then the XML escapes.
        text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda match: f"_x{ord(match[1]):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        preserve = text[:1].isspace() or text[-1:].isspace()
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    else:
        preserve = text[:1].isspace() or text[-1:].isspace()
    if preserve:
        return f'" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'" t="inlineStr"><is><t>{text}</t></is></c>'


def _number_cell(value: Any) -> str:
    number = float(value)
    if not math.isfinite(number):
        return '"/>'  # a blank cell: XlsxWriter refuses NaN and infinity (the CSV shows them)
    return f'"><v>{number:.16G}</v></c>'


def _boolean_cell(value: Any) -> str:
    return '" t="b"><v>1</v></c>' if value else '" t="b"><v>0</v></c>'


class _DatetimeCells:
    """A datetime column's cells: a serial number of days with the datetime format."""

    def __init__(self, style: Any) -> None:
        self._style = style
        self._prefix = ""

    def _start(self) -> str:
        if not self._prefix:  # the format's index is given on first use, as XlsxWriter does
            self._prefix = f'" s="{self._style._get_xf_index()}"><v>'
        return self._prefix

    def one(self, value: Any) -> str:
        if value is None:
            return ""  # no cell (dropped by SheetRows.write_columns)
        if not isinstance(value, dt.datetime):
            return _string_cell(value)
        # The same timedelta as from the naive UTC value (an aware one counts from the aware
        # epoch), without making the naive value first.
        delta = value - (_EXCEL_EPOCH if value.tzinfo is None else _EXCEL_EPOCH_UTC)
        serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86400
        if serial > 59:
            serial += 1  # Excel counts 29 February 1900
        elif 1 <= serial < 2:
            serial -= 1  # 1900-01-01 (UTC): Excel's time-only day
        return f"{self._start()}{serial:.16G}</v></c>"


_UTC_ZONE_SET = frozenset(UTC_ZONES)


def filled(values: Sequence[Any]) -> Sequence[Any]:
    """`values` with each None replaced by the first value that is not (so that one `map`
    takes them all; the caller blanks those rows again), or as they are: none or all None."""
    if None not in values:
        return values
    first = next((v for v in values if v is not None), None)
    if first is None:
        return values
    return list(map({None: first}.get, values, values))


def utc_kind(values: Sequence[Any]) -> str | None:
    """ "aware" when every value is a datetime in UTC, "naive" when every one is a naive
    datetime (taken as UTC), else None."""
    if not values or set(map(type, values)) != {dt.datetime}:
        return None
    zones = set(map(operator.attrgetter("tzinfo"), values))
    if zones == {None}:
        return "naive"
    return "aware" if zones <= _UTC_ZONE_SET else None


def _mostly_distinct(values: Sequence[Any]) -> bool:
    """A column whose values mostly differ (numbers, references): formatted with `map`; one
    that repeats a few (kinds, statuses) is quicker by lookups of its cells (_Remembered)."""
    return len(values) > 0 and len(set(values)) * 2 > len(values)


_EDGE_SPACE = re.compile(r"\A\s|\n\s|\s\n|\s\Z")
_INLINE = '" t="inlineStr"><is><t>{}</t></is></c>'


def _string_column(remembered: _Remembered) -> Callable[[Sequence[Any]], Iterable[str]]:
    def column(values: Sequence[Any]) -> Iterable[str]:
        """As `_string_cell` value by value; with `map` when no value needs escaping,
        trimming or xml:space (checked over the column joined by newlines, which only ever
        sends a column the slow way: a newline is neither special nor escaped)."""
        full = filled(values)
        if (
            _mostly_distinct(full)
            and set(map(type, full)) == {str}
            and max(map(len, full)) <= _STRING_MAX // 2
        ):
            joined = "\n".join(full)
            if not _SPECIAL.search(joined) and not _EDGE_SPACE.search(joined):
                return map(_INLINE.format, full)
        return map(remembered.__getitem__, values)

    return column


_SMALL = 10**15  # an int below this is exact as a float and .16G writes it as str() does


def _integer_column(remembered: _Remembered) -> Callable[[Sequence[Any]], Iterable[str]]:
    def column(values: Sequence[Any]) -> Iterable[str]:
        full = filled(values)
        if (
            _mostly_distinct(full)
            and set(map(type, full)) == {int}
            and min(full) > -_SMALL
            and max(full) < _SMALL
        ):
            return map('"><v>{}</v></c>'.format, full)
        return map(remembered.__getitem__, values)

    return column


class _Remembered(dict[Any, str]):
    """A column's cell XML by value, for the values a column repeats (kinds, statuses, counts):
    a lookup instead of escaping and formatting them again on every row. None (no cell) is
    looked up like any value; its XML is dropped afterwards (SheetRows.write_columns)."""

    def __init__(self, make: Callable[[Any], str], keep: Callable[[Any], bool]) -> None:
        super().__init__({None: ""})
        self._make = make
        self._keep = keep

    def __missing__(self, value: Any) -> str:
        xml = self._make(value)
        if len(self) < 4096 and self._keep(value):
            self[value] = xml
        return xml


def _short_text(value: Any) -> bool:
    return value.__class__ is str and len(value) <= 64


def _integer(value: Any) -> bool:
    return value.__class__ is int


def _always(value: Any) -> bool:
    return True


_EMPTY_ROW = re.compile(r'<row r="\d+"></row>')


class SheetRows:
    """Rows 1… of `sheet` (row 0, the header, written by XlsxWriter before).

    A batch is made a column at a time: each column's cells by `map` over its values (the cell
    reference, `<c r="B17`, joined to the value's XML), then each row's cells joined, so the
    Python work per cell is the value's own XML and nothing else (a value a column repeats is
    one dict lookup)."""

    def __init__(self, sheet: Any, columns: Sequence[Column], datetime_format: Any) -> None:
        if not sheet.constant_memory:
            raise ValueError("SheetRows writes constant-memory sheets only")
        self._sheet = sheet
        sheet._write_single_row(1)  # the header goes out as XlsxWriter writes it

        def cells(type_: FieldType) -> Callable[[Sequence[Any]], Iterable[str]]:
            """A column's cell XML, one per value (None: any, blanked afterwards)."""
            if type_ is FieldType.DATETIME:
                return functools.partial(map, _DatetimeCells(datetime_format).one)
            if type_ is FieldType.INTEGER:
                return _integer_column(_Remembered(_number_cell, _integer))
            if type_ is FieldType.NUMBER:
                return functools.partial(map, _Remembered(_number_cell, _integer).__getitem__)
            if type_ is FieldType.BOOLEAN:
                return functools.partial(map, _Remembered(_boolean_cell, _always).__getitem__)
            return _string_column(_Remembered(_string_cell, _short_text))

        self._cells = [cells(c.type) for c in columns]
        self._starts = [f'<c r="{xl_col_to_name(i)}' for i in range(len(columns))]
        self._last_row = 0

    def write(self, rows: Sequence[Sequence[object]], first_row: int) -> None:
        """Write `rows` as sheet rows first_row, first_row + 1, …"""
        self.write_columns(list(zip(*rows, strict=True)), len(rows), first_row)

    def write_columns(
        self, columns: Sequence[Sequence[object]], count: int, first_row: int
    ) -> None:
        """Write `count` rows given as their columns (columns[c][i] is row i's cell c) as sheet
        rows first_row, first_row + 1, …"""
        if not count:
            return
        numbers = list(map(str, range(first_row + 1, first_row + 1 + count)))  # XML counts from 1
        filled: list[list[str]] = []
        for values, cell, start in zip(columns, self._cells, self._starts, strict=False):
            blanks = values.count(None)
            if blanks == count:
                continue
            cells = list(map(str.__add__, map(start.__add__, numbers), cell(values)))
            if blanks:
                nones = map(operator.is_, values, itertools.repeat(None))
                for index in itertools.compress(range(count), nones):
                    cells[index] = ""
            filled.append(cells)
        if not filled:
            return
        opens = map('<row r="'.__add__, map(str.__add__, numbers, itertools.repeat('">')))
        text = "".join(map("".join, zip(opens, *filled, itertools.repeat("</row>"))))
        if '"></row>' in text:  # a row without a cell is no row (only an empty row has this)
            text = _EMPTY_ROW.sub("", text)
        self._sheet.fh.write(text)
        last = count - 1
        while not any(cells[last] for cells in filled):
            last -= 1
        self._last_row = max(self._last_row, first_row + last)

    def finish(self) -> None:
        """Leave the sheet as XlsxWriter would after writing the same cells (the header gave
        the columns' extent; the rows give the last row's)."""
        sheet = self._sheet
        if self._last_row:
            sheet.dim_rowmax = max(sheet.dim_rowmax or 0, self._last_row)
            sheet.previous_row = self._last_row
        else:
            sheet.previous_row = 1


_ZIP_LOCK = threading.Lock()


class QuickWorkbook(xlsxwriter.Workbook):  # type: ignore[misc]
    """An XlsxWriter workbook whose parts are deflated at level 1.

    XlsxWriter zips the parts at zlib's default level 6: for the ~70 MB of sheet XML of a large
    utility's year that took 2-3 s, against about 0.5 s at level 1 for a file a fifth bigger.
    XlsxWriter offers no option for it, so its module's ZipFile is swapped while it stores.
    """

    def _store_workbook(self) -> None:
        module = xlsxwriter.workbook
        with _ZIP_LOCK:
            original = module.ZipFile  # type: ignore[attr-defined]
            module.ZipFile = functools.partial(zipfile.ZipFile, compresslevel=1)  # type: ignore[attr-defined]
            try:
                super()._store_workbook()
            finally:
                module.ZipFile = original  # type: ignore[attr-defined]
