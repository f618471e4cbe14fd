"""The baseline for bench/intake.py: one INSERT per POST into a one-table database.

POST /<lang>/feedback reads the same form the real intake reads and writes one row (description,
contact, language, time) through a SQLAlchemy Core connection, commits, and answers 302 to
/<lang>/feedback/<id>, as the real form redirects to the case's tracking page. No validation, no
CSRF, no session, no templates, no outbox: what gunicorn, WSGI, Flask's routing, form parsing and
one committed INSERT cost on this machine. The database comes from BENCH_INSERT_DATABASE_URL; the
bench creates the table (`metadata.create_all`) before starting the server.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import sqlalchemy as sa
from flask import Flask, redirect, request
from werkzeug.wrappers import Response

metadata = sa.MetaData()
complaint = sa.Table(
    "bench_complaint",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("area", sa.String(40), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("email", sa.String(254)),
    sa.Column("phone", sa.String(20)),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

app = Flask(__name__)
_engine: Any = None


def engine() -> Any:
    global _engine
    if _engine is None:  # after gunicorn's fork, one pool per worker
        _engine = sa.create_engine(os.environ["BENCH_INSERT_DATABASE_URL"])
    return _engine


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.post("/<lang>/feedback")
def submit(lang: str) -> Response:
    form = request.form
    row = {
        "type": form.get("type", ""),
        "area": form.get("area", ""),
        "description": form.get("description", ""),
        "email": form.get("email") or None,
        "phone": form.get("phone") or None,
        "language": form.get("language") or lang,
        "received_at": dt.datetime.now(dt.UTC),
    }
    with engine().begin() as connection:
        new_id = connection.execute(
            sa.insert(complaint).returning(complaint.c.id), row
        ).scalar_one()
    return redirect(f"/{lang}/feedback/{new_id}")
