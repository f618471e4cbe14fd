"""The pages of every state render (staff and the applicant's), staff register a paper request
with its real date received, and a staff step from a page made before a change is a 409."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from feedback.connection_requests.demo import load_requests
from feedback.connection_requests.models import ConnectionRequest, IntakeChannel, Status
from feedback.connection_requests.references import reference, tracking_path
from service.extensions import db
from tests.feedback.connection_requests.conftest import VALID, make_request, pdf
from tests.support.forms import browser_form


@pytest.mark.parametrize("code", ["PL", "FI"])
def test_every_state_renders_for_staff_and_applicant(app, client, login, monkeypatch, code):
    from config.jurisdictions import JURISDICTIONS

    jurisdiction = JURISDICTIONS[code]
    settings = app.config["FAIRHEAT"]
    monkeypatch.setitem(
        app.config,
        "FAIRHEAT",
        dataclasses.replace(settings, jurisdiction=jurisdiction, timezone=jurisdiction.timezone),
    )
    load_requests()
    requests = db.session.scalars(sa.select(ConnectionRequest)).all()
    for request in requests:
        page = client.get(tracking_path(request))
        assert page.status_code == 200, (request.status, page.get_data(as_text=True)[:500])
        assert reference(request) in page.get_data(as_text=True)
    form = client.get(f"/{'fi' if code == 'FI' else 'pl'}/connection-request").get_data(
        as_text=True
    )
    assert ('name="business_id"' in form) == (code == "FI")
    assert ('name="plot_number"' in form) == (code == "PL")
    login("customer_service")
    inbox = client.get("/staff/connection-requests/?closed=1").get_data(as_text=True)
    for request in requests:
        assert reference(request) in inbox
        page = client.get(f"/staff/connection-requests/{request.id}")
        assert page.status_code == 200, request.status
    expired = next(r for r in requests if r.status is Status.EXPIRED)
    draft = client.get(f"/staff/connection-requests/{expired.id}/conditions-draft")
    assert draft.status_code == 200
    # The print page keeps the <style> its PDF is made from: the policy lets that style apply
    # (the default one would drop it silently) and still allows no script.
    policy = draft.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src" not in policy and "default-src 'self'" in policy


def test_staff_register_a_paper_request_with_its_real_date(app, client, login):
    login("customer_service")
    page = client.get("/staff/connection-requests/new").get_data(as_text=True)
    fields = {**VALID, "desired_start": "2020-05-01", "received_at": "2026-11-20T10:15"}
    data = dict(browser_form(page, "/staff/connection-requests/new", **fields))
    data["title_proof"] = (io.BytesIO(pdf()), "skan.pdf")
    response = client.post(
        "/staff/connection-requests/new", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    request = db.session.scalars(sa.select(ConnectionRequest)).one()
    assert request.channel is IntakeChannel.PAPER
    assert request.received_at == dt.datetime(2026, 11, 20, 9, 15, tzinfo=dt.UTC)  # 10:15 Warsaw
    assert request.recorded_by_id is not None
    assert [d.filename for d in request.documents] == ["skan.pdf"]


def test_a_step_from_an_old_page_is_a_409(app, client, login):
    request = make_request()
    login("customer_service")
    page = client.get(f"/staff/connection-requests/{request.id}").get_data(as_text=True)
    action = f"/staff/connection-requests/{request.id}/complete"
    data = browser_form(page, action)
    assert client.post(action, data=data).status_code == 302
    again = client.post(action, data=data)
    assert again.status_code == 409


def test_a_staff_step_with_bad_input_names_the_field(app, client, login):
    request = make_request()
    login("customer_service")
    page = client.get(f"/staff/connection-requests/{request.id}").get_data(as_text=True)
    action = f"/staff/connection-requests/{request.id}/items"
    response = client.post(action, data=browser_form(page, action))
    assert response.status_code == 422
    assert 'id="description-error"' in response.get_data(as_text=True)


def test_the_api_list_filters_by_dates_and_refuses_an_unknown_status(app, client, token_for):
    headers = token_for("customer_service")
    old = make_request(received_at=dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC))
    new = make_request(received_at=dt.datetime(2026, 6, 10, 12, tzinfo=dt.UTC))
    listed = client.get(
        "/api/v1/connection-requests",
        query_string={"from": "2026-06-01", "to": "2026-06-30"},
        headers=headers,
    ).get_json()
    assert [r["reference"] for r in listed] == [reference(new)]
    assert reference(old) not in str(listed)
    response = client.get(
        "/api/v1/connection-requests", query_string={"status": "approved"}, headers=headers
    )
    assert response.status_code == 422 and "status" in response.get_json()["errors"]


def test_refusal_letters_print_in_the_applicants_language_and_polish_for_ure(app, client, login):
    from feedback.connection_requests import steps

    request = make_request(language="fi")
    steps.mark_complete(request.id, None)
    steps.refuse(request.id, None, {"category": "technical", "text": "Verkossa ei ole tehoa."})
    login("customer_service")
    base = f"/staff/connection-requests/{request.id}/letters"
    to_applicant = client.get(f"{base}/refusal_to_applicant").get_data(as_text=True)
    assert 'lang="fi"' in to_applicant and "Verkossa ei ole tehoa." in to_applicant
    to_ure = client.get(f"{base}/refusal_to_ure").get_data(as_text=True)
    assert 'lang="pl"' in to_ure and "Prezes" in to_ure
    assert client.get(f"{base}/extension_notice").status_code == 404
