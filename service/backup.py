"""`fairheat backup`: a consistent copy of the database, taken while the service runs.

- SQLite: the online backup API (sqlite3.Connection.backup) copies the database in one read
  transaction, so writers keep working (WAL mode) and the copy is one consistent state; the
  copy is then checked with PRAGMA integrity_check. Copying the file (or its -wal beside it)
  would not be.
- PostgreSQL: pg_dump in its custom format (-Fc: compressed, restored selectively and in
  parallel by pg_restore), taken in one snapshot (pg_dump's own repeatable-read transaction);
  --no-owner and --no-privileges so it restores into a fresh database under another role;
  --lock-wait-timeout so a dump that cannot get its share locks (a migration running) fails
  quickly instead of queueing every writer behind it; the password goes in PGPASSWORD, never
  on the command line.

The file is written next to its final name and renamed only when complete, readable by the
owner only. Restoring: docs/deployment.md (and `restore_backup`, which the restore drill uses).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from service.db import utcnow
from service.settings import current_settings


class BackupFailed(RuntimeError):
    pass


def _libpq(url: sa.URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password, and the environment carrying it."""
    environ = dict(os.environ)
    if url.password:
        environ["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environ


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ")


def backup_database(database_url: str, directory: Path, now: dt.datetime | None = None) -> Path:
    """Write a backup of the database into `directory` and return its path."""
    url = sa.make_url(database_url)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = _stamp(now or utcnow())
    if url.get_backend_name() == "sqlite":
        target = directory / f"fairheat-{stamp}.sqlite3"
        _backup_sqlite(Path(str(url.database)), target)
    elif url.get_backend_name() == "postgresql":
        target = directory / f"fairheat-{stamp}.dump"
        _backup_postgres(url, target)
    else:
        raise BackupFailed(f"no backup method for {url.get_backend_name()}")
    return target


def _partial(target: Path) -> Path:
    return target.with_name(target.name + ".partial")


def _backup_sqlite(source: Path, target: Path) -> None:
    partial = _partial(target)
    partial.unlink(missing_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src:
        dst = sqlite3.connect(partial)
        try:
            # In one step, inside one read transaction: in WAL mode (service/db.py) writers go on
            # meanwhile, and the copy is the database as of the step's start. (Steps of N pages
            # would restart whenever another connection writes, forever under steady writes.)
            src.backup(dst, pages=-1)
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    if ok != "ok":
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"the copy failed its integrity check: {ok}")
    os.chmod(partial, 0o600)
    partial.replace(target)


def _backup_postgres(url: sa.URL, target: Path) -> None:
    partial = _partial(target)
    dsn, environ = _libpq(url)
    command = [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--lock-wait-timeout=60s",
        "--no-password",
        f"--file={partial}",
        f"--dbname={dsn}",
    ]
    result = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"pg_dump failed: {result.stderr.strip()[:500]}")
    os.chmod(partial, 0o600)
    partial.replace(target)


def restore_backup(backup: Path, database_url: str) -> None:
    """Restore a backup into an EMPTY database (a new SQLite file, or a freshly created
    PostgreSQL database): the restore drill, and the steps docs/deployment.md describes."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target = Path(str(url.database))
        if target.exists() and target.stat().st_size:
            raise BackupFailed(f"{target} exists: restore into a new file")
        with sqlite3.connect(backup) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    dsn, environ = _libpq(url)
    command = [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        f"--dbname={dsn}",
        str(backup),
    ]
    result = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupFailed(f"pg_restore failed: {result.stderr.strip()[:500]}")


@click.command("backup")
@click.option(
    "--to",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for the backup file (default FAIRHEAT_BACKUP_DIR, else instance/backups).",
)
@with_appcontext
def backup(directory: Path | None) -> None:
    """Back the database up while the service runs; print the file written."""
    from flask import current_app

    settings = current_settings()
    target_dir = directory or Path(
        settings.security.backup_dir or Path(current_app.instance_path) / "backups"
    )
    try:
        path = backup_database(settings.database_url, target_dir)
    except (BackupFailed, OSError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(str(path))
