"""Never a 500 from input (review D4, D5, D13, D18): huge ids and pages, NUL and other control
characters, direction overrides, deeply nested JSON, a concurrent edit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from feedback.models import Case
from notifications.models import Outage
from service.extensions import db
from tests.support.factories import outage_payload
from tests.support.forms import submit

HUGE = "99999999999999999999"


def _cases() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Case)) or 0


@pytest.mark.parametrize(
    "path",
    [
        f"/en/outages/{HUGE}",
        "/en/outages/2147483648",
        "/en/outages/9223372036854775808",
        "/en/outages/" + "9" * 5000,
        "/api/v1/public/outages/9223372036854775808",
        "/api/v1/public/outages/2147483648",
        f"/en/outages/{HUGE}.cap.xml",
        f"/en/archive?page={HUGE}",
        "/en/archive?page=" + "9" * 5000,
    ],
)
def test_d4_huge_ids_and_pages_on_public_pages_are_404(client, path):
    """D4: OverflowError (SQLite) and NumericValueOutOfRange (PostgreSQL) were 500s."""
    assert client.get(path).status_code == 404


def test_d4_huge_ids_and_pages_in_the_api_and_back_office_are_404(client, login):
    from service.auth import create_api_token

    admin = login("admin")
    headers = {"Authorization": f"Bearer {create_api_token(admin.email)}"}
    for path in (f"/api/v1/outages/{HUGE}", "/api/v1/outages/2147483648"):
        assert client.get(path, headers=headers).status_code == 404
        # Werkzeug answers 405 where a GET route has the same shape: a 4xx all the same.
        assert client.patch(path, json={}, headers=headers).status_code in (404, 405)
        assert (
            client.post(f"{path}/cancel", json={"reason": "x"}, headers=headers).status_code == 404
        )
    for path in (f"/staff/cases/{HUGE}", "/staff/outages/2147483648", f"/staff/audit?page={HUGE}"):
        assert client.get(path).status_code == 404, path


def test_the_largest_id_a_column_holds_is_still_an_id(client):
    assert client.get("/en/outages/2147483647").status_code == 404  # no such outage, no error
    assert client.get("/en/archive?page=2").status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "Patterit kylmät\x00"),
        ("name", "Matti\x00 Meikäläinen"),
        ("description", "Kello soi\x07"),
        ("description", "Osoite \u202etie 5"),
        ("name", "\u2066Matti\u2069"),
        ("address", "Mannerheimintie\x1b[31m 5"),
    ],
)
def test_d4_d18_control_and_direction_characters_in_the_feedback_form_are_refused(
    client, field, value
):
    """D4 (a NUL was a 500 on PostgreSQL) and D18 (BEL and U+202E were stored and shown raw):
    422 naming the field, in the visitor's language, nothing saved."""
    response = _feedback(client, "fi", **{field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "ohjaus- tai tekstinsuuntamerkit" in page
    assert field in page
    assert _cases() == 0


def test_d18_tabs_and_line_breaks_in_free_text_are_kept(client):
    description = "Patterit kylmät.\r\n\tMakuuhuone ja keittiö.\nAlkoi maanantaina."
    response = _feedback(client, "fi", description=description)
    assert response.status_code == 302, response.get_data(as_text=True)
    case = db.session.scalars(sa.select(Case)).one()
    assert "\tMakuuhuone" in case.description and "\n" in case.description


def test_d4_d18_control_characters_in_the_api_are_422_naming_the_field(client, token_for):
    headers = token_for("dispatcher")
    payload = outage_payload()
    payload["areas"][0]["street"] = "Mannerheimintie\x00"
    response = client.post("/api/v1/outages", json=payload, headers=headers)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"areas.0.street"}

    response = client.get("/api/v1/public/lookup?postcode=00100&street=Mannerheimintie%00")
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"street"}

    response = client.get("/api/v1/public/outages?street=%E2%80%AEeitnimiehrennaM")
    assert response.status_code == 422
    assert client.get("/en/outages/%00").status_code == 404


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_d13_deeply_nested_json_is_400(client, token_for, depth):
    """D13: an array nested 5,000 levels deep was a RecursionError and a 500."""
    body = "[" * depth + "]" * depth
    response = client.post(
        "/api/v1/outages",
        data=body,
        headers={
            **token_for("admin"),
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
    )
    assert response.status_code == 400
    assert response.json["errors"] == {"json": ["The request body nests too deeply."]}


def test_json_of_an_ordinary_depth_still_reaches_the_api(client, token_for):
    response = client.post("/api/v1/outages", json=outage_payload(), headers=token_for("admin"))
    assert response.status_code == 201


def test_d5_an_outage_changed_meanwhile_is_409_not_500(client, token_for, app):
    """D5: two people PATCHing one outage at once; the loser's flush finds another version
    (StaleDataError) and gets 409 "changed meanwhile", not a 500."""
    headers = token_for("dispatcher")
    created = client.post("/api/v1/outages", json=outage_payload(), headers=headers).json
    outage_id = created["id"]

    bumped: list[bool] = []

    def someone_else_got_there_first(session: Session, flush_context, instances) -> None:
        if bumped or not any(isinstance(o, Outage) for o in session.dirty):
            return
        bumped.append(True)
        session.connection().execute(
            sa.update(Outage.__table__)
            .where(Outage.__table__.c.id == outage_id)
            .values(version=Outage.__table__.c.version + 1)
        )

    event.listen(Session, "before_flush", someone_else_got_there_first)
    try:
        response = client.patch(
            f"/api/v1/outages/{outage_id}",
            json={"cause": "other"},
            headers={**headers, "Accept-Language": "en"},
        )
    finally:
        event.remove(Session, "before_flush", someone_else_got_there_first)
    assert response.status_code == 409, response.json
    assert "meanwhile" in response.json["message"]


def _feedback(client, lang: str, **changes: str):
    form = {
        "type": "complaint",
        "area": "heat_supply",
        "name": "Matti Meikäläinen",
        "address": "Mannerheimintie 5",
        "description": "Patterit kylmät.",
        "email": "matti@example.fi",
        "reply_channel": "email",
        "language": lang,
        **changes,
    }
    return submit(client, f"/{lang}/feedback", f"/{lang}/feedback", **form)
