"""Whether the database is at the newest Alembic revision."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@functools.cache
def head_revisions() -> frozenset[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def migrations_current(engine: Engine) -> tuple[bool, str]:
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    heads = head_revisions()
    return current == heads, ",".join(sorted(current)) or "none"
