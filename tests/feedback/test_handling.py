"""Staff handle a case from the back office: inbox by deadline, assign, ask, answer, survey,
reopen, spam, templates, escalations; conflicts and closed cases refused with a clear status."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from feedback.escalations import escalate
from feedback.evidence import case_figures
from feedback.intake import submit_case
from feedback.models import Case, CaseStatus, Escalation, EscalationLevel
from feedback.queries import get_case
from feedback.references import reference, tracking_token
from feedback.schemas import CaseInputSchema
from service.db import utcnow
from service.extensions import db
from service.i18n import to_local
from service.mail.models import EmailMessage
from tests.support.factories import case_payload
from tests.support.feedback import case_row


def _case(received: dt.datetime | None = None, **changes) -> Case:
    receipt = submit_case(CaseInputSchema().load(case_payload(**changes)), received_at=received)
    return get_case(receipt.case_id)


def _track_url(case: Case, suffix: str = "") -> str:
    return f"/{case.language}/feedback/{reference(case)}/{tracking_token(case)}{suffix}"


def test_inbox_lists_open_cases_soonest_deadline_first_and_flags_overdue(client, login):
    login("customer_service")
    now = utcnow()
    later = _case(now - dt.timedelta(hours=1), description="Myöhemmin")
    overdue = _case(now - dt.timedelta(days=30), description="Myöhässä")
    page = client.get("/staff/cases/").get_data(as_text=True)
    assert page.index(reference(overdue)) < page.index(reference(later))
    assert "case--overdue" in page


def test_viewer_cannot_see_cases_and_dispatcher_cannot_answer(client, login):
    case = _case()
    login("viewer")
    assert client.get("/staff/cases/").status_code == 403
    client.post("/staff/logout")
    login("dispatcher")
    assert client.get(f"/staff/cases/{case.id}").status_code == 200
    response = client.post(
        f"/staff/cases/{case.id}/answer",
        data={"text": "x", "action": "y", "outcome": "upheld", "version": case.version},
    )
    assert response.status_code == 403


def test_full_round_trip_question_reply_answer_survey(client, login):
    user = login("customer_service")
    case = _case()
    url = f"/staff/cases/{case.id}"

    assert (
        client.post(
            f"{url}/assign", data={"assignee_id": user.id, "version": case.version}
        ).status_code
        == 302
    )
    case = case_row(case.id)
    assert case.assignee_id == user.id and case.status is CaseStatus.IN_PROGRESS

    response = client.post(
        f"{url}/request-information",
        data={"question": "Mikä on asunnon numero?", "version": case.version},
    )
    assert response.status_code == 302
    case = case_row(case.id)
    assert case.status is CaseStatus.WAITING_FOR_CUSTOMER
    asked = db.session.scalars(
        sa.select(EmailMessage).where(EmailMessage.event_key.like(f"case:{case.id}:info:%"))
    ).one()
    assert "Mikä on asunnon numero?" in asked.body
    assert _track_url(case) in asked.body

    # The customer answers from the tracking link; the clock restarts.
    public = client.application.test_client()
    assert public.post(_track_url(case, "/reply"), data={"text": "A 12"}).status_code == 302
    case = case_row(case.id)
    assert case.status is CaseStatus.IN_PROGRESS
    assert case.pauses[0].ended_at is not None

    response = client.post(
        f"{url}/answer",
        data={
            "text": "Vaihdoimme venttiilin.",
            "action": "Asentaja kävi 24.11.",
            "outcome": "upheld",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    case = case_row(case.id)
    assert case.status is CaseStatus.CLOSED and case.first_answered_at is not None
    answer_mail = db.session.scalars(
        sa.select(EmailMessage).where(EmailMessage.event_key.like(f"case:{case.id}:answer:%"))
    ).one()
    assert "Vaihdoimme venttiilin." in answer_mail.body
    assert "Asentaja kävi 24.11." in answer_mail.body
    assert _track_url(case) in answer_mail.body  # the survey is on the tracking page

    page = public.get(_track_url(case)).get_data(as_text=True)
    assert "Vaihdoimme venttiilin." in page and "Asentaja kävi 24.11." in page
    assert 'name="score"' in page

    assert public.post(_track_url(case, "/survey"), data={"score": "7"}).status_code == 422
    assert public.post(_track_url(case, "/survey"), data={"score": "4"}).status_code == 302
    assert public.post(_track_url(case, "/survey"), data={"score": "1"}).status_code == 409
    case = case_row(case.id)
    assert case.satisfaction_score == 4

    # A reply to a closed case is refused, and nothing is added.
    events = len(case.events)
    assert public.post(_track_url(case, "/reply"), data={"text": "Kiitos"}).status_code == 409
    assert len(case_row(case.id).events) == events

    figures = case_figures(to_local(utcnow()).year)
    assert figures["answered"] == 1 and figures["answered_in_time"] == 1
    assert figures["satisfaction_average"] == 4


def test_stale_form_is_a_conflict_and_changes_nothing(client, login):
    login("customer_service")
    case = _case()
    stale = case.version
    assert (
        client.post(
            f"/staff/cases/{case.id}/note", data={"note": "eka", "version": stale}
        ).status_code
        == 302
    )
    response = client.post(
        f"/staff/cases/{case.id}/answer",
        data={"text": "vastaus", "action": "teko", "outcome": "rejected", "version": stale},
    )
    assert response.status_code == 409
    assert case_row(case.id).status is CaseStatus.RECEIVED


def test_answer_needs_text_action_and_outcome(client, login):
    login("customer_service")
    case = _case()
    response = client.post(f"/staff/cases/{case.id}/answer", data={"version": case.version})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("text", "action", "outcome"):
        assert f'id="{field}-error"' in page
    assert case_row(case.id).status is CaseStatus.RECEIVED


def test_reopen_and_answer_again_keeps_the_first_answer_time(client, login):
    login("customer_service")
    case = _case()
    data = {"text": "v", "action": "t", "outcome": "informational"}
    client.post(f"/staff/cases/{case.id}/answer", data={**data, "version": case.version})
    case = case_row(case.id)
    first = case.first_answered_at
    response = client.post(
        f"/staff/cases/{case.id}/reopen",
        data={"reopen_reason": "Asiakas soitti", "version": case.version},
    )
    assert response.status_code == 302
    case = case_row(case.id)
    assert case.status is CaseStatus.IN_PROGRESS
    client.post(f"/staff/cases/{case.id}/answer", data={**data, "version": case.version})
    case = case_row(case.id)
    assert case.first_answered_at == first and case.answered_at > first


def test_spam_is_hidden_from_the_inbox_and_the_figures_but_kept(client, login):
    login("customer_service")
    case = _case(description="Osta halpoja kelloja")
    client.post(f"/staff/cases/{case.id}/spam", data={"spam": "1", "version": case.version})
    assert reference(case) not in client.get("/staff/cases/").get_data(as_text=True)
    assert reference(case) in client.get("/staff/cases/?status=spam").get_data(as_text=True)
    figures = case_figures(to_local(utcnow()).year)
    assert figures["received"] == 0 and figures["spam_excluded"] == 1
    assert db.session.get(Case, case.id) is not None


def test_handler_takes_cases_only_for_themselves_lead_hands_them_out(client, login, make_user):
    other = make_user("customer_service", email="toinen@lampo.example")
    login("customer_service")
    case = _case()
    response = client.post(
        f"/staff/cases/{case.id}/assign", data={"assignee_id": other.id, "version": case.version}
    )
    assert response.status_code == 403
    client.post("/staff/logout")
    login("customer_service_lead")
    response = client.post(
        f"/staff/cases/{case.id}/assign", data={"assignee_id": other.id, "version": case.version}
    )
    assert response.status_code == 302
    assert case_row(case.id).assignee_id == other.id


def test_reply_template_fills_the_answer(client, login):
    login("customer_service_lead")
    response = client.post(
        "/staff/cases/templates",
        data={"language": "fi", "title": "Lasku korjattu", "body": "Korjasimme laskunne."},
    )
    assert response.status_code == 302
    duplicate = client.post(
        "/staff/cases/templates",
        data={"language": "fi", "title": "Lasku korjattu", "body": "toinen"},
    )
    assert duplicate.status_code == 422
    case = _case()
    from feedback.queries import templates

    template = templates("fi")[0]
    page = client.get(f"/staff/cases/{case.id}?template={template.id}").get_data(as_text=True)
    assert "Korjasimme laskunne.</textarea>" in page


def test_escalation_once_per_threshold_to_assignee_and_leads(app, make_user):
    lead = make_user("customer_service_lead", email="esimies@lampo.example")
    handler = make_user("customer_service", email="kasittelija@lampo.example")
    case = _case(utcnow() - dt.timedelta(days=6))
    case.assignee_id = handler.id
    db.session.commit()

    soon = case.deadline_at - dt.timedelta(hours=3)
    assert escalate(soon - dt.timedelta(days=3)) == 0  # not yet within 24 h
    assert escalate(soon) == 2
    assert escalate(soon) == 0  # once per threshold
    late = case.deadline_at + dt.timedelta(minutes=1)
    assert escalate(late) == 2
    rows = db.session.scalars(sa.select(Escalation)).all()
    assert {(r.user_id, r.level) for r in rows} == {
        (lead.id, EscalationLevel.DUE_SOON),
        (handler.id, EscalationLevel.DUE_SOON),
        (lead.id, EscalationLevel.OVERDUE),
        (handler.id, EscalationLevel.OVERDUE),
    }
    mails = db.session.scalars(
        sa.select(EmailMessage.to_address).where(EmailMessage.event_key.like("%escalation%"))
    ).all()
    assert sorted(mails) == sorted([lead.email, handler.email] * 2)


def test_escalation_skips_cases_waiting_for_the_customer(app, make_user):
    make_user("customer_service_lead")
    case = _case(utcnow() - dt.timedelta(days=30))
    case.status = CaseStatus.WAITING_FOR_CUSTOMER
    db.session.commit()
    assert escalate() == 0


def test_escalations_show_in_the_back_office_until_read(client, login):
    lead = login("customer_service_lead")
    case = _case(utcnow() - dt.timedelta(days=30))
    escalate()
    page = client.get("/staff/cases/").get_data(as_text=True)
    assert f'href="/staff/cases/{case.id}"' in page and "flag--overdue" in page
    client.post("/staff/cases/escalations/read")
    unread = db.session.scalars(
        sa.select(Escalation).where(Escalation.user_id == lead.id, Escalation.read_at.is_(None))
    ).all()
    assert unread == []


@pytest.mark.parametrize("lang", ["fi", "sv", "en", "pl"])
def test_case_pages_render_in_every_language(client, login, lang):
    login("customer_service")
    case = _case(language=lang)
    assert client.get(f"/staff/cases/{case.id}").status_code == 200
    assert client.get(_track_url(case)).status_code == 200


def test_cases_go_only_to_active_staff_who_handle_cases(client, login, make_user):
    viewer = make_user("viewer", email="katsoja@lampo.example")
    login("customer_service_lead")
    case = _case()
    response = client.post(
        f"/staff/cases/{case.id}/assign", data={"assignee_id": viewer.id, "version": case.version}
    )
    assert response.status_code == 422
    assert 'id="assignee_id-error"' in response.get_data(as_text=True)
    assert case_row(case.id).assignee_id is None


def test_reopened_case_gets_its_time_again_and_fresh_escalations(client, login, make_user):
    lead = login("customer_service_lead")
    case = _case(utcnow() - dt.timedelta(days=30))
    escalate()  # overdue
    client.post(
        f"/staff/cases/{case.id}/answer",
        data={"text": "v", "action": "t", "outcome": "rejected", "version": case.version},
    )
    case = case_row(case.id)
    client.post(
        f"/staff/cases/{case.id}/reopen",
        data={"reopen_reason": "Asiakas ei ole tyytyväinen", "version": case.version},
    )
    case = case_row(case.id)
    assert case.deadline_at > utcnow() + dt.timedelta(days=5)  # 7 working days from now
    assert db.session.scalars(sa.select(Escalation)).all() == []
    assert escalate(case.deadline_at + dt.timedelta(minutes=1)) == 1
    assert db.session.scalars(sa.select(Escalation.user_id)).all() == [lead.id]


def test_a_form_without_its_version_is_out_of_date(client, login):
    login("customer_service")
    case = _case()
    for version in ("", "x", "²"):
        response = client.post(
            f"/staff/cases/{case.id}/answer",
            data={"text": "v", "action": "t", "outcome": "upheld", "version": version},
        )
        assert response.status_code == 409
    assert case_row(case.id).status is CaseStatus.RECEIVED


@pytest.mark.parametrize(
    "query",
    [
        "type=bogus",
        "area=x&channel=zzz&status=nope",
        "page=%C2%B2",
        "assignee=%C2%B2",
        "assignee=99999999999999999999",
        "reference=FH-2026-99999999999999999999",
        "_method=POST&page=2",
    ],
)
def test_odd_inbox_queries_are_ignored_not_errors(client, login, query):
    login("customer_service")
    _case()
    assert client.get(f"/staff/cases/?{query}").status_code == 200


def test_a_page_past_any_inbox_is_not_found(client, login):
    """The edge answers a page number no list can reach with 404 before any OFFSET (D4)."""
    login("customer_service")
    _case()
    assert client.get("/staff/cases/?page=99999999999999999999").status_code == 404
    assert client.get("/staff/cases/?page=1").status_code == 200


def test_odd_ids_in_links_are_not_found_not_errors(client, login):
    login("customer_service")
    case = _case()
    assert client.get(f"/staff/cases/{case.id}?template=%C2%B2").status_code == 200
    assert client.get(f"/staff/cases/{case.id}?template=99999999999999999999").status_code == 200
    huge = "FH-2026-99999999999999999999"
    assert client.get(f"/fi/feedback/{huge}/token").status_code == 404
    assert client.get(f"/open311/v2/requests/{huge}.json").status_code == 404
    response = client.post(
        f"/staff/cases/{case.id}/assign",
        data={"assignee_id": "99999999999999999999", "version": case.version},
    )
    assert response.status_code == 422


def test_reference_search_needs_the_right_year(client, login):
    login("customer_service")
    case = _case()
    wrong_year = reference(case).replace(f"-{case.year}-", "-1999-")
    assert reference(case) not in client.get(
        f"/staff/cases/?status=all&reference={wrong_year}"
    ).get_data(as_text=True)
    assert reference(case) in client.get(
        f"/staff/cases/?status=all&reference={reference(case)}"
    ).get_data(as_text=True)


def test_handler_cannot_take_or_drop_a_colleagues_case(client, login, make_user):
    colleague = make_user("customer_service", email="kollega@lampo.example")
    me = login("customer_service")
    case = _case()
    case.assignee_id = colleague.id
    db.session.commit()
    for value in ("", str(me.id)):  # hand it back to nobody, or take it over
        response = client.post(
            f"/staff/cases/{case.id}/assign", data={"assignee_id": value, "version": case.version}
        )
        assert response.status_code == 403
    assert case_row(case.id).assignee_id == colleague.id


def test_an_empty_question_is_refused_next_to_the_question(client, login):
    login("customer_service")
    case = _case()
    response = client.post(
        f"/staff/cases/{case.id}/request-information",
        data={"question": "  ", "version": case.version},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="question-error"' in page and 'id="text-error"' not in page
    assert case_row(case.id).status is CaseStatus.RECEIVED
