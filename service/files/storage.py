"""The file storage contract: what every backend does, what it returns and what it refuses.

A backend streams: `save` reads the stream in chunks, hashing and counting as it writes, and
`open` hands back a file to read in chunks, so a file is never held in memory whole. A saved
file is complete or absent: it is written aside and appears under its key in one step; a file
refused on the way (too large, not an allowed type) or a failed write leaves nothing behind.

The storage keeps bytes only. The caller keeps the StoredFile that `save` returns (key, size,
SHA-256, content type) in its own row, in its own transaction; a file whose row was rolled back
is an orphan to delete, never a row without a file.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from flask_babel import format_decimal
from flask_babel import gettext as _

from service.errors import NotFound, ValidationFailed
from service.files.content_types import KNOWN_TYPES

MB = 1024 * 1024  # limits are given, and shown, in megabytes of 2**20 bytes, as file dialogs count


@dataclass(frozen=True)
class StoredFile:
    key: str  # made by the storage (service/files/keys.py); what open and delete take
    size: int  # bytes
    sha256: str  # hex digest of the bytes as stored, computed while they were written
    content_type: str  # from the leading bytes (service/files/content_types.py)


class FileStorage(Protocol):
    def save(
        self, stream: BinaryIO, *, max_bytes: int, allowed_types: Collection[str]
    ) -> StoredFile:
        """Store what `stream` holds, read from its current position to its end, under a new key.

        FileTypeNotAllowed when its leading bytes are none of `allowed_types` (content types
        from KNOWN_TYPES); FileTooLarge as soon as more than `max_bytes` arrive. Either way,
        and on any other failure, nothing is stored.
        """
        ...

    def open(self, key: str) -> BinaryIO:
        """The stored file, to read (and close: use it in a `with`). StoredFileMissing when
        nothing is stored under `key`; InvalidFileKey for a key this storage never makes."""
        ...

    def delete(self, key: str) -> None:
        """Remove the file; nothing to do when it is gone already. InvalidFileKey as `open`."""
        ...

    def exists(self, key: str) -> bool:
        """Whether a file is stored under `key`. InvalidFileKey as `open`."""
        ...


class FileTooLarge(ValidationFailed):
    """More than the limit arrived; the limit is named in megabytes, in the reader's language."""

    def __init__(self, max_bytes: int, field: str = "file") -> None:
        self.max_bytes = max_bytes
        limit = format_decimal(max_bytes / MB, format="#,##0.#")
        super().__init__({field: [_("The file is too large: at most %(limit)s MB.", limit=limit)]})


class FileTypeNotAllowed(ValidationFailed):
    """The leading bytes are not those of an allowed type (whatever the name or header said)."""

    def __init__(self, allowed: Collection[str], field: str = "file") -> None:
        self.allowed = tuple(allowed)
        names = ", ".join(sorted(KNOWN_TYPES[t] for t in self.allowed))
        super().__init__(
            {
                field: [
                    _("This kind of file is not accepted. Accepted types: %(types)s.", types=names)
                ]
            }
        )


class StoredFileMissing(NotFound):
    """Nothing is stored under the key."""


class InvalidFileKey(NotFound):
    """A key the storage never makes (e.g. "../x" or "/etc/passwd"): refused, nothing touched.

    A NotFound, so a key that came from outside answers 404 like any file that is not there."""

    def __init__(self, key: object) -> None:
        super().__init__()
        self.key = key

    def __str__(self) -> str:
        return f"not a storage key: {self.key!r}"
