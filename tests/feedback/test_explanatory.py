"""The explanatory procedure is offered exactly when it can be started: whenever the case page
shows the button, pressing it succeeds; when starting it would be refused, there is no button."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest

from config.feedback_rules import Track
from feedback.answering import answer_case
from feedback.deadlines import ExplanatoryRefusal, explanatory_refusal
from feedback.handling import request_information, switch_to_explanatory
from feedback.intake import submit_case
from feedback.models import Case, Outcome
from feedback.queries import get_case
from feedback.schemas import CaseInputSchema, StaffCaseInputSchema
from service.db import utcnow
from tests.support.factories import case_payload
from tests.support.feedback import case_row

PL = {"FAIRHEAT_JURISDICTION": "PL"}
FI = {"FAIRHEAT_JURISDICTION": "FI"}


def _written(days_ago: float, **changes: Any) -> Case:
    data = CaseInputSchema().load(case_payload(language="pl", **changes))
    received = utcnow() - dt.timedelta(days=days_ago)
    return get_case(submit_case(data, received_at=received).case_id)


def _by_phone(hours_ago: float) -> Case:
    received = utcnow() - dt.timedelta(hours=hours_ago)
    data = StaffCaseInputSchema().load(
        case_payload(
            language="pl",
            channel="phone",
            received_at=received.isoformat(),
            email=None,
            phone="601 234 567",
        )
    )
    return get_case(submit_case(data).case_id)


def _answered(staff_id: int) -> Case:
    case = _written(1)
    answer = {"text": "Odpowiedź.", "action": "Sprawdzono.", "outcome": Outcome.UPHELD}
    return answer_case(case.id, answer, staff_id, case.version)


def _waiting(staff_id: int) -> Case:
    case = _written(1)
    return request_information(case.id, "Numer lokalu?", staff_id, case.version)


def _explained(staff_id: int) -> Case:
    case = _written(1)
    return switch_to_explanatory(case.id, "Opinia rzeczoznawcy.", staff_id, case.version)


SCENARIOS: dict[str, Callable[[int], Case]] = {
    "complaint on time": lambda staff: _written(1),
    "billing complaint on time": lambda staff: _written(1, type="billing_complaint"),
    "phone complaint within its 12 hours": lambda staff: _by_phone(2),
    "complaint waiting for the customer": _waiting,
    "complaint past its 14 days": lambda staff: _written(20),
    "phone complaint past its 12 hours": lambda staff: _by_phone(13),
    "question": lambda staff: _written(1, type="question"),
    "feedback": lambda staff: _written(1, type="feedback"),
    "disconnection complaint": lambda staff: _written(1, type="disconnection_complaint"),
    "answered complaint": _answered,
    "complaint already explained": _explained,
    "complaint where the rules have no such procedure": lambda staff: _written(1),
}


@pytest.mark.parametrize(
    ("settings_env", "scenario", "refusal"),
    [
        (PL, "complaint on time", None),
        (PL, "billing complaint on time", None),
        (PL, "phone complaint within its 12 hours", None),
        (PL, "complaint waiting for the customer", None),
        (PL, "complaint past its 14 days", ExplanatoryRefusal.LATE),
        (PL, "phone complaint past its 12 hours", ExplanatoryRefusal.LATE),
        (PL, "question", ExplanatoryRefusal.NOT_A_COMPLAINT),
        (PL, "feedback", ExplanatoryRefusal.NOT_A_COMPLAINT),
        (PL, "disconnection complaint", ExplanatoryRefusal.NOT_A_COMPLAINT),
        (PL, "answered complaint", ExplanatoryRefusal.CLOSED),
        (PL, "complaint already explained", ExplanatoryRefusal.NOT_A_COMPLAINT),
        (FI, "complaint where the rules have no such procedure", ExplanatoryRefusal.NOT_OFFERED),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_button_is_shown_exactly_when_pressing_it_succeeds(client, login, scenario, refusal):
    staff = login("customer_service")
    case = SCENARIOS[scenario](staff.id)
    assert explanatory_refusal(case_row(case.id), utcnow()) is refusal

    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    form = re.search(
        rf'action="/staff/cases/{case.id}/explanatory".*?name="version" value="(\d+)"',
        page,
        re.DOTALL,
    )
    shown = form is not None
    assert shown is (refusal is None)

    version = form.group(1) if form else str(case_row(case.id).version)
    track_before = case_row(case.id).track
    response = client.post(
        f"/staff/cases/{case.id}/explanatory",
        data={"reason": "Potrzebna opinia rzeczoznawcy.", "version": version},
    )
    if shown:
        assert response.status_code == 302, response.get_data(as_text=True)
        assert case_row(case.id).track is Track.EXPLANATORY
    else:
        assert response.status_code == 409
        assert case_row(case.id).track is track_before
