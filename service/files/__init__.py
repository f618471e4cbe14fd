"""File storage for uploaded documents and generated bundles.

Other packages call `file_storage()` for the app's storage and use its four methods (`save`,
`open`, `delete`, `exists`, the `FileStorage` protocol); they keep the `StoredFile` that `save`
returns (key, size, SHA-256, content type) in their own rows. The backend is chosen by
FAIRHEAT_FILES_BACKEND (only `local` so far: a directory, FAIRHEAT_FILES_DIR).
"""

from service.files.backends import file_storage
from service.files.content_types import KNOWN_TYPES
from service.files.storage import (
    MB,
    FileStorage,
    FileTooLarge,
    FileTypeNotAllowed,
    InvalidFileKey,
    StoredFile,
    StoredFileMissing,
)

__all__ = [
    "KNOWN_TYPES",
    "MB",
    "FileStorage",
    "FileTooLarge",
    "FileTypeNotAllowed",
    "InvalidFileKey",
    "StoredFile",
    "StoredFileMissing",
    "file_storage",
]
