"""Demo data: a request in every state, applicants in Polish and Finnish."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from feedback.connection_requests.demo import load_requests
from feedback.connection_requests.models import ConnectionRequest, Status
from service.extensions import db


@pytest.mark.parametrize("code", ["PL", "FI"])
def test_demo_has_every_state_in_polish_and_finnish(app, monkeypatch, code):
    from config.jurisdictions import JURISDICTIONS

    settings = app.config["FAIRHEAT"]
    jurisdiction = JURISDICTIONS[code]
    monkeypatch.setitem(
        app.config,
        "FAIRHEAT",
        dataclasses.replace(settings, jurisdiction=jurisdiction, timezone=jurisdiction.timezone),
    )
    assert load_requests() == "14 connection requests"
    statuses = set(db.session.scalars(sa.select(ConnectionRequest.status)))
    expected = set(Status) - ({Status.AGREEMENT_OFFERED} if code == "FI" else set())
    assert statuses == expected
    assert set(db.session.scalars(sa.select(ConnectionRequest.language))) == {"pl", "fi"}
    assert load_requests(only_if_empty=True).endswith("nothing loaded")
