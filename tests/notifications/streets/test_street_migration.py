"""Migration b15e2c7d9a04 keys the streets already stored again (diacritics, al./pl. prefixes),
and its downgrade gives the old keys back."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from service.app import create_app
from service.extensions import db
from tests.conftest import make_settings

BEFORE, THIS = "b12a6f9b4e03", "b15e2c7d9a04"


def _insert_minimal(connection: sa.Connection, name: str, **given: object) -> None:
    """A row with `given` and a plain value in every other required column."""
    table = sa.Table(name, sa.MetaData(), autoload_with=connection)
    values = dict(given)
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        python = getattr(column.type, "python_type", str) if not isinstance(
            column.type, sa.types.NullType) else str  # fmt: skip
        if python is bool:
            values[column.name] = False
        elif python is int:
            values[column.name] = 0
        elif python.__name__ == "datetime":
            values[column.name] = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        else:
            values[column.name] = "x"
    connection.execute(table.insert().values(**values))


def test_stored_street_keys_are_keyed_again_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    app = create_app({"FAIRHEAT": make_settings(tmp_path, FAIRHEAT_DATABASE_URL=url)})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _insert_minimal(connection, "sms_subscribers", id=1, phone="+48601000001")
            for row_id, street, key in [
                (1, "ul. Marszałkowska", "marszałkowska"),
                (2, "Al. Jerozolimskie", "al jerozolimskie"),
                (3, None, None),
            ]:
                connection.execute(
                    sa.text(
                        "INSERT INTO sms_subscriber_addresses (id, subscriber_id, postcode, "
                        "street, street_key) VALUES (:id, 1, '00-624', :street, :key)"
                    ),
                    {"id": row_id, "street": street, "key": key},
                )

        def keys() -> list[str | None]:
            with db.engine.connect() as connection:
                return list(
                    connection.scalars(
                        sa.text("SELECT street_key FROM sms_subscriber_addresses ORDER BY id")
                    )
                )

        upgrade(revision=THIS)
        assert keys() == ["marszalkowska", "jerozolimskie", None]
        downgrade(revision=BEFORE)
        assert keys() == ["marszałkowska", "al jerozolimskie", None]
        db.engine.dispose()
