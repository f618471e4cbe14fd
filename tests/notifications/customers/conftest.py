"""Fixtures for the contract-customer tests: CSV files and a register to fan out to."""

from __future__ import annotations

from collections.abc import Iterable

from notifications.customers import import_customers
from notifications.customers.importer import ImportSummary

HEADER = (
    "customer_number;name;postcode;street;house_number;email;phone;language;role;priority;dwellings"
)


def csv_bytes(rows: Iterable[str], header: str = HEADER, bom: bool = False) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def load(rows: Iterable[str], **options: bool) -> ImportSummary:
    return import_customers(csv_bytes(rows), **options)
