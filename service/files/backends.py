"""Which FileStorage the app uses: FAIRHEAT_FILES_BACKEND, made once per app.

Only `local` exists (a directory, FAIRHEAT_FILES_DIR, by default instance/files). An object
store (S3-compatible) would be another class with the same four methods, chosen here by the
same setting; callers, which hold keys and never paths, would not change.
"""

from __future__ import annotations

import threading

from flask import current_app

from config import Settings
from service.files.local import LocalFileStorage
from service.files.storage import FileStorage
from service.settings import current_settings

_EXTENSION = "fairheat.file_storage"
_lock = threading.Lock()


def storage_from_settings(settings: Settings) -> FileStorage:
    if settings.files_backend == "local":
        return LocalFileStorage(settings.files_dir)
    raise ValueError(f"unknown files backend {settings.files_backend!r}")  # config/ refuses it


def file_storage() -> FileStorage:
    """The storage of the app in the current context."""
    storage: FileStorage | None = current_app.extensions.get(_EXTENSION)
    if storage is None:
        with _lock:
            storage = current_app.extensions.get(_EXTENSION)
            if storage is None:
                storage = storage_from_settings(current_settings())
                current_app.extensions[_EXTENSION] = storage
    return storage
