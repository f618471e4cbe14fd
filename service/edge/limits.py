"""How much a request may bring, decided before any of its body is read (review D14).

Every request gets `request.max_content_length` before the first before_request hook of anyone
else runs (the CSRF check parses the whole form, a webhook's signature check too): a
Content-Length over it is 413 at once, and a chunked body is cut off with 413 where it passes
the limit. The limit is, from the first that applies:

1. the view's own, set with `@allow_body_up_to(n)` (n in bytes, or a function returning them,
   called in the request: a domain whose form takes large files reads its own setting);
2. FAIRHEAT_MAX_WEBHOOK_BYTES under /twilio/ (Twilio's requests are a few KB);
3. FAIRHEAT_MAX_UPLOAD_BYTES for a multipart/form-data body (a form with a file);
4. FAIRHEAT_MAX_REQUEST_BYTES for anything else (forms, JSON, Open311).

The reverse proxy's `client_max_body_size` (deploy/nginx) stays at or above the largest of
these, so the app gives the localized answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, request

from service.settings import current_settings

F = TypeVar("F", bound=Callable[..., Any])
BodyLimit = int | Callable[[], int]
_ATTRIBUTE = "fairheat_max_body_bytes"


def allow_body_up_to(limit: BodyLimit) -> Callable[[F], F]:
    """Let one view take a body up to `limit` bytes (put it under the route decorator)."""

    def decorate(view: F) -> F:
        setattr(view, _ATTRIBUTE, limit)
        return view

    return decorate


def body_limit() -> int:
    """The number of bytes this request may bring (see the module's notes)."""
    view = current_app.view_functions.get(request.endpoint or "")
    own: BodyLimit | None = getattr(view, _ATTRIBUTE, None)
    if own is not None:
        return own() if callable(own) else own
    edge = current_settings().edge
    if request.path.startswith("/twilio/"):
        return edge.max_webhook_bytes
    if request.mimetype == "multipart/form-data":
        return edge.max_upload_bytes
    return edge.max_request_bytes


def limit_body() -> None:
    limit = body_limit()
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        abort(413)


def page_in_range() -> None:
    """?page= past any list's end is 404 before a view turns it into an OFFSET no database can
    hold (review D4: /en/archive?page=10**20 was a 500). Non-numbers are left to the view."""
    raw = request.args.get("page")
    if raw is None:
        return
    text = raw.strip()
    if text.isascii() and text.isdigit():
        top = current_settings().edge.max_page
        if len(text) > len(str(top)) or int(text) > top:
            abort(404)
