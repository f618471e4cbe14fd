"""One way to write JSON and ZIP entries, so the same inputs give the same bytes."""

from __future__ import annotations

import json
import zipfile
from typing import Any

ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # every entry's timestamp: the bytes do not depend on the clock


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces: what is hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def pretty_json(value: Any) -> bytes:
    """Sorted keys, indented, a final newline: what people read (and what is hashed as is)."""
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def zip_info(name: str) -> zipfile.ZipInfo:
    """A member with the fixed timestamp. A spreadsheet (itself a ZIP) is stored as it is; the
    rest is deflated at level 1: the CSVs of a large year are tens of megabytes, and the
    default level took seconds more for a few per cent of size."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    if name.endswith(".xlsx"):
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = 1  # type: ignore[attr-defined]  # compress_level from 3.13
    info.external_attr = 0o644 << 16
    return info
