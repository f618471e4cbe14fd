"""`fairheat backup` and the restore drill (issue 16): a backup taken while cases are being
written restores into a fresh database whose audit chain verifies and which the service serves.
Runs on SQLite (online backup API) and PostgreSQL (pg_dump -Fc, pg_restore)."""

from __future__ import annotations

import shutil
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback.intake import submit_case
from feedback.models import Case
from feedback.schemas import CaseInputSchema
from service.app import create_app
from service.audit import chain_pending
from service.backup import backup_database, restore_backup
from service.extensions import db
from tests.conftest import make_settings
from tests.support.factories import case_payload


def writing(app, stop: threading.Event, written: list[int]) -> None:
    """Customers keep sending feedback (each a case and audit entries) while the backup runs."""
    with app.app_context():
        i = 0
        while not stop.is_set():
            submit_case(CaseInputSchema().load(case_payload(description=f"Kylmä patteri {i}")))
            i += 1
            written.append(i)
            if i % 5 == 0:
                chain_pending()
        chain_pending()
        db.session.remove()


@pytest.fixture
def fresh_database(app, tmp_path):
    """An empty database of the same kind, dropped afterwards."""
    url = sa.make_url(app.config["FAIRHEAT"].database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed")
    name = f"fairheat_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_backup_during_writes_restores_into_a_fresh_database_that_verifies_and_serves(
    app, tmp_path, fresh_database
):
    stop = threading.Event()
    written: list[int] = []
    writer = threading.Thread(target=writing, args=(app, stop, written))
    writer.start()
    try:
        while len(written) < 5:  # writes are under way
            stop.wait(0.05)
        before = len(written)
        path = backup_database(app.config["FAIRHEAT"].database_url, tmp_path / "backups")
        during = len(written) - before
    finally:
        stop.set()
        writer.join(timeout=60)
    assert path.exists() and path.stat().st_mode & 0o777 == 0o600
    assert not list(path.parent.glob("*.partial"))

    restore_backup(path, fresh_database)
    restored = create_app(
        {
            "FAIRHEAT": make_settings(tmp_path / "restored", FAIRHEAT_DATABASE_URL=fresh_database),
            "TESTING": True,
        }
    )
    with restored.app_context():
        try:
            cases = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
            assert before <= cases <= len(written)  # one consistent moment of the writes
            verify = restored.test_cli_runner().invoke(args=["audit", "verify"])
            assert verify.exit_code == 0, verify.output
            assert "intact" in verify.output
            client = restored.test_client()
            assert client.get("/readyz").status_code == 200
            assert client.get("/fi/").status_code == 200
        finally:
            db.session.remove()
            db.engine.dispose()
    print(f"\nbackup during {during} writes; restored {cases} of {len(written)} cases")


def test_backup_command_writes_into_the_directory_given(app, runner, tmp_path):
    result = runner.invoke(args=["backup", "--to", str(tmp_path / "nightly")])
    assert result.exit_code == 0, result.output
    written = Path(result.output.strip())
    assert written.parent == tmp_path / "nightly" and written.exists()
    assert written.suffix in (".sqlite3", ".dump")
