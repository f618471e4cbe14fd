"""HTTP caching for public pages and feeds: a short shared max-age, a strong ETag and 304s.

The reverse proxy may keep a page for a few seconds; browsers revalidate and get 304 when
nothing changed. Public responses never set cookies, so they are safe to share.
"""

from __future__ import annotations

from flask import make_response, request
from werkzeug.wrappers import Response

PUBLIC_MAX_AGE = 15


def cacheable(
    body: str | bytes, mimetype: str = "text/html", *, vary_language: bool = False
) -> Response:
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    if vary_language:
        response.headers["Vary"] = "Accept-Language"
    response.add_etag()
    return response.make_conditional(request)
