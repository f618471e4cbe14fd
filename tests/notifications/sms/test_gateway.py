"""The SMS gateways: the real twilio SDK against a fake Twilio on loopback, and the console backend.

Nothing is mocked: every Twilio test goes through twilio.rest.Client, requests and a socket to
tests/support/fake_twilio.py, which FAIRHEAT_TWILIO_API_BASE_URL points the SDK at.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from notifications.sms.console import ConsoleGateway, recent_console_messages
from notifications.sms.gateway import SendError, SendResult, gateway_from_settings
from notifications.sms.twilio_backend import TwilioGateway, parse_retry_after
from service.webhooks import signature_is_valid
from tests.support.fake_twilio import FakeTwilio, Reply

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SERVICE_SID = "MG" + "fedcba9876543210" * 2
STATUS_CALLBACK = "https://lampo.example/twilio/sms/status"
SM_SID = re.compile(r"SM[0-9a-f]{32}")


@pytest.fixture(scope="module")
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture(autouse=True)
def fake(fake_twilio: FakeTwilio) -> FakeTwilio:
    fake_twilio.reset()
    return fake_twilio


@pytest.fixture
def settings_env(fake_twilio: FakeTwilio) -> dict[str, str]:
    # Depends on the fake so that it is listening (and its URL known) before `app` is built.
    return {
        "FAIRHEAT_SMS_BACKEND": "twilio",
        "FAIRHEAT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "FAIRHEAT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "FAIRHEAT_TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID,
        "FAIRHEAT_TWILIO_API_BASE_URL": fake_twilio.url,
    }


@pytest.fixture
def sms(app):
    return app.config["FAIRHEAT"].sms


@pytest.fixture
def gateway(app) -> Iterator[TwilioGateway]:
    gateway = gateway_from_settings(app.config["FAIRHEAT"])
    assert isinstance(gateway, TwilioGateway)
    yield gateway
    gateway.close()


@pytest.fixture
def make_gateway(sms) -> Iterator:
    """A TwilioGateway on changed settings or options, closed after the test."""
    made: list[TwilioGateway] = []

    def make(timeout: float = 5.0, **changes: str) -> TwilioGateway:
        made.append(TwilioGateway(replace(sms, **changes), timeout=timeout))
        return made[-1]

    yield make
    for gateway in made:
        gateway.close()


def send_error(gateway: TwilioGateway, to: str = "+358401234567") -> SendError:
    with pytest.raises(SendError) as caught:
        gateway.send(to, "Lämpökatko huomenna")
    return caught.value


def test_send_reaches_the_configured_api_through_the_messaging_service(gateway, fake):
    body = "Kaukolämpökatko Mannerheimintie 5: klo 10–14. Vastaa STOP lopettaaksesi."

    result = gateway.send("+358401234567", body, status_callback=STATUS_CALLBACK)

    assert SM_SID.fullmatch(result.provider_sid)
    assert result == SendResult(result.provider_sid, "accepted")
    [message] = fake.messages
    assert message.sid == result.provider_sid
    assert (message.to, message.body) == ("+358401234567", body)
    assert message.messaging_service_sid == SERVICE_SID
    assert message.from_ is None
    assert message.status_callback == STATUS_CALLBACK
    assert fake.requests == 1


def test_send_without_status_callback_leaves_it_to_the_messaging_service(gateway, fake):
    gateway.send("+358401234567", "Lämpö palautettu.")

    assert fake.messages[0].status_callback is None


def test_send_from_a_number_when_no_messaging_service_is_configured(make_gateway, fake):
    gateway = make_gateway(twilio_messaging_service_sid="", twilio_from_number="+358451112223")

    result = gateway.send("+48601234567", "Przerwa w dostawie ciepła")

    assert result.status == "queued"
    [message] = fake.messages
    assert (message.from_, message.messaging_service_sid) == ("+358451112223", None)


def test_wrong_auth_token_is_a_permanent_failure(make_gateway, fake):
    error = send_error(make_gateway(twilio_auth_token="not-the-token"))

    assert (error.code, error.retryable, error.opted_out) == ("20003", False, False)
    assert "Authenticate" in error.message
    assert fake.messages == []


@pytest.mark.parametrize(
    ("numbers", "code"), [("invalid_numbers", "21211"), ("not_mobile_numbers", "21614")]
)
def test_undeliverable_number_is_a_permanent_failure_with_twilios_code(
    gateway, fake, numbers, code
):
    getattr(fake, numbers).add("+358401234567")

    error = send_error(gateway)

    assert (error.code, error.retryable, error.opted_out) == (code, False, False)
    assert "+358401234567" in error.message
    assert error.retry_after is None
    assert fake.messages == []


def test_unsubscribed_recipient_is_permanent_and_marks_the_opt_out(gateway, fake):
    fake.opted_out_numbers.add("+358401234567")

    error = send_error(gateway)

    assert (error.code, error.retryable, error.opted_out) == ("21610", False, True)


def test_other_client_errors_are_permanent(gateway, fake):
    fake.script.append(Reply.error(21408, "Permission to send an SMS has not been enabled"))
    fake.script.append(Reply.error(21612, "The 'To' phone number is not currently reachable"))

    errors = [send_error(gateway), send_error(gateway)]

    assert [(e.code, e.retryable, e.opted_out) for e in errors] == [
        ("21408", False, False),
        ("21612", False, False),
    ]


def test_twilio_region_in_the_environment_does_not_redirect_the_sdk(
    monkeypatch, make_gateway, fake
):
    # The SDK reads these itself and would rewrite the host to api.dublin.ie1.…; the base URL
    # setting is the only way to choose where requests go.
    monkeypatch.setenv("TWILIO_EDGE", "dublin")
    monkeypatch.setenv("TWILIO_REGION", "ie1")

    make_gateway().send("+358401234567", "Lämpökatko huomenna")

    assert len(fake.messages) == 1


def test_rate_limited_send_is_retryable_after_the_wait_twilio_asks(gateway, fake):
    fake.script.append(Reply.too_many_requests(retry_after="2"))

    error = send_error(gateway)

    assert (error.code, error.retryable, error.opted_out) == ("20429", True, False)
    assert error.retry_after == 2.0
    assert fake.messages == []
    gateway.send("+358401234567", "Lämpökatko huomenna")  # the script held one answer only
    assert len(fake.messages) == 1


def test_rate_limited_send_without_retry_after_leaves_the_wait_to_the_caller(gateway, fake):
    fake.script.append(Reply.too_many_requests(retry_after=None))

    error = send_error(gateway)

    assert (error.retryable, error.retry_after) == (True, None)


@pytest.mark.parametrize(
    ("reply", "code"), [(Reply.server_error(), "20500"), (Reply.bad_gateway(), "http-502")]
)
def test_server_error_is_retryable(gateway, fake, reply, code):
    fake.script.append(reply)

    error = send_error(gateway)

    assert (error.code, error.retryable, error.opted_out) == (code, True, False)
    assert fake.messages == []


def test_proxy_error_page_in_another_encoding_is_still_a_retryable_server_error(gateway, fake):
    page = "<html><body>Palvelu ei ole käytettävissä</body></html>".encode("latin-1")
    fake.script.append(Reply(503, raw_body=page, headers={"Retry-After": "7"}))

    error = send_error(gateway)

    assert (error.code, error.retryable, error.retry_after) == ("http-503", True, 7.0)


def test_closing_lets_the_sends_in_flight_finish_and_refuses_new_ones(make_gateway, fake):
    gateway = make_gateway()
    fake.latency_ms = 300
    in_flight = gateway.submit("+358401234567", "Lämpökatko huomenna")

    gateway.close()

    assert in_flight.result(timeout=0).provider_sid.startswith("SM")
    refused = gateway.submit("+358401234568", "Lämpökatko huomenna")
    with pytest.raises(SendError) as caught:
        refused.result(timeout=0)
    assert (caught.value.code, caught.value.retryable) == ("closed", True)
    assert len(fake.messages) == 1
    gateway.close()  # a second close does nothing


def test_request_hanging_past_the_timeout_is_retryable(make_gateway, fake):
    gateway = make_gateway(timeout=0.3)
    fake.script.append(Reply.hang(seconds=3))

    started = time.monotonic()
    error = send_error(gateway)

    assert time.monotonic() - started < 2
    assert (error.code, error.retryable) == ("timeout", True)
    gateway.send("+358401234567", "Lämpökatko huomenna")  # a new connection works
    assert len(fake.messages) == 1


def test_slow_answer_within_the_timeout_is_a_success(make_gateway, fake):
    fake.latency_ms = 200

    make_gateway(timeout=2).send("+358401234567", "Lämpökatko huomenna")

    assert len(fake.messages) == 1


def test_unreachable_api_is_retryable(make_gateway):
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = make_gateway(twilio_api_base_url=f"http://127.0.0.1:{port}")

    error = send_error(gateway)

    assert (error.code, error.retryable) == ("connection", True)


def test_concurrent_sends_each_arrive_exactly_once_over_few_connections(gateway, fake):
    fake.latency_ms = 5
    numbers = [f"+3584012{i:05d}" for i in range(50)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda n: gateway.send(n, f"Katko {n}"), numbers))

    assert sorted(m.to for m in fake.messages) == numbers
    assert {m.body for m in fake.messages} == {f"Katko {n}" for n in numbers}
    assert {r.provider_sid for r in results} == {m.sid for m in fake.messages}
    assert fake.requests == 50
    assert fake.connections <= 8  # one pooled keep-alive connection per thread at most


def test_sequential_sends_reuse_one_connection(gateway, fake):
    for i in range(10):
        gateway.send(f"+35840123456{i}", "Lämpökatko huomenna")

    assert (fake.requests, fake.connections) == (10, 1)


def test_fake_failure_rate_is_retryable_and_repeatable(gateway, fake):
    def run() -> list[str | None]:
        outcomes: list[str | None] = []
        for i in range(20):
            try:
                gateway.send(f"+3584012345{i:02d}", "Lämpökatko huomenna")
                outcomes.append(None)
            except SendError as error:
                assert error.retryable
                outcomes.append(error.code)
        return outcomes

    fake.failure_rate = 0.5
    first = run()
    fake.reset()
    fake.failure_rate = 0.5
    second = run()

    assert first == second
    assert set(first) == {None, "20429", "20500"}
    assert len(fake.messages) == first.count(None)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("3", 3.0),
        ("0.5", 0.5),
        ("-4", 0.0),
        ("nan", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # already past
    ],
)
def test_retry_after_is_read_as_seconds_or_http_date(header, seconds):
    now = email.utils.parsedate_to_datetime("Wed, 21 Oct 2015 07:28:00 GMT")
    assert now.tzinfo == dt.UTC

    assert parse_retry_after(header, now=now) == seconds


def test_webhook_signature_is_checked_against_the_public_url_and_parameters():
    from twilio.request_validator import RequestValidator

    url = "https://lampo.example/twilio/sms/status"
    params = {"MessageSid": "SM" + "ab" * 16, "MessageStatus": "delivered"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)

    assert signature_is_valid(AUTH_TOKEN, url, params, signature)
    assert not signature_is_valid("another-token", url, params, signature)
    assert not signature_is_valid(
        AUTH_TOKEN, "http://10.0.0.5:8000/twilio/sms/status", params, signature
    )
    assert not signature_is_valid(AUTH_TOKEN, url, {**params, "MessageStatus": "failed"}, signature)
    assert not signature_is_valid(AUTH_TOKEN, url, params, "")


def test_webhook_signature_made_with_the_port_spelled_out_is_accepted():
    """Twilio signs https URLs with or without :443 (RequestValidator.validate tries both)."""
    from twilio.request_validator import RequestValidator

    params = {"MessageSid": "SM" + "ab" * 16, "MessageStatus": "delivered"}
    with_port = RequestValidator(AUTH_TOKEN).compute_signature(
        "https://lampo.example:443/twilio/sms/status", params
    )

    assert signature_is_valid(
        AUTH_TOKEN, "https://lampo.example/twilio/sms/status", params, with_port
    )


def test_webhook_signature_covers_every_value_of_a_repeated_parameter():
    from twilio.request_validator import RequestValidator
    from werkzeug.datastructures import MultiDict

    url = "https://lampo.example/twilio/sms/inbound"
    form = MultiDict([("Body", "STOP"), ("MediaUrl", "a"), ("MediaUrl", "b")])
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)

    assert signature_is_valid(AUTH_TOKEN, url, form, signature)
    assert not signature_is_valid(AUTH_TOKEN, url, MultiDict([("Body", "STOP")]), signature)


def test_twilio_sdk_is_imported_only_by_the_twilio_backend():
    code = (
        "import sys, notifications.sms.gateway, notifications.sms.console; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'twilio'))"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


class TestConsoleBackend:
    @pytest.fixture
    def settings_env(self) -> dict[str, str]:
        return {}  # the default: FAIRHEAT_SMS_BACKEND=console

    def test_console_messages_are_stored_and_listed_newest_first(self, app):
        gateway = gateway_from_settings(app.config["FAIRHEAT"])
        assert isinstance(gateway, ConsoleGateway)

        first = gateway.send("+358401234567", "Vahvistuskoodi 123456")
        # From threads without an app context, as the dispatcher calls it.
        with ThreadPoolExecutor(max_workers=4) as pool:
            later = list(pool.map(lambda i: gateway.send(f"+4860123456{i}", f"Kod {i}"), range(4)))
        gateway.close()

        assert first.status == "sent"
        assert re.fullmatch(r"SMcons[0-9a-f]{26}", first.provider_sid)
        shown = recent_console_messages()
        assert len(shown) == 5
        assert shown[-1].sid == first.provider_sid
        assert (shown[-1].to, shown[-1].body) == ("+358401234567", "Vahvistuskoodi 123456")
        assert {m.sid for m in shown[:4]} == {r.provider_sid for r in later}
        assert all(m.sent_at is not None for m in shown)
        assert [m.sid for m in recent_console_messages(limit=2)] == [m.sid for m in shown[:2]]


def test_an_outbound_proxy_from_the_environment_is_read_for_the_api_host(make_gateway, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.utility.example:3128")
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("no_proxy", "")

    gateway = make_gateway(twilio_api_base_url="https://api.twilio.com")

    assert gateway.proxy == "http://proxy.utility.example:3128"


def test_sends_go_through_the_outbound_proxy(make_gateway, fake, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # a proxy that is down
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("no_proxy", "")
    gateway = make_gateway()

    error = send_error(gateway)

    assert (error.code, error.retryable) == ("connection", True)  # it asked the proxy
    assert fake.messages == []


def test_no_proxy_for_the_api_host_sends_directly(make_gateway, fake, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    gateway = make_gateway()
    assert gateway.proxy is None
    assert gateway.send("+358401234567", "Testi").provider_sid.startswith("SM")
