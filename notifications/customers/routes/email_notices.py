"""Residents' e-mail notices under /<lang>/email-notices/: subscribe (double opt-in by link),
see the subscription, unsubscribe and erase (also RFC 8058 one-click from the mail client)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template, request

from notifications.customers import email_subscriptions
from service.errors import ValidationFailed
from service.extensions import limiter
from service.i18n import language_prefixed
from service.tracking import private_pages

# Each POST mails someone: per client address, as the SMS codes are limited.
MAIL_LIMIT = "5 per minute;20 per hour"

bp = private_pages(
    language_prefixed(
        Blueprint(
            "email_notices",
            __name__,
            url_prefix="/<lang>/email-notices",
            template_folder="../templates",
        )
    )
)


@bp.get("/")
def form() -> str:
    return render_template("customers/email_notices/form.html", errors={}, values=request.args)


@bp.post("/")
@limiter.limit(MAIL_LIMIT)
def subscribe() -> Any:
    try:
        email_subscriptions.subscribe(request.form, g.lang)
    except ValidationFailed as failed:
        return (
            render_template(
                "customers/email_notices/form.html", errors=failed.errors, values=request.form
            ),
            422,
        )
    return render_template("customers/email_notices/check.html")


@bp.get("/<token>/confirm")
def confirm_page(token: str) -> str:
    return render_template(
        "customers/email_notices/confirm.html", subscription=email_subscriptions.find(token)
    )


@bp.post("/<token>/confirm")
def confirm(token: str) -> str:
    subscription = email_subscriptions.confirm(token)
    return render_template("customers/email_notices/manage.html", subscription=subscription)


@bp.get("/<token>")
def manage(token: str) -> str:
    return render_template(
        "customers/email_notices/manage.html", subscription=email_subscriptions.find(token)
    )


@bp.post("/<token>/erase")
def erase(token: str) -> str:
    email_subscriptions.erase(token)
    return render_template("customers/email_notices/erased.html")


@bp.post("/<token>/unsubscribe")
def one_click(token: str) -> tuple[str, int]:
    """RFC 8058: the mail client POSTs List-Unsubscribe=One-Click; no page, no CSRF token."""
    email_subscriptions.erase(token)
    return "", 204
