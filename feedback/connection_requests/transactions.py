"""What every action on a request writes: the request, a history step, its messages and an
audit entry, in one transaction committed here (a request changed meanwhile is a 409)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from feedback.connection_requests.models import ConnectionRequest, ConnectionStep, Status
from service import audit
from service.db import utcnow
from service.errors import Conflict, NotFound
from service.extensions import db
from service.transactions import commit_or_conflict


def changed_meanwhile() -> str:
    return _("Someone else changed this request meanwhile. Reload it and try again.")


def commit() -> None:
    commit_or_conflict(changed_meanwhile)


def request_for_update(request_id: int, version: int | None = None) -> ConnectionRequest:
    request = db.session.get(ConnectionRequest, request_id)
    if request is None:
        raise NotFound(_("There is no such connection request."))
    if version is not None and request.version != version:
        raise Conflict(changed_meanwhile())
    return request


def add_step(
    request: ConnectionRequest,
    kind: str,
    *,
    to_status: Status | None = None,
    text: str | None = None,
    actor_id: int | None = None,
    visible: bool = True,
    **kw: Any,
) -> ConnectionStep:
    """A line of the history; a status change when `to_status` is given (kind = its value)."""
    step = ConnectionStep(
        kind=kind,
        from_status=request.status.value if to_status is not None else None,
        to_status=to_status.value if to_status is not None else None,
        text=text,
        actor_id=actor_id,
        visible=visible,
        at=kw.get("at") or utcnow(),
    )
    request.steps.append(step)
    if to_status is not None:
        request.status = to_status
    return step


def audit_request(action: str, request: ConnectionRequest, **after: Any) -> None:
    from feedback.connection_requests.references import reference

    audit.record(
        f"connection_request.{action}",
        "connection_request",
        reference(request),
        after=after or None,
    )
