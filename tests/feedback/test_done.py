"""The issue's definition of done, in each language: a complaint filed on the web is acknowledged,
answered within its computed deadline, surveyed, and visible through Open311."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from feedback.answering import answer_case
from feedback.models import Case, Outcome
from service.extensions import db
from service.mail.models import EmailMessage
from tests.support.feedback import case_row

COMPLAINTS = {
    "fi": "Patterit ovat kylmiä, vaikka termostaatti on täysillä.",
    "sv": "Elementen är kalla fast termostaten står på max.",
    "en": "The radiators are cold although the thermostat is on full.",
    "pl": "Kaloryfery są zimne, chociaż termostat jest odkręcony na maksimum.",
}


@pytest.mark.parametrize("lang", list(COMPLAINTS))
def test_web_complaint_acknowledged_answered_in_time_surveyed_and_in_open311(
    client, make_user, lang
):
    response = client.post(
        f"/{lang}/feedback",
        data={
            "type": "complaint",
            "area": "heat_supply",
            "description": COMPLAINTS[lang],
            "email": f"resident.{lang}@example.eu",
            "language": lang,
        },
    )
    assert response.status_code == 302
    tracking = response.headers["Location"]
    reference = tracking.split("/")[3]
    case = db.session.scalars(sa.select(Case)).one()

    acknowledgement = db.session.scalars(sa.select(EmailMessage)).one()
    assert acknowledgement.language == lang and reference in acknowledgement.subject

    staff = make_user("customer_service")
    answer = {"text": f"[{lang}] ok", "action": "valve replaced", "outcome": Outcome.UPHELD}
    answer_case(case.id, answer, staff.id, case.version)
    case = case_row(case.id)
    assert case.first_answered_at <= case.deadline_at

    assert client.post(f"{tracking}/survey", data={"score": "4"}).status_code == 302

    listed = client.get("/open311/v2/requests.json", query_string={"service_request_id": reference})
    assert listed.status_code == 200
    (request,) = listed.json
    assert request["service_request_id"] == reference
    assert request["status"] == "closed"
    assert request["service_code"] == "complaint"
    body = listed.get_data(as_text=True)
    assert f"resident.{lang}@example.eu" not in body and COMPLAINTS[lang] not in body
    assert case_row(case.id).satisfaction_score == 4
