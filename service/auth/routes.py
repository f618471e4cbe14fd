"""Staff sign-in and sign-out."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from service.auth import throttle
from service.auth.services import authenticate, end_sessions, start_session
from service.edge import safe_redirect_target
from service.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _safe_next(target: str | None) -> str:
    """Only a page of this site: never an absolute URL, nor a control character (a CR or LF
    was a 500 and a lost sign-in, review D12) someone slipped into ?next=."""
    return safe_redirect_target(target) or url_for("staff.home")  # the role's landing page


def _address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int] | tuple[str, int, dict[str, str]]:
    next_url = request.values.get("next", "")
    if request.method == "GET":
        return render_template("auth/login.html", next=next_url, email="", error=None)
    email = request.form.get("email", "")
    # Counted in the database before the password is even checked (D10): every web process
    # sees the same failures, and a throttled guess costs no password hash.
    wait = throttle.seconds_to_wait(_address(), email)
    if wait is not None:
        error = ngettext(
            "Too many failed sign-ins. Try again in %(num)d second.",
            "Too many failed sign-ins. Try again in %(num)d seconds.",
            wait,
        )
        page = render_template("auth/login.html", next=next_url, email=email, error=error)
        return page, 429, {"Retry-After": str(wait)}
    user = authenticate(email, request.form.get("password", ""))
    if user is None:
        throttle.record_failure(_address(), email)
        error = _("The e-mail address or password is wrong.")
        return render_template("auth/login.html", next=next_url, email=email, error=error), 401
    throttle.record_success(user, _address())
    login_user(user)
    start_session(user)
    return redirect(_safe_next(next_url))


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Signing out ends the session for good, on this device and any other (D11)."""
    end_sessions(current_user._get_current_object(), "auth.logout")
    db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))
