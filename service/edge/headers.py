"""What every response says about itself (review D9).

- Content-Security-Policy: scripts, styles, fonts and fetches from this site only, no inline
  script or style (templates load static .js files; tests/service/edge/ fails on an inline
  one), images from here or data: URIs (Swagger UI's icons), no plugins, no <base>, forms post
  here only, and no framing by anyone (frame-ancestors 'none', X-Frame-Options: DENY for older
  browsers).
- X-Content-Type-Options: nosniff; Referrer-Policy: same-origin (a page that sets its own, like
  the private tracking pages' no-referrer, keeps it); Cross-Origin-Opener-Policy: same-origin.
- Strict-Transport-Security in production (FAIRHEAT_HSTS_SECONDS; the proxy may send it too).
- Cache-Control: no-store on the back office (/staff/…) and on the API whenever the request
  carries a token or the path is not the public API: no personal data stays in a browser's or a
  proxy's cache, or in the back/forward cache of a shared workstation after sign-out.
"""

from __future__ import annotations

from flask import Response, request

from service.settings import current_settings

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# A printable document (the HTML a PDF is made from, shown to staff to print) keeps its style in
# the page, where WeasyPrint reads it: inline style only, still no script from anywhere.
PRINTABLE_DOCUMENT_POLICY = CONTENT_SECURITY_POLICY + "; style-src 'self' 'unsafe-inline'"
_PUBLIC_API = ("/api/v1/public/", "/api/openapi.json", "/api/docs")


def printable_document(html: str) -> Response:
    """The page of a document whose <style> is shared with its PDF, under a policy allowing it."""
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PRINTABLE_DOCUMENT_POLICY
    return response


def private_response() -> bool:
    """Whether this response may hold what only staff or a token holder may see."""
    path = request.path
    if path.startswith("/staff/") or path == "/staff":
        return True
    if path.startswith("/api/"):
        return request.authorization is not None or not path.startswith(_PUBLIC_API)
    return False


# (lower-case name, name, value) of the headers every response gets unless it set its own.
_EVERY_RESPONSE = tuple(
    (name.lower(), name, value)
    for name, value in (
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    )
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    # One pass over the response's own headers, then one extend: the same result as a
    # setdefault per header (each of which scans the list twice), at a third of the cost.
    present = {name.lower() for name, _value in headers.items()}
    missing = [(name, value) for low, name, value in _EVERY_RESPONSE if low not in present]
    settings = current_settings()
    if (
        settings.env == "production"
        and settings.edge.hsts_seconds
        and "strict-transport-security" not in present
    ):
        value = f"max-age={settings.edge.hsts_seconds}"
        if settings.edge.hsts_include_subdomains:
            value += "; includeSubDomains"
        missing.append(("Strict-Transport-Security", value))
    headers.extend(missing)
    if private_response():
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response
