"""Back office for SMS subscribers: quarantined and priority numbers, one number's history."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from notifications.sms import administration, delivery
from service.auth import Permission, requires

bp = Blueprint(
    "staff_subscribers", __name__, url_prefix="/staff/subscribers", template_folder="../templates"
)


@bp.get("/")
@requires(Permission.VIEW_SUBSCRIBERS)
def index() -> Response | str:
    phone = (request.args.get("phone") or "").strip()
    if phone:
        found = delivery.find_subscriber(phone)
        if found is not None:
            return redirect(url_for("staff_subscribers.detail", subscriber_id=found.id))
        flash(_("No subscriber has this number."), "error")
    return render_template(
        "notifications/staff/subscribers.html",
        quarantined=delivery.quarantined_subscribers(),
        phone=phone,
    )


@bp.get("/<int:subscriber_id>")
@requires(Permission.VIEW_SUBSCRIBERS)
def detail(subscriber_id: int) -> str:
    subscriber, messages = delivery.subscriber_history(subscriber_id)
    return render_template(
        "notifications/staff/subscriber.html", subscriber=subscriber, messages=messages
    )


@bp.post("/<int:subscriber_id>/priority")
@requires(Permission.MANAGE_SUBSCRIBERS)
def priority(subscriber_id: int) -> Response:
    administration.set_priority(
        subscriber_id, request.form.get("priority") == "1", request.form.get("priority_note")
    )
    flash(_("The priority was saved."))
    return redirect(url_for("staff_subscribers.detail", subscriber_id=subscriber_id))


@bp.post("/<int:subscriber_id>/release")
@requires(Permission.MANAGE_SUBSCRIBERS)
def release(subscriber_id: int) -> Response:
    administration.release_from_quarantine(subscriber_id)
    flash(_("Messages will be sent to this number again."))
    return redirect(url_for("staff_subscribers.detail", subscriber_id=subscriber_id))
