"""Atom per language, iCalendar of planned interruptions, CAP 1.2 per outage."""

from __future__ import annotations

from typing import Any


def atom_feed(updates: list[Any], lang: str) -> bytes:
    raise NotImplementedError


def icalendar_feed(outages: list[Any]) -> bytes:
    raise NotImplementedError


def cap_alert(outage: Any) -> bytes:
    raise NotImplementedError
