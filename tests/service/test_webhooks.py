"""service.webhooks: Twilio signatures on any domain's /twilio/… view, and repeats refused where
asked. Requests are signed with the SDK's own RequestValidator, as Twilio signs them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import sqlalchemy as sa
from flask import Blueprint, Flask
from twilio.request_validator import RequestValidator

from notifications.sms.models import Subscriber
from service import webhook_receipts
from service.audit import AuditEntry
from service.extensions import csrf, db
from service.webhook_receipts import WebhookReceipt
from service.webhooks import signature_is_valid, twilio_signed

TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
BASE = "https://lampo.example"
HOOK = "/twilio/test/hook"
ONCE = "/twilio/test/once"


@pytest.fixture
def settings_env() -> dict[str, str]:
    return {"FAIRHEAT_TWILIO_AUTH_TOKEN": TOKEN, "FAIRHEAT_PUBLIC_BASE_URL": BASE}


@pytest.fixture
def calls(app: Flask) -> list[str]:
    """Views of a pretend domain (Voice, say), guarded like the real ones; each call is recorded."""
    seen: list[str] = []
    bp = Blueprint("webhook_test", __name__, url_prefix="/twilio/test")

    @bp.route("/hook", methods=["GET", "POST"])
    @twilio_signed
    def hook() -> tuple[str, int]:
        seen.append("hook")
        return "", 204

    @bp.post("/once")
    @twilio_signed(refuse_repeats=True)
    def once() -> tuple[str, int]:
        from flask import request

        seen.append(f"once:{request.form.get('CallStatus')}:{request.form.get('Note', '')}")
        if request.form.get("CallStatus") == "boom":
            raise RuntimeError("the view failed")
        return "", 204

    app.register_blueprint(bp)
    csrf.exempt(bp)
    return seen


def sign(path: str, params: dict[str, str], *, base: str = BASE, token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(base + path, params))


def call(params: dict[str, str], *, status: str = "ringing") -> dict[str, str]:
    return {"CallSid": "CA" + "1" * 32, "From": "+358401234567", "CallStatus": status, **params}


def post(client, path: str, params: dict[str, str], signature: str | None):
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    return client.post(path, data=params, headers=headers)


def test_a_correctly_signed_request_reaches_the_view(client, calls):
    params = call({})
    assert post(client, HOOK, params, sign(HOOK, params)).status_code == 204
    assert calls == ["hook"]


def test_a_request_without_a_signature_is_refused_before_the_view(client, calls):
    assert post(client, HOOK, call({}), None).status_code == 403
    assert post(client, HOOK, call({}), "").status_code == 403
    assert calls == []


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda p: sign(HOOK, p, token="f" * 32), id="another-token"),
        pytest.param(lambda p: sign(HOOK, {**p, "CallStatus": "completed"}), id="other-params"),
        pytest.param(lambda p: sign("/twilio/sms/status", p), id="another-path"),
        pytest.param(lambda p: sign(HOOK, p, base="http://localhost"), id="internal-url"),
        pytest.param(lambda p: "not-a-signature", id="garbage"),
    ],
)
def test_a_wrong_signature_is_refused_before_the_view(client, calls, forge):
    params = call({})
    assert post(client, HOOK, params, forge(params)).status_code == 403
    assert calls == []


@pytest.mark.parametrize("settings_env", [{"FAIRHEAT_PUBLIC_BASE_URL": BASE}])
def test_without_an_auth_token_every_request_is_refused(client, calls):
    params = call({})
    assert post(client, HOOK, params, sign(HOOK, params, token="")).status_code == 403
    assert calls == []


def test_a_signature_made_with_the_default_port_spelled_out_is_accepted(client, calls):
    params = call({})
    assert post(client, HOOK, params, sign(HOOK, params, base=f"{BASE}:443")).status_code == 204
    assert calls == ["hook"]


@pytest.mark.parametrize(
    "settings_env",
    [{"FAIRHEAT_TWILIO_AUTH_TOKEN": TOKEN, "FAIRHEAT_PUBLIC_BASE_URL": f"{BASE}:443"}],
)
def test_a_signature_without_the_port_of_the_configured_url_is_accepted(client, calls):
    params = call({})
    assert post(client, HOOK, params, sign(HOOK, params, base=BASE)).status_code == 204
    assert calls == ["hook"]


def test_the_query_string_is_part_of_the_signed_url(client, calls):
    params = call({})
    signature = sign(f"{HOOK}?attempt=1", params)
    assert (
        client.post(
            f"{HOOK}?attempt=1", data=params, headers={"X-Twilio-Signature": signature}
        ).status_code
        == 204
    )
    assert (
        client.post(
            f"{HOOK}?attempt=2", data=params, headers={"X-Twilio-Signature": signature}
        ).status_code
        == 403
    )
    assert calls == ["hook"]


def test_a_signed_get_request_is_checked_on_its_query(client, calls):
    path = f"{HOOK}?CallSid=CA1&CallStatus=ringing"
    signature = sign(path, {})
    assert client.get(path, headers={"X-Twilio-Signature": signature}).status_code == 204
    other = f"{HOOK}?CallSid=CA1&CallStatus=completed"
    assert client.get(other, headers={"X-Twilio-Signature": signature}).status_code == 403
    assert calls == ["hook"]


def test_a_body_hash_signed_into_the_url_must_match_the_body(client, calls):
    body = json.dumps({"CallSid": "CA1", "CallStatus": "ringing"}).encode()
    path = f"{HOOK}?bodySHA256={hashlib.sha256(body).hexdigest()}"
    headers = {"X-Twilio-Signature": sign(path, {}), "Content-Type": "application/json"}

    assert client.post(path, data=body, headers=headers).status_code == 204
    assert (
        client.post(path, data=body.replace(b"ringing", b"busy"), headers=headers).status_code
        == 403
    )
    assert calls == ["hook"]


def test_a_matching_signature_costs_one_hmac(client, calls, monkeypatch):
    computed: list[str] = []
    original = RequestValidator.compute_signature

    def counting(self, uri, params, algorithm=None):
        computed.append(uri)
        return original(self, uri, params, algorithm)

    monkeypatch.setattr(RequestValidator, "compute_signature", counting)
    params = call({})

    assert post(client, HOOK, params, sign(HOOK, params)).status_code == 204
    assert len(computed) == 2  # one to make the request here, one to check it

    computed.clear()
    assert post(client, HOOK, params, sign(HOOK, params, base=f"{BASE}:443")).status_code == 204
    assert len(computed) == 4  # made, then the configured URL, then without and with the port


def test_signature_is_valid_for_every_value_of_a_repeated_parameter():
    from werkzeug.datastructures import MultiDict

    url = f"{BASE}/twilio/sms/inbound"
    form = MultiDict([("Body", "STOP"), ("MediaUrl", "a"), ("MediaUrl", "b")])
    signature = RequestValidator(TOKEN).compute_signature(url, form)

    assert signature_is_valid(TOKEN, url, form, signature)
    assert not signature_is_valid(TOKEN, url, MultiDict([("Body", "STOP")]), signature)
    assert not signature_is_valid(TOKEN, url, form, "")


# --- repeats -------------------------------------------------------------------------------


def test_d8_a_repeated_request_is_answered_but_the_view_does_not_run(client, calls):
    """D8: a replay gets 200 and an empty TwiML answer (what Twilio expects), and changes
    nothing; a new status of the same call is a new request."""
    ringing, completed = call({}), call({}, status="completed")

    assert post(client, ONCE, ringing, sign(ONCE, ringing)).status_code == 204
    repeat = post(client, ONCE, ringing, sign(ONCE, ringing))
    assert repeat.status_code == 200
    assert repeat.mimetype == "application/xml"
    assert repeat.get_data(as_text=True).endswith("<Response/>")
    assert post(client, ONCE, completed, sign(ONCE, completed)).status_code == 204
    assert calls == ["once:ringing:", "once:completed:"]


def test_repeats_are_let_through_where_the_view_does_not_ask(client, calls):
    params = call({})
    assert post(client, HOOK, params, sign(HOOK, params)).status_code == 204
    assert post(client, HOOK, params, sign(HOOK, params)).status_code == 204
    assert calls == ["hook", "hook"]


def test_an_unsigned_request_does_not_use_up_a_genuine_one(client, calls):
    params = call({})
    assert post(client, ONCE, params, "forged").status_code == 403
    assert post(client, ONCE, params, sign(ONCE, params)).status_code == 204
    assert calls == ["once:ringing:"]


def test_a_request_the_view_failed_on_can_come_again(client, calls, app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    params = call({}, status="boom")
    assert post(client, ONCE, params, sign(ONCE, params)).status_code == 500
    assert post(client, ONCE, params, sign(ONCE, params)).status_code == 500
    assert calls == ["once:boom:", "once:boom:"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookReceipt)) == 0


def test_d8_a_replay_is_caught_by_another_web_process(app, calls, settings_env, tmp_path):
    """D8: what was accepted is in the database, so a second app (another gunicorn worker or
    host) on the same database answers the replay without running the view."""
    from service.app import create_app
    from tests.conftest import make_settings

    params = call({})
    assert post(app.test_client(), ONCE, params, sign(ONCE, params)).status_code == 204

    other = create_app(
        {
            "FAIRHEAT": make_settings(
                tmp_path / "other",
                FAIRHEAT_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                **settings_env,
            ),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    seen: list[str] = []

    @other.post(ONCE)
    @twilio_signed(refuse_repeats=True)
    def once_elsewhere() -> tuple[str, int]:
        seen.append("other")
        return "", 204

    with other.app_context():
        response = post(other.test_client(), ONCE, params, sign(ONCE, params))
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 200
    assert seen == [] and calls == ["once:ringing:"]


def test_receipts_past_the_repeat_window_are_pruned(client, calls):
    params = call({})
    assert post(client, ONCE, params, sign(ONCE, params)).status_code == 204
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    assert webhook_receipts.prune(now=later) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookReceipt)) == 0


def test_d4_control_characters_in_a_signed_form_are_removed_before_the_view(client, calls):
    """D4/D18: a NUL (PostgreSQL cannot store it) or a direction override in what Twilio signed
    is checked as signed, then removed from what the view reads."""
    params = call({"Note": "kello\x00 8\u202e.00"})
    assert post(client, ONCE, params, sign(ONCE, params)).status_code == 204
    assert calls == ["once:ringing:kello 8.00"]


def _sms(sid: str, body: str) -> dict[str, str]:
    return {"MessageSid": sid, "From": "+358401234567", "To": "+358451234567", "Body": body}


def _audit_entries() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0


def test_d8_a_replayed_inbound_sms_changes_nothing_and_writes_no_audit_entry(client):
    """D8, the review's probe 9 and 10: the real inbound endpoint. An old TILAA replayed after
    STOP does not subscribe again, and no replay adds an audit entry."""
    path = "/twilio/sms/inbound"
    subscribe, stop = _sms("SM" + "a" * 32, "TILAA 00100"), _sms("SM" + "b" * 32, "LOPETA")
    assert post(client, path, subscribe, sign(path, subscribe)).status_code == 200
    assert post(client, path, stop, sign(path, stop)).status_code == 200
    entries = _audit_entries()

    for _ in range(3):
        for replay in (subscribe, stop):
            answer = post(client, path, replay, sign(path, replay))
            assert answer.status_code == 200
            assert answer.get_data(as_text=True).endswith("<Response/>")

    db.session.expire_all()
    who = db.session.scalar(sa.select(Subscriber))
    assert who is not None and who.opted_out_at is not None
    assert _audit_entries() == entries


def test_d8_a_replayed_start_after_stop_does_not_opt_in_again(client):
    """D8, probe 9: signed START, then STOP, then the START replayed: still opted out."""
    path = "/twilio/sms/inbound"
    subscribe = _sms("SM" + "c" * 32, "TILAA 00100")
    start, stop = _sms("SM" + "d" * 32, "START"), _sms("SM" + "e" * 32, "STOP")
    for message in (subscribe, stop, start, stop | {"MessageSid": "SM" + "f" * 32}):
        assert post(client, path, message, sign(path, message)).status_code == 200
    entries = _audit_entries()

    assert post(client, path, start, sign(path, start)).status_code == 200

    db.session.expire_all()
    who = db.session.scalar(sa.select(Subscriber))
    assert who is not None and who.opted_out_at is not None
    assert _audit_entries() == entries
