"""Staff sign-in and sign-out."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user
from werkzeug.wrappers import Response

from service.auth.services import authenticate
from service.edge import safe_redirect_target
from service.extensions import limiter
from service.settings import current_settings

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _safe_next(target: str | None) -> str:
    """Only a page of this site: never an absolute URL, nor a control character (a CR or LF
    was a 500 and a lost sign-in, review D12) someone slipped into ?next=."""
    return safe_redirect_target(target) or url_for("staff_outages.index")


def _login_limit() -> str:
    return current_settings().login_rate_limit


def _failed(response: Response) -> bool:
    return response.status_code != 302


def _email_key() -> str:
    return "login:" + request.form.get("email", "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, key_func=_email_key)
def login() -> Response | str | tuple[str, int]:
    next_url = request.values.get("next", "")
    limiter.check()
    if request.method == "GET":
        return render_template("auth/login.html", next=next_url, email="", error=None)
    email = request.form.get("email", "")
    user = authenticate(email, request.form.get("password", ""))
    if user is None:
        error = _("The e-mail address or password is wrong.")
        return render_template("auth/login.html", next=next_url, email=email, error=error), 401
    login_user(user)
    return redirect(_safe_next(next_url))


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    return redirect(url_for("auth.login"))
