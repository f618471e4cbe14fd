"""Fixtures: app, client, runner, db_session, and the databases and browser the suite runs on.

Every test that uses `app` runs twice: on SQLite and on PostgreSQL. PostgreSQL comes from
FAIRHEAT_TEST_DATABASE_URL or a throwaway cluster started here; where neither is possible the
PostgreSQL runs skip with the reason, unless FAIRHEAT_TEST_REQUIRE_POSTGRES=1 (CI), where they
fail. The browser tests do the same with FAIRHEAT_TEST_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient

from config import load_settings
from service.app import create_app
from service.extensions import db
from tests.support.postgres import Cluster, PostgresUnavailable, start_cluster

REQUIRE_POSTGRES = os.environ.get("FAIRHEAT_TEST_REQUIRE_POSTGRES") == "1"
REQUIRE_BROWSER = os.environ.get("FAIRHEAT_TEST_REQUIRE_BROWSER") == "1"
PASSWORD = "a long enough password"


def _unavailable(reason: str, required: bool) -> None:
    if required:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster | None]:
    if os.environ.get("FAIRHEAT_TEST_DATABASE_URL"):
        yield None
        return
    try:
        cluster = start_cluster()
    except PostgresUnavailable as error:
        _unavailable(f"PostgreSQL unavailable: {error}", REQUIRE_POSTGRES)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'fairheat.sqlite3'}"
    given = os.environ.get("FAIRHEAT_TEST_DATABASE_URL")
    if given:
        return given
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database("fairheat_test")


def make_settings(instance: Path, **environ: str) -> Any:
    base = {
        "FAIRHEAT_ENV": "test",
        "FAIRHEAT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    }
    return load_settings({**base, **environ}, instance_path=instance)


@pytest.fixture(scope="session")
def migrated(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database brought to the newest migration once per session."""
    from flask_migrate import upgrade

    settings = make_settings(
        tmp_path_factory.mktemp("instance"), FAIRHEAT_DATABASE_URL=database_url
    )
    app = create_app({"FAIRHEAT": settings, "TESTING": True})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture
def settings_env() -> dict[str, str]:
    """Extra FAIRHEAT_* settings for one test (override in a test module)."""
    return {}


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Extra Flask config for one test; CSRF and rate limits are off unless a test turns them on."""
    return {}


@pytest.fixture
def app(
    migrated: str, settings_env: dict[str, str], app_config: dict[str, Any], tmp_path: Path
) -> Iterator[Flask]:
    settings = make_settings(tmp_path, FAIRHEAT_DATABASE_URL=migrated, **settings_env)
    app = create_app(
        {
            "FAIRHEAT": settings,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            **app_config,
        }
    )

    @app.teardown_request
    def fresh_g_per_request(exc: BaseException | None) -> None:
        # The fixture keeps an app context open so tests can call services directly; Flask then
        # reuses it for test-client requests, and `g` (where Flask-Babel caches the locale)
        # would leak from one request into the next. In production every request has its own.
        g.pop("_flask_babel", None)
        g.pop("lang", None)
        g.pop("staff_user", None)

    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def db_session(app: Flask) -> Any:
    return db.session


@pytest.fixture
def make_user(app: Flask) -> Any:
    from service.auth import create_user

    def make(role: str = "dispatcher", email: str | None = None) -> Any:
        return create_user(email or f"{role}@lampo.example", role, PASSWORD, role.title())

    return make


@pytest.fixture
def login(client: FlaskClient, make_user: Any) -> Any:
    """Sign a new user of `role` in on the test client and return the user."""

    def sign_in(role: str = "dispatcher") -> Any:
        user = make_user(role)
        response = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


@pytest.fixture
def token_for(make_user: Any) -> Any:
    """An Authorization header for a new user of `role`."""
    from service.auth import create_api_token

    def make(role: str = "dispatcher") -> dict[str, str]:
        user = make_user(role)
        return {"Authorization": f"Bearer {create_api_token(user.email)}"}

    return make
