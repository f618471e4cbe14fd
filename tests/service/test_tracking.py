"""Private tracking links: the token binds kind, record and nonce under the secret key; pages
behind them are never cached, referred or indexed."""

from __future__ import annotations

from flask import Blueprint, Flask

from service.tracking import new_nonce, private_pages, token_matches, tracking_token


def test_a_token_opens_only_its_own_record(app: Flask) -> None:
    nonce = new_nonce()
    token = tracking_token("case", 7, nonce)
    assert token_matches("case", 7, nonce, token)
    assert not token_matches("case", 8, nonce, token)
    assert not token_matches("connection-request", 7, nonce, token)
    assert not token_matches("case", 7, new_nonce(), token)  # a new nonce revokes the link
    assert not token_matches("case", 7, nonce, None)
    assert not token_matches("case", 7, nonce, token[:-1])


def test_the_token_depends_on_the_secret_key(app: Flask) -> None:
    nonce = new_nonce()
    before = tracking_token("case", 7, nonce)
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-012345"
    assert tracking_token("case", 7, nonce) != before
    assert len(before) == 24 and "=" not in before


def test_pages_behind_a_link_are_private() -> None:
    app = Flask(__name__)
    bp = private_pages(Blueprint("private_sample", __name__))
    bp.add_url_rule("/p", "p", lambda: "ok")
    app.register_blueprint(bp)
    headers = app.test_client().get("/p").headers
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Robots-Tag"] == "noindex"
