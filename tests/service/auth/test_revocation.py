"""Access that can be taken back (review D6, D11): users deactivated, roles and passwords
changed, tokens listed, expiring and revoked; sign-out and those changes end sessions for good;
sessions have an absolute lifetime."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import sqlalchemy as sa
from flask import g

from service.audit import AuditEntry
from service.auth import create_api_token
from service.auth.models import ApiToken
from service.auth.permissions import Role
from service.auth.services import SESSION_SINCE
from service.db import utcnow
from service.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def user_loaded_per_request(app):
    """The app fixture keeps one app context open, so Flask-Login's user cached in `g` would
    outlive a request; in production every request loads the user again."""

    @app.teardown_request
    def forget_user(exc: BaseException | None) -> None:
        g.pop("_login_user", None)


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_d6_every_role_the_readme_names_can_be_created_from_the_cli(runner, role):
    """D6: `--role customer_service_lead` was refused by a hard-coded choice."""
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            f"{role}@lampo.example",
            "--role",
            role,
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert f"created {role} " in result.output


def test_d6_tokens_listed_revoked_and_expiring_from_the_cli(app, runner, make_user):
    user = make_user("dispatcher")
    client = app.test_client()
    created = runner.invoke(
        args=[
            "tokens",
            "create",
            "--user",
            user.email,
            "--name",
            "scada",
            "--expires-in-days",
            "30",
        ]
    )
    token = created.output.strip()
    assert client.get("/api/v1/outages", headers=bearer(token)).status_code == 200

    listed = runner.invoke(args=["tokens", "list"])
    assert listed.exit_code == 0
    line = listed.output.strip()
    assert "scada" in line and token[:10] in line and "last used 20" in line
    assert "revoked no" in line and "expires 20" in line

    token_id = db.session.scalar(sa.select(ApiToken.id))
    revoked = runner.invoke(args=["tokens", "revoke", str(token_id)])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/outages", headers=bearer(token)).status_code == 401
    assert "token.revoked" in actions()


def test_d6_an_expired_token_no_longer_works(app, make_user):
    user = make_user("dispatcher")
    token = create_api_token(user.email, "short", utcnow() + dt.timedelta(seconds=1))
    client = app.test_client()
    assert client.get("/api/v1/outages", headers=bearer(token)).status_code == 200
    row = db.session.scalar(sa.select(ApiToken))
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/outages", headers=bearer(token)).status_code == 401


def test_d6_deactivated_user_loses_session_and_tokens(app, client, login, runner):
    user = login("dispatcher")
    token = create_api_token(user.email)
    assert client.get("/staff/outages/").status_code == 200
    result = runner.invoke(args=["users", "deactivate", user.email])
    assert result.exit_code == 0, result.output
    assert client.get("/staff/outages/").status_code == 302
    assert app.test_client().get("/api/v1/outages", headers=bearer(token)).status_code == 401
    listed = runner.invoke(args=["users", "list"]).output
    assert f"{user.email}\tdispatcher\tDEACTIVATED" in listed
    assert "user.deactivated" in actions()


def test_d6_role_change_and_new_password_end_sessions(client, login, runner):
    user = login("dispatcher")
    assert runner.invoke(args=["users", "set-role", user.email, "viewer"]).exit_code == 0
    assert client.get("/staff/outages/").status_code == 302  # signed out: rights changed
    new_password = "another long enough password"
    changed = runner.invoke(args=["users", "set-password", user.email, "--password", new_password])
    assert changed.exit_code == 0, changed.output
    old = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
    assert old.status_code == 401
    ok = client.post("/staff/login", data={"email": user.email, "password": new_password})
    assert ok.status_code == 302
    assert client.get("/staff/outages/new?kind=planned").status_code == 403  # now a viewer
    assert {"user.role_changed", "user.password_changed"} <= set(actions())


def test_d11_a_session_cookie_replayed_after_sign_out_is_refused(app, client, login):
    """D11: the old cookie replayed on /staff/audit after POST /staff/logout got 200."""
    login("admin")
    cookie = client.get_cookie("session").value
    assert client.get("/staff/audit").status_code == 200
    client.post("/staff/logout")
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    response = replay.get("/staff/audit")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_d11_sign_out_ends_the_users_sessions_on_other_devices_too(app, make_user):
    user = make_user("viewer")
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/staff/login", data={"email": user.email, "password": PASSWORD})
        assert device.get("/staff/outages/").status_code == 200
    laptop.post("/staff/logout")
    assert phone.get("/staff/outages/").status_code == 302


def test_d11_sessions_end_after_their_absolute_lifetime(client, login):
    login("viewer")
    assert client.get("/staff/outages/").status_code == 200
    with client.session_transaction() as session:
        session[SESSION_SINCE] = int(time.time()) - 10 * 3600 - 1  # default lifetime 10 h
    assert client.get("/staff/outages/").status_code == 302


def test_d11_a_session_from_before_this_release_is_not_accepted(client, login):
    """A signed cookie without the generation (issued before) counts as ended."""
    login("viewer")
    with client.session_transaction() as session:
        session.pop(SESSION_SINCE)
    assert client.get("/staff/outages/").status_code == 302
