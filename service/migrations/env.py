"""Alembic environment for fairheat (run through `fairheat db upgrade`)."""

from __future__ import annotations

import importlib
import logging

from alembic import context
from flask import current_app

from service.domains import DOMAINS
from service.extensions import db

log = logging.getLogger("alembic.env")
config = context.config

# Every model module must be imported so the metadata is complete: the shell's own, and each
# domain's, which its package imports when it is imported (service/domains.py lists them).
import service.audit  # noqa: E402,F401
import service.auth.models  # noqa: E402,F401

for _name in DOMAINS:
    importlib.import_module(_name)

target_metadata = db.metadata
# Migrations wait at most this long for a table lock instead of queueing behind long
# transactions and blocking every request behind them (PostgreSQL).
LOCK_TIMEOUT = "5s"


def run_migrations_offline() -> None:
    context.configure(
        url=str(db.engine.url),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = db.engine
    with engine.connect() as connection:
        options = {
            **current_app.extensions["migrate"].configure_args,
            "render_as_batch": connection.dialect.name == "sqlite",
            "compare_type": True,
        }
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                context.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
