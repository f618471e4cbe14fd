"""Request size limits read before anything else (review D14)."""

from __future__ import annotations

import io

import pytest
from flask import Flask

from service.edge import allow_body_up_to
from service.extensions import csrf


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"WTF_CSRF_ENABLED": True}  # the CSRF check parsed the whole form before (D14)


def test_d14_an_oversized_form_is_413_before_the_csrf_check_reads_it(client):
    body = b"description=" + b"x" * (2 * 1024 * 1024)
    response = client.post(
        "/en/feedback",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"},
    )
    assert response.status_code == 413
    assert "What you sent is too large." in response.get_data(as_text=True)


def test_d14_a_chunked_body_without_a_length_is_cut_off_at_the_limit(client):
    """The review's probe 28: no Content-Length, so a check of the header alone never ran."""
    response = client.post(
        "/en/feedback",
        input_stream=io.BytesIO(b"description=" + b"x" * (2 * 1024 * 1024)),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413


def test_d14_webhooks_take_small_bodies_only(client):
    response = client.post(
        "/twilio/sms/inbound",
        data={"Body": "x" * (100 * 1024)},
        headers={"X-Twilio-Signature": "bogus"},
    )
    assert response.status_code == 413


def test_d14_the_api_refuses_a_body_over_the_request_limit(client, token_for):
    response = client.post(
        "/api/v1/outages",
        data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={**token_for("admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json["code"] == 413


@pytest.mark.parametrize("settings_env", [{"FAIRHEAT_MAX_REQUEST_BYTES": "65536"}])
def test_a_form_with_a_file_may_be_larger_than_the_request_limit(app, client):
    seen: list[int] = []

    @app.post("/en/upload-test")
    @csrf.exempt
    def upload() -> str:
        from flask import request

        seen.append(len(request.files["document"].read()))
        return "ok"

    # Kept under 500 KB: a larger body makes the test client spool it to a file it leaves open.
    document = (io.BytesIO(b"%PDF-" + b"x" * (300 * 1024)), "plan.pdf")
    response = client.post("/en/upload-test", data={"document": document})
    assert response.status_code == 200
    assert seen == [5 + 300 * 1024]
    plain = client.post("/en/upload-test", data=b"x" * (100 * 1024), content_type="text/plain")
    assert plain.status_code == 413


def test_a_view_can_raise_its_own_limit(app: Flask, client):
    @app.post("/en/large-test")
    @csrf.exempt
    @allow_body_up_to(lambda: 4 * 1024 * 1024)
    def large() -> str:
        from flask import request

        return str(len(request.get_data()))

    body = b"x" * (3 * 1024 * 1024)
    response = client.post("/en/large-test", data=body, content_type="text/plain")
    assert response.get_data(as_text=True) == str(len(body))
    over = client.post("/en/large-test", data=body + body, content_type="text/plain")
    assert over.status_code == 413
