"""The local backend: files in a directory (FAIRHEAT_FILES_DIR), one per key.

`save` reads the stream a chunk at a time into a temporary file next to its final place (same
directory, so the same file system), hashing and counting as it goes, then fsyncs it and renames
it to its key: a reader sees the whole file or none, and a crash leaves at most a ".partial-…"
file, never a short file under a key. A refused or failed save removes its partial file (the
shard directories stay: another save may be writing into them). The directory is fsynced
after the rename, so a saved file survives a power cut once `save` has returned.

With several web hosts the directory must be shared storage (NFS and the like) or the backend
an object store; see service/files/backends.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import BinaryIO

from service.files.content_types import HEAD_BYTES, KNOWN_TYPES, detect_content_type
from service.files.keys import checked_key, new_key
from service.files.storage import FileTooLarge, FileTypeNotAllowed, StoredFile, StoredFileMissing

CHUNK_BYTES = 256 * 1024
_PARTIAL_PREFIX = ".partial-"


class LocalFileStorage:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

    def save(
        self, stream: BinaryIO, *, max_bytes: int, allowed_types: Collection[str]
    ) -> StoredFile:
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        unknown = set(allowed_types) - KNOWN_TYPES.keys()
        if unknown or not allowed_types:
            raise ValueError(f"allowed_types must be some of {sorted(KNOWN_TYPES)}: {unknown}")

        head = _read_head(stream, HEAD_BYTES)
        content_type = detect_content_type(head)
        if content_type is None or content_type not in allowed_types:
            raise FileTypeNotAllowed(allowed_types)
        if len(head) > max_bytes:
            raise FileTooLarge(max_bytes)

        key = new_key()
        final = self.root / key
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=final.parent, prefix=_PARTIAL_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                digest, size = hashlib.sha256(head), len(head)
                out.write(head)
                while chunk := stream.read(min(CHUNK_BYTES, max_bytes - size + 1)):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            raise
        _fsync_directory(final.parent)
        return StoredFile(key=key, size=size, sha256=digest.hexdigest(), content_type=content_type)

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise StoredFileMissing() from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def _read_head(stream: BinaryIO, wanted: int) -> bytes:
    """The first `wanted` bytes (fewer only at the end): a stream may return short reads."""
    head = b""
    while len(head) < wanted:
        more = stream.read(wanted - len(head))
        if not more:
            break
        head += more
    return head


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
