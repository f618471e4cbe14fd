"""What a GeoReport client sends: bad input answered with errors naming the parameter, and the
filters of GET requests (type, time received, reference list)."""

from __future__ import annotations

import datetime as dt

import pytest

from feedback import intake, queries
from feedback.models import Case
from feedback.references import reference
from feedback.schemas import CaseInputSchema
from service.db import utcnow
from service.extensions import db
from tests.feedback.open311.city_app import (
    error_descriptions,
    submit,
    submitted,
)
from tests.support.factories import case_payload


@pytest.mark.parametrize(
    ("overrides", "status", "expected"),
    [
        ({"description": None}, 400, ["description: Describe the matter."]),
        ({"description": "   "}, 400, ["description: Describe the matter."]),
        (
            {"email": "not-an-email"},
            400,
            ["email: Enter an e-mail address, e.g. name@example.fi."],
        ),
        ({"service_code": None}, 400, ["service_code: Choose what kind of message this is."]),
        ({"service_code": "potholes"}, 404, ["There is no service with the code potholes."]),
        (
            {"attribute[reply_channel]": "letter"},
            400,
            ["attribute[reply_channel]: Choose one of: email, sms."],
        ),
        (
            {"lat": "91", "long": "24.9"},
            400,
            ["lat, long: Send both lat and long, in decimal degrees (WGS84)."],
        ),
    ],
)
def test_invalid_input_is_refused_with_open311_errors(client, api_key, overrides, status, expected):
    response = submit(client, api_key, locale="en", **overrides)
    assert response.status_code == status
    assert error_descriptions(response) == expected
    assert db.session.query(Case).count() == 0


def test_every_contact_error_names_its_parameter(client, api_key):
    response = submit(client, api_key, locale="en", email=None, phone=None)
    assert response.status_code == 400
    message = "Give an e-mail address or a phone number so that we can answer you."
    assert sorted(error_descriptions(response)) == [f"email: {message}", f"phone: {message}"]


def test_filters_by_service_code_and_time_received(client, api_key):
    complaint = submitted(client, api_key)
    question = submitted(client, api_key, service_code="question")
    receipt = intake.submit_case(
        CaseInputSchema().load(case_payload()), received_at=utcnow() - dt.timedelta(days=100)
    )
    old = queries.get_case(receipt.case_id)

    def ids(**args: str) -> list[str]:
        response = client.get("/open311/v2/requests.json", query_string=args)
        assert response.status_code == 200, response.json
        return sorted(r["service_request_id"] for r in response.json)

    assert ids() == sorted([complaint, question])  # the last 90 days
    assert ids(service_code="question") == [question]
    assert ids(service_code="question,complaint") == sorted([complaint, question])
    assert ids(service_code="potholes") == []
    hour = dt.timedelta(hours=1)
    now = utcnow().replace(microsecond=0)
    w3c = lambda moment: moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")  # noqa: E731
    assert ids(start_date=w3c(now - hour), end_date=w3c(now + hour)) == sorted(
        [complaint, question]
    )
    assert ids(start_date=w3c(now + hour)) == []
    assert ids(end_date=w3c(now - hour)) == []
    then = old.received_at.astimezone(dt.timezone(dt.timedelta(hours=2)))  # an offset, not Z
    window = {"start_date": (then - hour).isoformat(), "end_date": (then + hour).isoformat()}
    assert ids(**window) == [reference(old)]


def test_service_request_id_list_overrides_the_other_filters(client, api_key):
    first = submitted(client, api_key)
    second = submitted(client, api_key, service_code="question")
    submitted(client, api_key)
    response = client.get(
        "/open311/v2/requests.json",
        query_string={
            "service_request_id": f"{first}, {second},FH-2020-999999,nonsense",
            "status": "closed",
            "service_code": "feedback",
        },
    )
    assert sorted(r["service_request_id"] for r in response.json) == sorted([first, second])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending", "status: Choose one of: open, closed."),
        (
            "start_date=yesterday",
            "start_date: Enter a date and time in ISO 8601 format, e.g. 2026-11-23T08:00:00+02:00.",
        ),
        (
            "end_date=2026-01-01T00:00:00",
            "end_date: Give the time with its UTC offset, e.g. 2026-11-23T08:00:00+02:00.",
        ),
        (
            "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            "start_date, end_date: The period may be at most 90 days long.",
        ),
        (
            "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
            "end_date: The end date is before the start date.",
        ),
    ],
)
def test_bad_filters_are_400(client, query, expected):
    response = client.get(f"/open311/v2/requests.json?locale=en&{query}")
    assert response.status_code == 400
    assert error_descriptions(response) == [expected]


def test_an_unencoded_plus_in_an_offset_is_understood(client, api_key):
    created = submitted(client, api_key)
    today = utcnow().astimezone(dt.timezone(dt.timedelta(hours=2))).date().isoformat()
    response = client.get(
        f"/open311/v2/requests.json?start_date={today}T00:00:00+02:00"
        f"&end_date={today}T23:59:59+02:00"
    )
    assert response.status_code == 200, response.json
    assert [r["service_request_id"] for r in response.json] == [created]
