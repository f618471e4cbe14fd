"""The edge: what every request may bring and what every response says, in one place.

`install(app)` runs in create_app() before any blueprint is registered (the `int` converter must
be in the map before the first route that uses it):

- body limits first of all before_request hooks (limits.py, review D14), then ?page= bounds,
  forbidden characters and JSON depth (inspection.py, D4, D13, D18);
- `<int:…>` routes take 1 … 2**31 - 1 only (converters.py, D4);
- security headers and the cache policy on every response (headers.py, D9);
- errors input can cause deep down answered 4xx (errors.py, D4, D5, D13).

Views use `safe_redirect_target` for any `next=` (D2, D12) and `allow_body_up_to` for a form
that takes large files.
"""

from __future__ import annotations

from flask import Flask

from service.edge.characters import has_forbidden, strip_forbidden
from service.edge.converters import BoundedIntegerConverter
from service.edge.errors import register_input_errors
from service.edge.headers import add_security_headers, printable_document
from service.edge.inspection import refuse_forbidden_characters
from service.edge.limits import allow_body_up_to, body_limit, limit_body, page_in_range
from service.edge.redirects import safe_redirect_target

__all__ = [
    "printable_document",
    "allow_body_up_to",
    "body_limit",
    "has_forbidden",
    "install",
    "safe_redirect_target",
    "strip_forbidden",
]


def install(app: Flask) -> None:
    # The backstop for a request no hook saw; each request gets its own limit (limits.py).
    app.config["MAX_CONTENT_LENGTH"] = app.config["FAIRHEAT"].edge.max_upload_bytes
    app.url_map.converters["int"] = BoundedIntegerConverter
    # Before every other extension's hook (CSRF and webhook signatures parse the body):
    # the limit is set before a byte is read.
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[0:0] = [limit_body, page_in_range, refuse_forbidden_characters]
    app.after_request(add_security_headers)
    register_input_errors(app)
