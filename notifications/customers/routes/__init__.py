"""HTTP entry points of the contract-customer part: the staff register, the JSON API, and the
building managers' pages (sign-in link, their buildings, the staircase notice)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from notifications.customers.labels import priority_label, role_label
    from notifications.customers.routes import api, managers, staff

    app.jinja_env.globals.update(priority_label=priority_label, role_label=role_label)
    app.register_blueprint(staff.bp)
    app.register_blueprint(managers.bp)
    api.register(app)
