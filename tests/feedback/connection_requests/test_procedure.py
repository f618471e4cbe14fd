"""The procedure through the API and the services: guarded steps, the clock, its extension,
validity from the set or delivered date, refusal letters, reminders, expiry, escalations and the
Finnish heat contract's fee held back when the utility is late."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from feedback.connection_requests import jobs, steps
from feedback.connection_requests.models import (
    ConnectionEscalation,
    ConnectionRequest,
    LetterKind,
    Status,
)
from feedback.connection_requests.references import reference
from service.extensions import db
from service.mail.models import EmailMessage
from tests.feedback.connection_requests.conftest import CONDITIONS, make_request

API = "/api/v1/connection-requests"


def refresh(request: ConnectionRequest) -> ConnectionRequest:
    db.session.expire_all()
    found = db.session.get(ConnectionRequest, request.id)
    assert found is not None
    return found


def test_conditions_for_an_incomplete_application_is_409_in_the_callers_language(
    app, client, token_for
):
    headers = {**token_for("customer_service"), "Accept-Language": "pl"}
    request = make_request()
    response = client.post(
        f"{API}/{reference(request)}/conditions", json=CONDITIONS, headers=headers
    )
    assert response.status_code == 409
    assert "Wniosek nie jest jeszcze kompletny" in response.get_json()["message"]
    assert refresh(request).status is Status.RECEIVED


def test_full_polish_path_through_the_api(app, client, token_for):
    headers = token_for("customer_service")
    request = make_request()
    ref = reference(request)
    response = client.post(
        f"{API}/{ref}/missing-items",
        json={
            "description": "Rzut kondygnacji z pomieszczeniem węzła",
            "document_kind": "floor_plan",
        },
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "info_requested"
    # complete while the item is missing: refused
    assert client.post(f"{API}/{ref}/complete", headers=headers).status_code == 409
    item = refresh(request).missing_items[0]
    from feedback.connection_requests import intake

    intake.add_items(refresh(request), {item.id: "Rzut dosłany pocztą"}, [])
    body = client.post(f"{API}/{ref}/complete", headers=headers).get_json()
    assert body["status"] == "complete"
    assert body["complete_at"] is not None and body["conditions_due_at"] is not None
    request = refresh(request)
    assert request.complete_at == request.missing_items[0].received_at
    assert request.rule_days == 30
    body = client.post(f"{API}/{ref}/conditions", json=CONDITIONS, headers=headers).get_json()
    assert body["status"] == "conditions_issued"
    assert body["expires_on"] is None  # counted from delivery (the default), not delivered yet
    body = client.post(
        f"{API}/{ref}/delivered", json={"delivered_on": body["conditions_set_on"]}, headers=headers
    ).get_json()
    set_on = dt.date.fromisoformat(body["conditions_set_on"])
    assert body["expires_on"] == set_on.replace(year=set_on.year + 2).isoformat()
    for path, status in (
        ("agreement-offered", "agreement_offered"),
        ("agreement-signed", "agreement_signed"),
        ("works", "works"),
        ("supply-started", "supply_started"),
        ("connected", "connected"),
    ):
        response = client.post(f"{API}/{ref}/{path}", json={}, headers=headers)
        assert response.status_code == 200, (path, response.get_json())
        assert response.get_json()["status"] == status
    detail = client.get(f"{API}/{ref}", headers=headers).get_json()
    assert [s["to_status"] for s in detail["steps"] if s["to_status"]][-3:] == [
        "works",
        "supply_started",
        "connected",
    ]
    assert (
        client.post(f"{API}/{ref}/cancel", json={"text": "x"}, headers=headers).status_code == 409
    )
    listed = client.get(API, query_string={"status": "connected"}, headers=headers).get_json()
    assert [r["reference"] for r in listed] == [ref]
    # every step told the applicant, in Polish
    mails = db.session.scalars(sa.select(EmailMessage)).all()
    assert len(mails) >= 8 and {m.language for m in mails} == {"pl"}


def test_the_api_needs_a_token_and_the_permission(app, client, token_for):
    request = make_request()
    assert client.get(f"{API}/{reference(request)}").status_code == 401
    assert client.get(API, headers=token_for("viewer")).status_code == 403


def test_bad_step_input_is_422_naming_the_field(app, client, token_for):
    headers = token_for("customer_service")
    request = make_request()
    steps.mark_complete(request.id, None)
    response = client.post(
        f"{API}/{reference(request)}/refuse", json={"category": "weather"}, headers=headers
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"category", "text"}


def test_extension_needs_a_reason_and_tells_the_applicant(app, client, token_for):
    headers = token_for("customer_service")
    request = make_request()
    steps.mark_complete(request.id, None)
    before = refresh(request).conditions_due_at
    response = client.post(f"{API}/{reference(request)}/extend", json={"days": 14}, headers=headers)
    assert response.status_code == 422 and "reason" in response.get_json()["errors"]
    body = client.post(
        f"{API}/{reference(request)}/extend",
        json={"days": 14, "reason": "Konieczna analiza hydrauliczna sieci"},
        headers=headers,
    ).get_json()
    assert body["extension_reason"] == "Konieczna analiza hydrauliczna sieci"
    assert dt.datetime.fromisoformat(body["conditions_due_at"]) >= before + dt.timedelta(days=14)
    assert any("Konieczna analiza" in m.body for m in db.session.scalars(sa.select(EmailMessage)))


def test_polish_refusal_records_both_letters_with_their_dates(app, client, token_for):
    headers = token_for("customer_service")
    request = make_request()
    steps.mark_complete(request.id, None)
    ref = reference(request)
    body = client.post(
        f"{API}/{ref}/refuse",
        json={"category": "technical", "text": "Brak rezerwy mocy w magistrali."},
        headers=headers,
    ).get_json()
    assert body["status"] == "refused"
    letters = {letter.kind: letter for letter in refresh(request).letters}
    assert set(letters) == {LetterKind.REFUSAL_TO_APPLICANT, LetterKind.REFUSAL_TO_URE}
    assert all(letter.sent_on is None for letter in letters.values())
    today = dt.datetime.now(dt.UTC).date().isoformat()
    for kind in ("refusal_to_applicant", "refusal_to_ure"):
        assert (
            client.post(
                f"{API}/{ref}/letters", json={"kind": kind, "sent_on": today}, headers=headers
            ).status_code
            == 200
        )
    assert all(letter.sent_on for letter in refresh(request).letters)


def test_without_title_only_preliminary_conditions_valid_one_year_from_the_date_set(
    app, monkeypatch
):
    settings = app.config["FAIRHEAT"]
    conf = dataclasses.replace(settings.connection_requests, expiry_from="set")
    monkeypatch.setitem(
        app.config, "FAIRHEAT", dataclasses.replace(settings, connection_requests=conf)
    )
    request = make_request(legal_title="none")
    steps.mark_complete(request.id, None)
    data: dict[str, Any] = {**CONDITIONS, "capacity_kw": 240, "set_on": dt.date(2026, 12, 1)}
    from service.errors import Conflict

    with pytest.raises(Conflict):
        steps.issue_conditions(request.id, None, data)
    steps.issue_conditions(request.id, None, data, preliminary=True)
    request = refresh(request)
    assert request.status is Status.PRELIMINARY_CONDITIONS
    assert request.expiry_counted_from == "set"
    assert request.expires_on == dt.date(2027, 12, 1)
    assert any(
        d.kind.value == "conditions" and d.content_type == "application/pdf"
        for d in request.documents
    )


def test_reminder_before_expiry_then_expiry(app):
    request = make_request()
    steps.mark_complete(request.id, None)
    data: dict[str, Any] = {
        **CONDITIONS,
        "capacity_kw": 240,
        "set_on": dt.date(2026, 1, 10),
        "delivered_on": dt.date(2026, 1, 12),
    }
    steps.issue_conditions(request.id, None, data)
    assert refresh(request).expires_on == dt.date(2028, 1, 12)
    assert jobs.remind_expiry(dt.datetime(2027, 10, 1, tzinfo=dt.UTC)) == 0
    assert jobs.remind_expiry(dt.datetime(2027, 11, 20, tzinfo=dt.UTC)) == 1
    assert jobs.remind_expiry(dt.datetime(2027, 11, 21, tzinfo=dt.UTC)) == 0
    assert jobs.expire_conditions(dt.datetime(2028, 1, 12, 12, tzinfo=dt.UTC)) == 0
    assert jobs.expire_conditions(dt.datetime(2028, 1, 13, 12, tzinfo=dt.UTC)) == 1
    assert refresh(request).status is Status.EXPIRED


def test_escalation_before_and_after_the_deadline_once_each(app, make_user):
    lead = make_user("customer_service_lead")
    request = make_request()
    steps.mark_complete(request.id, None)
    due = refresh(request).conditions_due_at
    assert jobs.escalate(due - dt.timedelta(days=10)) == 0
    assert jobs.escalate(due - dt.timedelta(days=2)) == 1
    assert jobs.escalate(due - dt.timedelta(days=1)) == 0
    assert jobs.escalate(due + dt.timedelta(hours=1)) == 1
    levels = db.session.scalars(
        sa.select(ConnectionEscalation.level).where(ConnectionEscalation.user_id == lead.id)
    ).all()
    assert sorted(level.value for level in levels) == ["due_soon", "overdue"]


@pytest.fixture
def finnish(app, monkeypatch):
    from config.jurisdictions import JURISDICTIONS

    settings = app.config["FAIRHEAT"]
    monkeypatch.setitem(
        app.config,
        "FAIRHEAT",
        dataclasses.replace(settings, jurisdiction=JURISDICTIONS["FI"], timezone="Europe/Helsinki"),
    )


def test_finnish_offer_then_heat_contract_fee_suspended_when_late(app, finnish):
    request = make_request(
        nip="",
        regon="",
        plot_number="",
        business_id="2077474-0",
        postcode="00100",
        city="Helsinki",
        language="fi",
    )
    assert request.jurisdiction == "FI"
    steps.mark_complete(request.id, None)
    steps.issue_conditions(
        request.id, None, {**CONDITIONS, "capacity_kw": 240, "connection_fee": 12000}
    )
    from service.errors import Conflict

    with pytest.raises(Conflict):
        steps.advance(request.id, None, Status.AGREEMENT_OFFERED)
    steps.advance(
        request.id,
        None,
        Status.AGREEMENT_SIGNED,
        agreement={"agreed_connection_on": dt.date(2027, 3, 1), "instalments": 2},
    )
    request = refresh(request)
    assert [(i.amount, i.due_on) for i in request.instalments] == [
        (6000, dt.date(2027, 1, 30)),
        (6000, dt.date(2028, 3, 1)),
    ]
    assert jobs.suspend_fees(dt.datetime(2027, 2, 28, 12, tzinfo=dt.UTC)) == 0
    assert jobs.suspend_fees(dt.datetime(2027, 3, 2, 12, tzinfo=dt.UTC)) == 1
    assert refresh(request).fee_suspended_at is not None
    steps.advance(request.id, None, Status.WORKS)
    steps.advance(request.id, None, Status.SUPPLY_STARTED)
    assert refresh(request).fee_resumed_at is not None
