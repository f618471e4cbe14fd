"""Development-only page: /dev/mail lists the e-mail outbox when the console backend is in use."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from service.mail.console import recent_emails
from service.settings import current_settings

bp = Blueprint("dev_mail", __name__, url_prefix="/dev", template_folder="templates")


@bp.before_request
def development_only() -> None:
    conf = current_settings()
    if conf.env == "production" or conf.mail.backend != "console":
        abort(404)


@bp.get("/mail")
def mail() -> str:
    return render_template("mail/outbox.html", messages=recent_emails())
