"""The per-address limit of the public intake forms (feedback, replies, connection requests).

These are the busiest POSTs a resident makes (bench/intake.py). Flask-Limiter's own check
resolves, on every request, the view's decorated limits, the defaults, the blueprint's
exemptions and a limit given as a callable (parsed again each time), and then computes its
response headers: about a tenth of an accepted complaint's CPU. `count_request` does what these
forms need with the same parts — the application's limiter switch (`RATELIMIT_ENABLED`), its
storage and strategy (`FAIRHEAT_RATELIMIT_STORAGE_URL`), the client's address as the key — and
answers 429 with Retry-After, localized by the application's error handler. Decision 0018.
"""

from __future__ import annotations

import functools
import math
import time

from flask import request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from service.extensions import limiter


@functools.lru_cache(maxsize=16)
def _items(limit: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limit))


def count_request(limit: str, scope: str | None = None) -> None:
    """Count this request against `limit` (e.g. "20 per hour; 100 per day") for the client's
    address within `scope` (default: the view's endpoint); 429 once any of them is spent."""
    if not limiter.enabled:
        return
    strategy = limiter.limiter
    key = get_remote_address()
    scope = scope or request.endpoint or request.path
    for item in _items(limit):
        if not strategy.hit(item, scope, key):
            reset_at, _remaining = strategy.get_window_stats(item, scope, key)
            raise TooManyRequests(retry_after=max(1, math.ceil(reset_at - time.time())))
