"""JSON API /api/v1/customers: list and search the register, bulk upsert (Bearer token)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the API blueprint."""
