"""Storage keys: made by the storage, random, sharded, and checked before any use.

A key is "ab/cd/abcd…" (two levels of 256 directories, then 32 hex digits: 128 random bits),
so no directory holds more than a few files per thousand stored, and a key says nothing about
the file or the person who sent it. A key that does not have exactly this form, such as one
with "../" or a leading "/", is refused before the file system is asked anything.
"""

from __future__ import annotations

import re
import secrets

from service.files.storage import InvalidFileKey

_KEY = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{28})")


def new_key() -> str:
    name = secrets.token_hex(16)
    return f"{name[:2]}/{name[2:4]}/{name}"


def checked_key(key: str) -> str:
    """`key` if the storage could have made it; InvalidFileKey otherwise."""
    if not isinstance(key, str) or _KEY.fullmatch(key) is None:
        raise InvalidFileKey(key)
    return key
