"""The JSON API: create, list, read, change, restore and cancel outages; errors for bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale, gettext

from service.db import utcnow
from tests.support.factories import iso, outage_payload, planned_payload
from tests.support.forms import api_query


def get(client, path, headers=None, **query):
    """GET with every query parameter the endpoint documents, the ones not given empty."""
    return client.get(path, query_string=api_query(client, path, **query), headers=headers)


@pytest.fixture
def dispatcher(token_for):
    return token_for("dispatcher")


def test_create_and_publish_unplanned_outage(client, dispatcher):
    response = client.post("/api/v1/outages", json=outage_payload(publish=True), headers=dispatcher)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "investigating"
    assert body["published"] is True
    assert body["areas"][0] == {
        "postcode": "00100",
        "street": "Mannerheimintie",
        "from_number": 1,
        "to_number": 15,
        "parity": "odd",
    }
    assert [u["number"] for u in body["updates"]] == [1]
    assert set(body["public_text"]) == {"fi", "sv", "en", "pl"}
    assert body["public_text"]["en"]["title"] == "Unplanned interruption: heating and hot water"


def test_draft_is_invisible_to_the_public(client, dispatcher):
    created = client.post("/api/v1/outages", json=outage_payload(), headers=dispatcher).json
    assert created["published"] is False
    assert client.get(f"/api/v1/public/outages/{created['id']}").status_code == 404
    assert client.get("/api/v1/public/outages").json == []
    assert client.get(f"/en/outages/{created['id']}").status_code == 404


def test_every_change_to_a_published_notice_is_a_numbered_update(client, dispatcher):
    outage = client.post(
        "/api/v1/outages", json=outage_payload(publish=True), headers=dispatcher
    ).json
    later = iso(utcnow() + dt.timedelta(hours=9))
    patched = client.patch(
        f"/api/v1/outages/{outage['id']}",
        json={"expected_end_at": later, "status": "repairing"},
        headers=dispatcher,
    )
    assert patched.status_code == 200, patched.json
    restored = client.post(f"/api/v1/outages/{outage['id']}/restore", json={}, headers=dispatcher)
    assert restored.status_code == 200, restored.json
    updates = restored.json["updates"]
    assert [u["number"] for u in updates] == [1, 2, 3]
    assert [u["change"] for u in updates] == ["published", "status", "status"]
    assert updates[1]["changes"]["status"] == ["investigating", "repairing"]
    assert updates[2]["status"] == "restored"
    assert restored.json["ended_at"] is not None
    # The text shown at each point is kept: the first update still says "locating the fault".
    assert "locating the fault" in updates[0]["texts"]["en"]["body"]
    assert "repaired" in updates[2]["texts"]["en"]["body"]


def test_list_filters_by_state_and_address(client, dispatcher):
    active = client.post("/api/v1/outages", json=outage_payload(publish=True), headers=dispatcher)
    upcoming = client.post(
        "/api/v1/outages",
        json=planned_payload(publish=True, areas=[{"postcode": "00260"}]),
        headers=dispatcher,
    )
    assert active.status_code == upcoming.status_code == 201

    def ids(**query):
        response = get(client, "/api/v1/outages", headers=dispatcher, **query)
        assert response.status_code == 200, response.json
        return [o["id"] for o in response.json]

    assert ids(status="active") == [active.json["id"]]
    assert ids(status="upcoming") == [upcoming.json["id"]]
    assert ids(status="past") == []
    assert sorted(ids()) == sorted([active.json["id"], upcoming.json["id"]])  # "" is no filter
    assert ids(postcode="00100", street="Mannerheimintie", number="3") == [active.json["id"]]
    assert ids(postcode="00100", street="Mannerheimintie", number="4") == []


def test_public_lookup_answers_is_my_address_affected(client, dispatcher):
    client.post("/api/v1/outages", json=outage_payload(publish=True), headers=dispatcher)
    lookup = "/api/v1/public/lookup"
    yes = get(client, lookup, postcode="00100", street="mannerheimintie", number="7B")
    assert yes.status_code == 200
    assert yes.json["affected"] is True
    assert len(yes.json["outages"]) == 1
    no = get(client, lookup, postcode="00100", street="Mannerheimintie", number="8")
    assert no.json["affected"] is False
    partly = get(client, lookup, postcode="00100")
    assert partly.json["affected"] is False
    assert len(partly.json["possibly_affected"]) == 1


def test_postcode_only_lookup_with_empty_street_and_number_answers_200(client, dispatcher):
    client.post("/api/v1/outages", json=outage_payload(publish=True), headers=dispatcher)
    response = client.get("/api/v1/public/lookup?postcode=00100&street=&number=")
    assert response.status_code == 200, response.json
    assert response.json["postcode"] == "00100"
    assert response.json["street"] is None and response.json["number"] is None
    assert response.json["affected"] is False
    assert len(response.json["possibly_affected"]) == 1


@pytest.mark.parametrize("lang", ["fi", "pl"])
def test_lookup_with_every_parameter_empty_names_the_required_postcode(client, lang):
    response = get(client, "/api/v1/public/lookup", headers={"Accept-Language": lang})
    assert response.request.query_string == b"postcode=&street=&number="
    assert response.status_code == 422
    with force_locale(lang):
        required = gettext("This field is required.")
    assert required != "This field is required."
    assert response.json["errors"] == {"postcode": [required]}


def test_empty_query_parameters_do_not_filter_the_list(client, dispatcher):
    created = client.post("/api/v1/outages", json=outage_payload(publish=True), headers=dispatcher)
    response = client.get("/api/v1/public/outages?status=&postcode=&street=&number=")
    assert response.status_code == 200, response.json
    assert [o["id"] for o in response.json] == [created.json["id"]]


def test_cancel_a_planned_outage(client, dispatcher):
    outage = client.post("/api/v1/outages", json=planned_payload(publish=True), headers=dispatcher)
    cancelled = client.post(f"/api/v1/outages/{outage.json['id']}/cancel", headers=dispatcher)
    assert cancelled.status_code == 200
    assert cancelled.json["status"] == "cancelled"
    # Repeating the same action (a client retrying after a timeout) changes nothing.
    again = client.post(f"/api/v1/outages/{outage.json['id']}/cancel", headers=dispatcher)
    assert again.status_code == 200
    assert len(again.json["updates"]) == len(cancelled.json["updates"])
    # A cancelled interruption cannot be completed.
    refused = client.post(f"/api/v1/outages/{outage.json['id']}/restore", headers=dispatcher)
    assert refused.status_code == 409
    assert refused.json["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"expected_end_at": iso(utcnow() - dt.timedelta(hours=3))}, "expected_end_at"),
        ({"kind": "sometimes"}, "kind"),
        ({"impact": "cold"}, "impact"),
        ({"starts_at": "tomorrow morning"}, "starts_at"),
        ({"starts_at": "2026-11-23T08:00:00"}, "starts_at"),
        ({"areas": []}, "areas"),
        ({"areas": [{"postcode": "1000"}]}, "areas"),
        (
            {
                "areas": [
                    {"postcode": "00100", "street": "Hämeentie", "from_number": 9, "to_number": 3}
                ]
            },
            "areas",
        ),
        ({"areas": [{"postcode": "00100", "from_number": 1}]}, "areas"),
        ({"texts": {"de": "Hallo"}}, "texts"),
        ({"texts": {"fi": "x" * 2001}}, "texts"),
        ({"affected_buildings": -1}, "affected_buildings"),
        (
            {"polygon": {"type": "Polygon", "coordinates": [[[24.9, 60.1], [25.0, 60.2]]]}},
            "polygon",
        ),
        ({"colour": "red"}, "colour"),
        ({"starts_at": iso(utcnow() + dt.timedelta(days=3))}, "starts_at"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_stored(
    client, dispatcher, change, field
):
    response = client.post(
        "/api/v1/outages",
        json=outage_payload(**change),
        headers=dispatcher | {"Accept-Language": "fi"},
    )
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert client.get("/api/v1/outages", headers=dispatcher).json == []


def test_error_messages_follow_the_callers_language(client, dispatcher):
    payload = outage_payload(areas=[{"postcode": "00-950"}])
    messages = {}
    for lang in ("fi", "sv", "en", "pl"):
        response = client.post(
            "/api/v1/outages", json=payload, headers=dispatcher | {"Accept-Language": lang}
        )
        assert response.status_code == 422
        messages[lang] = response.json["errors"]["areas"]["0"]["postcode"][0]
    assert all("00100" in message for message in messages.values())
    assert len(set(messages.values())) == 4, messages


def test_malformed_json_gets_a_clear_400(client, dispatcher):
    response = client.post(
        "/api/v1/outages",
        data="{not json",
        headers=dispatcher | {"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "json" in response.json["errors"]


def test_missing_or_wrong_token_is_401(client):
    assert client.post("/api/v1/outages", json=outage_payload()).status_code == 401
    wrong = client.get("/api/v1/outages", headers={"Authorization": "Bearer fh_nope"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")


def test_late_planned_notice_needs_a_reason_and_is_flagged(client, dispatcher):
    late = planned_payload(days_ahead=1, publish=True)
    refused = client.post("/api/v1/outages", json=late, headers=dispatcher)
    assert refused.status_code == 422
    assert "late_notice_reason" in refused.json["errors"]
    assert client.get("/api/v1/outages", headers=dispatcher).json == []
    accepted = client.post(
        "/api/v1/outages",
        json=late | {"late_notice_reason": "Pipe corrosion found during inspection"},
        headers=dispatcher,
    )
    assert accepted.status_code == 201
    assert accepted.json["notice_late"] is True
    assert accepted.json["required_notice_days"] == 2


def test_concurrent_patch_with_stale_version_is_409(client, dispatcher):
    outage = client.post(
        "/api/v1/outages", json=outage_payload(publish=True), headers=dispatcher
    ).json
    stale = client.patch(
        f"/api/v1/outages/{outage['id']}",
        json={"cause": "other"},
        headers=dispatcher | {"If-Match": str(outage["version"] + 5)},
    )
    assert stale.status_code == 409
    fresh = client.patch(
        f"/api/v1/outages/{outage['id']}",
        json={"cause": "other"},
        headers=dispatcher | {"If-Match": f'"{outage["version"]}"'},
    )
    assert fresh.status_code == 200


def test_openapi_document_lists_the_endpoints(client):
    spec = client.get("/api/openapi.json").json
    assert "/api/v1/outages" in spec["paths"]
    assert "/api/v1/public/lookup" in spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
