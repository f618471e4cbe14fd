"""Open311 GeoReport v2: services, submitting with an api_key, reading requests without personal
data, the spec's error format in JSON and XML, the language, and the key commands."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask_babel import force_locale
from lxml import etree

from feedback import queries, services
from feedback.labels import case_label
from feedback.models import Case, Channel, Outcome
from feedback.open311_keys import create_key, revoke_key
from feedback.references import reference
from feedback.schemas import CaseInputSchema
from service.db import utcnow
from service.extensions import db
from service.i18n import format_datetime
from tests.support.factories import case_payload

EMAIL = "maija.meikalainen@example.fi"
PHONE = "+358 40 123 4567"
PHONE_E164 = "+358401234567"
DESCRIPTION = "Patterit kylmiä, soita Maijalle asunnossa B 12."


@pytest.fixture
def api_key(app) -> str:
    return create_key("City app")[1]


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


# --- Discovery and services ----------------------------------------------------------------------


def test_discovery_points_clients_at_v2_in_both_formats(client):
    body = client.get("/open311/discovery.json").json
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://127.0.0.1:5000/open311/v2"
    assert endpoint["formats"] == ["application/json", "text/xml"]
    assert {"changeset", "contact", "key_service"} <= set(body)

    root = xml(client.get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/specification") == endpoint["specification"]
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "application/json",
        "text/xml",
    ]


def test_service_list_offers_every_case_type(client):
    response = client.get("/open311/v2/services.json?locale=en")
    assert response.status_code == 200
    services_ = response.json
    assert [s["service_code"] for s in services_] == [
        "feedback",
        "question",
        "complaint",
        "billing_complaint",
        "disconnection_complaint",
    ]
    complaint = services_[2]
    assert complaint["service_name"] == "Complaint"
    assert complaint["metadata"] is True
    assert complaint["type"] == "realtime"
    assert complaint["description"] and complaint["keywords"] and complaint["group"]


def test_service_list_in_xml_uses_the_spec_element_names(client):
    root = xml(client.get("/open311/v2/services.xml?locale=en"))
    assert root.tag == "services"
    assert {child.tag for child in root} == {"service"}
    first = root[0]
    assert [e.tag for e in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("service_code") == "feedback"
    assert first.findtext("metadata") == "true"


def test_service_definition_lists_the_attributes_and_their_values(client):
    body = client.get("/open311/v2/services/complaint.json?locale=en").json
    assert body["service_code"] == "complaint"
    attributes = {a["code"]: a for a in body["attributes"]}
    assert list(attributes) == ["area", "customer_number", "reply_channel", "language"]
    area = attributes["area"]
    assert area["datatype"] == "singlevaluelist"
    assert area["variable"] is True and area["required"] is False
    assert {"key": "hot_water", "name": "Hot water"} in area["values"]
    assert attributes["customer_number"]["datatype"] == "string"
    assert "values" not in attributes["customer_number"]
    assert [v["key"] for v in attributes["reply_channel"]["values"]] == ["email", "sms"]
    assert [v["key"] for v in attributes["language"]["values"]] == ["fi", "sv", "en", "pl"]

    root = xml(client.get("/open311/v2/services/complaint.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "complaint"
    first = root.find("attributes/attribute")
    assert first.findtext("code") == "area"
    assert first.findtext("order") == "1"
    assert first.find("datatype_description").text is None
    keys = [v.findtext("key") for v in first.findall("values/value")]
    assert "heat_supply" in keys and "other" in keys


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_is_404_in_the_open311_error_format(client, fmt):
    response = client.get(f"/open311/v2/services/potholes.{fmt}?locale=en")
    assert response.status_code == 404
    if fmt == "json":
        assert error_descriptions(response) == ["There is no service with the code potholes."]
    else:
        root = xml(response)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404"
        assert "potholes" in root.findtext("error/description")


def test_unknown_path_under_open311_answers_in_the_open311_format(client):
    response = client.get("/open311/v2/tokens/123.xml")
    assert response.status_code == 404
    assert xml(response).findtext("error/code") == "404"


# --- POST requests -------------------------------------------------------------------------------


def test_post_creates_an_open311_case(client, api_key):
    response = submit(client, api_key, locale="en")
    assert response.status_code == 200, response.json
    (created,) = response.json
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert created["account_id"] is None
    case = case_of(created["service_request_id"])
    assert created["service_request_id"] == reference(case)
    assert case.channel is Channel.OPEN311
    assert case.open311_key_id is not None
    assert (case.type.value, case.area.value) == ("complaint", "heat_supply")
    assert (case.name, case.email, case.phone) == ("Maija Meikäläinen", EMAIL, PHONE_E164)
    assert case.customer_number == "123456"
    assert case.address == "Mannerheimintie 5, 00100 Helsinki"
    assert (case.latitude, case.longitude) == (60.1699, 24.9384)
    assert case.language == "en"
    deadline = format_datetime(case.deadline_at, "en")
    assert created["service_notice"].startswith(f"We will answer by {deadline} at the latest")


def test_post_answers_in_xml_and_defaults_area_and_language(client, api_key):
    response = submit(client, api_key, fmt="xml", **{"attribute[area]": None})
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "service_requests"
    request_ = root.find("request")
    assert [e.tag for e in request_] == ["service_request_id", "service_notice", "account_id"]
    assert request_.find("account_id").text is None
    case = case_of(request_.findtext("service_request_id"))
    assert case.area.value == "other"
    assert case.language == "fi"  # the utility's default language


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


# --- GET requests --------------------------------------------------------------------------------


def staff_id(make_user) -> int:
    return make_user("customer_service").id


def test_status_is_open_until_the_case_is_answered(client, api_key, make_user):
    open_id = submitted(client, api_key)
    closed_id = submitted(client, api_key, service_code="question")
    services.answer_case(
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


def test_filters_by_service_code_and_time_received(client, api_key):
    complaint = submitted(client, api_key)
    question = submitted(client, api_key, service_code="question")
    receipt = services.submit_case(
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


def test_one_request_in_both_formats_and_404_for_unknown(client, api_key):
    created = submitted(client, api_key)
    root = xml(client.get(f"/open311/v2/requests/{created}.xml"))
    assert root.tag == "service_requests"
    request_ = root.find("request")
    assert request_.findtext("service_request_id") == created
    assert request_.findtext("status") == "open"
    assert request_.find("description").text is None
    assert [e.tag for e in request_][:3] == ["service_request_id", "status", "status_notes"]

    for unknown in ("FH-2026-999999", "nonsense"):
        response = client.get(f"/open311/v2/requests/{unknown}.json?locale=en")
        assert response.status_code == 404
        assert error_descriptions(response) == [f"There is no service request {unknown}."]


def test_spam_is_never_shown(client, api_key, make_user):
    kept = submitted(client, api_key)
    spam = submitted(client, api_key, description="Buy cheap watches")
    services.mark_spam(case_of(spam).id, True, staff_id(make_user), None)
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


def test_get_needs_no_key_but_refuses_a_wrong_one(client, api_key):
    assert client.get("/open311/v2/requests.json").status_code == 200
    assert client.get(f"/open311/v2/requests.json?api_key={api_key}").status_code == 200
    assert client.get("/open311/v2/requests.json?api_key=wrong").status_code == 403


# --- Language ------------------------------------------------------------------------------------


def test_locale_parameter_then_accept_language_choose_the_language(client):
    polish = client.get("/open311/v2/services.json?locale=pl_PL")
    assert polish.headers["Content-Language"] == "pl"
    with force_locale("pl"):
        assert polish.json[2]["service_name"] == case_label("complaint")
    swedish = client.get("/open311/v2/services.json", headers={"Accept-Language": "sv-SE"})
    assert swedish.headers["Content-Language"] == "sv"
    both = client.get("/open311/v2/services.json?locale=en-US", headers={"Accept-Language": "sv"})
    assert both.headers["Content-Language"] == "en"
    assert both.json[2]["service_name"] == "Complaint"
    unknown = client.get("/open311/v2/services.json?locale=de_DE")
    assert unknown.headers["Content-Language"] == "fi"
    assert "Accept-Language" in unknown.headers["Vary"]


def test_locale_sets_the_case_language_and_formats_the_notice(client, api_key):
    response = submit(client, api_key, locale="pl")
    case = case_of(response.json[0]["service_request_id"])
    assert case.language == "pl"
    assert format_datetime(case.deadline_at, "pl") in response.json[0]["service_notice"]
    explicit = submit(client, api_key, locale="pl", **{"attribute[language]": "sv"})
    assert case_of(explicit.json[0]["service_request_id"]).language == "sv"


# --- Keys ----------------------------------------------------------------------------------------


def test_key_commands_create_list_and_revoke(client, runner):
    created = runner.invoke(args=["open311", "keys", "create", "--name", "City app"])
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    assert key.startswith("o311_") and len(key) > 40
    assert submit(client, key).status_code == 200

    listed = runner.invoke(args=["open311", "keys", "list"])
    assert listed.exit_code == 0
    (line,) = listed.output.strip().splitlines()
    assert "\tCity app\t" in line
    assert line.endswith("active")
    assert key not in listed.output

    key_id = line.split("\t")[0]
    revoked = runner.invoke(args=["open311", "keys", "revoke", key_id])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in runner.invoke(args=["open311", "keys", "list"]).output
    assert submit(client, key).status_code == 403

    missing = runner.invoke(args=["open311", "keys", "revoke", "999999"])
    assert missing.exit_code == 1
    blank = runner.invoke(args=["open311", "keys", "create", "--name", "  "])
    assert blank.exit_code == 1


def test_key_changes_are_audited(app):
    from service.audit import AuditEntry

    row, _key = create_key("City app")
    revoke_key(row.id)
    revoke_key(row.id)  # again: no change, no entry
    actions = [e.action for e in db.session.query(AuditEntry).filter_by(entity_type="open311_key")]
    assert actions == ["open311_key.created", "open311_key.revoked"]
