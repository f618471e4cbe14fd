"""Committing a service's transaction: a change made meanwhile is a 409, never a 500.

Models with a version column (`version_id_col`) raise StaleDataError when the row changed since
it was read. Every service turns that into the same Conflict with its own words for what
changed, after rolling the session back so nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm.exc import StaleDataError

from service.errors import Conflict
from service.extensions import db


def commit_or_conflict(
    changed_meanwhile: Callable[[], str],
    conflicts: tuple[type[Exception], ...] = (StaleDataError,),
) -> None:
    """Commit the session; on a stale version roll back and raise Conflict(changed_meanwhile()).

    `changed_meanwhile` returns the localized sentence the person sees ("Someone else changed
    this case meanwhile. Reload it and try again."). It is a function, called only on a
    conflict: translating on every commit would cost each one a catalog lookup, and would fix
    the locale of a job or CLI context before anything chose it. `conflicts` are the errors
    that mean "someone else got there first": a stale version by default; a unique constraint
    (IntegrityError) where two requests may create the same row at once.
    """
    try:
        db.session.commit()
    except conflicts:
        db.session.rollback()
        raise Conflict(changed_meanwhile()) from None
