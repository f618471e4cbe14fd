"""A city app as a GeoReport client: what it sends, and reading what it gets back."""

from __future__ import annotations

from typing import Any

from lxml import etree

from feedback.models import Case
from service.extensions import db

EMAIL = "maija.meikalainen@example.fi"
PHONE = "+358 40 123 4567"
PHONE_E164 = "+358401234567"
DESCRIPTION = "Patterit kylmiä, soita Maijalle asunnossa B 12."


def form(key: str | None, **overrides: Any) -> dict[str, str]:
    """A GeoReport POST as a city app sends it."""
    data = {
        "api_key": key,
        "service_code": "complaint",
        "lat": "60.1699",
        "long": "24.9384",
        "address_string": "Mannerheimintie 5, 00100 Helsinki",
        "email": EMAIL,
        "phone": PHONE,
        "first_name": "Maija",
        "last_name": "Meikäläinen",
        "device_id": "tt222111",
        "description": DESCRIPTION,
        "media_url": "https://example.org/photo.jpg",
        "attribute[area]": "heat_supply",
        "attribute[customer_number]": "123456",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, key: str | None, fmt: str = "json", **overrides: Any) -> Any:
    return client.post(f"/open311/v2/requests.{fmt}", data=form(key, **overrides))


def submitted(client, key: str, **overrides: Any) -> str:
    response = submit(client, key, **overrides)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json[0]["service_request_id"]


def xml(response: Any) -> Any:
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return etree.fromstring(response.data)


def error_descriptions(response: Any) -> list[str]:
    assert response.content_type == "application/json; charset=utf-8"
    assert all(e["code"] == response.status_code for e in response.json)
    return [e["description"] for e in response.json]


def case_of(service_request_id: str) -> Case:
    return db.session.get(Case, int(service_request_id.rsplit("-", 1)[1]))


def staff_id(make_user) -> int:
    return make_user("customer_service").id
