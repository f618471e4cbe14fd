"""Every staff page and staff API call declares a permission, and each role gets exactly its own."""

from __future__ import annotations

import re

import pytest

from feedback.intake import submit_case
from feedback.reply_templates import create_template
from feedback.schemas import CaseInputSchema
from notifications.schemas import OutageInputSchema
from notifications.services import create_outage
from notifications.sms.models import Subscriber
from service.auth.permissions import ROLE_PERMISSIONS, Role
from service.db import utcnow
from service.extensions import db
from tests.conftest import PASSWORD
from tests.support.factories import case_payload, outage_payload

OPEN_STAFF_ENDPOINTS = {"auth.login", "auth.logout"}


def _protected_rules(app):
    for rule in app.url_map.iter_rules():
        path = rule.rule
        staff = path.startswith("/staff")
        api = path.startswith("/api/v1/") and not path.startswith("/api/v1/public")
        if (staff or api) and rule.endpoint not in OPEN_STAFF_ENDPOINTS:
            yield rule


def test_every_staff_and_api_endpoint_declares_a_permission(app):
    rules = list(_protected_rules(app))
    assert len(rules) >= 15
    missing = [
        r.endpoint
        for r in rules
        if not hasattr(app.view_functions[r.endpoint], "required_permission")
    ]
    assert missing == []


def _url(rule, ids):
    """The rule's URL with the matrix's records; a kind of record it does not create gets an
    id no record has: the permission is checked before the record is looked up (403), and an
    allowed role gets 404."""
    return re.sub(r"<int:(\w+)>", lambda m: str(ids.get(m.group(1), 999_999)), rule.rule)


@pytest.mark.parametrize("role", list(Role))
def test_role_by_endpoint_matrix(app, make_user, role):
    outage = create_outage(OutageInputSchema().load(outage_payload(publish=True)))
    subscriber = Subscriber(phone="+358401234567", language="fi", verified_at=utcnow())
    db.session.add(subscriber)
    db.session.commit()
    case = submit_case(CaseInputSchema().load(case_payload()))
    template = create_template(
        {"language": "fi", "title": "Kiitos", "body": "Kiitos palautteesta."}
    )
    ids = {
        "outage_id": outage.id,
        "subscriber_id": subscriber.id,
        "case_id": case.case_id,
        "template_id": template.id,
    }
    from service.auth import create_api_token

    # Someone else's account and token for the users page (deactivating oneself would sign
    # the browser out and hide the rest of the matrix).
    target = make_user("viewer", "target@lampo.example")
    create_api_token(target.email, "target")
    ids["user_id"] = target.id
    ids["token_id"] = target.tokens[0].id
    user = make_user(role.value)

    token = {"Authorization": f"Bearer {create_api_token(user.email)}"}
    browser = app.test_client()
    signed_in = browser.post("/staff/login", data={"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    checked = 0
    for rule in _protected_rules(app):
        permission = app.view_functions[rule.endpoint].required_permission
        allowed = permission in ROLE_PERMISSIONS[role]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = _url(rule, ids)
            headers = token if url.startswith("/api/") else {}
            response = browser.open(
                url, method=method, headers=headers, json={} if method != "GET" else None
            )
            if allowed:
                assert response.status_code not in (401, 403), (role, method, url)
            else:
                assert response.status_code == 403, (role, method, url, response.status_code)
            checked += 1
    assert checked >= 15


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/staff/outages/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


def test_session_cookie_does_not_open_the_api(client, login):
    login("admin")
    assert client.get("/api/v1/outages").status_code == 401
