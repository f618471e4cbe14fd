"""api_keys: POST needs a valid one, GET none but refuses a wrong one; creating and revoking
are audited."""

from __future__ import annotations

import pytest

from feedback.models import Case
from feedback.open311.keys import create_key, revoke_key
from service.extensions import db
from tests.feedback.open311.city_app import (
    error_descriptions,
    submit,
    xml,
)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "An api_key is required to submit a service request."),
        ("o311_not-a-key", "This api_key is not valid: it is unknown or was revoked."),
    ],
)
def test_post_without_a_valid_key_is_403(client, app, key, message):
    response = submit(client, key, locale="en")
    assert response.status_code == 403
    assert error_descriptions(response) == [message]
    assert db.session.query(Case).count() == 0


def test_revoked_key_is_refused(client, app):
    row, key = create_key("Old app")
    assert submit(client, key).status_code == 200
    revoke_key(row.id)
    response = submit(client, key, fmt="xml")
    assert response.status_code == 403
    assert xml(response).findtext("error/code") == "403"


def test_get_needs_no_key_but_refuses_a_wrong_one(client, api_key):
    assert client.get("/open311/v2/requests.json").status_code == 200
    assert client.get(f"/open311/v2/requests.json?api_key={api_key}").status_code == 200
    assert client.get("/open311/v2/requests.json?api_key=wrong").status_code == 403


def test_key_changes_are_audited(app):
    from service.audit import AuditEntry

    row, _key = create_key("City app")
    revoke_key(row.id)
    revoke_key(row.id)  # again: no change, no entry
    actions = [e.action for e in db.session.query(AuditEntry).filter_by(entity_type="open311_key")]
    assert actions == ["open311_key.created", "open311_key.revoked"]
