"""Twilio's REST API for the emergency line (the Calls list, Recordings), through the SDK.

The synchronous client, made per job run: the jobs are rare and small. Requests go to
FAIRHEAT_TWILIO_API_BASE_URL (the fake Twilio of the tests, a regional endpoint), as for SMS.
"""

from __future__ import annotations

from twilio.rest import Client

from service.settings import current_settings


def twilio_client() -> Client | None:
    """A client, or None when no Twilio account is configured."""
    sms = current_settings().sms
    if not sms.twilio_account_sid or not sms.twilio_auth_token:
        return None
    client = Client(sms.twilio_account_sid, sms.twilio_auth_token, environment={})
    client.api.base_url = sms.twilio_api_base_url
    return client
