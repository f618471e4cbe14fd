"""Security headers on every response, and no-store where personal data may be (review D9);
the language cookie Secure in production (D19)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "path", ["/en/", "/en/feedback", "/en/outages.atom", "/api/v1/public/outages", "/nowhere"]
)
def test_d9_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    # same-origin, or no-referrer where a page holds a private link (service/tracking.py)
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    assert "Strict-Transport-Security" not in headers  # not in development or tests


def test_d9_staff_pages_and_the_authenticated_api_are_not_stored(client, login, token_for):
    api = client.get("/api/v1/outages", headers=token_for("viewer"))
    assert api.status_code == 200
    assert api.headers["Cache-Control"] == "no-store"
    login("admin")
    for path in ("/staff/audit", "/staff/outages/", "/staff/login"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path


def test_public_pages_stay_cacheable(client):
    response = client.get("/api/v1/public/outages")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/en/").headers.get("Cache-Control", "")


def test_a_page_keeps_a_stricter_referrer_policy_of_its_own(client, app):
    @app.get("/en/private-test")
    def private() -> tuple[str, int, dict[str, str]]:
        return "", 200, {"Referrer-Policy": "no-referrer"}

    assert client.get("/en/private-test").headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("settings_env", [{"FAIRHEAT_ENV": "production"}])
def test_d9_d19_production_sends_hsts_and_a_secure_language_cookie(client):
    assert client.get("/en/").headers["Strict-Transport-Security"] == "max-age=31536000"
    cookie = client.get("/language/fi?next=/fi/").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_language_cookie_is_not_secure_in_development(client):
    assert "Secure" not in client.get("/language/fi").headers["Set-Cookie"]


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
_JSON_DATA = re.compile(r"<script[^>]*type=\"application/json\"", re.IGNORECASE)


def _templates() -> list[Path]:
    found = []
    for folder in ("service", "notifications", "feedback"):
        found.extend(p for p in (ROOT / folder).rglob("templates/**/*.html"))
    return sorted(found)


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_d9_no_template_has_inline_script_or_style_the_policy_would_block(template):
    """The CSP allows no inline script, event handler or style attribute: each would silently
    stop working in the browser. Put scripts in service/static/*.js, styles in fairheat.css.
    (HTML e-mails, in an email/ folder, style inline as e-mail must; no CSP applies there.)"""
    text = template.read_text()
    scripts = [m for m in _INLINE_SCRIPT.finditer(text) if not _JSON_DATA.match(m.group(0))]
    assert not scripts, f"inline <script> in {template.name}"
    assert not _HANDLER.search(text), f"inline event handler in {template.name}"
    if "email" not in template.parent.parts:
        assert not _STYLE_ATTRIBUTE.search(text), f"style= attribute in {template.name}"
