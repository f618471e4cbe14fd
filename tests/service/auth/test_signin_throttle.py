"""Failed sign-ins are counted in the database, shared by every web process, and slow an
attacker per address and per account without letting a stranger lock the owner out (D10)."""

from __future__ import annotations

import pytest

from service.app import create_app
from service.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def second_process(app):
    """Another web process on the same database (gunicorn -w 2)."""
    other = create_app(
        {"FAIRHEAT": app.config["FAIRHEAT"], "TESTING": True, "WTF_CSRF_ENABLED": False}
    )
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def from_address(flask_app, address: str):
    client = flask_app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, email: str, password: str = "wrong password") -> int:
    return client.post("/staff/login", data={"email": email, "password": password}).status_code


def test_d10_failures_are_counted_across_web_processes(app, second_process, make_user):
    """D10: with two gunicorn workers, 20 wrong passwords got 9 × 401 (the limit per worker)."""
    user = make_user("dispatcher")
    first = from_address(app, "198.51.100.7")
    second = from_address(second_process, "198.51.100.7")
    statuses = [attempt(first if i % 2 else second, user.email) for i in range(8)]
    assert statuses == [401] * 5 + [429] * 3  # FAIRHEAT_SIGNIN_PAIR_LIMIT = 5, all processes
    refused = first.post("/staff/login", data={"email": user.email, "password": "x"})
    assert int(refused.headers["Retry-After"]) > 0
    # Said in the staff's language (Finnish by default), with the wait.
    assert "Liian monta epäonnistunutta kirjautumista" in refused.get_data(as_text=True)


def test_d10_a_stranger_cannot_lock_the_owner_out(app, make_user):
    """D10: after 12 wrong attempts the right password also got 429 for everyone."""
    user = make_user("dispatcher")
    owner = from_address(app, "192.0.2.10")
    assert attempt(owner, user.email, PASSWORD) == 302  # the owner's usual address
    owner.post("/staff/logout")
    for i in range(12):  # a stranger guesses from many addresses
        attempt(from_address(app, f"203.0.113.{i}"), user.email)
    assert attempt(owner, user.email, PASSWORD) == 302


def test_d10_many_addresses_guessing_one_account_are_slowed_down(app, make_user):
    user = make_user("dispatcher")
    statuses = [attempt(from_address(app, f"203.0.113.{i}"), user.email) for i in range(12)]
    assert statuses[:10] == [401] * 10  # FAIRHEAT_SIGNIN_ACCOUNT_LIMIT
    assert 429 in statuses[10:]  # then one try per 10 s from an unknown address
    # The owner at a new address waits seconds, not an hour: slowed, never locked out.
    response = from_address(app, "192.0.2.99").post(
        "/staff/login", data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) <= 10


def test_d10_one_address_guessing_many_accounts_is_stopped(app, make_user):
    make_user("viewer")
    attacker = from_address(app, "203.0.113.50")
    statuses = [attempt(attacker, f"guess{i}@lampo.example") for i in range(22)]
    assert statuses[:20] == [401] * 20  # FAIRHEAT_SIGNIN_ADDRESS_LIMIT
    assert statuses[20:] == [429, 429]
    # Others sign in as usual.
    assert attempt(from_address(app, "192.0.2.1"), "viewer@lampo.example", PASSWORD) == 302
