"""Building managers' pages under /<lang>/customers/ (no password): ask for a sign-in link,
follow it, see the buildings and the notices for each, choose channels and languages, print
a staircase notice."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from notifications.customers import queries, services
from notifications.customers.sign_in import request_sign_in, sign_in
from notifications.customers.staircase import staircase_page, staircase_pdf
from service.errors import ValidationFailed
from service.extensions import limiter
from service.i18n import language_prefixed
from service.tracking import private_pages

# Each POST mails someone: per client address, as the SMS codes are limited.
MAIL_LIMIT = "5 per minute;20 per hour"

bp = private_pages(
    language_prefixed(
        Blueprint(
            "customer_managers",
            __name__,
            url_prefix="/<lang>/customers",
            template_folder="../templates",
        )
    )
)
SESSION_KEY = "customer_manager"


def _manager() -> str:
    email = session.get(SESSION_KEY)
    if not email:
        abort(redirect(url_for("customer_managers.sign_in_form", lang=g.lang)))
    return str(email)


@bp.get("/sign-in")
def sign_in_form() -> str:
    return render_template("customers/managers/sign_in.html", errors={}, values={})


@bp.post("/sign-in")
@limiter.limit(MAIL_LIMIT)
def ask_for_link() -> Any:
    try:
        request_sign_in(request.form.get("email", ""), g.lang)
    except ValidationFailed as failed:
        return (
            render_template(
                "customers/managers/sign_in.html", errors=failed.errors, values=request.form
            ),
            422,
        )
    return render_template("customers/managers/link_sent.html")


@bp.get("/sign-in/<token>")
def confirm_sign_in(token: str) -> str:
    return render_template("customers/managers/confirm.html", token=token)


@bp.post("/sign-in/<token>")
def follow_link(token: str) -> Any:
    email = sign_in(token)
    if email is None:
        return render_template("customers/managers/link_invalid.html"), 410
    session.clear()  # a fresh session for the signed-in manager
    session[SESSION_KEY] = email
    return redirect(url_for("customer_managers.buildings", lang=g.lang))


@bp.post("/sign-out")
def sign_out() -> Response:
    session.pop(SESSION_KEY, None)
    return redirect(url_for("customer_managers.sign_in_form", lang=g.lang))


@bp.get("/")
def buildings() -> str:
    email = _manager()
    points = queries.points_of(email)
    return render_template(
        "customers/managers/buildings.html",
        email=email,
        entries=[queries.notices_for(p) for p in points],
    )


@bp.post("/contacts/<int:contact_id>")
def choices(contact_id: int) -> Any:
    email = _manager()
    try:
        services.set_own_choices(email, contact_id, request.form)
    except ValidationFailed as failed:
        flash(" ".join(m for ms in failed.errors.values() for m in ms), "error")
    else:
        flash(_("Your choices were saved."), "success")
    return redirect(url_for("customer_managers.buildings", lang=g.lang))


@bp.get("/points/<int:point_id>/outages/<int:outage_id>/notice")
def staircase(point_id: int, outage_id: int) -> Any:
    email = _manager()
    if point_id not in {p.id for p in queries.points_of(email)}:
        abort(404)
    languages = request.args.getlist("notice_lang")
    if request.args.get("pdf"):
        return staircase_pdf(point_id, outage_id, languages)
    return staircase_page(point_id, outage_id, languages)
