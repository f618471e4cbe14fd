"""Private tracking links: a public reference plus an HMAC token, and the pages behind them.

Used by feedback cases today and connection requests next. The token is an HMAC-SHA256, under
the application's secret key, of the record's kind, id and a random per-record nonce kept with
the record: a copy of the database alone reveals no link, the same link can be sent again in
every later message, and a new nonce revokes it. Rotating FAIRHEAT_SECRET_KEY invalidates every
link already sent; the reference still identifies the record to staff.

A page behind such a link is private: never cached by a proxy or the browser, never sending its
address onwards as a Referer, never indexed (`private_page`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import Blueprint, Response, current_app

TOKEN_BYTES = 18  # 144 bits of the HMAC, 24 characters in the URL


def new_nonce() -> str:
    """A fresh per-record nonce (store it with the record)."""
    return secrets.token_hex(16)


def tracking_token(kind: str, record_id: int, nonce: str) -> str:
    """The link token of record `record_id` of `kind` ("case", "connection-request")."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"fairheat-{kind}:{record_id}:{nonce}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_matches(kind: str, record_id: int, nonce: str, token: str | None) -> bool:
    """Constant-time comparison with the token the link carries."""
    expected = tracking_token(kind, record_id, nonce).encode()
    return hmac.compare_digest(expected, (token or "").encode())


def make_private(response: Response) -> Response:
    """No cache, no Referer, no index: for every page a tracking link opens."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def private_pages(bp: Blueprint) -> Blueprint:
    """Make every response of `bp` private (make_private)."""
    bp.after_request(make_private)
    return bp
