"""The dispatcher's pages: the intake form as a browser submits it (empty fields included), the
hints behind intake.js, the call page and its actions, the board, the printable intake record
(HTML and PDF from the same template) and the duty roster."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
import sqlalchemy as sa

from feedback.emergency import roster, voice
from feedback.emergency.models import Callback, DutyChange, DutySlot, EmergencyCall
from feedback.emergency.routes.staff import local_input
from notifications.streets import import_streets
from service.db import utcnow
from service.extensions import db
from tests.support.factories import outage_payload
from tests.support.forms import browser_form, submit


@pytest.fixture(autouse=True)
def fresh_roster_copy():
    roster.COPY.forget()
    voice._active.clear()
    yield
    roster.COPY.forget()


def calls() -> list[EmergencyCall]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(EmergencyCall).order_by(EmergencyCall.id)))


def published_outage(client, token_for) -> int:
    response = client.post(
        "/api/v1/outages", json=outage_payload(publish=True), headers=token_for("admin")
    )
    assert response.status_code == 201
    return int(response.get_json()["id"])


def test_intake_form_focuses_the_phone_and_logs_a_call_with_defaults(client, login):
    login("dispatcher")
    page = client.get("/staff/emergency/new").get_data(as_text=True)
    assert 'id="caller_phone"' in page and "autofocus" in page.split('id="caller_phone"')[1][:200]
    assert "<script>" not in page and "intake.js" in page
    response = submit(
        client, "/staff/emergency/new", "#intake", caller_phone="040 123 4567",
        problem="no_heating", postcode="00100", street="Mannerheimintie", house_number="5",
    )  # fmt: skip
    assert response.status_code == 302
    [call] = calls()
    assert call.caller_phone == "+358401234567" and call.street_key == "mannerheimintie"
    assert abs(call.received_at - utcnow()) < dt.timedelta(minutes=2)
    assert response.headers["Location"].endswith(f"/staff/emergency/{call.id}")


def test_empty_intake_form_names_the_one_required_field(client, login):
    login("dispatcher")
    response = submit(client, "/staff/emergency/new", "#intake")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="problem-error"' in page and calls() == []


def test_back_entered_call_needs_a_reason_in_finnish(client, login):
    login("dispatcher")
    old = local_input(utcnow() - dt.timedelta(hours=3))
    response = submit(
        client,
        "/staff/emergency/new",
        "#intake",
        problem="leak",
        received_at=old,
        headers={"Accept-Language": "fi"},
    )
    assert response.status_code == 422
    assert "kerro, miksi se kirjataan vasta nyt" in response.get_data(as_text=True)
    assert calls() == []
    response = submit(
        client,
        "/staff/emergency/new",
        "#intake",
        problem="leak",
        received_at=old,
        back_entry_reason="Ruuhka",
    )
    assert response.status_code == 302
    assert calls()[0].back_entry_reason == "Ruuhka"


def test_the_form_links_an_outage_chosen_by_the_script(client, login, token_for):
    outage_id = published_outage(client, token_for)
    login("dispatcher")
    page = client.get("/staff/emergency/new").get_data(as_text=True)
    data = browser_form(
        page, "#intake", problem="no_heating", postcode="00100", outage_id=str(outage_id)
    )
    assert client.post("/staff/emergency/new", data=data).status_code == 302
    assert calls()[0].outage_id == outage_id


def test_hints_earlier_calls_from_the_phone_and_outages_at_the_address(client, login, token_for):
    outage_id = published_outage(client, token_for)
    login("dispatcher")
    submit(
        client,
        "/staff/emergency/new",
        "#intake",
        caller_phone="0401234567",
        problem="no_heating",
        postcode="00100",
        street="Mannerheimintie",
        house_number="3",
    )
    found = client.get(
        "/staff/emergency/lookup/phone", query_string={"phone": "040 123 4567"}
    ).get_json()
    assert [c["open"] for c in found["calls"]] == [True]
    hints = client.get(
        "/staff/emergency/lookup/address",
        query_string={"postcode": "00100", "street": "mannerheimintie", "number": "5"},
    ).get_json()
    assert [o["id"] for o in hints["outages"]] == [outage_id]
    assert "Mannerheimintie" in hints["outages"][0]["text"]
    assert len(hints["calls"]) == 1
    # A dispatcher typing the street's Swedish name sees the same calls (alias table).
    import_streets(b"postcode,name_fi,name_sv\n00100,Mannerheimintie,Mannerheimv\xc3\xa4gen\n")
    swedish = client.get(
        "/staff/emergency/lookup/address",
        query_string={"postcode": "00100", "street": "Mannerheimvägen", "number": "5"},
    ).get_json()
    assert len(swedish["calls"]) == 1 and [o["id"] for o in swedish["outages"]] == [outage_id]
    outside = client.get(
        "/staff/emergency/lookup/address",
        query_string={"postcode": "00100", "street": "Mannerheimintie", "number": "4"},
    ).get_json()
    assert outside["outages"] == []  # odd side only
    assert client.get(
        "/staff/emergency/lookup/address", query_string={"postcode": "x"}
    ).get_json() == {"outages": [], "calls": []}


def test_call_page_links_the_outage_and_handles_the_call(client, login, token_for):
    outage_id = published_outage(client, token_for)
    login("dispatcher")
    submit(
        client,
        "/staff/emergency/new",
        "#intake",
        problem="no_heating",
        postcode="00100",
        street="Mannerheimintie",
        house_number="5",
    )
    [call] = calls()
    url = f"/staff/emergency/{call.id}"
    assert submit(client, url, f"/staff/emergency/{call.id}/link").status_code == 302
    assert calls()[0].outage_id == outage_id
    now = local_input(utcnow())
    bad = submit(client, url, f"/staff/emergency/{call.id}", resolved_at=now)
    assert bad.status_code == 422 and 'id="outcome-error"' in bad.get_data(as_text=True)
    good = submit(
        client,
        url,
        f"/staff/emergency/{call.id}",
        dispatched_at=now,
        crew="Ryhmä 1",
        resolved_at=now,
        outcome="part_of_outage",
    )
    assert good.status_code == 302
    handled = calls()[0]
    assert handled.crew == "Ryhmä 1" and handled.resolved_at is not None


def test_a_new_unplanned_outage_is_opened_from_the_call(client, login):
    login("dispatcher")
    submit(
        client,
        "/staff/emergency/new",
        "#intake",
        problem="leak",
        postcode="00100",
        street="Aleksanterinkatu",
        house_number="1",
    )
    [call] = calls()
    response = submit(client, f"/staff/emergency/{call.id}", f"/staff/emergency/{call.id}/outage")
    assert response.status_code == 302
    outage_id = calls()[0].outage_id
    assert outage_id is not None and response.headers["Location"].endswith(
        f"/staff/outages/{outage_id}/edit"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Aleksanterinkatu" in page


def test_callback_is_done_once_and_keeps_its_place_in_the_queue(client, login):
    login("dispatcher")
    for problem in ("no_heating", "leak"):
        submit(client, "/staff/emergency/new", "#intake", problem=problem)
    first, second = calls()
    due = local_input(utcnow() + dt.timedelta(minutes=30))
    earlier = local_input(utcnow() + dt.timedelta(minutes=10))
    assert (
        submit(
            client,
            f"/staff/emergency/{first.id}",
            f"/staff/emergency/{first.id}/callback",
            callback_due_at=due,
        ).status_code
        == 302
    )
    assert (
        submit(
            client,
            f"/staff/emergency/{second.id}",
            f"/staff/emergency/{second.id}/callback",
            callback_due_at=earlier,
        ).status_code
        == 302
    )
    board = client.get("/staff/emergency/").get_data(as_text=True)
    assert board.index(f'/staff/emergency/{second.id}"') < board.index(
        f'/staff/emergency/{first.id}"'
    )
    done = client.post(f"/staff/emergency/{second.id}/callback/done", data={"note": ""})
    assert done.status_code == 302
    again = client.post(f"/staff/emergency/{second.id}/callback/done", data={"note": ""})
    assert again.status_code == 409
    db.session.expire_all()
    callbacks = db.session.scalars(sa.select(Callback).order_by(Callback.id)).all()
    assert [c.done_at is not None for c in callbacks] == [False, True]


def test_printable_intake_record_in_the_callers_and_the_staff_language(client, login):
    login("dispatcher")
    submit(
        client,
        "/staff/emergency/new",
        "#intake",
        problem="no_heating",
        language="pl",
        caller_name="Jan Kowalski",
    )
    [call] = calls()
    polish = client.get(f"/staff/emergency/{call.id}/print?lang=pl").get_data(as_text=True)
    assert "Formularz przyjęcia zgłoszenia" in polish and "Jan Kowalski" in polish
    finnish = client.get(f"/staff/emergency/{call.id}/print?lang=fi").get_data(as_text=True)
    assert "Vikailmoituksen vastaanottolomake" in finnish
    pdf = client.get(f"/staff/emergency/{call.id}/record.pdf?lang=pl")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Formularz przyjęcia zgłoszenia" in text and "Jan Kowalski" in text


def test_roster_page_adds_a_weekly_slot_and_a_one_off_change(client, login):
    login("admin")
    page = "/staff/emergency/roster"
    response = submit(
        client,
        page,
        "#slot",
        weekday="2",
        start="08:00",
        end="16:00",
        name="Matti",
        phone="040 111 0001",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    bad = submit(
        client,
        page,
        "#slot",
        weekday="2",
        start="16:00",
        end="08:00",
        name="Matti",
        phone="040 111 0001",
    )
    assert bad.status_code == 422
    start = local_input(utcnow() - dt.timedelta(hours=1))
    end = local_input(utcnow() + dt.timedelta(hours=1))
    response = submit(
        client,
        page,
        "#change",
        starts_at=start,
        ends_at=end,
        change_name="Liisa",
        change_phone="040 111 0002",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert [s.name for s in db.session.scalars(sa.select(DutySlot))] == ["Matti"]
    assert [c.phone for c in db.session.scalars(sa.select(DutyChange))] == ["+358401110002"]
    assert roster.duty_now().shift.name == "Liisa"
    assert "Liisa" in client.get("/staff/emergency/").get_data(as_text=True)


def test_customer_service_reads_the_board_but_cannot_log(client, login):
    login("customer_service")
    assert client.get("/staff/emergency/").status_code == 200
    assert client.get("/staff/emergency/new").status_code == 403
    assert client.get("/staff/emergency/roster").status_code == 403
