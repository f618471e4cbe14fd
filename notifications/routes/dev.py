"""Development-only pages: /dev/sms lists what the console SMS backend "sent"."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from notifications.sms.console import recent_console_messages
from service.settings import current_settings

bp = Blueprint("dev", __name__, url_prefix="/dev", template_folder="../templates")


@bp.before_request
def development_only() -> None:
    conf = current_settings()
    if conf.env == "production" or conf.sms.backend != "console":
        abort(404)


@bp.get("/sms")
def sms() -> str:
    return render_template("notifications/dev/sms.html", messages=recent_console_messages())
