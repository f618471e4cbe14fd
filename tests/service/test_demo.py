"""`fairheat demo`: every state of both kinds, shown on the public pages, on any day, anywhere."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from markupsafe import escape

from feedback import demo as feedback_demo
from notifications import demo as notifications_demo
from notifications import get_outage, list_outages
from notifications.models import OutageStatus
from notifications.texts import compose_notice
from service import demo
from service.auth import authenticate
from service.auth.models import User
from service.demo import USERS
from service.extensions import db


def load(runner, *args: str) -> str:
    result = runner.invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_loads_every_state_and_the_public_pages_show_the_published_ones(runner, client):
    output = load(runner)

    outages = list_outages(public=False)
    assert "loaded 13 outages" in output
    assert {o.status for o in outages} == set(OutageStatus)
    drafts = [o for o in outages if not o.published]
    assert len(drafts) == 1
    current = client.get("/fi/").get_data(as_text=True)
    archive = client.get("/fi/archive").get_data(as_text=True)
    for outage in outages:
        if outage.published:
            page = archive if outage.finished else current
            assert f'href="/fi/outages/{outage.id}"' in page
            assert str(escape(compose_notice(outage, "fi").title)) in page
    assert f"/fi/outages/{drafts[0].id}" not in current + archive
    assert client.get(f"/fi/outages/{drafts[0].id}").status_code == 404


def test_demo_history_shows_an_extended_estimate_and_one_late_notice_with_its_reason(runner):
    load(runner)

    outages = list_outages(public=False)
    changes = [u.change for o in outages for u in get_outage(o.id, public=False).updates]
    assert changes.count("estimate") == 1
    late = [o for o in outages if o.notice_late]
    assert len(late) == 1 and late[0].late_notice_reason
    assert {o.created_by for o in outages} == {"demo"}
    assert any(o.polygon for o in outages)


def test_demo_signs_in_the_documented_staff_accounts(runner):
    load(runner)

    assert authenticate("admin@demo.fairheat.example", "demo-admin-password").role.value == "admin"
    dispatcher = authenticate("dispatcher@demo.fairheat.example", "demo-dispatcher-password")
    assert dispatcher.role.value == "dispatcher"


def test_demo_if_empty_adds_nothing_and_a_plain_second_run_keeps_the_users(runner):
    load(runner, "--if-empty")
    count = len(list_outages(public=False))

    assert "nothing loaded" in load(runner, "--if-empty")
    assert len(list_outages(public=False)) == count
    assert "(exists)" in load(runner)
    assert len(list_outages(public=False)) == 2 * count
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == len(USERS)


@pytest.mark.parametrize(
    ("settings_env", "postcode", "lang"),
    [
        ({"FAIRHEAT_JURISDICTION": "PL"}, "00-624", "pl"),
        ({"FAIRHEAT_JURISDICTION": "SE", "FAIRHEAT_LANGUAGES": "sv,en"}, "111 51", "sv"),
    ],
)
def test_demo_uses_the_jurisdictions_streets_and_languages(app, runner, client, postcode, lang):
    output = load(runner)

    assert "loaded 13 outages" in output
    assert postcode in client.get(f"/{lang}/").get_data(as_text=True)
    languages = set(app.config["FAIRHEAT"].languages)
    assert all(set(o.texts) <= languages for o in list_outages(public=False))


@pytest.mark.parametrize(
    "moment",
    [
        "2026-03-28T21:55:00+00:00",  # 23:55 in Helsinki, the night clocks go forward
        "2026-10-25T00:58:00+00:00",  # the night clocks go back
        "2025-12-31T21:50:00+00:00",  # ten to midnight on New Year's Eve
        "2028-02-29T06:00:00+00:00",  # a leap day
    ],
)
@pytest.mark.parametrize("settings_env", [{}, {"FAIRHEAT_JURISDICTION": "PL"}])
def test_demo_passes_the_service_rules_whatever_the_day(app, monkeypatch, moment):
    now = dt.datetime.fromisoformat(moment)
    monkeypatch.setattr(notifications_demo, "utcnow", lambda: now)
    monkeypatch.setattr(feedback_demo, "utcnow", lambda: now)

    assert "loaded 13 outages" in demo.load_demo()
    assert sum(o.notice_late for o in list_outages(public=False, now=now)) == 1
