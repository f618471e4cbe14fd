"""Domain exceptions, and the one place that maps them (and HTTP errors) to responses.

Services raise these; handlers never catch them except to re-render a form. Under /api and the
other machine endpoints the answer is JSON; elsewhere a page in the visitor's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

JSON_PREFIXES = ("/api/", "/open311/", "/twilio/", "/healthz", "/readyz")


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)
        self.message = message


class Forbidden(DomainError):
    """The user may use this action, but not on this item (e.g. someone else's case)."""

    status_code = 403


class ValidationFailed(DomainError):
    """Input broke a rule; `errors` maps each field (dotted for nested ones) to messages."""

    status_code = 422

    def __init__(self, errors: Mapping[str, Any], message: str | None = None) -> None:
        super().__init__(message)
        self.errors = _message_tree(errors)


def _message_tree(messages: Any) -> Any:
    """Every leaf a list of plain strings: lazy (translated) messages are rendered now, in the
    request's language, and a single message becomes a one-item list like marshmallow's own."""
    if isinstance(messages, Mapping):
        return {str(k): _message_tree(v) for k, v in messages.items()}
    if isinstance(messages, list | tuple):
        if all(not isinstance(m, Mapping | list | tuple) for m in messages):
            return [str(m) for m in messages]
        return [_message_tree(m) for m in messages]
    return [str(messages)]


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    """The request is valid but the thing's current state does not allow it."""

    status_code = 409


def stringify(messages: Any) -> Any:
    """Lazy gettext strings and nested marshmallow messages as plain JSON."""
    if isinstance(messages, Mapping):
        return {str(k): stringify(v) for k, v in messages.items()}
    if isinstance(messages, list | tuple):
        return [stringify(m) for m in messages]
    return str(messages)


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """{'areas': {0: {'postcode': ['…']}}} → {'areas.0.postcode': ['…']} for form rendering."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in flatten_errors(value, name).items():
                flat.setdefault(k, []).extend(v)
    elif isinstance(messages, list | tuple):
        if all(not isinstance(m, Mapping | list | tuple) for m in messages):
            flat[prefix or "_schema"] = [str(m) for m in messages]
        else:
            for item in messages:
                for k, v in flatten_errors(item, prefix).items():
                    flat.setdefault(k, []).extend(v)
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES) or (
        request.accept_mimetypes.best == "application/json"
    )


def _default_message(status: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Sign in or send a valid API token to continue."),
        403: _("You do not have permission to do this."),
        404: _("The page or item you asked for does not exist."),
        405: _("This page does not accept this kind of request."),
        409: _("This cannot be done in the item's current state."),
        413: _("What you sent is too large."),
        422: _("Please correct the errors below."),
        429: _("Too many attempts. Please wait a moment and try again."),
    }
    return messages.get(status, _("Something went wrong on our side. Please try again later."))


def error_response(status: int, message: str | None = None, errors: Any = None) -> Response:
    message = message or _default_message(status)
    if wants_json():
        body: dict[str, Any] = {"code": status, "message": str(message)}
        if errors:
            body["errors"] = stringify(errors)
        response = jsonify(body)
    else:
        response = Response(
            render_template("error.html", status=status, message=message, errors=errors),
            mimetype="text/html",
        )
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def handle_domain_error(error: DomainError) -> Response:
    errors = error.errors if isinstance(error, ValidationFailed) else None
    return error_response(error.status_code, error.message, errors)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    response = error_response(status, None, data.get("messages"))
    if status == 401 and wants_json():
        response.headers["WWW-Authenticate"] = 'Bearer realm="fairheat"'
    for name, value in getattr(error, "get_headers", lambda: [])() or []:
        if name.lower() in {"retry-after", "allow"}:
            response.headers[name] = value
    return response


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
