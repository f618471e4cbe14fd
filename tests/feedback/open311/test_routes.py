"""Open311 GeoReport v2 endpoints: discovery, services, submitting and reading requests in
JSON and XML, the spec's error format, and the language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from feedback.labels import case_label
from feedback.models import Channel
from feedback.references import reference
from service.i18n import format_datetime
from tests.feedback.open311.city_app import (
    EMAIL,
    PHONE_E164,
    case_of,
    error_descriptions,
    submit,
    submitted,
    xml,
)


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
