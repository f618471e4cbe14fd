"""HTTP entry points of the contract-customer part: the staff register, the JSON API, and the
building managers' pages (sign-in link, their buildings, the staircase notice)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from notifications.customers.labels import priority_label, role_label
    from notifications.customers.routes import api, email_notices, managers, staff
    from notifications.customers.services import install
    from service.extensions import csrf

    app.jinja_env.globals.update(priority_label=priority_label, role_label=role_label)
    app.register_blueprint(staff.bp)
    app.register_blueprint(managers.bp)
    app.register_blueprint(email_notices.bp)
    csrf.exempt(email_notices.one_click)  # RFC 8058 one-click: the mail client cannot send one
    api.register(app)
    install(app)  # STOP from a contact's mobile turns their SMS off
