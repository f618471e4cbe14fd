"""Documents arriving with a request: checked, stored and scanned, or refused with nothing kept.

Each file is streamed into the file storage (service/files: the type comes from the leading
bytes, never the name; the size limit stops the copy as soon as it is passed). A JPEG or PNG
whose header declares more pixels than FAIRHEAT_CONNECTION_MAX_IMAGE_MEGAPIXELS is refused (a
decompression bomb), and with FAIRHEAT_CLAMAV_SOCKET set every file is scanned by clamd. The
name the browser sent is kept only as a label: its last path part, without control or
reserved characters.

Every stored key is journalled at once in connection_pending_file (its own short transaction);
the caller's transaction deletes the journal row as it writes the document row. A refused
upload deletes what it stored; a request that fails later leaves journal rows whose files the
`remove_orphan_files` job deletes: no file without its row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.connection_requests import clamav, images
from feedback.connection_requests.deadlines import conf
from feedback.connection_requests.models import DocumentKind, PendingFile
from service.db import utcnow
from service.errors import DomainError, ValidationFailed
from service.extensions import db
from service.files import FileTooLarge, FileTypeNotAllowed, StoredFile, file_storage

ALLOWED_TYPES = ("application/pdf", "image/jpeg", "image/png")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


class ScanUnavailable(DomainError):
    """The virus scanner did not answer: the upload is refused, to be tried again later."""

    status_code = 503


@dataclass(frozen=True)
class Upload:
    """One file as it arrived: the form field it came in, its kind, the name sent, the bytes."""

    field: str
    kind: DocumentKind
    filename: str | None
    stream: IO[bytes]


@dataclass(frozen=True)
class SavedDocument:
    field: str
    kind: DocumentKind
    filename: str
    stored: StoredFile


def safe_filename(raw: str | None) -> str:
    """The last part of whatever path the browser sent, without control or reserved characters
    (a label for people; the file is stored under a random key)."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".")
    return name[-200:] or "document"


def _journal(key: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(sa.insert(PendingFile).values(file_key=key, saved_at=utcnow()))


def claim(saved: Iterable[SavedDocument]) -> None:
    """In the caller's transaction: these files now have their rows."""
    keys = [doc.stored.key for doc in saved]
    if keys:
        db.session.execute(sa.delete(PendingFile).where(PendingFile.file_key.in_(keys)))


def discard(saved: Iterable[SavedDocument]) -> None:
    """Delete stored files whose request failed (and their journal rows)."""
    keys = [doc.stored.key for doc in saved]
    storage = file_storage()
    for key in keys:
        storage.delete(key)
    if keys:
        with db.engine.begin() as connection:
            connection.execute(sa.delete(PendingFile).where(PendingFile.file_key.in_(keys)))


def _check(stored: StoredFile, field: str) -> None:
    c = conf()
    storage = file_storage()
    if stored.content_type.startswith("image/"):
        with storage.open(stored.key) as stream:
            size = images.image_size(stream, stored.content_type)
        if size is None or size[0] * size[1] > c.max_image_pixels or 0 in size:
            raise ValidationFailed(
                {
                    field: [
                        _(
                            "This image is too large when opened (at most %(megapixels)d "
                            "megapixels) or its header is damaged. Send it as a PDF or a "
                            "smaller scan.",
                            megapixels=c.max_image_pixels // 1_000_000,
                        )
                    ]
                }
            )
    if c.clamav_socket:
        with storage.open(stored.key) as stream:
            try:
                found = clamav.scan(stream, c.clamav_socket, c.clamav_timeout)
            except clamav.ScannerUnavailable:
                raise ScanUnavailable(
                    _("Documents cannot be checked for viruses right now. Please try again later.")
                ) from None
        if found is not None:
            raise ValidationFailed(
                {field: [_("This file contains a virus or malware and was not accepted.")]}
            )


def save_uploads(uploads: Sequence[Upload]) -> list[SavedDocument]:
    """Store and check every file, or none: a refusal names its field, and deletes what was
    stored before it."""
    c = conf()
    if len(uploads) > c.max_files:
        raise ValidationFailed(
            {uploads[c.max_files].field: [_("Too many files: at most %(num)d.", num=c.max_files)]}
        )
    storage = file_storage()
    saved: list[SavedDocument] = []
    try:
        for upload in uploads:
            try:
                stored = storage.save(
                    upload.stream,  # type: ignore[arg-type]  # a spooled upload is file-like
                    max_bytes=c.max_file_bytes,
                    allowed_types=ALLOWED_TYPES,
                )
            except FileTooLarge as error:
                raise FileTooLarge(error.max_bytes, field=upload.field) from None
            except FileTypeNotAllowed as error:
                raise FileTypeNotAllowed(error.allowed, field=upload.field) from None
            _journal(stored.key)
            document = SavedDocument(
                upload.field, upload.kind, safe_filename(upload.filename), stored
            )
            saved.append(document)
            _check(stored, upload.field)
    except BaseException:
        discard(saved)
        raise
    return saved


def orphans(older_than: dt.timedelta, now: dt.datetime | None = None) -> list[str]:
    """Journalled keys older than `older_than` (their request never committed)."""
    cutoff = (now or utcnow()) - older_than
    return list(
        db.session.scalars(sa.select(PendingFile.file_key).where(PendingFile.saved_at < cutoff))
    )
