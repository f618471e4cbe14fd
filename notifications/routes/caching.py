"""HTTP caching for public pages and feeds.

Public pages depend only on the published notices (services.public_state) and the URL, so:
- the ETag is derived from that state before anything is rendered: a revalidation that finds
  nothing changed is a 304 for the price of one small query;
- each web process keeps recently rendered pages under the same key, so a busy outage page is
  rendered once per change, not once per visitor (a cold night with a burst of residents
  checking their address is exactly when this matters);
- a short shared max-age lets the reverse proxy absorb bursts too. Public responses never set
  cookies, so they are safe to share.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from werkzeug.wrappers import Response

from notifications.queries import public_state

PUBLIC_MAX_AGE = 15
PAGE_CACHE_SIZE = 256
# How long a web process trusts the state it last read. Changes made by this process are seen
# at once (services.invalidate_public_state); other processes' within this many seconds.
STATE_TTL_SECONDS = 1.0


def _page_cache() -> OrderedDict[str, bytes]:
    cache: OrderedDict[str, bytes] = current_app.extensions.setdefault(
        "fairheat_public_pages", OrderedDict()
    )
    return cache


def _current_state() -> tuple[Any, ...]:
    holder = current_app.extensions.setdefault("fairheat_public_state", {})
    now = time.monotonic()
    if holder.get("value") is None or now - holder["read_at"] > STATE_TTL_SECONDS:
        holder["value"] = public_state()
        holder["read_at"] = now
    return holder["value"]  # type: ignore[no-any-return]


def cached_public(render: Callable[[], str | bytes], mimetype: str = "text/html") -> Response:
    """Serve a public page or feed from its state-derived ETag, the page cache, or `render`."""
    key = repr((request.path, request.query_string, mimetype, _current_state()))
    etag = hashlib.sha256(key.encode()).hexdigest()[:32]
    headers: dict[str, Any] = {
        "Cache-Control": f"public, max-age={PUBLIC_MAX_AGE}",
        "ETag": f'"{etag}"',
    }
    if etag in request.if_none_match:
        return Response(status=304, headers=headers)
    cache = _page_cache()
    body = cache.get(etag)
    if body is None:
        rendered = render()
        body = rendered.encode() if isinstance(rendered, str) else rendered
        cache[etag] = body
        if len(cache) > PAGE_CACHE_SIZE:
            cache.popitem(last=False)
    else:
        cache.move_to_end(etag)
    return Response(body, headers=headers, mimetype=mimetype)
