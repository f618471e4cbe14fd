"""The back office shell: its home and the audit log."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from service.audit import list_entries, verify_chain
from service.auth import Permission, requires
from service.auth.permissions import role_allows

bp = Blueprint("staff", __name__, url_prefix="/staff")

AUDIT_PAGE_SIZE = 100


@bp.get("/")
@requires(Permission.VIEW_BACK_OFFICE)
def home() -> Response:
    """Each role lands where its work is: customer service on the case inbox, others on the
    interruption notices."""
    user = g.staff_user
    if role_allows(user.role, Permission.VIEW_CASES) and not role_allows(
        user.role, Permission.EDIT_OUTAGES
    ):
        return redirect(url_for("staff_cases.inbox"))
    return redirect(url_for("staff_outages.index"))


@bp.get("/audit")
@requires(Permission.VIEW_AUDIT)
def audit_log() -> str:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries = list_entries(limit=AUDIT_PAGE_SIZE, offset=(page - 1) * AUDIT_PAGE_SIZE)
    return render_template(
        "staff/audit.html",
        entries=entries,
        page=page,
        # Walking the whole chain reads every entry: only when asked for.
        report=verify_chain() if request.args.get("verify") else None,
        page_size=AUDIT_PAGE_SIZE,
    )
