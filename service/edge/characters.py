"""Characters no person types on purpose: refused in what a request brings, stripped from what
Twilio signed (review D4, D18).

Refused: the C0 controls except TAB, LF and CR (NUL among them, which PostgreSQL cannot store in
text), DEL, the C1 controls, and the bidirectional embeddings, overrides and isolates
(U+202A–U+202E, U+2066–U+2069), which make text read differently from what it is (a file name or
an address shown back to staff in reverse). Tabs and line breaks in free text are kept. The
implicit marks (U+200E, U+200F, U+061C) stay: they change no order and real keyboards type them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def has_forbidden(text: str) -> bool:
    return FORBIDDEN.search(text) is not None


def strip_forbidden(text: str) -> str:
    return FORBIDDEN.sub("", text)


def forbidden_fields(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """The names, in order and once each, of the fields whose name or value has one."""
    found: list[str] = []
    for name, value in pairs:
        if has_forbidden(name) or has_forbidden(value):
            label = strip_forbidden(name) or "_schema"
            if label not in found:
                found.append(label)
    return found


def json_strings(document: Any, max_depth: int) -> Iterator[tuple[str, str]]:
    """Every (dotted path, string) in a parsed JSON document, keys as well as values, walked
    without recursion; DepthExceeded when it nests deeper than `max_depth`."""
    stack: list[tuple[str, Any, int]] = [("", document, 0)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, str):
            yield path or "_schema", value
        elif isinstance(value, dict | list):
            if depth >= max_depth:
                raise DepthExceeded(path)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str):
                    yield name, key
                stack.append((name, item, depth + 1))


class DepthExceeded(ValueError):
    """A JSON document nested deeper than the edge allows."""
