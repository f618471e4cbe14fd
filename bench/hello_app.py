"""Baselines: the cheapest Flask answers, on the same gunicorn settings as the app measured.

GET / returns a small fixed HTML page (bench/public_pages.py measures the outage list against
it); POST /twilio/sms/status answers 204 and reads nothing (bench/fanout.py measures the status
callbacks against it, with the same signed requests); POST /twilio/voice/incoming answers a fixed
TwiML dial (bench/voice.py measures the emergency line's incoming-call webhook against it). Their
rates are what gunicorn, WSGI and Flask's routing cost on this machine.
"""

from flask import Flask

PAGE = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Hello</title></head>'
    "<body><h1>Hello, world</h1><p>A fixed page for the benchmark baseline.</p></body></html>\n"
)

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return PAGE


@app.post("/twilio/sms/status")
def status() -> tuple[str, int]:
    return "", 204


VOICE = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fi-FI">Hello</Say>'
    '<Dial timeout="20"><Number>+358401110001</Number></Dial></Response>'
)


@app.post("/twilio/voice/incoming")
def voice() -> tuple[str, int, dict[str, str]]:
    """bench/voice.py's baseline: a fixed TwiML answer, reading nothing."""
    return VOICE, 200, {"Content-Type": "text/xml"}
