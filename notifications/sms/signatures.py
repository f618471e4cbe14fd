"""Twilio webhook signatures: every request to /twilio/… must carry a valid X-Twilio-Signature.

The signature covers the public URL Twilio called, so it is checked against
FAIRHEAT_PUBLIC_BASE_URL + path (+ query), not the URL the app sees behind a proxy. A missing or
wrong signature gets 403 and changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, request

F = TypeVar("F", bound=Callable[..., Any])


def public_url() -> str:
    base = current_app.config["FAIRHEAT"].public_base_url
    query = request.query_string.decode()
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def twilio_signed(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from notifications.sms.twilio_backend import signature_is_valid

        token = current_app.config["FAIRHEAT"].sms.twilio_auth_token
        signature = request.headers.get("X-Twilio-Signature", "")
        if not token or not signature:
            abort(403)
        if not signature_is_valid(token, public_url(), request.form, signature):
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
