"""SMS sent to the service number: POST /twilio/sms/inbound (signed by Twilio), answered in TwiML.

The handler reads From, Body and OptOutType (Twilio Advanced Opt-Out), hands them to one service
function and returns its reply as a TwiML <Message>, or an empty <Response/> for no reply.
A request identical to one already answered gets an empty answer and changes nothing (D8):
see service/webhooks.py.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from flask import Blueprint, Response, request

from notifications.sms.inbound import handle_inbound_sms
from service.webhooks import twilio_signed

bp = Blueprint("twilio_inbound", __name__, url_prefix="/twilio/sms")

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def twiml(reply: str | None) -> Response:
    body = f"<Response><Message>{escape(reply)}</Message></Response>" if reply else "<Response/>"
    response = Response(_XML_DECLARATION + body, mimetype="application/xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/inbound")
@twilio_signed(refuse_repeats=True)  # a replayed STOP or START would change state
def inbound() -> Response:
    reply = handle_inbound_sms(
        request.form.get("From", ""),
        request.form.get("Body", ""),
        request.form.get("OptOutType") or None,
    )
    return twiml(reply)
