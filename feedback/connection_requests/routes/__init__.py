"""Connection-request routes: the public form and tracking pages, the back office, the API."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from feedback.connection_requests.labels import cr_label
    from feedback.connection_requests.routes import api, public, staff

    app.jinja_env.globals.update(cr_label=cr_label)
    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)
    api.register(app)
