"""The back office: create, edit, act on notices through HTML forms; preview in every language."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from notifications.models import Outage, OutageStatus
from service.db import utcnow
from service.extensions import db
from service.i18n import format_iso_local
from tests.support.forms import browser_form, submit


@pytest.fixture(autouse=True)
def english(client):
    """Staff pages follow Accept-Language; these tests read the English text."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def local(moment: dt.datetime) -> str:
    return format_iso_local(moment)[:16]


def typed(**overrides):
    """What the dispatcher types into the outage form; the browser sends the other fields too."""
    now = utcnow()
    data = {
        "kind": "unplanned",
        "impact": "heating",
        "cause": "leak",
        "starts_at": local(now - dt.timedelta(minutes=30)),
        "expected_end_at": local(now + dt.timedelta(hours=3)),
        "areas-0-postcode": "00530",
        "areas-0-street": "Hämeentie",
        "areas-0-from_number": "2",
        "areas-0-to_number": "40",
        "areas-0-parity": "even",
        "text-fi": "Kiertävä vesiauto Hämeentie 20:n edessä.",
    }
    data.update(overrides)
    return data


def form(client, path="/staff/outages/new", submitter="publish", **overrides):
    """The outage form on the page `path` as the browser sends it, filled in as typed() says,
    sent with the button named `submitter` (Publish, the first one named so, by default)."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    return browser_form(
        page.get_data(as_text=True), "#outage-form", submitter=submitter, **typed(**overrides)
    )


def outages():
    return db.session.scalars(sa.select(Outage)).all()


def test_dispatcher_publishes_from_the_form(app, client, login):
    login("dispatcher")
    response = client.post("/staff/outages/new", data=form(client))
    assert response.status_code == 302, response.get_data(as_text=True)
    [outage] = outages()
    assert outage.published
    assert [(a.postcode, a.street, a.parity.value) for a in outage.areas] == [
        ("00530", "Hämeentie", "even"),
    ]
    # The wall-clock time typed in Helsinki is stored in UTC.
    assert local(outage.starts_at) == typed()["starts_at"]
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hämeentie 2–40, even numbers, 00530" in detail


def test_bad_form_is_re_rendered_with_messages_and_nothing_saved(app, client, login):
    login("dispatcher")
    bad = form(
        client,
        **{
            "expected_end_at": local(utcnow() - dt.timedelta(hours=2)),
            "areas-0-to_number": "1",
        },
    )
    response = client.post("/staff/outages/new", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="areas-0-to_number-error"' in html
    assert 'href="#areas-0-to_number"' in html  # the error summary links the field
    assert "<title>Error: " in html
    assert 'value="Hämeentie"' in html  # what was typed is kept
    assert outages() == []


def test_nonexistent_local_time_is_named(app, client, login):
    login("dispatcher")
    # 29 March 2026: clocks in Helsinki jump from 03:00 to 04:00.
    response = client.post(
        "/staff/outages/new", data=form(client, kind="planned", starts_at="2026-03-29T03:30")
    )
    assert response.status_code == 422
    assert 'id="starts_at-error"' in response.get_data(as_text=True)
    assert outages() == []


def test_add_row_keeps_the_form_without_saving(app, client, login):
    login("dispatcher")
    response = client.post("/staff/outages/new", data=form(client, submitter="add_row"))
    assert response.status_code == 200
    assert 'name="areas-1-postcode"' in response.get_data(as_text=True)
    assert outages() == []


def test_preview_returns_every_language(app, client, login):
    login("dispatcher")
    preview = client.post("/staff/outages/preview", data=form(client)).json
    assert set(preview["texts"]) == {"fi", "sv", "en", "pl"}
    assert preview["texts"]["en"]["title"] == "Unplanned interruption: heating"
    assert "Kiertävä vesiauto" in preview["texts"]["fi"]["body"]
    assert "Kiertävä vesiauto" not in preview["texts"]["pl"]["body"]
    assert set(preview["sms"]["languages"]) == {"fi", "sv", "en", "pl"}
    assert preview["sms"]["languages"]["fi"]["encoding"] == "GSM-7"
    assert preview["sms"]["recipients"] == 0
    assert outages() == []
    errors = client.post("/staff/outages/preview", data=form(client, cause="")).json
    assert "cause" in errors["errors"]


def test_actions_move_the_notice_through_its_life(app, client, login):
    login("dispatcher")
    client.post("/staff/outages/new", data=form(client))
    [outage] = outages()
    base = f"/staff/outages/{outage.id}"
    submit(client, base, f"{base}/status", status="repairing")
    later = local(utcnow() + dt.timedelta(hours=6))
    submit(client, base, f"{base}/estimate", expected_end_at=later)
    submit(client, f"{base}/restore", f"{base}/restore")  # confirmed; the end empty: now
    db.session.expire_all()
    outage = db.session.get(Outage, outage.id)
    assert outage.status == OutageStatus.RESTORED
    assert outage.ended_at is not None
    page = client.get(base).get_data(as_text=True)
    assert "Update 4" in page


def test_refused_action_is_explained_on_the_page(app, client, login):
    login("dispatcher")
    client.post("/staff/outages/new", data=form(client))
    [outage] = outages()
    base = f"/staff/outages/{outage.id}"
    open_page = client.get(base).get_data(as_text=True)  # e.g. in another tab
    confirm = client.get(f"{base}/restore").get_data(as_text=True)
    client.post(f"{base}/restore", data=browser_form(confirm, f"{base}/restore"))
    refused = client.post(
        f"{base}/status",
        data=browser_form(open_page, f"{base}/status", status="repairing"),
        follow_redirects=True,
    )
    assert "flash--error" in refused.get_data(as_text=True)


def test_edit_with_a_stale_version_is_refused(app, client, login):
    login("dispatcher")
    client.post("/staff/outages/new", data=form(client))
    [outage] = outages()
    edit = f"/staff/outages/{outage.id}/edit"
    version = str(outage.version - 1 if outage.version > 1 else 99)
    stale = form(client, edit, submitter=None, cause="other", version=version)
    response = client.post(f"/staff/outages/{outage.id}/edit", data=stale)
    assert response.status_code == 409


def test_viewer_sees_the_list_but_no_edit_controls(app, client, login):
    login("viewer")
    html = client.get("/staff/outages/").get_data(as_text=True)
    assert "New unplanned" not in html


def test_new_unplanned_starts_now_with_no_cause_chosen_and_publish_first(app, client, login):
    login("dispatcher")
    html = client.get("/staff/outages/new?kind=unplanned").get_data(as_text=True)
    assert f'value="{local(utcnow())[:13]}' in html  # starts now (to the minute)
    assert '<option value="">' in html.split('id="cause"')[1].split("</select>")[0]
    assert 'id="late_notice_reason"' not in html  # planned-only fields hidden
    assert html.count('name="areas-') == 5  # one area row
    assert html.index('id="publish-button"') < html.index("Save as draft")
    missing = client.post("/staff/outages/new", data=form(client, cause=""))
    assert missing.status_code == 422
    assert 'id="cause-error"' in missing.get_data(as_text=True)
    planned = client.get("/staff/outages/new?kind=planned").get_data(as_text=True)
    assert 'id="late_notice_reason"' in planned


def test_save_as_draft_keeps_it_apart_in_the_list(app, client, login):
    login("dispatcher")
    client.post("/staff/outages/new", data=form(client, submitter=None))
    [outage] = outages()
    assert not outage.published
    html = client.get("/staff/outages/").get_data(as_text=True)
    assert 'id="drafts"' in html and 'id="current"' not in html
    assert "Unplanned interruption: heating</a>" in html and "Hämeentie" in html


def test_cancel_asks_for_confirmation_and_a_reason(app, client, login):
    login("dispatcher")
    client.post("/staff/outages/new", data=form(client))
    [outage] = outages()
    base = f"/staff/outages/{outage.id}"
    detail = client.get(base).get_data(as_text=True)
    assert f'action="{base}/cancel"' not in detail  # a link to the question, not the deed
    assert f'href="{base}/cancel"' in detail
    refused = submit(client, f"{base}/cancel", f"{base}/cancel", reason="")
    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Outage, outage.id).status != OutageStatus.CANCELLED
    done = submit(client, f"{base}/cancel", f"{base}/cancel", reason="Posted in error")
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Outage, outage.id).status == OutageStatus.CANCELLED
    page = client.get(base).get_data(as_text=True)
    assert "Reason for cancelling: Posted in error" in page
    assert "Status changed" in page and "user:" not in page


def test_history_shows_labels_and_names_not_raw_values(app, client, login):
    login("dispatcher")
    client.post("/staff/outages/new", data=form(client))
    [outage] = outages()
    base = f"/staff/outages/{outage.id}"
    submit(client, base, f"{base}/status", status="repairing")
    page = client.get(base).get_data(as_text=True)
    assert "Fault being located → Being repaired" in page
    history = page.split('id="updates-heading"')[1]
    assert "Published" in history and "user:" not in history and "investigating" not in history
