"""The admin's users and tokens page (review D6: there was no UI to take access back)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import g

from service.auth import create_api_token
from service.auth.models import ApiToken, User
from service.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def user_loaded_per_request(app):
    @app.teardown_request
    def forget_user(exc: BaseException | None) -> None:
        g.pop("_login_user", None)


def test_only_admins_open_the_page(client, login):
    login("customer_service_lead")
    assert client.get("/staff/users/").status_code == 403


def test_d6_an_admin_deactivates_changes_a_role_and_revokes_a_token(app, client, login, make_user):
    admin = login("admin")
    staff = make_user("dispatcher")
    token = create_api_token(staff.email, "laptop")
    page = client.get("/staff/users/").get_data(as_text=True)
    assert staff.email in page and "laptop" in page and token[:10] in page
    assert token not in page  # only the prefix is ever shown again

    other = app.test_client()
    other.post("/staff/login", data={"email": staff.email, "password": PASSWORD})
    assert other.get("/staff/outages/").status_code == 200

    assert client.post(f"/staff/users/{staff.id}/role", data={"role": "viewer"}).status_code == 302
    assert other.get("/staff/outages/").status_code == 302  # the role change ended the session
    bad = client.post(f"/staff/users/{staff.id}/role", data={"role": "king"})
    assert bad.status_code == 422

    token_id = db.session.scalar(sa.select(ApiToken.id))
    assert client.post(f"/staff/users/tokens/{token_id}/revoke").status_code == 302
    api = app.test_client().get("/api/v1/outages", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401

    assert client.post(f"/staff/users/{staff.id}/active", data={"active": "0"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, staff.id).active is False
    assert db.session.get(User, admin.id).active is True


def test_d6_a_token_created_on_the_page_is_shown_once_and_expires(app, client, login, make_user):
    login("admin")
    staff = make_user("dispatcher")
    response = client.post(
        "/staff/users/tokens",
        data={"user_id": str(staff.id), "name": "scada", "expires_in_days": "30"},
    )
    assert response.status_code == 200
    token = re.search(r"<code>(fh_[^<]+)</code>", response.get_data(as_text=True)).group(1)
    assert db.session.scalar(sa.select(ApiToken.expires_at)) is not None
    api = app.test_client().get("/api/v1/outages", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert token not in client.get("/staff/users/").get_data(as_text=True)
    bad = client.post(
        "/staff/users/tokens", data={"user_id": str(staff.id), "expires_in_days": "-1"}
    )
    assert bad.status_code == 422


def test_d6_a_new_password_from_the_page(client, login, make_user):
    login("admin")
    staff = make_user("viewer")
    short = client.post(f"/staff/users/{staff.id}/password", data={"password": "short"})
    assert short.status_code == 422
    ok = client.post(
        f"/staff/users/{staff.id}/password", data={"password": "a brand new long password"}
    )
    assert ok.status_code == 302
