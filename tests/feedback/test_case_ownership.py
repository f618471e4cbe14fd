"""Who may act on a case someone else owns (review D15), and who sees the customer's private
tracking link (review D16)."""

from __future__ import annotations

import pytest

from feedback.handling import assign_case
from feedback.intake import submit_case
from feedback.models import Case, CaseStatus
from feedback.queries import get_case
from feedback.references import tracking_token
from feedback.schemas import CaseInputSchema
from tests.conftest import PASSWORD
from tests.support.factories import case_payload
from tests.support.feedback import case_row


def new_case() -> Case:
    return get_case(submit_case(CaseInputSchema().load(case_payload())).case_id)


def sign_in(client, user) -> None:
    client.post("/staff/logout")
    response = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def owned_case(make_user):
    """A case the lead gave to cs2."""
    lead = make_user("customer_service_lead")
    cs2 = make_user("customer_service", "cs2@lampo.example")
    case = new_case()
    assign_case(case.id, cs2.id, lead.id, None)
    return case_row(case.id), cs2, lead


ANSWER = {"text": "Korjattu.", "action": "Venttiili vaihdettu.", "outcome": "upheld"}


def test_d15_another_handler_cannot_answer_close_or_ask_on_a_colleagues_case(
    client, make_user, owned_case
):
    """D15: customer_service answered and closed cs2's case (302, closed as answered)."""
    case, _, _ = owned_case
    sign_in(client, make_user("customer_service"))
    version = {"version": case.version}
    answer = client.post(f"/staff/cases/{case.id}/answer", data={**ANSWER, **version})
    assert answer.status_code == 403
    ask = client.post(
        f"/staff/cases/{case.id}/request-information", data={"question": "?", **version}
    )
    assert ask.status_code == 403
    assert (
        client.post(f"/staff/cases/{case.id}/spam", data={"spam": "1", **version}).status_code
        == 403
    )
    assert case_row(case.id).status is not CaseStatus.CLOSED
    # A note is still welcome: it changes nothing for the customer and names its author.
    note = client.post(f"/staff/cases/{case.id}/note", data={"note": "Soitin.", **version})
    assert note.status_code == 302


def test_d15_the_owner_and_a_lead_can_answer(client, owned_case):
    case, cs2, lead = owned_case
    sign_in(client, lead)
    response = client.post(
        f"/staff/cases/{case.id}/answer", data={**ANSWER, "version": case.version}
    )
    assert response.status_code == 302
    assert case_row(case.id).status is CaseStatus.CLOSED
    sign_in(client, cs2)
    reopened = client.post(
        f"/staff/cases/{case.id}/reopen",
        data={"reopen_reason": "Asiakas soitti uudelleen.", "version": case_row(case.id).version},
    )
    assert reopened.status_code == 302


def test_d16_the_tracking_link_is_shown_only_to_the_cases_handlers(client, make_user, owned_case):
    """D16: dispatchers and every customer service member saw the customer's tracking link."""
    case, cs2, lead = owned_case
    token = tracking_token(case)
    for user, shown in (
        (make_user("dispatcher"), False),
        (make_user("customer_service"), False),
        (cs2, True),
        (lead, True),
    ):
        sign_in(client, user)
        page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
        assert (token in page) is shown, user.role
