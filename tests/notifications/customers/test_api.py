"""/api/v1/customers: search and bulk upsert with a Bearer token; a bad row refuses the request
with a reason per row and changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from notifications.customers.models import DeliveryPoint
from service.extensions import db

ROW = {
    "customer_number": "3001",
    "name": "As Oy Annankatu 20",
    "postcode": "00100",
    "street": "Annankatu",
    "house_number": "20",
    "email": "isannoitsija@example.fi",
    "phone": "",
    "language": "fi",
    "role": "manager",
    "priority": "",
    "dwellings": 18,
}


def test_bulk_upsert_then_search(client, token_for):
    headers = token_for("dispatcher")
    second = {**ROW, "customer_number": "3002", "house_number": "22", "email": "toinen@example.fi"}
    response = client.post("/api/v1/customers", json={"rows": [ROW, second]}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"added": 2, "updated": 0, "unchanged": 0, "removed": 0}
    again = client.post("/api/v1/customers", json={"rows": [ROW, second]}, headers=headers)
    assert again.get_json()["unchanged"] == 2
    found = client.get("/api/v1/customers?q=toinen@example.fi", headers=headers).get_json()
    assert [p["customer_number"] for p in found] == ["3002"]
    assert found[0]["contacts"][0]["email"] == "toinen@example.fi"
    assert found[0]["house_number"] == "22"


def test_a_bad_row_refuses_the_request_naming_the_row(client, token_for):
    headers = token_for("dispatcher")
    bad = {**ROW, "customer_number": "3003", "postcode": "1"}
    crlf = {**ROW, "customer_number": "3004", "email": "a@example.fi\r\nBcc: b@example.fi"}
    response = client.post("/api/v1/customers", json={"rows": [ROW, bad, crlf]}, headers=headers)
    assert response.status_code == 422
    errors = response.get_json()["errors"]["rows"]
    assert set(errors) == {"1", "2"}
    assert db.session.scalar(sa.select(sa.func.count(DeliveryPoint.id))) == 0


def test_the_api_needs_a_token_and_is_documented(client):
    assert client.get("/api/v1/customers").status_code == 401
    spec = client.get("/api/openapi.json").get_json()
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/customers"])


def test_control_characters_are_refused_not_stored(client, token_for):
    headers = token_for("dispatcher")
    nul = {**ROW, "name": "As Oy\x00 Annankatu"}
    response = client.post("/api/v1/customers", json={"rows": [nul]}, headers=headers)
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(DeliveryPoint.id))) == 0
    search = client.get("/api/v1/customers?q=%00x", headers=headers)
    assert search.status_code == 422
