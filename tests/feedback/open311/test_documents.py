"""What a request shows anyone (decision 0005): its status and times, never personal data, the
description or spam, and an address only for a request made through Open311."""

from __future__ import annotations

import datetime as dt

from feedback import answering, handling, intake, queries
from feedback.models import Outcome
from feedback.references import reference
from feedback.schemas import CaseInputSchema
from tests.feedback.open311.city_app import (
    DESCRIPTION,
    EMAIL,
    PHONE,
    PHONE_E164,
    case_of,
    staff_id,
    submitted,
)
from tests.support.factories import case_payload


def test_status_is_open_until_the_case_is_answered(client, api_key, make_user):
    open_id = submitted(client, api_key)
    closed_id = submitted(client, api_key, service_code="question")
    answering.answer_case(
        case_of(closed_id).id,
        {"text": "Vastaus.", "action": "Selvitetty.", "outcome": Outcome.INFORMATIONAL},
        staff_id(make_user),
        None,
    )

    def ids(query: str) -> list[str]:
        return [
            r["service_request_id"] for r in client.get(f"/open311/v2/requests.json{query}").json
        ]

    assert sorted(ids("")) == sorted([open_id, closed_id])
    assert ids("?status=open") == [open_id]
    assert ids("?status=closed") == [closed_id]
    assert sorted(ids("?status=open,closed")) == sorted([open_id, closed_id])

    closed = client.get(f"/open311/v2/requests/{closed_id}.json?locale=en").json[0]
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "Answered and closed"
    assert closed["service_notice"] is None
    opened = client.get(f"/open311/v2/requests/{open_id}.json?locale=en").json[0]
    assert opened["status"] == "open"
    assert opened["status_notes"] == "Received"
    assert opened["service_name"] == "Complaint"
    assert opened["service_code"] == "complaint"
    assert opened["agency_responsible"] == "Lämpö Oy"
    assert opened["address"] == "Mannerheimintie 5, 00100 Helsinki"
    assert (opened["lat"], opened["long"]) == (60.1699, 24.9384)
    assert opened["description"] is None and opened["media_url"] is None
    case = case_of(open_id)
    requested = dt.datetime.fromisoformat(opened["requested_datetime"])
    assert requested.utcoffset() in (dt.timedelta(hours=2), dt.timedelta(hours=3))
    assert abs(requested - case.received_at) < dt.timedelta(seconds=1)
    assert dt.datetime.fromisoformat(opened["expected_datetime"]) == case.deadline_at.replace(
        microsecond=0
    )


def test_spam_is_never_shown(client, api_key, make_user):
    kept = submitted(client, api_key)
    spam = submitted(client, api_key, description="Buy cheap watches")
    handling.mark_spam(case_of(spam).id, True, staff_id(make_user), None)
    listed = client.get("/open311/v2/requests.json").json
    assert [r["service_request_id"] for r in listed] == [kept]
    assert client.get(f"/open311/v2/requests/{spam}.json").status_code == 404
    by_id = client.get(f"/open311/v2/requests.json?service_request_id={spam},{kept}").json
    assert [r["service_request_id"] for r in by_id] == [kept]


def test_get_responses_carry_no_personal_data(client, api_key):
    created = submitted(client, api_key)
    bodies = [
        client.get(path).get_data(as_text=True)
        for path in (
            "/open311/v2/requests.json",
            "/open311/v2/requests.xml",
            f"/open311/v2/requests/{created}.json",
            f"/open311/v2/requests/{created}.xml",
            f"/open311/v2/requests.json?service_request_id={created}",
        )
    ]
    for body in bodies:
        assert created in body
        for personal in (EMAIL, PHONE, PHONE_E164, "Maija", "Meikäläinen", "123456", DESCRIPTION):
            assert personal not in body


def test_open311_shows_no_address_of_a_case_from_our_own_form(client):
    receipt = intake.submit_case(
        CaseInputSchema().load(case_payload(address="Mannerheimintie 5 A 12"))
    )
    case = queries.get_case(receipt.case_id)
    response = client.get(f"/open311/v2/requests/{reference(case)}.json")
    assert response.status_code == 200
    (request,) = response.json
    assert request["address"] is None and request["lat"] is None
    assert "Mannerheimintie" not in response.get_data(as_text=True)
