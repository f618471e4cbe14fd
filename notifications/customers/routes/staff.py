"""Back office: search the customer register, edit a delivery point and its contacts, print a
staircase notice of an interruption for any building."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from notifications.customers import queries, services
from notifications.customers.models import Priority, Role
from notifications.customers.schemas import ContactFormSchema, PointFormSchema
from notifications.customers.staircase import staircase_page, staircase_pdf
from service.auth import Permission, requires
from service.errors import ValidationFailed
from service.validation import load_or_fail

bp = Blueprint(
    "staff_customers", __name__, url_prefix="/staff/customers", template_folder="../templates"
)


@bp.get("/")
@requires(Permission.MANAGE_SUBSCRIBERS)
def index() -> str:
    q = (request.args.get("q") or "").strip()
    found = queries.search_points(q=q or None, limit=200)
    return render_template("customers/staff/index.html", points=found, q=q)


def _detail(point_id: int, errors: dict[str, Any] | None = None, status: int = 200) -> Any:
    point = queries.get_point(point_id)
    return (
        render_template(
            "customers/staff/detail.html",
            point=point,
            notices=queries.notices_for(point),
            priorities=list(Priority),
            roles=list(Role),
            errors=errors or {},
            values=request.form if errors else {},
        ),
        status,
    )


@bp.get("/<int:point_id>")
@requires(Permission.MANAGE_SUBSCRIBERS)
def detail(point_id: int) -> Any:
    return _detail(point_id)


def _saved(point_id: int, call: Any, message: str) -> Any:
    try:
        call()
    except ValidationFailed as failed:
        return _detail(point_id, failed.errors, 422)
    flash(message, "success")
    return redirect(url_for("staff_customers.detail", point_id=point_id))


@bp.post("/<int:point_id>")
@requires(Permission.MANAGE_SUBSCRIBERS)
def update(point_id: int) -> Any:
    return _saved(
        point_id,
        lambda: services.update_point(
            point_id, load_or_fail(PointFormSchema(), request.form.to_dict())
        ),
        _("The delivery point was saved."),
    )


def _contact_form() -> dict[str, Any]:
    data = load_or_fail(ContactFormSchema(), {**request.form.to_dict()})
    return dict(data)


@bp.post("/<int:point_id>/contacts")
@requires(Permission.MANAGE_SUBSCRIBERS)
def add_contact(point_id: int) -> Any:
    return _saved(
        point_id,
        lambda: services.save_contact(point_id, None, _contact_form()),
        _("The contact was added."),
    )


@bp.post("/<int:point_id>/contacts/<int:contact_id>")
@requires(Permission.MANAGE_SUBSCRIBERS)
def edit_contact(point_id: int, contact_id: int) -> Any:
    return _saved(
        point_id,
        lambda: services.save_contact(point_id, contact_id, _contact_form()),
        _("The contact was saved."),
    )


@bp.post("/<int:point_id>/contacts/<int:contact_id>/delete")
@requires(Permission.MANAGE_SUBSCRIBERS)
def delete_contact(point_id: int, contact_id: int) -> Response:
    services.delete_contact(point_id, contact_id)
    flash(_("The contact was removed."), "success")
    return redirect(url_for("staff_customers.detail", point_id=point_id))


@bp.get("/<int:point_id>/outages/<int:outage_id>/notice")
@requires(Permission.VIEW_BACK_OFFICE)
def staircase(point_id: int, outage_id: int) -> Any:
    """The staircase notice of this building as a print page (?pdf=1: A4 PDF)."""
    languages = request.args.getlist("lang")
    if request.args.get("pdf"):
        return staircase_pdf(point_id, outage_id, languages)
    return staircase_page(point_id, outage_id, languages)
