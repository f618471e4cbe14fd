"""Where a `next=` may send someone: a page of this site, nothing else (review D2, D12).

`/language/en?next=/%09/evil.example` went to //evil.example: the check looked at the text
before Werkzeug deleted the TAB while building the Location header. And a CR or LF in `next=`
made the header itself fail (a 500, and a lost sign-in). So a target is accepted only when, as
given, it has no control, space-like or bidirectional character and no backslash, is a path
(no scheme, no host, not `//…`), and names a page this app answers with GET.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from service.edge.characters import has_forbidden


def safe_redirect_target(target: str | None) -> str | None:
    """`target` if it is a page of this site to send someone to, else None."""
    if not target or len(target) > 2048 or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target or has_forbidden(target):
        return None
    if any(ch.isspace() for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    path = unquote(parts.path)
    root = request.script_root
    if root and path.startswith(root + "/"):
        path = path[len(root) :]
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except RequestRedirect:
        return target  # the same page with a trailing slash
    except HTTPException:
        return None
    return target
