"""The baseline for bench/public_pages.py: the cheapest Flask page, on the same gunicorn settings.

It returns a small fixed HTML page, so its rate is what gunicorn, WSGI and Flask's routing cost
on this machine; the outage list is measured against it.
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
