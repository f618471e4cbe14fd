"""A field left empty is "not given": browsers send every field of a form, the empty ones as "".

The public feedback forms submitted empty are re-rendered with messages in the page's language;
nothing is stored (the schemas themselves: tests/service/test_blank_fields.py).
"""

from __future__ import annotations

from html import unescape

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

import feedback.schemas
from feedback.answering import answer_case
from feedback.models import Case, Outcome
from service.extensions import db
from tests.support.feedback import case_row
from tests.support.forms import submit


def test_optional_blank_survey_comment_is_none(app):
    assert feedback.schemas.SurveySchema().load({"score": "4", "comment": ""}) == {
        "score": 4,
        "comment": None,
    }


# ---- the public forms, sent empty -------------------------------------------------------------


def localized(lang: str, message: str) -> str:
    with force_locale(lang):
        text = gettext(message)
    assert text != message, f"{message!r} is not translated to {lang}"
    return text


def page_text(response) -> str:
    return unescape(response.get_data(as_text=True))


def cases() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Case))


@pytest.mark.parametrize("lang", ["fi", "pl"])
def test_empty_feedback_form_is_re_rendered_with_localized_messages(client, lang):
    response = submit(client, f"/{lang}/feedback", f"/{lang}/feedback")
    assert response.status_code == 422
    page = page_text(response)
    assert f'<html lang="{lang}">' in page
    for field, message in (
        ("type", "Choose what kind of message this is."),
        ("area", "Choose what the matter is about."),
        ("description", "Describe the matter."),
    ):
        assert f'id="{field}-error"' in page
        assert localized(lang, message) in page
    assert cases() == 0


@pytest.mark.parametrize("lang", ["fi", "pl"])
def test_empty_reply_and_survey_on_the_tracking_page_are_refused_in_its_language(
    client, make_user, lang
):
    sent = submit(
        client,
        f"/{lang}/feedback",
        f"/{lang}/feedback",
        type="complaint",
        area="heat_supply",
        description="Patterit ovat kylmiä.",
        email="asukas@example.fi",
    )
    assert sent.status_code == 302, page_text(sent)
    tracking = sent.headers["Location"]

    reply = submit(client, tracking, f"{tracking}/reply")
    assert reply.status_code == 422
    page = page_text(reply)
    assert 'id="text-error"' in page
    assert localized(lang, "This field is required.") in page

    case = db.session.scalars(sa.select(Case)).one()
    staff = make_user("customer_service")
    answer = {"text": "Venttiili vaihdettu.", "action": "valve replaced", "outcome": Outcome.UPHELD}
    answer_case(case.id, answer, staff.id, case.version)
    survey = submit(client, tracking, f"{tracking}/survey")
    assert survey.status_code == 422
    assert localized(lang, "Choose a rating from 1 to 5.") in page_text(survey)
    assert case_row(case.id).surveyed_at is None
