"""Uploads scanned by a real clamd (INSTREAM over its unix socket) when FAIRHEAT_CLAMAV_SOCKET
is set: an infected document is refused naming its field, nothing kept; a scanner that does
not answer refuses the upload (503) rather than letting it through."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from feedback.connection_requests import clamav
from feedback.connection_requests.models import ConnectionRequest
from service.extensions import db
from tests.feedback.connection_requests.clamd import SIGNATURE, TEST_MARKER, start_clamd
from tests.feedback.connection_requests.conftest import application, pdf, send


@pytest.fixture(scope="module")
def clamd_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from start_clamd(tmp_path_factory.mktemp("clamd"))


@pytest.fixture
def settings_env(tmp_path: Path, clamd_socket: str) -> dict[str, str]:
    return {
        "FAIRHEAT_JURISDICTION": "PL",
        "FAIRHEAT_FILES_DIR": str(tmp_path / "files"),
        "FAIRHEAT_CLAMAV_SOCKET": clamd_socket,
    }


def stored(app: Any) -> list[Path]:
    root = Path(app.config["FAIRHEAT"].files_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_client_speaks_instream(clamd_socket):
    assert clamav.scan(io.BytesIO(pdf(marker=TEST_MARKER)), clamd_socket, 10).startswith(SIGNATURE)
    assert clamav.scan(io.BytesIO(pdf(300_000)), clamd_socket, 10) is None


def test_an_infected_document_is_refused_and_nothing_kept(app, client):
    files = {
        "title_proof": (pdf(), "akt.pdf"),
        "site_plan": (pdf(marker=TEST_MARKER), "mapa.pdf"),
    }
    response = send(client, application(client, files))
    assert response.status_code == 422
    assert 'id="site_plan-error"' in response.get_data(as_text=True)
    assert stored(app) == []
    assert db.session.scalar(sa.select(sa.func.count(ConnectionRequest.id))) == 0


def test_clean_documents_pass(app, client):
    response = send(client, application(client, {"title_proof": (pdf(), "akt.pdf")}))
    assert response.status_code == 302
    assert len(stored(app)) == 1


def test_a_scanner_that_does_not_answer_refuses_the_upload(app, client, monkeypatch, tmp_path):
    import dataclasses

    settings = app.config["FAIRHEAT"]
    conf = dataclasses.replace(
        settings.connection_requests, clamav_socket=str(tmp_path / "none.sock")
    )
    monkeypatch.setitem(
        app.config, "FAIRHEAT", dataclasses.replace(settings, connection_requests=conf)
    )
    response = send(client, application(client, {"title_proof": (pdf(), "akt.pdf")}))
    assert response.status_code == 503
    assert stored(app) == []
