"""Staff sign-in: hashed passwords, rate-limited failures, CSRF on forms, hashed tokens."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from service.auth.models import ApiToken, User
from service.extensions import db
from tests.conftest import PASSWORD


def test_password_is_stored_as_an_argon2_hash(make_user):
    user = make_user("viewer")
    stored = db.session.scalar(sa.select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_sign_in_and_out(client, make_user):
    user = make_user("dispatcher")
    wrong = client.post("/staff/login", data={"email": user.email, "password": "nope"})
    assert wrong.status_code == 401
    ok = client.post(
        "/staff/login",
        data={"email": user.email.upper(), "password": PASSWORD, "next": "/staff/outages/new"},
    )
    assert ok.status_code == 302
    assert ok.headers["Location"] == "/staff/outages/new"
    assert client.get("/staff/outages/").status_code == 200
    client.post("/staff/logout")
    assert client.get("/staff/outages/").status_code == 302


def test_next_never_leaves_the_site(client, make_user):
    user = make_user("viewer")
    response = client.post(
        "/staff/login",
        data={"email": user.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/staff/"  # the back office home, per role


@pytest.mark.parametrize(
    ("role", "landing"),
    [("customer_service", "/staff/cases/"), ("dispatcher", "/staff/outages/")],
)
def test_each_role_lands_where_its_work_is(client, make_user, role, landing):
    user = make_user(role)
    signed_in = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
    assert client.get(signed_in.headers["Location"]).headers["Location"] == landing


def test_cli_token_is_shown_once_and_stored_hashed(app, runner, make_user):
    make_user("dispatcher")
    result = runner.invoke(args=["tokens", "create", "--user", "dispatcher@lampo.example"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("fh_")
    stored = db.session.scalar(sa.select(ApiToken.token_hash))
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    client = app.test_client()
    assert (
        client.get("/api/v1/outages", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )


def test_cli_creates_users_and_refuses_bad_ones(runner):
    ok = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Anna@Lampo.example",
            "--role",
            "customer_service",
            "--password",
            "long enough password",
        ]
    )
    assert ok.exit_code == 0, ok.output
    assert "anna@lampo.example" in ok.output
    duplicate = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "anna@lampo.example",
            "--role",
            "viewer",
            "--password",
            "long enough password",
        ]
    )
    assert duplicate.exit_code == 1
    short = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "b@lampo.example",
            "--role",
            "viewer",
            "--password",
            "short",
        ]
    )
    assert short.exit_code == 1
    assert "password" in short.output


class TestWithProtectionsOn:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True}

    @pytest.fixture(autouse=True)
    def fresh_limits(self, app):
        from service.extensions import limiter

        limiter.reset()

    def test_forms_without_csrf_token_are_refused(self, app, make_user):
        user = make_user("dispatcher")
        client = app.test_client()
        response = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400

    def test_failed_sign_ins_are_rate_limited(self, app, make_user):
        user = make_user("dispatcher")
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        statuses = [
            client.post("/staff/login", data={"email": user.email, "password": "wrong"}).status_code
            for _ in range(6)
        ]
        assert statuses[:5] == [401] * 5
        assert statuses[5] == 429
        # Even the right password waits now.
        right = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
        assert right.status_code == 429


def test_no_remember_me_cookie_and_no_vary_cookie_where_the_session_is_not_read(client, make_user):
    """Staff sessions last as long as the browser session: no remember-me cookie. A public
    notice page does not depend on anyone's session, so it says so to caches (no
    "Vary: Cookie"); a staff page does."""
    public = client.get("/fi/")
    assert public.status_code == 200
    assert "Cookie" not in public.headers.get("Vary", "")

    user = make_user("dispatcher")
    signed_in = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert [c for c in signed_in.headers.getlist("Set-Cookie") if "remember" in c] == []
    staff_page = client.get("/staff/outages/")
    assert staff_page.status_code == 200
    assert "Cookie" in staff_page.headers["Vary"]
