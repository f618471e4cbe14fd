"""Documents removed with their files, but only once their removal is committed.

`remove_documents(request_ids)` deletes the document rows in the caller's transaction and
journals their file keys in connection_pending_file (the journal uploads.py keeps for files
without a row) in the same transaction. The files themselves are deleted from the storage right
after that transaction commits (a session `after_commit` listener), and their journal rows with
them. Should the transaction roll back, the rows, the journal entries and the files all stay as
they were: no document ever loses its file. Should the process die between the commit and the
deletion, the journal rows name files without a row, and the `remove_orphan_files` job deletes
them within FAIRHEAT_CONNECTION_ORPHAN_GRACE_MINUTES.

Not for use inside a SAVEPOINT that may roll back alone: the files follow the outer commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction

from feedback.connection_requests.models import ConnectionDocument, PendingFile
from service.db import utcnow
from service.extensions import db
from service.files import file_storage

log = logging.getLogger(__name__)
_KEYS = "connection_request_files_to_delete"


def remove_documents(request_ids: Sequence[int]) -> int:
    """Delete the documents of these requests (rows now, files after the commit); how many."""
    if not request_ids:
        return 0
    keys = list(
        db.session.scalars(
            sa.select(ConnectionDocument.file_key).where(
                ConnectionDocument.request_id.in_(request_ids)
            )
        )
    )
    if not keys:
        return 0
    journalled = set(
        db.session.scalars(sa.select(PendingFile.file_key).where(PendingFile.file_key.in_(keys)))
    )
    now = utcnow()
    fresh = [{"file_key": key, "saved_at": now} for key in keys if key not in journalled]
    if fresh:
        db.session.execute(sa.insert(PendingFile), fresh)
    db.session.execute(
        sa.delete(ConnectionDocument)
        .where(ConnectionDocument.request_id.in_(request_ids))
        .execution_options(synchronize_session=False)
    )
    session = db.session()
    session.info.setdefault(_KEYS, []).extend(keys)
    return len(keys)


@sa.event.listens_for(Session, "after_commit")
def _delete_committed(session: Session) -> None:
    keys: list[str] = session.info.pop(_KEYS, [])
    if not keys:
        return
    try:
        storage = file_storage()
        for key in keys:
            storage.delete(key)
        with db.engine.begin() as connection:
            connection.execute(sa.delete(PendingFile).where(PendingFile.file_key.in_(keys)))
    except Exception:  # the commit stands; the orphan job finishes the deletion
        log.exception("connection documents: %d files left to the orphan job", len(keys))


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction, *_: Any) -> None:
    # After a commit the keys are gone already; after a rollback (or a close without a commit)
    # the rows are still there, and so must their files be.
    if transaction.parent is None:
        session.info.pop(_KEYS, None)
