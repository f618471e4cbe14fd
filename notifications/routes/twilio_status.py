"""Twilio's delivery status callbacks: POST /twilio/sms/status (signed).

Repeats are not refused: statuses only move forward, so a repeated callback changes nothing,
and this endpoint is the hot one (decision 0004).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from notifications.sms.receipts import record_delivery_status
from service.webhooks import twilio_signed

bp = Blueprint("twilio_status", __name__, url_prefix="/twilio/sms")


@bp.post("/status")
@twilio_signed
def status() -> Response:
    """Forward-only status update; an unknown message SID is logged and answered 200 all the same,
    so Twilio does not retry a callback we can never use."""
    record_delivery_status(
        request.form.get("MessageSid", ""),
        request.form.get("MessageStatus", ""),
        request.form.get("ErrorCode") or None,
    )
    return Response(status=204)
