"""The admin's page for staff accounts and API tokens (D6): deactivate and reactivate, change
a role or a password, create a token (shown once), revoke one. Every change is audited by the
service function it calls; the ones that narrow access end the user's sessions."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from service.auth import accounts
from service.auth.permissions import Permission, Role, requires
from service.auth.services import create_api_token
from service.db import utcnow
from service.errors import ValidationFailed, flatten_errors
from service.validation import small_id

bp = Blueprint("staff_users", __name__, url_prefix="/staff/users")

Page = str | tuple[str, int] | Response


def _page(errors: dict[str, list[str]] | None = None, status: int = 200, **extra: object) -> Page:
    page = render_template(
        "auth/users.html",
        users=accounts.list_users(),
        tokens=accounts.list_tokens(),
        roles=list(Role),
        errors=errors or {},
        **extra,
    )
    return (page, status) if status != 200 else page


def _done(message: str) -> Response:
    flash(message, "success")
    return redirect(url_for(".index"))


@bp.get("/")
@requires(Permission.MANAGE_USERS)
def index() -> Page:
    return _page()


@bp.post("/<int:user_id>/role")
@requires(Permission.MANAGE_USERS)
def role(user_id: int) -> Page:
    try:
        accounts.set_role(user_id, request.form.get("role", ""))
    except ValidationFailed as error:
        return _page(flatten_errors(error.errors), 422)
    return _done(_("The role was changed. The user signs in again."))


@bp.post("/<int:user_id>/active")
@requires(Permission.MANAGE_USERS)
def active(user_id: int) -> Response:
    activate = request.form.get("active") == "1"
    accounts.set_active(user_id, activate)
    if activate:
        return _done(_("The user can sign in again."))
    return _done(_("The user was deactivated: their sessions and API tokens no longer work."))


@bp.post("/<int:user_id>/password")
@requires(Permission.MANAGE_USERS)
def password(user_id: int) -> Page:
    try:
        accounts.set_password(user_id, request.form.get("password", ""))
    except ValidationFailed as error:
        return _page(flatten_errors(error.errors), 422)
    return _done(_("The password was changed. The user signs in again."))


@bp.post("/tokens")
@requires(Permission.MANAGE_USERS)
def create_token() -> Page:
    user_id = small_id(request.form.get("user_id", ""))
    days_text = (request.form.get("expires_in_days") or "").strip()
    days = small_id(days_text) if days_text else None
    if user_id is None or (days_text and (days is None or days > 3650)):
        field = "user_id" if user_id is None else "expires_in_days"
        message = (
            _("Choose a user.")
            if user_id is None
            else _("Give the number of days, from 1 to 3650, or leave it empty.")
        )
        return _page({field: [message]}, 422)
    user = accounts.get_user(user_id)
    expires = utcnow() + dt.timedelta(days=days) if days else None
    token = create_api_token(user.email, (request.form.get("name") or "").strip()[:100], expires)
    # Shown once, on this page (no redirect): only its hash is kept.
    return _page(new_token=token, new_token_owner=user.email)


@bp.post("/tokens/<int:token_id>/revoke")
@requires(Permission.MANAGE_USERS)
def revoke_token(token_id: int) -> Response:
    accounts.revoke_token(token_id)
    return _done(_("The token was revoked."))
