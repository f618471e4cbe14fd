"""The JSON API of the emergency line: a call logged by hand, handled, listed and read; bad input
is a 422 naming the field in the caller's language, and nothing is stored."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from feedback.emergency.models import EmergencyCall
from service.audit import AuditEntry
from service.db import utcnow
from service.extensions import db
from tests.support.factories import outage_payload


def iso(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def stored() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(EmergencyCall.id)))


@pytest.fixture
def dispatcher(token_for):
    return token_for("dispatcher")


def payload(**overrides):
    data = {
        "problem": "no_heating",
        "caller_phone": "040 123 4567",
        "caller_name": "Asunto Oy Esimerkki",
        "postcode": "00100",
        "street": "Mannerheimintie",
        "house_number": "5 B",
        "priority": "vulnerable",
        "caller_kind": "contract_customer",
        "description": "Koko talo kylmä.",
    }
    data.update(overrides)
    return data


def test_a_call_logged_by_hand_is_stored_in_e164_with_defaults_and_audited(client, dispatcher):
    response = client.post("/api/v1/emergency/calls", json=payload(), headers=dispatcher)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["caller_phone"] == "+358401234567"
    assert body["channel"] == "phone" and body["scope"] == "building"
    assert body["language"] == "fi" and body["twilio_call_sid"] is None
    assert abs(dt.datetime.fromisoformat(body["received_at"]) - utcnow()) < dt.timedelta(minutes=1)
    assert body["logged_by"].startswith("user:")
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "emergency_call.recorded" in actions


def test_handling_a_call_patches_its_lifecycle_and_links_an_outage(client, dispatcher, token_for):
    outage = client.post(
        "/api/v1/outages", json=outage_payload(publish=True), headers=token_for("admin")
    )
    call = client.post("/api/v1/emergency/calls", json=payload(), headers=dispatcher).get_json()
    now = utcnow()
    response = client.patch(
        f"/api/v1/emergency/calls/{call['id']}",
        json={
            "verified_at": iso(now),
            "dispatched_at": iso(now),
            "crew": "Korjausryhmä 2",
            "on_site_at": iso(now),
            "resolved_at": iso(now),
            "outcome": "part_of_outage",
            "outage_id": outage.get_json()["id"],
        },
        headers=dispatcher | {"If-Match": f'"{call["version"]}"'},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["outcome"] == "part_of_outage" and body["outage_id"] == outage.get_json()["id"]
    assert body["version"] == call["version"] + 1
    listed = client.get(
        "/api/v1/emergency/calls", query_string={"outage": body["outage_id"]}, headers=dispatcher
    ).get_json()
    assert [c["id"] for c in listed] == [call["id"]]
    stale = client.patch(
        f"/api/v1/emergency/calls/{call['id']}",
        json={"crew": "toinen"},
        headers=dispatcher | {"If-Match": f'"{call["version"]}"'},
    )
    assert stale.status_code == 409


def test_filters_by_time_status_and_postcode(client, dispatcher):
    client.post("/api/v1/emergency/calls", json=payload(), headers=dispatcher)
    client.post(
        "/api/v1/emergency/calls", json=payload(postcode="00200", street=None), headers=dispatcher
    )
    get = lambda **q: client.get("/api/v1/emergency/calls", query_string=q, headers=dispatcher)  # noqa: E731
    assert len(get(postcode="00200").get_json()) == 1
    assert len(get(status="open").get_json()) == 2
    assert get(status="resolved").get_json() == []
    future = iso(utcnow() + dt.timedelta(hours=1))
    assert get(**{"from": future}).get_json() == []
    # blank filters, as a form-based client sends them, mean "not given"
    assert len(get(status="", postcode="", outage="", to="").get_json()) == 2
    bad = get(status="lost")
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]


BAD_INPUT = [
    ("answered_at", {"received_at": "{now}", "answered_at": "{before}"}),
    (
        "resolved_at",
        {
            "received_at": "{before2}",
            "dispatched_at": "{now}",
            "resolved_at": "{before}",
            "outcome": "repaired",
        },
    ),
    ("back_entry_reason", {"received_at": "{old}"}),
    ("caller_phone", {"caller_phone": "12"}),
    ("caller_phone", {"caller_phone": "+1 202 555 0100"}),
    ("postcode", {"postcode": "ABC"}),
    ("postcode", {"postcode": ""}),  # a street without its postcode
    ("problem", {"problem": "volcano"}),
    ("priority", {"priority": "urgent"}),
    ("channel", {"channel": "twilio"}),
    ("description", {"description": "x" * 2001}),
    ("caller_name", {"caller_name": "n" * 201}),
    ("received_at", {"received_at": "{future}"}),
    ("received_at", {"received_at": "yesterday"}),
    ("outage_id", {"outage_id": 999999}),
    ("nonsense", {"nonsense": "1"}),
    ("caller_name", {"caller_name": "a\x00b"}),
    ("description", {"description": "\u202e00100"}),
    ("outage_id", {"outage_id": 2**31}),
    ("outcome", {"resolved_at": "{now}"}),
]


@pytest.mark.parametrize(
    "field,changes", BAD_INPUT, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_INPUT)]
)
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(client, dispatcher, field, changes):
    now = utcnow()
    times = {
        "now": iso(now),
        "before": iso(now - dt.timedelta(minutes=5)),
        "before2": iso(now - dt.timedelta(minutes=10)),
        "old": iso(now - dt.timedelta(hours=3)),
        "future": iso(now + dt.timedelta(hours=2)),
    }
    data = payload(
        **{k: v.format(**times) if isinstance(v, str) else v for k, v in changes.items()}
    )
    response = client.post("/api/v1/emergency/calls", json=data, headers=dispatcher)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert stored() == 0


def test_errors_are_in_the_callers_language(client, dispatcher):
    old = iso(utcnow() - dt.timedelta(hours=3))
    response = client.post(
        "/api/v1/emergency/calls",
        json=payload(received_at=old),
        headers=dispatcher | {"Accept-Language": "pl"},
    )
    assert response.status_code == 422
    assert "podaj, dlaczego" in response.get_json()["errors"]["back_entry_reason"][0]
    fine = client.post(
        "/api/v1/emergency/calls",
        json=payload(received_at=old, back_entry_reason="Linia była przeciążona"),
        headers=dispatcher,
    )
    assert fine.status_code == 201


def test_a_bad_patch_changes_nothing(client, dispatcher):
    call = client.post("/api/v1/emergency/calls", json=payload(), headers=dispatcher).get_json()
    before = iso(dt.datetime.fromisoformat(call["received_at"]) - dt.timedelta(minutes=1))
    response = client.patch(
        f"/api/v1/emergency/calls/{call['id']}",
        json={"dispatched_at": before, "crew": "A"},
        headers=dispatcher,
    )
    assert response.status_code == 422 and "dispatched_at" in response.get_json()["errors"]
    again = client.get(f"/api/v1/emergency/calls/{call['id']}", headers=dispatcher).get_json()
    assert again["crew"] is None and again["version"] == call["version"]


def test_anonymous_calls_refused_when_the_utility_takes_none(app, client, dispatcher):
    import dataclasses

    settings = app.config["FAIRHEAT"]
    app.config["FAIRHEAT"] = dataclasses.replace(
        settings, emergency=dataclasses.replace(settings.emergency, anonymous_calls=False)
    )
    response = client.post("/api/v1/emergency/calls", json={"problem": "leak"}, headers=dispatcher)
    assert response.status_code == 422
    assert {"caller_name", "caller_phone"} <= set(response.get_json()["errors"])
    assert stored() == 0


def test_roles_dispatcher_records_customer_service_reads_viewer_sees_no_personal_data(
    client, dispatcher, token_for
):
    created = client.post("/api/v1/emergency/calls", json=payload(), headers=dispatcher).get_json()
    service = token_for("customer_service")
    assert client.get(f"/api/v1/emergency/calls/{created['id']}", headers=service).get_json()[
        "caller_name"
    ]
    assert (
        client.post("/api/v1/emergency/calls", json=payload(), headers=service).status_code == 403
    )
    assert (
        client.patch(
            f"/api/v1/emergency/calls/{created['id']}", json={"crew": "x"}, headers=service
        ).status_code
        == 403
    )
    viewer = token_for("viewer")
    [seen] = client.get("/api/v1/emergency/calls", headers=viewer).get_json()
    for personal in ("caller_name", "caller_phone", "description", "house_number"):
        assert personal not in seen
    assert seen["postcode"] == "00100" and seen["problem"] == "no_heating"
    one = client.get(f"/api/v1/emergency/calls/{created['id']}", headers=viewer).get_json()
    assert "caller_phone" not in one
    assert client.get("/api/v1/emergency/calls").status_code == 401


def test_the_api_is_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").get_json()
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/emergency/calls"])
    assert {"get", "patch"} <= set(spec["paths"]["/api/v1/emergency/calls/{call_id}"])
    assert spec["paths"]["/api/v1/emergency/calls"]["get"]["security"] == [{"bearerAuth": []}]
    params = {p["name"] for p in spec["paths"]["/api/v1/emergency/calls"]["get"]["parameters"]}
    assert {"from", "to", "status", "postcode", "outage"} <= params


def test_clocks_show_the_rule_and_its_source(client, dispatcher):
    call = client.post(
        "/api/v1/emergency/calls", json=payload(problem="supply_return"), headers=dispatcher
    ).get_json()
    [clock] = call["clocks"]
    assert clock["name"] == "supply_answer" and clock["state"] == "running"
    assert "12" in clock["rule"] and "Ciepło Systemowe A2" in clock["source"]
    due = dt.datetime.fromisoformat(clock["due_at"]) - dt.datetime.fromisoformat(
        call["received_at"]
    )
    assert due == dt.timedelta(hours=12)
    written = client.patch(
        f"/api/v1/emergency/calls/{call['id']}",
        json={"informed_at": iso(utcnow()), "informed_in_writing": True},
        headers=dispatcher,
    ).get_json()
    [clock] = written["clocks"]
    assert clock["state"] == "met" and "7" in clock["rule"]
    heating = client.post(
        "/api/v1/emergency/calls", json=payload(problem="start_heating"), headers=dispatcher
    ).get_json()
    [clock] = heating["clocks"]
    assert clock["name"] == "heating_request" and "RADPEC" in clock["source"]


def test_huge_ids_are_not_found(client, dispatcher):
    assert client.get(f"/api/v1/emergency/calls/{2**31}", headers=dispatcher).status_code == 404
    assert client.get(f"/api/v1/emergency/calls/{2**63}", headers=dispatcher).status_code == 404
    query = client.get(
        "/api/v1/emergency/calls", query_string={"outage": 2**40}, headers=dispatcher
    )
    assert query.status_code == 422 and "outage" in query.get_json()["errors"]
