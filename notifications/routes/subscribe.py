"""Public SMS subscription pages under /<lang>/: subscribe with a code, then manage or erase.

/<lang>/subscribe          the form (number, addresses, language, notice kinds, purpose notice)
/<lang>/subscribe/confirm  the code sent by SMS; "send a new code"
/<lang>/subscribe/done
/<lang>/subscription       sign in with a code, then change or delete everything

These pages hold forms with CSRF tokens and a session, so they are never cached. Pending codes
and the signed-in subscriber are kept in the signed session cookie (ids only, never in a URL);
a sign-in lasts 30 minutes. Everything works without JavaScript: "add a row" is a submit button.
"""

from __future__ import annotations

import contextlib
from typing import Any

from flask import (
    Blueprint,
    Flask,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from notifications.sms import codes, subscriptions
from notifications.sms.codes import TooManyCodes
from service.db import utcnow
from service.errors import DomainError, NotFound, ValidationFailed, flatten_errors
from service.i18n import language_prefixed

bp = language_prefixed(
    Blueprint("subscribe", __name__, url_prefix="/<lang>", template_folder="../templates")
)

SUBSCRIBE_CODE = "sms_subscribe_code"  # session keys
MANAGE_CODE = "sms_manage_code"
SIGNED_IN = "sms_subscriber"
SIGN_IN_SECONDS = 30 * 60
MIN_ROWS = 3
MAX_ROWS = 100
ROW_FIELDS = ("street", "number", "postcode")

Page = Response | str | tuple[str, int]


def register(app: Flask) -> None:
    """The subscription pages, and the inbound SMS webhook (signed by Twilio, so no CSRF)."""
    from notifications.routes import twilio_inbound
    from service.extensions import csrf

    app.register_blueprint(bp)
    app.register_blueprint(twilio_inbound.bp)
    csrf.exempt(twilio_inbound.bp)


@bp.after_request
def never_cache(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Form parsing -----------------------------------------------------------------------------


def _rows(form: MultiDict[str, str]) -> list[dict[str, str]]:
    """The address rows that have anything in them, in order (error indexes follow this list)."""
    rows = []
    for i in range(MAX_ROWS):
        row = {f: (form.get(f"addresses-{i}-{f}") or "").strip() for f in ROW_FIELDS}
        if any(row.values()):
            rows.append(row)
    return rows


def _preferences(form: MultiDict[str, str]) -> dict[str, Any]:
    return {
        "addresses": _rows(form),
        "language": form.get("language", ""),
        "wants_planned": form.get("wants_planned") == "1",
        "wants_unplanned": form.get("wants_unplanned") == "1",
    }


def _padded(rows: list[dict[str, Any]], add_row: bool = False) -> list[dict[str, Any]]:
    return rows + [{} for _ in range(max(MIN_ROWS - len(rows), 1 if add_row else 0))]


def _values(form: MultiDict[str, str]) -> dict[str, Any]:
    """The form as typed, to show it again."""
    values = _preferences(form)
    values["phone"] = form.get("phone", "")
    values["rows"] = _padded(values.pop("addresses"), add_row="add_row" in form)
    return values


def _client_ip() -> str | None:
    return request.remote_addr


# --- Sign-in state ----------------------------------------------------------------------------


def _sign_in(subscriber_id: int) -> None:
    session[SIGNED_IN] = {"id": subscriber_id, "until": utcnow().timestamp() + SIGN_IN_SECONDS}


def _signed_in() -> int | None:
    state = session.get(SIGNED_IN)
    if not isinstance(state, dict) or state.get("until", 0) < utcnow().timestamp():
        session.pop(SIGNED_IN, None)
        return None
    return int(state["id"])


def _session_ended() -> Response:
    flash(_("Your session has ended. Please sign in again."), "error")
    return redirect(url_for(".manage"))


# --- Subscribing --------------------------------------------------------------------------------


def _subscribe_page(values: dict[str, Any], errors: dict[str, list[str]]) -> str:
    return render_template("notifications/subscribe/form.html", values=values, errors=errors)


@bp.get("/subscribe")
def subscribe() -> Page:
    values = {
        "phone": "",
        "language": g.lang,
        "wants_planned": True,
        "wants_unplanned": True,
        # Prefilled from the address answer's "tell me when it is restored" link.
        "rows": _padded(_prefilled_address(request.args)),
    }
    return _subscribe_page(values, {})


def _prefilled_address(args: MultiDict[str, str]) -> list[dict[str, str]]:
    row = {f: (args.get(f) or "").strip()[:200] for f in ("street", "number", "postcode")}
    return [row] if any(row.values()) else []


@bp.post("/subscribe")
def subscribe_post() -> Page:
    values = _values(request.form)
    if "add_row" in request.form:
        return _subscribe_page(values, {})
    data = _preferences(request.form)
    try:
        code_id = subscriptions.request_subscription(
            request.form.get("phone", ""), **data, client_ip=_client_ip()
        )
    except ValidationFailed as error:
        return _subscribe_page(values, flatten_errors(error.errors)), 422
    except TooManyCodes as error:
        return _subscribe_page(values, {"_schema": [str(error.message)]}), 429
    session[SUBSCRIBE_CODE] = code_id
    return redirect(url_for(".subscribe_confirm"))


def _code_page(session_key: str, errors: dict[str, list[str]]) -> str:
    pending = codes.pending_code(session[session_key])
    purpose = "subscribe" if session_key == SUBSCRIBE_CODE else "manage"
    return render_template(
        "notifications/subscribe/code.html", pending=pending, purpose=purpose, errors=errors
    )


def _code_post(session_key: str, confirm: Any, on_success: Any) -> Page:
    """The code form of either flow: "send a new code", or check the code typed."""
    code_id = session[session_key]
    try:
        if "resend" in request.form:
            session[session_key] = subscriptions.resend_code(code_id, _client_ip())
            flash(_("We sent you a new code. The earlier code no longer works."), "info")
            return redirect(request.path)
        subscriber_id = confirm(code_id, request.form.get("code", ""))
    except ValidationFailed as error:
        return _code_page(session_key, flatten_errors(error.errors)), 422
    except DomainError as error:  # a dead code (Conflict) or too many codes (TooManyCodes)
        return _code_page(session_key, {"_schema": [str(error.message)]}), error.status_code
    session.pop(session_key, None)
    _sign_in(subscriber_id)
    return on_success()


@bp.route("/subscribe/confirm", methods=["GET", "POST"])
def subscribe_confirm() -> Page:
    if SUBSCRIBE_CODE not in session:
        return redirect(url_for(".subscribe"))
    if request.method == "GET":
        return _code_page(SUBSCRIBE_CODE, {})
    return _code_post(
        SUBSCRIBE_CODE,
        subscriptions.confirm_subscription,
        lambda: redirect(url_for(".subscribe_done")),
    )


@bp.get("/subscribe/done")
def subscribe_done() -> Page:
    return render_template("notifications/subscribe/done.html")


# --- Managing -----------------------------------------------------------------------------------


def _manage_page(values: dict[str, Any], errors: dict[str, list[str]], subscriber_id: int) -> str:
    return render_template(
        "notifications/subscribe/manage.html",
        values=values,
        errors=errors,
        subscription=subscriptions.get_subscription(subscriber_id),
    )


@bp.get("/subscription")
def manage() -> Page:
    subscriber_id = _signed_in()
    if subscriber_id is None:
        return render_template("notifications/subscribe/signin.html", phone="", errors={})
    view = subscriptions.get_subscription(subscriber_id)
    if view is None:
        session.pop(SIGNED_IN, None)
        return redirect(url_for(".manage"))
    values = {
        "language": view.language,
        "wants_planned": view.wants_planned,
        "wants_unplanned": view.wants_unplanned,
        "rows": _padded([{k: v or "" for k, v in a.items()} for a in view.addresses], add_row=True),
    }
    return render_template(
        "notifications/subscribe/manage.html", values=values, errors={}, subscription=view
    )


@bp.post("/subscription")
def manage_post() -> Page:
    subscriber_id = _signed_in()
    if subscriber_id is None:
        return _session_ended()
    values = _values(request.form)
    if "add_row" in request.form:
        return _manage_page(values, {}, subscriber_id)
    try:
        subscriptions.update_subscription(subscriber_id, **_preferences(request.form))
    except ValidationFailed as error:
        return _manage_page(values, flatten_errors(error.errors), subscriber_id), 422
    flash(_("Your changes have been saved."), "info")
    return redirect(url_for(".manage"))


@bp.post("/subscription/sign-in")
def sign_in() -> Page:
    phone = request.form.get("phone", "")
    try:
        code_id = subscriptions.request_manage_code(phone, _client_ip())
    except ValidationFailed as error:
        errors = flatten_errors(error.errors)
        return render_template(
            "notifications/subscribe/signin.html", phone=phone, errors=errors
        ), 422
    except TooManyCodes as error:
        errors = {"_schema": [str(error.message)]}
        return render_template(
            "notifications/subscribe/signin.html", phone=phone, errors=errors
        ), 429
    session[MANAGE_CODE] = code_id
    return redirect(url_for(".manage_confirm"))


@bp.route("/subscription/confirm", methods=["GET", "POST"])
def manage_confirm() -> Page:
    if MANAGE_CODE not in session:
        return redirect(url_for(".manage"))
    if request.method == "GET":
        return _code_page(MANAGE_CODE, {})
    return _code_post(
        MANAGE_CODE, subscriptions.confirm_manage_code, lambda: redirect(url_for(".manage"))
    )


@bp.post("/subscription/sign-out")
def sign_out() -> Response:
    session.pop(SIGNED_IN, None)
    flash(_("You have signed out."), "info")
    return redirect(url_for(".manage"))


@bp.get("/subscription/delete")
def erase() -> Page:
    if _signed_in() is None:
        return _session_ended()
    return render_template("notifications/subscribe/erase.html")


@bp.post("/subscription/delete")
def erase_post() -> Page:
    subscriber_id = _signed_in()
    if subscriber_id is None:
        return _session_ended()
    with contextlib.suppress(NotFound):  # already erased, in another window
        subscriptions.erase_subscriber(subscriber_id)
    for key in (SIGNED_IN, MANAGE_CODE, SUBSCRIBE_CODE):
        session.pop(key, None)
    return redirect(url_for(".erased"))


@bp.get("/subscription/deleted")
def erased() -> Page:
    return render_template("notifications/subscribe/erased.html")
