"""HTTP entry points of the emergency line: Twilio Voice webhooks, the JSON API, the back office."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from feedback.emergency.labels import LABELS
    from feedback.emergency.routes import api, staff, twilio
    from service.extensions import csrf

    app.register_blueprint(twilio.bp)
    csrf.exempt(twilio.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(staff.assets)
    api.register(app)
    csrf.exempt(api.bp)
    app.jinja_env.globals.update(emergency_label=LABELS.label)
